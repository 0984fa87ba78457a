"""Dates as admins type them in chat: '2027-03-08', '3-8', '3月8日', '3月', '三月'."""

from __future__ import annotations

import datetime as dt
import re

from schedules.text_norm import chinese_number, fold_width

_ISO = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_MD = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})[日号]?$")
_MONTH = re.compile(r"^(\d{1,2}|十[一二]?|[一二三四五六七八九十])\s*月份?$")


def parse_when(token: str, default_year: int) -> tuple[dt.date | None, list[int]] | None:
    """(date, months) for a date or month token; None when it is neither."""
    t = fold_width(token).strip()
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
