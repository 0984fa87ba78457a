"""Reading an admin's #发起报名 message: a title and optional ``键=值`` fields,
on one line or one per line (``时间：…``). Pure functions, tested directly."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from schedules.audience import EVERYONE, normalize_audience
from schedules.text_norm import chinese_number, fold_width
from schedules.when import RELATIVE_DAY, relative_date

FIELD_NAMES = {
    "标题": "title", "活动": "title", "名称": "title", "项目": "title",
    "时间": "starts_at", "日期": "starts_at", "活动时间": "starts_at",
    "地点": "place", "地址": "place",
    "名额": "capacity", "人数": "capacity", "限额": "capacity",
    "截止": "deadline", "截止时间": "deadline", "报名截止": "deadline",
    "对象": "audience", "范围": "audience",
    "家属": "family_max", "可带家属": "family_max",
    "备注": "note", "说明": "note",
}
_KEY = re.compile(r"(?:^|[\s,，;；])(" + "|".join(sorted(FIELD_NAMES, key=len, reverse=True)) + r")\s*[=:：]\s*")
_TIME = re.compile(r"(?:(上午|下午|晚上|中午)\s*)?(\d{1,2})\s*(?:[:：点时](\d{1,2}|半)?分?)")
_DATE_FULL = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_DATE_MD = re.compile(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")


@dataclass
class EventForm:
    title: str = ""
    starts_at: dt.datetime | None = None
    place: str = ""
    capacity: int | None = None
    deadline: dt.datetime | None = None
    audience: str = EVERYONE
    family_max: int = 0
    note: str = ""
    errors: list[str] = field(default_factory=list)


def parse_event_form(text: str, now: dt.datetime) -> EventForm:
    """``now`` is aware and in the union's timezone; dates without a year are the next such date."""
    form = EventForm()
    text = fold_width(text).strip()
    matches = list(_KEY.finditer(text))
    form.title = _clean(text[: matches[0].start()] if matches else text)
    for i, m in enumerate(matches):
        value = _clean(text[m.end(): matches[i + 1].start() if i + 1 < len(matches) else len(text)])
        key = FIELD_NAMES[m.group(1)]
        if key == "title":
            form.title = form.title or value
        elif key == "place":
            form.place = value[:200]
        elif key == "note":
            form.note = value[:500]
        elif key == "audience":
            form.audience = normalize_audience(value)[:64]
        elif key == "capacity":
            n = _count(value)
            if n is None or n < 1 or n > 100000:
                form.errors.append(f"名额“{value}”应是正整数")
            else:
                form.capacity = n
        elif key == "family_max":
            n = _count(value)
            if value in ("可", "可以", "是", "允许"):
                n = 1
            elif value in ("否", "不可", "不可以", "不允许"):
                n = 0
            if n is None or n < 0 or n > 10:
                form.errors.append(f"家属“{value}”应是 0 到 10 之间的人数")
            else:
                form.family_max = n
        else:
            default = dt.time(0, 0) if key == "starts_at" else dt.time(23, 59)
            when = parse_datetime(value, now, default)
            if when is None:
                form.errors.append(f"{m.group(1)}“{value}”不是日期时间（写成 2027-04-15 15:30 或 4月15日 15:30）")
            else:
                setattr(form, key, when)
    form.title = form.title[:200]
    if not form.title:
        form.errors.append("缺少活动名称")
    if form.deadline and form.starts_at and form.deadline > form.starts_at:
        form.errors.append("报名截止时间晚于活动时间")
    return form


def parse_datetime(text: str, now: dt.datetime, default_time: dt.time) -> dt.datetime | None:
    """'2027-04-15 15:30', '4月15日 下午3点半', '4-15', '明天 15:30', '下周三 下午3点'
    -> aware datetime in ``now``'s zone."""
    t = fold_width(text).strip()
    year = None
    if m := _DATE_FULL.search(t):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _DATE_MD.search(t):
        month, day = int(m.group(1)), int(m.group(2))
    elif (m := RELATIVE_DAY.match(t)) and (d := relative_date(m.group(0), now.date())):
        year, month, day = d.year, d.month, d.day  # '明天 15:30', '下周三 下午3点'
    else:
        return None
    rest = t[m.end():]
    time = default_time
    if tm := _TIME.search(rest):
        hour = int(tm.group(2))
        minute = 30 if tm.group(3) == "半" else int(tm.group(3) or 0)
        if tm.group(1) in ("下午", "晚上") and hour < 12:
            hour += 12
        if not (0 <= hour < 24 and 0 <= minute < 60):
            return None
        time = dt.time(hour, minute)
    elif rest.strip():
        return None
    try:
        if year is None:
            candidate = dt.datetime.combine(dt.date(now.year, month, day), time, tzinfo=now.tzinfo)
            if candidate.date() < now.date() - dt.timedelta(days=31):
                candidate = candidate.replace(year=now.year + 1)
            return candidate
        return dt.datetime.combine(dt.date(year, month, day), time, tzinfo=now.tzinfo)
    except ValueError:
        return None


def _count(value: str) -> int | None:
    v = value.strip().rstrip("人名位个")
    if v.isdigit():
        return int(v) if len(v) <= 6 else None
    return chinese_number(v)


def _clean(value: str) -> str:
    return value.strip().strip(",，;；").strip()
