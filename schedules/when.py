"""The one reader for dates and times as people type them in chat.

Dates: '2027-03-20', '2027-3-20', '2027/3/20', '2027.3.20', '2027年3月20日', '3月20日', '3月20号',
'3-20', '3/20', and, given today, '今天', '明天', '后天', '周五' (the next one), '下周三', '本周三', '15号'.
Months: '3月', '三月', '3月份'. Times after a date: '15:30', '15：30', '下午3点', '下午3点半', '3点15分'.

Every command that takes a date or time reads it here (#添加活动, #修改活动, #发起报名, #征集提案,
welfare forms), so what works in one works in all. Pure functions, tested directly.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from schedules.text_norm import chinese_number, fold

_FULL = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*[日号]?")
_MONTH = re.compile(r"^(\d{1,2}|十[一二]?|[一二三四五六七八九十])\s*月份?$")
_WEEKDAY = "一二三四五六日天"
_RELATIVE_DAYS = {"今天": 0, "明天": 1, "后天": 2, "大后天": 3}
_WEEKDAY_RE = re.compile(rf"(本|这|下|下个)?(?:周|星期|礼拜)([{_WEEKDAY}])")
_DAY_OF_MONTH = re.compile(r"(\d{1,2})[日号]")
# Any relative day at the start of a longer text ('明天 15:30').
RELATIVE_DAY = re.compile(rf"大?后天|今天|明天|(?:本|这|下个?)?(?:周|星期|礼拜)[{_WEEKDAY}]|\d{{1,2}}[日号]")
_TIME = re.compile(r"(?:(上午|早上|下午|晚上|中午)\s*)?(\d{1,2})\s*(?:[:：点时](\d{1,2}|半)?分?)")


# The one sentence that says how to write a date, for every reader of one (chat commands, forms, the importer).
DATE_HOW = "请写成 2027-03-10、3月10日 或 下周三，时间写在日期后，如 15:30"


def date_problem(label: str, text: str) -> str:
    """'截止“过几天”不是日期时间，请写成 …': the reply to a date that cannot be read."""
    return f"{label}“{text.strip()[:20]}”不是日期时间，{DATE_HOW}"


class YearRule(StrEnum):
    """Which year a date typed without one is in."""

    UPCOMING = "upcoming"  # the next such date, or one up to a month ago (an event, a deadline)
    NEAREST = "nearest"  # the one closest to today (a hospital stay: usually just past)
    THIS_YEAR = "this_year"  # today's year, or the one given (a plan's year)


def relative_date(token: str, today: dt.date) -> dt.date | None:
    """'明天' / '下周三' / '周五' (the next one from today) / '15号' (this month, or next if past)."""
    t = fold(token).strip()
    if t in _RELATIVE_DAYS:
        return today + dt.timedelta(days=_RELATIVE_DAYS[t])
    if m := _WEEKDAY_RE.fullmatch(t):
        wd = min(_WEEKDAY.index(m.group(2)), 6)
        if m.group(1) in ("下", "下个"):  # any day of next week (Monday to Sunday)
            return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7 + wd)
        if m.group(1):  # 本周三 / 这周三: this week's, even if already past
            return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=wd)
        return today + dt.timedelta(days=(wd - today.weekday()) % 7 or 7)
    if m := _DAY_OF_MONTH.fullmatch(t):
        day = int(m.group(1))
        for months_ahead in (0, 1, 2):
            y, mo = divmod(today.month - 1 + months_ahead, 12)
            try:
                d = dt.date(today.year + y, mo + 1, day)
            except ValueError:
                continue
            if d >= today:
                return d
    return None


def _year_for(month: int, day: int, today: dt.date, rule: YearRule, year: int | None) -> dt.date | None:
    def make(y: int) -> dt.date | None:
        try:
            return dt.date(y, month, day)
        except ValueError:
            return None

    if rule == YearRule.THIS_YEAR:
        return make(year or today.year)
    if rule == YearRule.NEAREST:
        found = [d for d in (make(today.year + k) for k in (-1, 0, 1)) if d is not None]
        return min(found, key=lambda d: abs((d - today).days)) if found else None
    d = make(today.year)
    if d is not None and d < today - dt.timedelta(days=31):
        d = make(today.year + 1)
    return d


def _date_prefix(text: str, today: dt.date, rule: YearRule, year: int | None) -> tuple[dt.date | None, int]:
    """The date at the start of ``text`` and where it ends; (None, 0) when none is there."""
    if m := _FULL.match(text):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.end()
        except ValueError:
            return None, 0
    if m := _MONTH_DAY.match(text):
        return _year_for(int(m.group(1)), int(m.group(2)), today, rule, year), m.end()
    if m := RELATIVE_DAY.match(text):
        return relative_date(m.group(0), today), m.end()
    return None, 0


def read_date(text: str, today: dt.date, rule: YearRule = YearRule.UPCOMING, year: int | None = None) -> dt.date | None:
    """A whole text that is one date, or None."""
    t = fold(text).strip()
    d, end = _date_prefix(t, today, rule, year)
    return d if d is not None and not t[end:].strip() else None


def read_datetime(text: str, now: dt.datetime, default_time: dt.time,
                  rule: YearRule = YearRule.UPCOMING) -> dt.datetime | None:
    """'2027-04-15 15:30', '4月15日 下午3点半', '4-15', '明天 15:30', '下周三 下午3点'
    -> aware datetime in ``now``'s zone; a date alone takes ``default_time``."""
    t = fold(text).strip()
    d, end = _date_prefix(t, now.date(), rule, None)
    if d is None:
        return None
    rest = t[end:]
    time = default_time
    if tm := _TIME.search(rest):
        hour = int(tm.group(2))
        minute = 30 if tm.group(3) == "半" else int(tm.group(3) or 0)
        if tm.group(1) in ("下午", "晚上") and hour < 12:
            hour += 12
        if not (0 <= hour < 24 and 0 <= minute < 60) or rest[:tm.start()].strip() or rest[tm.end():].strip():
            return None
        time = dt.time(hour, minute)
    elif rest.strip():
        return None
    return dt.datetime.combine(d, time, tzinfo=now.tzinfo)


def parse_month(token: str) -> int | None:
    """'3', '3月', '三月', '十二月份' -> the month number."""
    t = fold(token).strip()
    m = _MONTH.match(t) or re.match(r"^(\d{1,2}|十[一二]?|[一二三四五六七八九十])$", t)
    if not m:
        return None
    month = chinese_number(m.group(1))
    return month if month and 1 <= month <= 12 else None


def parse_when(token: str, default_year: int, today: dt.date | None = None) -> tuple[dt.date | None, list[int]] | None:
    """(date, months) for a date or a month; None when it is neither. A date without a year is in
    ``default_year``; with ``today``, relative days ('明天', '下周三', '15号') count too."""
    t = fold(token).strip()
    if not re.match(r"\d|今|明|大?后|本|这|下|周|星期|礼拜", t):
        month = parse_month(t)
        return (None, [month]) if month else None
    if _MONTH.match(t):
        month = parse_month(t)
        return (None, [month]) if month else None
    if today is None and RELATIVE_DAY.fullmatch(t) and not _FULL.match(t) and not _MONTH_DAY.match(t):
        return None
    d = read_date(t, today or dt.date(default_year, 1, 1), YearRule.THIS_YEAR, default_year)
    return (d, [d.month]) if d else None
