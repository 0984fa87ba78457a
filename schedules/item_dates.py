"""Dates and recurrences of schedule items for a given year.

A month-keyed item gets a date when its text or its festival pins one down; a
week-keyed item (term plans) gets the Monday of its week from the semester
start; a recurring line ('双周五下午4：20—5：00工会活动') gets an RRULE built
with dateutil.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil import rrule

from schedules.holidays import festival_date
from schedules.text_norm import chinese_number, fold

_WEEKDAYS = {"一": rrule.MO, "二": rrule.TU, "三": rrule.WE, "四": rrule.TH, "五": rrule.FR,
             "六": rrule.SA, "日": rrule.SU, "天": rrule.SU}
_WD = "[一二三四五六日天]"
_EXPLICIT_DATE_RE = re.compile(r"(?<!\d)(1[0-2]|0?[1-9])\s*月\s*([12]\d|3[01]|0?[1-9])\s*[日号]")
_BEFORE_FESTIVAL = re.compile(r"节前|前夕|(?:春节|元旦|新年|国庆|中秋|端午|重阳|元宵|清明)\s*(?:之)?前")
_DATE_PREFIX_RE = re.compile(r"^\s*(1[0-2]|0?[1-9])\s*月\s*([12]\d|3[01]|0?[1-9])\s*[日号]\s*")
_TIME_RE = re.compile(r"(上午|下午|晚上|中午)?\s*(\d{1,2})\s*[:点时]\s*(\d{1,2})?")


@dataclass(frozen=True)
class Recurrence:
    rule: str  # RRULE value, e.g. 'FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=16;BYMINUTE=20'
    freq: int
    interval: int
    byweekday: tuple | None
    bymonthday: int | None
    hour: int | None
    minute: int | None


def parse_recurrence(text: str) -> Recurrence | None:
    """'双周五下午4：20' / '每周三' / '每月15日' / '每月第一个周五' -> a recurrence."""
    norm = fold(text)
    freq = interval = None
    byweekday = None
    bymonthday = None
    if m := re.search(rf"(每|双|隔)\s*(?:周|星期|礼拜)\s*({_WD})", norm):
        freq, interval = rrule.WEEKLY, (1 if m.group(1) == "每" else 2)
        byweekday = (_WEEKDAYS[m.group(2)],)
    elif m := re.search(rf"每月(?:的)?第?\s*([一二三四1-4]|最后一)\s*个?\s*(?:周|星期)({_WD})", norm):
        n = -1 if m.group(1) == "最后一" else (chinese_number(m.group(1)) or int(m.group(1)))
        freq, interval = rrule.MONTHLY, 1
        byweekday = (_WEEKDAYS[m.group(2)](n),)
    elif m := re.search(r"每月\s*(\d{1,2})\s*[日号]", norm):
        freq, interval, bymonthday = rrule.MONTHLY, 1, int(m.group(1))
    elif re.search(r"每(天|日)", norm):
        freq, interval = rrule.DAILY, 1
    if freq is None or interval is None:
        return None
    hour = minute = None
    if t := _TIME_RE.search(norm[m.end():] if m else norm):
        hour = int(t.group(2))
        minute = int(t.group(3) or 0)
        if t.group(1) in ("下午", "晚上") and hour < 12:
            hour += 12
        if not (0 <= hour < 24 and 0 <= minute < 60):
            hour = minute = None
    rule = rrule.rrule(freq, interval=interval, byweekday=byweekday, bymonthday=bymonthday,
                       byhour=hour, byminute=minute, bysecond=0 if hour is not None else None,
                       dtstart=dt.datetime(2000, 1, 1))
    value = next(line for line in str(rule).splitlines() if line.startswith("RRULE:"))[len("RRULE:"):]
    return Recurrence(value, freq, interval, byweekday, bymonthday, hour, minute)


def first_occurrence(rec: Recurrence, start: dt.date, until: dt.date) -> dt.date | None:
    rule = rrule.rrule(rec.freq, interval=rec.interval, byweekday=rec.byweekday,
                       bymonthday=rec.bymonthday, dtstart=dt.datetime.combine(start, dt.time()),
                       until=dt.datetime.combine(until, dt.time()))
    first = rule.after(dt.datetime.combine(start, dt.time()) - dt.timedelta(seconds=1), inc=True)
    return first.date() if first else None


@dataclass(frozen=True)
class ItemDate:
    date: dt.date | None
    rrule: str | None
    note: str | None = None  # why a date could not be given, for the preview


def item_date(
    months: list[int], weeks: list[int], text: str, holiday: str | None, year: int,
    semester_start: dt.date | None = None, day: int | None = None,
) -> ItemDate:
    """The date (and recurrence) of one item in ``year`` (already shifted for term wrap). ``day``: the
    day of its month the plan gave apart from the text ('3月5日 学雷锋…')."""
    norm = fold(text)
    if day and len(months) == 1:
        try:
            return ItemDate(dt.date(year, months[0], day), None)
        except ValueError:
            return ItemDate(None, None, f"日期 {months[0]}月{day}日 无效")
    rec = parse_recurrence(text)
    if weeks:
        if semester_start is None:
            return ItemDate(None, rec.rule if rec else None, "按周安排，需提供学期开始日期")
        monday = semester_start - dt.timedelta(days=semester_start.weekday())
        start = monday + dt.timedelta(weeks=min(weeks) - 1)
        if rec:
            end = monday + dt.timedelta(weeks=max(weeks), days=-1)
            return ItemDate(first_occurrence(rec, start, end), rec.rule)
        return ItemDate(start, None)
    if rec:
        if months:
            start = dt.date(year, months[0], 1)
            end_month = months[-1]
            end = (dt.date(year + (end_month == 12), end_month % 12 + 1, 1) - dt.timedelta(days=1))
            if end < start:  # '十二月至一月'
                end = dt.date(year + 1, end_month % 12 + 1, 1) - dt.timedelta(days=1)
        else:
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return ItemDate(first_occurrence(rec, start, end), rec.rule)
    if m := _EXPLICIT_DATE_RE.search(norm):
        month, day = int(m.group(1)), int(m.group(2))
        if not months or month in months:
            try:
                return ItemDate(dt.date(year, month, day), None)
            except ValueError:
                return ItemDate(None, None, f"日期 {month}月{day}日 无效")
    if holiday and _BEFORE_FESTIVAL.search(norm):
        # '春节前走访慰问': done in the days before, not on the festival; the month holds it.
        return ItemDate(None, None)
    if holiday:
        day = festival_date(holiday, year)
        if day and (not months or day.month in months):
            return ItemDate(day, None)
        if day and months:
            # '九月：庆祝重阳节' when 重阳 falls in October: the chair decides.
            return ItemDate(None, None, f"{holiday}在{year}年是{day:%m月%d日}，不在所列月份")
    return ItemDate(None, None)


def without_own_date(text: str, date: dt.date | None) -> str:
    """'3月5日 学雷锋活动' shown beside its date reads '学雷锋活动': the date is not said twice.

    Only a leading date equal to ``date`` goes; any other text stays as written.
    """
    if date is None:
        return text
    m = _DATE_PREFIX_RE.match(fold(text))
    if m and (int(m.group(1)), int(m.group(2))) == (date.month, date.day) and text[m.end():].strip():
        return text[m.end():]
    return text
