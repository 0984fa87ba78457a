"""Declared command arguments: what a command takes, read once, worded once.

A command lists its parameters in ``@command(..., args=(...))``; from that one declaration come the syntax
line (``#回执 通知编号``), the usage reply, ``#帮助 X``, the README's command table and the "可写：…" lists.
Before the handler runs, each parameter takes its words from the message and reads them; a ``Ref`` also
looks its object up (and asks whether the sender may see it). The handler gets the values
(``req.get(PARAM)``, typed by the parameter) or never runs: the reply to a bad argument is written here.

Shapes that fit Chinese chat: a number glued to the command (``#报名3``, split by the registry), a
proposal code (``2027-003``), ``+1`` / ``2人``, ``键=值`` fields with aliases, free text to the end of line.

Readers are pure: ``read(raw, ctx) -> value | Problem``; any text gives one or the other, never an exception
(tests/test_args.py). Every sentence that explains how to write a value is in this module, once
(dates: ``schedules.when.DATE_HOW``, which the importer and the event form share).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from schedules.kv import KeyValues, read_pairs, too_long
from schedules.when import date_problem, parse_month, read_datetime

if TYPE_CHECKING:
    from handlers.base import Context

T = TypeVar("T")

NUMBER_HOW = "编号应是数字"  # the one sentence for a number that is not one
YEAR_HOW = "年份写成 2027"
COUNT_HOW = "人数写成 +1 或 2人"
REF_MARKS = "#＃№"  # '#3', '№3': what people put before a number


@dataclass(frozen=True)
class Problem:
    """What is wrong with an argument: one sentence without the final 。.

    ``usage``: the reply adds the command's 格式 line (the words were not understood); False for an
    answer about the object itself ('没有编号为 9 的投票'), where the format was right."""

    text: str
    usage: bool = True
    end: str = "。"  # '' after a list, which ends the reply as it is


@dataclass(frozen=True)
class Param(Generic[T]):
    """One declared argument. ``key`` names it in ``req.values``; ``label`` is how the syntax line shows it."""

    key: str
    label: str
    optional: bool = False
    ask: str = ""  # the sentence when it is missing; default '请写上{label}'
    # Taken from wherever it stands ('#报名 3 素食 +1'), before the others take their words in order.
    anywhere: bool = False

    def asked(self) -> Problem:
        return Problem(self.ask or f"请写上{self.label}")

    def take(self, text: str) -> tuple[str, str]:
        """(its words, the rest): one word by default."""
        parts = text.split(maxsplit=1)
        return (parts[0], parts[1] if len(parts) > 1 else "") if parts else ("", "")

    def pull(self, text: str) -> tuple[str, str]:
        """For an ``anywhere`` one: (its words, the text without them); ('', text) when it is not there."""
        return "", text

    def shapes(self) -> tuple[str, ...]:
        """Whole other ways to write the arguments ('编号', '标题｜案由｜建议'): one syntax line each; () for most."""
        return ()

    def fits(self, word: str) -> bool:
        """Whether an optional one takes this word; else it is left for the next ('#报名 3 素食': no +N)."""
        return True

    def read(self, raw: str, ctx: Context) -> T | Problem:
        raise NotImplementedError

    def absent(self, ctx: Context) -> T | Problem | None:
        """The value when nothing was written: None for an optional one, else what to ask for."""
        return None if self.optional else self.asked()

    def syntax(self) -> str:
        return f"[{self.label}]" if self.optional else self.label

    def keys(self) -> str:
        """'选项、对象、截止': what ``键=值`` it takes (for '可写：…'); empty for the rest."""
        return ""


# --- plain values ----------------------------------------------------------------------


@dataclass(frozen=True)
class Text(Param[str]):
    """Free text to the end of the message, kept as typed (a reason, an answer)."""

    limit: int | None = None  # characters; longer is refused with the length, never cut
    refused: str = "。"  # after the length: '，未报名。' says what did not happen

    def take(self, text: str) -> tuple[str, str]:
        return text.strip(), ""

    def absent(self, ctx: Context) -> str | Problem | None:
        return "" if self.optional else self.asked()

    def read(self, raw: str, ctx: Context) -> str | Problem:
        if self.limit is not None and len(raw) > self.limit:
            return Problem(too_long(self.label, self.limit, raw), usage=False, end=self.refused)
        return raw


@dataclass(frozen=True)
class Word(Param[str]):
    """One word (a department, a name)."""

    limit: int | None = None
    refused: str = "。"

    def absent(self, ctx: Context) -> str | Problem | None:
        return "" if self.optional else self.asked()

    def read(self, raw: str, ctx: Context) -> str | Problem:
        if self.limit is not None and len(raw) > self.limit:
            return Problem(too_long(self.label, self.limit, raw), usage=False, end=self.refused)
        return raw


def whole_number(text: str, low: int = 0, high: int = 999_999_999) -> int | None:
    """The one reader of a whole number typed in chat ('3', '３'): None unless it is one in [low, high].
    The length is checked before ``int``, so a pasted wall of digits is no number (and no ValueError)."""
    t = text.strip()
    if not t.isdecimal() or len(t) > len(str(high)):
        return None
    n = int(t)
    return n if low <= n <= high else None


def pick(text: str, count: int) -> int | None:
    """A choice by its place in a list of ``count`` ('2' -> index 1); None when it is not one."""
    n = whole_number(text, 1, count) if count else None
    return None if n is None else n - 1


@dataclass(frozen=True)
class Number(Param[int]):
    """A whole number between ``low`` and ``high`` ('30', '30天' with ``unit='天'``)."""

    low: int = 0
    high: int = 999_999
    unit: str = ""
    how: str = ""  # the sentence when it is not one; default: '{label}应是 low 到 high 之间的整数'

    def read(self, raw: str, ctx: Context) -> int | Problem:
        text = raw.strip().lstrip(REF_MARKS).removesuffix(self.unit) if self.unit else raw.strip()
        n = whole_number(text, self.low, self.high)
        if n is not None:
            return n
        return Problem(self.how or f"{self.label}应是 {self.low} 到 {self.high} 之间的整数")


def year(label: str = "年份", optional: bool = True) -> Number:
    return Number("year", label, optional, low=1000, high=9999, how=YEAR_HOW)


@dataclass(frozen=True)
class Month(Param[int]):
    """A month: '3', '3月', '三月', '十二月份'."""

    def read(self, raw: str, ctx: Context) -> int | Problem:
        month = parse_month(raw)
        return month if month is not None else Problem("月份写成 3 或 三月")


_COUNT = re.compile(r"^(?:[+＋]|加|带|家属)?(\d{1,2})(?:人|位)?$")
_MARKED_COUNT = re.compile(r"^(?:[+＋]|加|带|家属)\d{1,2}(?:人|位)?$")  # anywhere, only with its mark
_GLUED_PLUS = re.compile(r"(\d)\s*[+＋]")


def read_count(raw: str) -> int | None:
    """'+1', '＋2', '加1', '带1', '家属1', '2人', '2位', '2' -> the number; anything else -> None."""
    m = _COUNT.match(raw.strip())
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class Count(Param[int]):
    """How many come along: '+1', '2人'. ``high``: the most one may write."""

    high: int = 99

    def syntax(self) -> str:
        return f"[+{self.label}]" if self.optional else f"+{self.label}"

    def fits(self, word: str) -> bool:
        return word[:1] in "+＋" or read_count(word) is not None

    def pull(self, text: str) -> tuple[str, str]:
        """'+1' anywhere, only with its mark (a bare '3' is a number); '3+1' is '3 +1'; the last one counts."""
        words = _GLUED_PLUS.sub(r"\1 +", text).split()
        found = [w for w in words if _MARKED_COUNT.match(w)]
        if not found:
            return "", text
        return found[-1], " ".join(w for w in words if not _MARKED_COUNT.match(w))

    def read(self, raw: str, ctx: Context) -> int | Problem:
        n = read_count(raw)
        return n if n is not None and n <= self.high else Problem(COUNT_HOW)


@dataclass(frozen=True)
class When(Param[dt.datetime]):
    """A date, optionally with a time ('3月20日 17:00', '下周三'); ``default_time`` when none is given."""

    default_time: dt.time = dt.time(0, 0)

    def take(self, text: str) -> tuple[str, str]:
        return text.strip(), ""

    def read(self, raw: str, ctx: Context) -> dt.datetime | Problem:
        when = read_datetime(raw, ctx.now, self.default_time)
        return when if when is not None else Problem(date_problem(self.label, raw))


# --- 键=值 fields -------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One ``键=值``: its name, the other words people use for it, and a sample for the syntax line."""

    name: str
    aliases: tuple[str, ...] = ()
    sample: str = "…"
    listed: bool = True  # shown in the syntax line and '可写：…' (False: another way to write the head)
    optional: bool = False  # only for the syntax line: '[对象=代表]'

    def syntax(self) -> str:
        return f"[{self.name}={self.sample}]" if self.optional else f"{self.name}={self.sample}"


