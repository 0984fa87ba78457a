"""活动安排: add, change and delete an item of the year's plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from handlers.actions.core import Problems, allowed
from handlers.base import Attachment, Context
from schedules.categories import classify
from schedules.ics import CalendarEntry, build_ics
from schedules.item_dates import item_date
from schedules.when import parse_when
from storage.models import ScheduleItem
from storage.schedule_repo import NewItem, split_ints

CATEGORY_LABELS = {
    "holiday": "节日", "care": "关怀", "sports_culture": "文体", "congress": "民主管理",
    "study": "学习", "admin": "会务", "other": "其他",
}

When = tuple[dt.date | None, list[int]]  # (date, months): what parse_when reads


def read_when(text: str, year: int, ctx: Context) -> When | Problems:
    """A date or a month as typed in one field ('3月20日', '4月', '下周三'); ``year`` when it names none."""
    token = text.replace(" ", "")
    if not token:
        return Problems.of("when", "date_missing")
    when = parse_when(token, year, ctx.now.date())
    return when if when is not None else Problems.of("when", "date_unreadable", value=token[:20])


def year_for_month(ctx: Context, month: int) -> int:
    """The nearest year whose month ``month`` has activities, looking ahead first."""
    now = ctx.now.date()
    first = now.year if month >= now.month else now.year + 1
    for year in (first, now.year, now.year + 1, now.year - 1):
        if ctx.services.schedule.in_month(year, month):
            return year
    return first


@dataclass(frozen=True)
class ItemChange:
    """What a person gives for an item: its date or month, its text (either may be left out of an edit)."""

    when: When | None = None
    text: str = ""


def add_item(ctx: Context, change: ItemChange, source: str = "chat") -> ScheduleItem | Problems:
    if not allowed(ctx, "添加活动"):
        return Problems.of("", "not_allowed")
    problems = Problems()
    if change.when is None:
        problems.add("when", "date_missing")
    if not change.text.strip():
        problems.add("text", "text_missing")
    if problems or change.when is None:
        return problems
    date, months = change.when
    text = change.text.strip()  # stored whole (Text): free text is never split into keys again
    year = date.year if date else year_for_month(ctx, months[0])
    category, holiday = classify(text)
    derived = item_date(months, [], text, holiday, year)
    return ctx.services.schedule.add(NewItem(
        year=year, months=months, weeks=[], text=text, category=category, holiday=holiday,
        date=date or derived.date, rrule=derived.rrule,
    ), source=source, by=ctx.sender.contact_id)


def edit_item(ctx: Context, number: int, change: ItemChange) -> ScheduleItem | Problems:
    if not allowed(ctx, "修改活动"):
        return Problems.of("", "not_allowed")
    if ctx.services.schedule.get(number) is None:
        return Problems.of("number", "item_missing", value=number)
    if change.when is None and not change.text.strip():
        return Problems.of("text", "change_missing")
    changes: dict[str, object] = {}
    if change.when is not None:
        date, months = change.when
        changes.update(date=date, months=months, weeks=[])
        if date:
            changes["year"] = date.year
    if change.text.strip():
        category, holiday = classify(change.text.strip())
        changes.update(text=change.text.strip(), category=category, holiday=holiday)
    row = ctx.services.schedule.update(number, **changes)
    return row if row is not None else Problems.of("number", "item_missing", value=number)


def delete_item(ctx: Context, number: int) -> ScheduleItem | Problems:
    if not allowed(ctx, "删除活动"):
        return Problems.of("", "not_allowed")
    item = ctx.services.schedule.get(number)
    if item is None or not ctx.services.schedule.delete(number):
        return Problems.of("number", "item_missing", value=number)
    return item


def calendar_entries(items: list[ScheduleItem], union_id: str) -> list[CalendarEntry]:
    return [
        CalendarEntry(uid_seed=f"{union_id}:{it.id}", year=it.year, months=split_ints(it.months) or [1],
                      text=it.text, date=it.date, rrule=it.rrule,
                      category=CATEGORY_LABELS.get(it.category, "其他"))  # a calendar app shows it as is
        for it in items
    ]


def calendar_file(ctx: Context, year: int) -> Attachment | Problems:
    """The year's plan as an .ics file a phone's calendar imports."""
    items = ctx.services.schedule.list(year)
    if not items:
        return Problems.of("year", "year_empty", year=year)
    data = build_ics(calendar_entries(items, ctx.services.union_id), f"{ctx.services.union_name}{year}",
                     str(ctx.services.tz), ctx.services.calendar)
    return Attachment(f"union-{year}.ics", data)
