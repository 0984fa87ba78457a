"""The year's activity schedule."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, func, select

from schedules.plan_merge import Incoming, Merge, Stored, merge
from storage.db import serialize, session_scope
from storage.models import Event, ScheduleItem

IMPORTED = ("plan", "file")  # sources a re-import may change; items added in chat it never touches

_BY_YEAR = (select(ScheduleItem)
            .where(ScheduleItem.union_id == bindparam("u"), ScheduleItem.year == bindparam("y"))
            .order_by(ScheduleItem.number))


@dataclass(frozen=True)
class NewItem:
    year: int
    months: list[int]
    weeks: list[int]
    text: str
    category: str = "other"
    holiday: str | None = None
    date: dt.date | None = None
    rrule: str | None = None


@dataclass(frozen=True)
class ImportOutcome:
    merge: Merge
    rows: list[ScheduleItem]  # the plan's items as stored, in the plan's order


def _incoming(it: NewItem) -> Incoming:
    return Incoming(tuple(it.months), it.text, it.category, it.date)


def _join(values: list[int]) -> str:
    return ",".join(str(v) for v in values)


def split_ints(value: str) -> list[int]:
    return [int(v) for v in value.split(",") if v.strip()]


CACHE_SECONDS = 10.0


class ScheduleRepo:
    """The schedule. A year's items are cached in the process for a few seconds
    (#本月活动 is what members ask most); writes here clear the cache at once,
    and an import by another process (`unionbot plan import`) shows within
    ``CACHE_SECONDS``."""

    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id
        self._by_year: dict[int, tuple[float, list[ScheduleItem]]] = {}
        self._by_month: dict[tuple[int, int], tuple[float, list[ScheduleItem]]] = {}
        self.cache_seconds = CACHE_SECONDS  # the office page sets 0: desk work reads what is there now

    def _forget(self) -> None:
        self._by_year.clear()
        self._by_month.clear()

    def _imported(self, s: Session, year: int) -> list[Stored]:
        rows = s.exec(select(ScheduleItem).where(
            ScheduleItem.union_id == self.union_id, ScheduleItem.year == year,
            col(ScheduleItem.source).in_(IMPORTED)).order_by(ScheduleItem.number)).all()
        linked = set(s.exec(select(Event.schedule_number).where(
            Event.union_id == self.union_id, Event.status != "cancelled",
            col(Event.schedule_number).in_([r.number for r in rows]))).all())
        return [Stored(r.number, tuple(split_ints(r.months)), r.text, r.category, r.date, r.edited,
                       r.number in linked) for r in rows]

    def preview_import(self, year: int, items: list[NewItem], overwrite: frozenset[int] = frozenset(),
                       drop: frozenset[int] = frozenset()) -> tuple[Merge, dict[int, Stored]]:
        """What ``replace_imported`` would do now, and the stored rows it names; changes nothing."""
        with session_scope(self.engine) as s:
            return self._merge(s, year, items, overwrite, drop)

    def _merge(self, s: Session, year: int, items: list[NewItem], overwrite: frozenset[int],
               drop: frozenset[int]) -> tuple[Merge, dict[int, Stored]]:
        """Each year the items fall in against that year's stored rows. Rows of another year (a plan's
        January of the next year) are matched, never removed: that year belongs to its own plan."""
        total, named = Merge(), {}
        for y in sorted({year, *(it.year for it in items)}):
            index = [i for i, it in enumerate(items) if it.year == y]
            stored = self._imported(s, y)
            part = merge(stored, [_incoming(items[i]) for i in index], overwrite=overwrite, drop=drop)
            for mine, theirs in ((total.same, part.same), (total.update, part.update), (total.held, part.held)):
                mine.update({index[k]: number for k, number in theirs.items()})
            total.add += [index[k] for k in part.add]
            if y == year:
                total.remove, total.kept = part.remove, part.kept
            named.update({r.number: r for r in stored})
        total.add.sort()
        return total, named

    def replace_imported(self, year: int, items: list[NewItem], source: str, by: str = "",
                         overwrite: frozenset[int] = frozenset(), drop: frozenset[int] = frozenset()) -> ImportOutcome:
        """Import ``year``'s plan over what is stored (schedules.plan_merge): matched rows keep their numbers
        (and their hand edits, but for ``overwrite``), new items get new numbers, rows the plan no longer
        has are deleted unless sign-ups point at them or they were edited by hand (but for ``drop``).
        Items added in chat are not touched."""
        self._forget()
        with session_scope(self.engine) as s:
            serialize(s, f"{self.union_id}:schedule_number")
            plan, _ = self._merge(s, year, items, overwrite, drop)
            by_number = {r.number: r for r in s.exec(select(ScheduleItem).where(
                ScheduleItem.union_id == self.union_id,
                col(ScheduleItem.number).in_(list(plan.row_of.values()) + plan.remove))).all()}
            for i, number in plan.update.items():
                row, it = by_number[number], items[i]
                row.sqlmodel_update(dict(months=_join(it.months), weeks=_join(it.weeks), text=it.text,
                                         category=it.category, holiday=it.holiday, date=it.date, rrule=it.rrule,
                                         source=source, edited=False))
                s.add(row)
            # New numbers first: a removed row's number is never given to another activity.
            added = iter(self._insert(s, [items[i] for i in plan.add], source, by))
            for number in plan.remove:
                s.delete(by_number[number])
            rows = [by_number[plan.row_of[i]] if i in plan.row_of else next(added) for i in range(len(items))]
            s.flush()
            return ImportOutcome(plan, rows)

    def add(self, item: NewItem, source: str = "chat", by: str = "") -> ScheduleItem:
        self._forget()
        with session_scope(self.engine) as s:
            return self._insert(s, [item], source, by)[0]

    def _insert(self, s: Session, items: list[NewItem], source: str, by: str) -> list[ScheduleItem]:
        # Concurrent writers queue here (advisory lock / BEGIN IMMEDIATE), so max+1 never collides.
        serialize(s, f"{self.union_id}:schedule_number")
        top = s.exec(select(func.max(ScheduleItem.number)).where(ScheduleItem.union_id == self.union_id)).one()
        number = (top or 0) + 1
        rows = []
        for it in items:
            row = ScheduleItem(
                union_id=self.union_id, number=number, year=it.year, months=_join(it.months),
                weeks=_join(it.weeks), text=it.text, category=it.category, holiday=it.holiday,
                date=it.date, rrule=it.rrule, source=source, created_by=by,
            )
            s.add(row)
            rows.append(row)
            number += 1
        s.flush()
        return rows

    def get(self, number: int) -> ScheduleItem | None:
        with session_scope(self.engine) as s:
            return s.exec(select(ScheduleItem).where(
                ScheduleItem.union_id == self.union_id, ScheduleItem.number == number)).first()

    def list(self, year: int | None = None) -> list[ScheduleItem]:
        if year is not None:
            hit = self._by_year.get(year)
            if hit and hit[0] > time.monotonic():
                return list(hit[1])
        with session_scope(self.engine) as s:
            if year is not None:
                items = list(s.exec(_BY_YEAR, params={"u": self.union_id, "y": year}).all())
                self._by_year[year] = (time.monotonic() + self.cache_seconds, items)
                return list(items)
            q = select(ScheduleItem).where(ScheduleItem.union_id == self.union_id)
            return list(s.exec(q.order_by(ScheduleItem.number)).all())

    def in_month(self, year: int, month: int) -> list[ScheduleItem]:
        """Items of a month: keyed by it, or dated in it. Cached with the year's list."""
        hit = self._by_month.get((year, month))
        if hit and hit[0] > time.monotonic():
            return list(hit[1])
        items = [
            it for it in self.list(year)
            if (it.date and it.date.month == month and it.date.year == year)
            or (not it.date and month in split_ints(it.months))
        ]
        items.sort(key=lambda it: (it.date or dt.date(year, month, 28), it.number))
        self._by_month[(year, month)] = (self._by_year[year][0], items)  # list(year) above filled it
        return list(items)

    def update(self, number: int, **changes: object) -> ScheduleItem | None:
        self._forget()
        with session_scope(self.engine) as s:
            row = s.exec(select(ScheduleItem).where(
                ScheduleItem.union_id == self.union_id, ScheduleItem.number == number)).first()
            if row is None:
                return None
            for key, value in changes.items():
                if key in ("months", "weeks") and isinstance(value, list):
                    value = _join(value)
                setattr(row, key, value)
            row.edited = True  # every update is a hand edit (#修改活动, the office page): a re-import keeps it
            s.add(row)
            return row

    def delete(self, number: int) -> bool:
        self._forget()
        with session_scope(self.engine) as s:
            result = s.exec(delete(ScheduleItem).where(
                ScheduleItem.union_id == self.union_id, ScheduleItem.number == number))
            return bool(result.rowcount)

    def count(self, year: int | None = None) -> int:
        with session_scope(self.engine) as s:
            q = select(func.count()).select_from(ScheduleItem).where(ScheduleItem.union_id == self.union_id)
            if year is not None:
                q = q.where(ScheduleItem.year == year)
            return int(s.exec(q).one())
