"""The schedule as an iCalendar file, for phones and desktop calendars."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from icalendar import Calendar, Event, vRecur

from schedules.holidays import NO_OVERRIDES, CalendarOverrides, first_workday_of_month


@dataclass(frozen=True)
class CalendarEntry:
    uid_seed: str
    year: int
    months: list[int]
    text: str
    date: dt.date | None
    rrule: str | None
    category: str


def entry_day(entry: CalendarEntry, overrides: CalendarOverrides) -> tuple[dt.date, bool]:
    """The day an entry shows on, and whether that day is only a placeholder.

    An item known only by its month goes on the month's first workday: the
    chair sees it at the start of the month, when it needs arranging.
    """
    if entry.date:
        return entry.date, False
    month = entry.months[0] if entry.months else 1
    return first_workday_of_month(entry.year, month, overrides), True


def build_ics(
    entries: Iterable[CalendarEntry], calendar_name: str, tz: str,
    overrides: CalendarOverrides = NO_OVERRIDES,
) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//unionbot//工会助手//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", calendar_name)
    cal.add("x-wr-timezone", tz)
    for entry in entries:
        day, placeholder = entry_day(entry, overrides)
        ev = Event()
        ev.add("uid", hashlib.sha1(entry.uid_seed.encode()).hexdigest() + "@unionbot")
        ev.add("summary", entry.text)
        ev.add("dtstart", day)
        ev.add("dtend", day + dt.timedelta(days=1))
        ev.add("dtstamp", dt.datetime(entry.year, 1, 1, tzinfo=dt.UTC))
        ev.add("categories", [entry.category])
        if placeholder:
            months = "、".join(f"{m}月" for m in entry.months) or "全年"
            ev.add("description", f"{months}内进行，具体日期待定")
        if entry.rrule:
            recur = vRecur.from_ical(entry.rrule)
            if "UNTIL" not in recur and "COUNT" not in recur and entry.months:
                last = entry.months[-1]
                until_year = entry.year + (1 if last < entry.months[0] else 0)
                end = dt.date(until_year + (last == 12), last % 12 + 1, 1) - dt.timedelta(days=1)
                recur["UNTIL"] = [end]
            for key in ("BYHOUR", "BYMINUTE", "BYSECOND"):
                recur.pop(key, None)  # all-day entries cannot carry a time of day
            ev.add("rrule", recur)
        cal.add_component(ev)
    return cal.to_ical()
