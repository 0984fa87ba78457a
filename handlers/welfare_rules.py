"""Welfare request types, their form fields and standard amounts (pure).

The defaults follow common school-union practice; ``[[welfare.types]]`` in the
config replaces them. A standard is a fixed amount, tiers by a number field
(住院 by 天数), or a table by a choice field (丧事 by 亲属关系); the officer may
always approve another amount (#核定).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from handlers.args import pick, whole_number
from schedules.kv import KeyValues, split_trailing
from schedules.text_norm import chinese_number, fold_width
from schedules.when import YearRule, date_problem, read_date

NOTE_LIMIT = 500  # characters of a text field or 备注 (the reply says so when more is typed)
RELATIVES = ("配偶", "子女", "父母", "岳父母", "公婆")


@dataclass(frozen=True)
class FormField:
    name: str
    kind: str = "text"  # text | date | number | choice
    choices: tuple[str, ...] = ()
    prompt: str = ""

    def ask(self) -> str:
        if self.prompt:
            return self.prompt
        if self.kind == "date":
            return f"请填写{self.name}（例如 2027-03-02）。"
        if self.kind == "number":
            return f"请填写{self.name}（数字）。"
        if self.kind == "choice":
            return f"请填写{self.name}：{'、'.join(self.choices)}。"
        return f"请填写{self.name}。"


@dataclass(frozen=True)
class WelfareType:
    name: str
    fields: tuple[FormField, ...]
    aliases: tuple[str, ...] = ()
    amount: int | None = None  # a fixed standard
    tiers_field: str = ""  # number field the tiers read
    tiers: tuple[tuple[int, int], ...] = ()  # (from value, amount), ascending
    table_field: str = ""  # choice field the table reads
    table: dict[str, int] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def standard(self, values: dict[str, str]) -> int | None:
        if self.tiers_field and self.tiers:
            n = _number(values.get(self.tiers_field, ""))
            if n is None:
                return None
            found = None
            for start, amount in self.tiers:
                if n >= start:
                    found = amount
            return found
        if self.table_field and self.table:
            return self.table.get(values.get(self.table_field, ""))
        return self.amount

    def standard_text(self) -> str:
        if self.tiers_field and self.tiers:
            return "，".join(f"{self.tiers_field}{start}起{amount}元" for start, amount in self.tiers)
        if self.table_field and self.table:
            return "，".join(f"{k}{v}元" for k, v in self.table.items())
        return f"{self.amount}元" if self.amount else "由福利委员核定"


DEFAULT_TYPES: tuple[WelfareType, ...] = (
    WelfareType("住院", (FormField("医院"), FormField("住院日期", "date"), FormField("天数", "number")),
                aliases=("生病住院", "生病", "住院慰问", "探望"), tiers_field="天数",
                tiers=((1, 300), (8, 500), (31, 800))),
    WelfareType("结婚", (FormField("结婚日期", "date"),), aliases=("婚庆", "新婚"), amount=500),
    WelfareType("生育", (FormField("生育日期", "date"),), aliases=("生孩子", "生子", "分娩"), amount=500),
    WelfareType("丧事", (FormField("亲属关系", "choice", RELATIVES), FormField("日期", "date")),
                aliases=("丧葬", "去世", "丧"), table_field="亲属关系",
                table={"配偶": 1000, "子女": 1000, "父母": 800, "岳父母": 800, "公婆": 800}),
    WelfareType("困难帮扶", (FormField("情况说明", prompt="请简要说明困难情况（只有福利委员能看到）。"),),
                aliases=("困难", "帮扶", "困难补助", "救助")),
)
# Words that make a group message a welfare matter (refused there without echo).
GROUP_ALARM = re.compile(
    r"申请|住院|生病|病了|手术|结婚|婚礼|生育|生孩子|分娩|丧|去世|病故|过世|困难|帮扶|补助|救助|慰问金")


def find_type(word: str, types: tuple[WelfareType, ...]) -> WelfareType | None:
    w = word.strip()
    for t in types:
        if w in t.names:
            return t
    i = pick(w, len(types))
    return None if i is None else types[i]


def check_value(f: FormField, text: str, today: dt.date) -> tuple[str | None, str]:
    """(normalized value, problem)."""
    t = text.strip()
    if not t:
        return None, f"{f.name}不能为空。"
    if f.kind == "date":
        d = read_date(t, today, YearRule.NEAREST)  # a stay or a wedding: usually just past
        if d is None:
            return None, date_problem(f.name, t) + "。"
        return d.isoformat(), ""
    if f.kind == "number":
        n = _number(t)
        if n is None or n < 0 or n > 3650:
            return None, f"{f.name}应是数字，例如 5。"
        return str(n), ""
    if f.kind == "choice":
        if t not in f.choices:
            return None, f"{f.name}应是：{'、'.join(f.choices)}。"
        return t, ""
    if len(t) > NOTE_LIMIT:
        return None, f"{f.name}最多 {NOTE_LIMIT} 字，您写了 {len(t)} 字，请精简。"
    return t, ""


def take_fields(kind: WelfareType, given: KeyValues, values: dict[str, str], today: dt.date) -> tuple[str, list[str]]:
    """The fields ``given`` names, read into ``values``; returns (free text, problems).

    Free text is the head and whatever follows a number, date or choice ('天数=5 因阑尾炎手术住院'):
    it goes to 备注, it never knocks the field out. A value that cannot be read is left out (the form
    asks for it, with the problem) and every other field given is kept."""
    free = [given.head] if given.head else []
    problems = []
    for f in kind.fields:
        if f.name not in given.pairs:
            continue
        raw = given.pairs[f.name]
        if f.kind != "text":
            raw, tail = split_trailing(raw, lambda t, f=f: check_value(f, t, today)[1] == "")
        elif len(kind.fields) > 1:
            # A short text field (医院) is one word; a type's only field (情况说明) is the free text itself.
            raw, tail = split_trailing(raw, lambda t: not any(c.isspace() for c in t))
        else:
            tail = ""
        if tail:
            free.append(tail)
        value, problem = check_value(f, raw, today)
        if problem or value is None:
            problems.append(problem)
        else:
            values[f.name] = value
    return " ".join(free), problems


def guess_number(kind: WelfareType, free: str, data: dict) -> None:
    """A missing number field read from one obvious phrase in the free text ('住院5天' -> 天数 5).
    Only a guess: ``data["guessed"]`` makes the summary say where it came from, to be checked."""
    for f in kind.fields:
        if f.kind != "number" or f.name in data["values"] or not f.name.endswith("数"):
            continue
        unit = re.escape(f.name[:-1])  # 天数 -> 天
        found = re.findall(rf"\S{{0,4}}?(\d{{1,4}}|[一二两三四五六七八九十百]{{1,4}})\s*(?:个)?{unit}(?!\d)", free)
        if len(found) != 1:
            continue
        n = _number(found[0])
        if n is None or n <= 0 or n > 3650:
            continue
        phrase = re.search(rf"\S{{0,4}}?{re.escape(found[0])}\s*(?:个)?{unit}", free)
        data["values"][f.name] = str(n)
        data.setdefault("guessed", {})[f.name] = [str(n), phrase.group(0) if phrase else found[0]]


def _number(text: str) -> int | None:
    t = fold_width(text).strip().removesuffix("天").removesuffix("日")
    if t.isdecimal():
        return whole_number(t, 0, 99_999)
    return chinese_number(t)
