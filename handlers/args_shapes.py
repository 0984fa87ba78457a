"""More shapes of declared arguments (handlers.args): a flag word, one ``键=值`` written anywhere,
pieces split by a bar, and a choice between whole ways of writing a command.

Like every reader they are pure: ``read(raw, ctx) -> value | Problem``, never an exception, and their
syntax comes from their declaration (tests/test_args.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from handlers.args import Field, Param, Problem
from schedules.kv import read_pairs

if TYPE_CHECKING:
    from handlers.base import Context


@dataclass(frozen=True)
class Flag(Param[bool]):
    """A word of its own anywhere in the text that switches something on ('周五开会 需回执');
    inside a sentence the same letters stay text. ``label`` is the word the syntax line shows."""

    optional: bool = True
    anywhere: bool = True
    words: tuple[str, ...] = ()  # every word that means it; default: the label

    def _pattern(self) -> re.Pattern[str]:
        words = self.words or (self.label,)
        return re.compile(r"(?:^|(?<=\s))(?:" + "|".join(map(re.escape, words)) + r")(?=\s|$)")

    def pull(self, text: str) -> tuple[str, str]:
        found = self._pattern().search(text)
        if found is None:
            return "", text
        # The lines keep their breaks; only the gap the word leaves is closed.
        lines = self._pattern().sub("", text).split("\n")
        return found.group(0), "\n".join(re.sub(r"[ \t]{2,}", " ", line).strip() for line in lines).strip()

    def syntax(self) -> str:
        return f"[{self.label}]" if self.optional else self.label

    def absent(self, ctx: Context) -> bool | Problem | None:
        return False if self.optional else self.asked()

    def read(self, raw: str, ctx: Context) -> bool | Problem:
        return True


@dataclass(frozen=True)
class Option(Param[str]):
    """One ``键=值`` whose value is one word, written anywhere: '对象=退休教师 重阳节茶话会…' (the words
    after the value, and before the key, stay for the next argument)."""

    optional: bool = True
    anywhere: bool = True
    field: Field = Field("")  # noqa: RUF009 - a frozen Field, shared safely

    def pull(self, text: str) -> tuple[str, str]:
        names = (self.field.name, *self.field.aliases)
        given = read_pairs(text, names, fold=False)
        word = next((given.pairs[n] for n in names if n in given.pairs), None)
        if not word:
            return "", text
        value, *after = word.split(maxsplit=1)  # a line break ends the word too ('对象=代表\n周五开会')
        return value, " ".join([given.head, *after]).strip()

    def syntax(self) -> str:
        shown = f"{self.field.name}={self.field.sample}"
        return f"[{shown}]" if self.optional else shown

    def keys(self) -> str:
        return self.field.name

    def absent(self, ctx: Context) -> str | Problem | None:
        return "" if self.optional else self.asked()

    def read(self, raw: str, ctx: Context) -> str | Problem:
        return raw


_BAR = re.compile(r"\s*[|｜]\s*")


@dataclass(frozen=True)
class Parts(Param[tuple[str, ...]]):
    """Pieces of text in one message, split by a bar: '标题｜案由｜建议' -> three strings, none empty."""

    labels: tuple[str, ...] = ()

    def take(self, text: str) -> tuple[str, str]:
        return text.strip(), ""

    def fits(self, word: str) -> bool:
        return bool(_BAR.search(word))

    def syntax(self) -> str:
        return "｜".join(self.labels)

    def read(self, raw: str, ctx: Context) -> tuple[str, ...] | Problem:
        parts = tuple(_BAR.split(raw.strip()))
        if len(parts) != len(self.labels) or not all(parts):
            return Problem(f"一条消息写全时，请用竖线（｜）分开{'、'.join(self.labels)}")
        return parts


@dataclass(frozen=True)
class Either(Param[Any]):
    """Whole other ways to write a command's arguments: '#提案' (nothing: a form starts), '#提案 2027-003',
    '#提案 标题｜案由｜建议'. The first option that understands the words reads them: a Problem without
    the 格式 line (no such proposal) is its answer; one with it (not its shape) lets the next option try,
    and when none understands, the first option's problem is the answer. The syntax line shows one line
    per way (handlers.args.syntax_line)."""

    options: tuple[Param[Any], ...] = ()

    def take(self, text: str) -> tuple[str, str]:
        return text.strip(), ""

    def shapes(self) -> tuple[str, ...]:
        return (("",) if self.optional else ()) + tuple(o.syntax() for o in self.options)

    def syntax(self) -> str:
        return " | ".join(o.syntax() for o in self.options)

    def keys(self) -> str:
        return "、".join(k for k in (o.keys() for o in self.options) if k)

    def absent(self, ctx: Context) -> Any:
        return None if self.optional else self.asked()

    def read(self, raw: str, ctx: Context) -> Any:
        first: Any = Problem(f"看不懂“{raw[:20]}”")
        for i, option in enumerate(self.options):
            value = option.read(raw, ctx)
            if not (isinstance(value, Problem) and value.usage):
                return value
            first = value if i == 0 else first
        return first
