"""A hand-written schedule file (TOML) for unions without a plan document.

    year = 2027                       # optional: the coming plan year by default
    [[activity]]
    month = 3                         # or months = [7, 8], or date = 2027-03-08
    text = "三八节慰问女教工"
    holiday = "三八妇女节"              # optional; guessed from the text when absent
    category = "holiday"              # optional; guessed from the text when absent
    rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"   # optional recurrence

See examples/schedule.example.toml.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from schedules.categories import CATEGORIES, classify
from schedules.holidays import FESTIVAL_NAMES
from schedules.item_dates import item_date
from schedules.plan_import import ImportedItem, ImportResult, default_plan_year


class ScheduleFileError(Exception):
    pass


def load_schedule_file(path: Path, today: dt.date) -> ImportResult:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScheduleFileError(f"活动安排文件 {path} 无法读取：{exc}") from exc
    return parse_schedule(raw, today, str(path))


def parse_schedule(raw: dict, today: dt.date, where: str = "活动安排文件") -> ImportResult:
    year = raw.get("year", default_plan_year(today))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ScheduleFileError(f"{where}: year 应是年份，例如 2027")
    activities = raw.get("activity", [])
    if not isinstance(activities, list):
        raise ScheduleFileError(f"{where}: 活动应写成 [[activity]] 表")
    items = []
    for i, a in enumerate(activities, 1):
        label = f"{where}: 第 {i} 个 [[activity]]"
        text = a.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ScheduleFileError(f"{label} 缺少 text")
        date = a.get("date")
        if date is not None and not (isinstance(date, dt.date) and not isinstance(date, dt.datetime)):
            raise ScheduleFileError(f"{label} 的 date 应写成 2027-03-08")
        months = a.get("months", [a["month"]] if "month" in a else [])
        if date and not months:
            months = [date.month]
        if not isinstance(months, list) or not all(isinstance(m, int) and 1 <= m <= 12 for m in months):
            raise ScheduleFileError(f"{label} 的 month/months 应是 1–12 的整数")
        if not months and not date:
            raise ScheduleFileError(f"{label} 需要 month、months 或 date")
        category, holiday = classify(text)
        holiday = a.get("holiday", holiday)
        if holiday is not None and holiday not in FESTIVAL_NAMES:
            raise ScheduleFileError(f"{label} 的 holiday 应是：{'、'.join(FESTIVAL_NAMES)}")
        category = a.get("category", category)
        if category not in CATEGORIES:
            raise ScheduleFileError(f"{label} 的 category 应是：{', '.join(CATEGORIES)}")
        item_year = date.year if date else year
        when = item_date(months, [], text, holiday, item_year)
        rrule = a.get("rrule", when.rrule)
        items.append(ImportedItem(
            months=months, weeks=[], text=text.strip(), category=category, holiday=holiday,
            date=date or when.date, rrule=rrule, year=item_year, line=i, note=when.note,
        ))
    return ImportResult(year=year, items=items, period="year")
