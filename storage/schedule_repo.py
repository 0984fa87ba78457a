"""The year's activity schedule."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, func, select

from storage.db import serialize, session_scope
from storage.models import ScheduleItem

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

    def replace_imported(self, year: int, items: list[NewItem], source: str, by: str = "") -> list[ScheduleItem]:
        """Replace the imported items of ``year`` (items added in chat stay)."""
        self._forget()
        with session_scope(self.engine) as s:
            s.exec(delete(ScheduleItem).where(
                ScheduleItem.union_id == self.union_id, ScheduleItem.year == year,
                col(ScheduleItem.source).in_(["plan", "file"])))
            return self._insert(s, items, source, by)

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