@dataclass(frozen=True)
class Fields(Param[KeyValues]):
    """Optional text then ``键=值`` pairs, to the end of the message: 'ABC 对象=代表 截止=3月20日'.

    The value is the reader's ``KeyValues`` with every alias folded to its field's name; a key no field
    declares is a Problem that lists the keys it takes ('可写：…', from the declaration)."""

    fields: tuple[Field, ...] = ()
    head: str = ""  # what the text before the first pair is ('标题'); empty: none is shown
    fold: bool = True  # full-width digits to half-width in values
    strict: bool = True  # False: a key it does not know is left to the command (which names all problems at once)

    def take(self, text: str) -> tuple[str, str]:
        return text.strip(), ""

    def names(self) -> dict[str, str]:
        """Every word that starts a pair -> its field's name."""
        return {w: f.name for f in self.fields for w in (f.name, *f.aliases)}

    def keys(self) -> str:
        return "、".join(f.name for f in self.fields if f.listed)

    def syntax(self) -> str:
        pairs = " ".join(f.syntax() for f in self.fields if f.listed)
        shown = f"{self.head} {pairs}" if self.head else pairs
        # Optional as a whole, unless each field already says it is ('[开始=日期] [截止=日期]').
        each = all(f.optional for f in self.fields if f.listed) and not self.head
        return f"[{shown}]" if self.optional and not each else shown

    def absent(self, ctx: Context) -> KeyValues | Problem | None:
        return KeyValues() if self.optional else self.asked()

    def read(self, raw: str, ctx: Context) -> KeyValues | Problem:
        names = self.names()
        given = read_pairs(raw, names, fold=self.fold)
        if given.unknown and self.strict:
            return Problem(f"不认识“{given.unknown[0][:8]}”这一项（可写：{self.keys()}）")
        out = KeyValues(head=given.head, unknown=given.unknown)
        for word in given.order:
            name = names[word]
            out.pairs[name] = given.pairs[word]
            if name not in out.order:
                out.order.append(name)
        return out


