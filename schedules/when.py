"""Dates as admins type them in chat: '2027-03-08', '3-8', '3月8日', '3月', '三月', and,
given today, '明天', '后天', '下周三', '周五', '15号'."""

from __future__ import annotations

import datetime as dt
import re

from schedules.text_norm import chinese_number, fold_width

_ISO = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_MD = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})[日号]?$")
_MONTH = re.compile(r"^(\d{1,2}|十[一二]?|[一二三四五六七八九十])\s*月份?$")


_WEEKDAY = "一二三四五六日天"
_RELATIVE_DAYS = {"今天": 0, "明天": 1, "后天": 2, "大后天": 3}
_WEEKDAY_RE = re.compile(rf"^(本|这|下|下个)?(?:周|星期|礼拜)([{_WEEKDAY}])$")
_DAY_OF_MONTH = re.compile(r"^(\d{1,2})[日号]$")
# Any of the above at the start of a longer text ('明天 15:30'), for parsers that read on after it.
RELATIVE_DAY = re.compile(rf"大?后天|今天|明天|(?:本|这|下个?)?(?:周|星期|礼拜)[{_WEEKDAY}]|\d{{1,2}}[日号]")


def relative_date(token: str, today: dt.date) -> dt.date | None:
    """'明天' / '下周三' / '周五' (the next one from today) / '15号' (this month, or next if past)."""
    t = fold_width(token).strip()
    if t in _RELATIVE_DAYS:
        return today + dt.timedelta(days=_RELATIVE_DAYS[t])
    if m := _WEEKDAY_RE.match(t):
        wd = min(_WEEKDAY.index(m.group(2)), 6)
        if m.group(1) in ("下", "下个"):  # any day of next week (Monday to Sunday)
            return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7 + wd)
        if m.group(1):  # 本周三 / 这周三: this week's, even if already past
            return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=wd)
        return today + dt.timedelta(days=(wd - today.weekday()) % 7 or 7)
    if m := _DAY_OF_MONTH.match(t):
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


def parse_when(token: str, default_year: int, today: dt.date | None = None) -> tuple[dt.date | None, list[int]] | None:
    """(date, months) for a date or month token; None when it is neither.
    With ``today``, relative days ('明天', '下周三', '15号') count too."""
    t = fold_width(token).strip()
    if today is not None and (d := relative_date(t, today)) is not None:
        return d, [d.month]
    try:
        if m := _ISO.match(t):
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return d, [d.month]
        if m := _MD.match(t):
            d = dt.date(default_year, int(m.group(1)), int(m.group(2)))
            return d, [d.month]
    except ValueError:
        return None
    if m := _MONTH.match(t):
        month = chinese_number(m.group(1))
        if month and 1 <= month <= 12:
            return None, [month]
    return None


def parse_month(token: str) -> int | None:
    t = fold_width(token).strip()
    m = _MONTH.match(t) or re.match(r"^(\d{1,2}|十[一二]?|[一二三四五六七八九十])$", t)
    if not m:
        return None
    month = chinese_number(m.group(1))
    return month if month and 1 <= month <= 12 else None
