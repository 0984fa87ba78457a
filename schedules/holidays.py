"""Festival dates and workdays.

Lunar festivals and solar terms come from ``lunar_python``; official holidays
and 调休 workdays from ``chinese_calendar``. The State Council publishes a
year's 调休 late in the year before, so for years ``chinese_calendar`` does not
know yet we fall back to weekends plus the festival rules below, report that
the answer is provisional, and let ``[calendar]`` in the config add or override
dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import chinese_calendar
from lunar_python import Lunar, Solar

# Normalized names (the gold README's list) -> how their date is found.
FIXED_FESTIVALS: dict[str, tuple[int, int]] = {
    "元旦": (1, 1),
    "三八妇女节": (3, 8),
    "植树节": (3, 12),
    "五一劳动节": (5, 1),
    "五四青年节": (5, 4),
    "六一儿童节": (6, 1),
    "七一建党节": (7, 1),
    "八一建军节": (8, 1),
    "教师节": (9, 10),
    "国庆节": (10, 1),
}
LUNAR_FESTIVALS: dict[str, tuple[int, int]] = {
    "春节": (1, 1),
    "元宵节": (1, 15),
    "端午节": (5, 5),
    "中秋节": (8, 15),
    "重阳节": (9, 9),
}
SOLAR_TERM_FESTIVALS: dict[str, str] = {"清明节": "清明"}

FESTIVAL_NAMES: tuple[str, ...] = (
    "元旦", "春节", "元宵节", "三八妇女节", "植树节", "清明节", "五一劳动节", "五四青年节",
    "六一儿童节", "端午节", "七一建党节", "八一建军节", "教师节", "中秋节", "国庆节", "重阳节",
)

# Statutory days off per festival, used only when chinese_calendar has no data
# for the year: the law fixes these days, the State Council only adds 调休.
_STATUTORY_DAYS_OFF: dict[str, int] = {
    "元旦": 1, "春节": 4, "清明节": 1, "五一劳动节": 2, "端午节": 1, "中秋节": 1, "国庆节": 3,
}


@dataclass(frozen=True)
class CalendarOverrides:
    """``[calendar]`` in the config: dates the chair knows better than the libraries."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)


NO_OVERRIDES = CalendarOverrides()


@dataclass(frozen=True)
class DayInfo:
    workday: bool
    official: bool  # False when the answer is our fallback rule, not published data
    holiday: str | None = None


def festival_date(name: str, year: int) -> dt.date | None:
    """The Gregorian date of a normalized festival name in ``year``."""
    if name in FIXED_FESTIVALS:
        month, day = FIXED_FESTIVALS[name]
        return dt.date(year, month, day)
    if name in LUNAR_FESTIVALS:
        month, day = LUNAR_FESTIVALS[name]
        return _lunar_to_solar(year, month, day)
    if name in SOLAR_TERM_FESTIVALS:
        return _solar_term(year, SOLAR_TERM_FESTIVALS[name])
    return None


@lru_cache(maxsize=256)
def _lunar_to_solar(year: int, month: int, day: int) -> dt.date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=64)
def _solar_term(year: int, term: str) -> dt.date:
    # The jieqi table of a mid-year lunar date covers that Gregorian year's terms.
    table = Solar.fromYmd(year, 6, 1).getLunar().getJieQiTable()
    solar = table[term]
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def official_data_available(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=32)
def _fallback_holidays(year: int) -> dict[dt.date, str]:
    days: dict[dt.date, str] = {}
    for name, count in _STATUTORY_DAYS_OFF.items():
        start = festival_date(name, year)
        if name == "春节":
            # The statutory 春节 break starts on 除夕, the day before the lunar new year.
            assert start is not None
            start -= dt.timedelta(days=1)
        assert start is not None
        for i in range(count):
            days[start + dt.timedelta(days=i)] = name
    return days


def day_info(day: dt.date, overrides: CalendarOverrides = NO_OVERRIDES) -> DayInfo:
    if day in overrides.workdays:
        return DayInfo(workday=True, official=True)
    if day in overrides.holidays:
        return DayInfo(workday=False, official=True, holiday="假日")
    try:
        workday = chinese_calendar.is_workday(day)
        _, name = chinese_calendar.get_holiday_detail(day)
        return DayInfo(workday=workday, official=True, holiday=_english_to_chinese(name))
    except NotImplementedError:
        pass
    name = _fallback_holidays(day.year).get(day)
    if name:
        return DayInfo(workday=False, official=False, holiday=name)
    return DayInfo(workday=day.weekday() < 5, official=False)


def is_workday(day: dt.date, overrides: CalendarOverrides = NO_OVERRIDES) -> bool:
    return day_info(day, overrides).workday


def first_workday_of_month(year: int, month: int, overrides: CalendarOverrides = NO_OVERRIDES) -> dt.date:
    day = dt.date(year, month, 1)
    while not is_workday(day, overrides):
        day += dt.timedelta(days=1)
    return day


def _english_to_chinese(name: str | None) -> str | None:
    if name is None:
        return None
    return {
        "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
        "Labour Day": "五一劳动节", "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节",
        "National Day": "国庆节",
    }.get(name, name)