# --- references: an object by its number ----------------------------------------------------


@dataclass(frozen=True)
class Kind(Generic[T]):
    """A kind of object people name by number: how its number reads, how it is found, who may see it.

    ``missing`` is said when there is no such object *and* when the sender may not see it (the same words,
    so a number never tells what exists)."""

    noun: str  # 投票, 回执通知, 报名活动…
    find: Callable[[Any, Context], T | None]
    parse: Callable[[str, Context], Any] = lambda raw, ctx: _plain_number(raw)  # the key, or None
    shown: Callable[[Any], str] = str  # the key as the reply writes it ('2027-003')
    where: str = ""  # where numbers are seen: '见 #报名列表'
    after: str = ""  # after '没有编号为 N 的…': '，发送 #报名列表 查看'
    visible: Callable[[T, Context], bool] = lambda obj, ctx: True  # asks services.access, never a role
    not_found: str = ""  # instead of '没有编号为 N 的…' (a kind whose lookup also says who may see it)
    number_word: str = ""  # what its number is called when asked for ('报名编号'); default noun + '编号'
    # Which words name it, if not the first: (its words, the rest). '#报名 素食 3': the number anywhere.
    take: Callable[[str], tuple[str, str]] | None = None

    def ask(self) -> str:
        where = f"（{self.where}）" if self.where else ""
        return f"请写上{self.number_word or self.noun + '编号'}{where}"

    def missing(self, key: Any) -> str:
        if self.not_found:
            return self.not_found
        return f"没有编号为 {self.shown(key)} 的{self.noun}{self.after}"


def _plain_number(raw: str) -> int | None:
    return whole_number(raw.strip().lstrip(REF_MARKS), 0, 999_999)


@dataclass(frozen=True)
class Ref(Param[T]):
    """An object named by its number: read, looked up and checked before the handler runs.

    ``default``: the object when no number is written (the latest check-in, the only open sign-up),
    or a Problem; without one, a missing number is asked for."""

    kind: Kind[T] | None = None
    default: Callable[[Context], T | Problem] | None = None

    def take(self, text: str) -> tuple[str, str]:
        if self.kind is not None and self.kind.take is not None:
            return self.kind.take(text)
        return super().take(text)

    def absent(self, ctx: Context) -> T | Problem | None:
        if self.default is not None:
            return self.default(ctx)
        assert self.kind is not None
        return None if self.optional else Problem(self.ask or self.kind.ask())

    def read(self, raw: str, ctx: Context) -> T | Problem:
        assert self.kind is not None
        key = self.kind.parse(raw, ctx)
        if key is None:
            return Problem(self.kind.ask())
        if isinstance(key, Problem):
            return key
        found = self.kind.find(key, ctx)
        if found is None or not self.kind.visible(found, ctx):
            return Problem(self.kind.missing(key), usage=False)
        return found


# --- a command's whole declaration ---------------------------------------------------------


def syntax_line(name: str, params: tuple[Param[Any], ...]) -> str:
    """'#回执 通知编号'; a parameter with whole other shapes gives one line each: '#提案 | #提案 编号'."""
    shaped = next((p for p in params if p.shapes()), None)
    if shaped is not None:
        return " | ".join(f"#{name} {s}".strip() for s in shaped.shapes())
    return " ".join([f"#{name}", *(p.syntax() for p in params)])


def read_all(params: tuple[Param[Any], ...], text: str, ctx: Context) -> dict[str, Any] | Problem:
    """Each parameter takes its words in order and reads them; the first problem stops the reading."""
    values: dict[str, Any] = {}
    rest = text.strip()
    pulled: dict[str, str] = {}
    for p in params:  # first those written anywhere ('+1', '需回执', '对象=…'), in declaration order
        if p.anywhere:
            pulled[p.key], rest = p.pull(rest)
            rest = rest.strip()
    for p in params:
        if p.anywhere:
            raw, after = pulled[p.key], rest
        else:
            raw, after = p.take(rest) if rest else ("", "")
        if raw and p.optional and not p.fits(raw):
            raw, after = "", rest
        rest = after
        value = p.read(raw, ctx) if raw else p.absent(ctx)
        if isinstance(value, Problem):
            return value
        values[p.key] = value
    if rest.strip():
        return Problem(f"看不懂“{rest.strip()[:20]}”")
    return values

