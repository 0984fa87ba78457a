"""Reading an admin's #发起报名 message: a title and optional ``键=值`` fields,
on one line or one per line (``时间：…``). Pure functions, tested directly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from schedules.audience import EVERYONE, normalize_audience
from schedules.kv import read_pairs, split_trailing, too_long
from schedules.text_norm import chinese_number
from schedules.when import date_problem, read_datetime

# The one list of an event's fields: (name, the other words people use for it, what it sets). The reader's
# key map below and #发起报名's declaration (its syntax line, '可写：…' in #帮助) both come from it.
FIELDS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("标题", ("活动", "名称", "项目"), "title"),
    ("时间", ("日期", "活动时间"), "starts_at"),
    ("地点", ("地址",), "place"),
    ("名额", ("人数", "限额"), "capacity"),
    ("截止", ("截止时间", "报名截止"), "deadline"),
    ("对象", ("范围",), "audience"),
    ("家属", ("可带家属",), "family_max"),
    ("备注", ("说明",), "note"),
)
FIELD_NAMES = {word: key for name, aliases, key in FIELDS for word in (name, *aliases)}
KNOWN_KEYS = "、".join(name for name, _, key in FIELDS if key != "title")
TITLE_MAX, PLACE_MAX, NOTE_MAX = 200, 200, 500  # the columns of storage.models.Event


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
    by_field: dict[str, str] = field(default_factory=dict)  # key -> its problems


def parse_event_form(text: str, now: dt.datetime) -> EventForm:
    """``now`` is aware and in the union's timezone; dates without a year are the next such date."""
    form = EventForm()
    given = read_pairs(text, FIELD_NAMES)
    form.title = given.head
    if given.unknown:
        form.errors.append(f"不认识“{given.unknown[0]}”这一项（可写：{KNOWN_KEYS}）")
    tails: list[str] = []
    for word in given.order:
        value = given.pairs[word]
        key = FIELD_NAMES[word]
        if key in _SHAPED:
            # '名额=20 欢迎大家参加': the number is kept, the words after it go to 备注 (not an error).
            value, tail = split_trailing(value, lambda t, key=key: _SHAPED[key](t, now))
            if tail:
                tails.append(tail)
        _read_value(form, key, word, value, now)
    if tails:
        form.note = " ".join(filter(None, [form.note, *tails]))
    _check_whole(form)
    return form


# The page's fields, each a value by itself: free text in one is never read for '键=值' again.
VALUE_KEYS = ("title", "starts_at", "place", "capacity", "deadline", "audience", "family_max", "note")


def read_event_values(values: dict[str, str], labels: dict[str, str], now: dt.datetime) -> EventForm:
    """``values`` by key (VALUE_KEYS); ``labels``: the word each key is called by in the sentences.
    Every problem is also kept by its key (``form.by_field``), so it is shown beside its field."""
    form = EventForm()
    for key in VALUE_KEYS:
        value = (values.get(key) or "").strip()
        if value:
            _read_value(form, key, labels.get(key, key), value, now)
    _check_whole(form)
    return form


def _fail(form: EventForm, key: str, sentence: str) -> None:
    form.errors.append(sentence)
    form.by_field[key] = "；".join(filter(None, (form.by_field.get(key, ""), sentence)))


def _read_value(form: EventForm, key: str, word: str, value: str, now: dt.datetime) -> None:
    """One field's value into ``form``; its problem, worded once, under its key."""
    if key == "title":
        form.title = form.title or value
    elif key == "place":
        form.place = value
    elif key == "note":
        form.note = value
    elif key == "audience":
        form.audience = normalize_audience(value)[:64]
    elif key == "capacity":
        n = _count(value)
        if n is None or n < 1 or n > 100000:
            _fail(form, key, f"名额“{value}”应是正整数")
        else:
            form.capacity = n
    elif key == "family_max":
        n = _count(value)
        if value in ("可", "可以", "是", "允许"):
            n = 1
        elif value in ("否", "不可", "不可以", "不允许"):
            n = 0
        if n is None or n < 0 or n > 10:
            _fail(form, key, f"家属“{value}”应是 0 到 10 之间的人数")
        else:
            form.family_max = n
    else:
        default = dt.time(0, 0) if key == "starts_at" else dt.time(23, 59)
        when = read_datetime(value, now, default)
        if when is None:
            _fail(form, key, date_problem(word, value))
        else:
            setattr(form, key, when)


def _check_whole(form: EventForm) -> None:
    # Never cut: what is too long for its column is refused with the limit and the length.
    for key, label, text, limit in (("title", "标题", form.title, TITLE_MAX), ("place", "地点", form.place, PLACE_MAX),
                                    ("note", "备注", form.note, NOTE_MAX)):
        if len(text) > limit:
            _fail(form, key, too_long(label, limit, text))
    if not form.title:
        _fail(form, "title", "缺少活动名称")
    if form.deadline and form.starts_at and form.deadline > form.starts_at:
        _fail(form, "deadline", "报名截止时间晚于活动时间")


def _is_count(value: str, now: dt.datetime) -> bool:
    return _count(value) is not None


def _is_family(value: str, now: dt.datetime) -> bool:
    return _count(value) is not None or value in ("可", "可以", "是", "允许", "否", "不可", "不可以", "不允许")


def _is_when(value: str, now: dt.datetime) -> bool:
    return read_datetime(value, now, dt.time(0, 0)) is not None


# Fields whose value has a shape, so free text typed after one can be told apart from it.
_SHAPED = {"capacity": _is_count, "family_max": _is_family, "starts_at": _is_when, "deadline": _is_when}


def _count(value: str) -> int | None:
    v = value.strip().rstrip("人名位个")
    if v.isdecimal():
        return int(v) if len(v) <= 6 else None
    return chinese_number(v)
