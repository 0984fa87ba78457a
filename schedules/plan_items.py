"""What the plan importer produces, and how an entry's text is cut into items.

``PlanItem`` and ``ParsedPlan`` are the parser's output; the notes (``GUESSED_SECTION``…) mark what it
was unsure of. The functions cut one entry's text: inline numbering, sentences, a month written at the
end. Split from ``schedules.plan_parser``, which re-exports the public names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schedules.plan_headings import (
    _CIRCLED,
    _INLINE_NUMBER_RE,
    _PAREN_MONTH_RE,
    _SENTENCE_SPLIT_RE,
    _TRAILING_MONTH_RE,
    _TRAILING_PUNCT,
    _numbering,
    parse_months,
)
from schedules.text_norm import fold

NEXT_YEAR = "next_year"
# What the importer guessed about an item's months (the preview asks the chair to check these).
GUESSED_SECTION = "guessed_section"  # '二、三月份' read as February–March, though 二 may number a section
GUESSED_TRAILING = "guessed_trailing"  # the month taken from the end of the entry ('…慰问困难职工1月份')
SPLIT_CELL = "split_cell"  # one of several activities a table cell held, split at a space
MODEL_OVERRULED = "model_overruled"  # the category model chose another category than the keyword rules




@dataclass
class PlanItem:
    months: list[int]
    weeks: list[int]
    text: str
    line: int  # 1-based line number in the given text
    category: str = "other"
    holiday: str | None = None
    notes: list[str] = field(default_factory=list)  # what the importer was unsure of
    day: int | None = None  # '3月5日 学雷锋…': the day of the month, taken out of the text
    margin: float = 0.0  # the category's lead over the next (schedules.categories.classify_with_margin)


@dataclass
class ParsedPlan:
    items: list[PlanItem]
    period: str  # 'year' | 'semester' | 'unknown'
    year: int | None  # the year the title names, if any


# --- item building ------------------------------------------------------------


def clean_text(text: str) -> str:
    text = text.strip()
    text = text.rstrip(_TRAILING_PUNCT)
    return text.strip()


def split_inline_numbered(text: str) -> list[str]:
    """'1、春节送温暖活动2、完成…' -> ['春节送温暖活动', '完成…'] (numbers must run 1, 2, 3…)."""
    n, start = _numbering(fold(text))
    if n is None or n == 0:
        return [text]
    if text.lstrip()[:1] in _CIRCLED:
        # '①三八节慰问②植树活动': every circled number starts an entry.
        return [p for p in re.split(f"[{_CIRCLED}]", text.lstrip())[1:] if p.strip()]
    pieces = []
    expected = n + 1
    pos = start
    norm = fold(text)
    cut = start
    while True:
        found = None
        for m in _INLINE_NUMBER_RE.finditer(norm, pos):
            if int(m.group(1)) == expected:
                found = m
                break
        if not found:
            break
        pieces.append(text[cut: found.start()])
        cut = found.end()
        pos = found.end()
        expected += 1
    pieces.append(text[cut:])
    return pieces


def split_sentences(text: str) -> list[str]:
    return [s for s in _sentences(text) if clean_text(s)]


_BRACKET_ONLY_RE = re.compile(r"^\s*[(（][^()（）]{1,24}[)）]\s*[。;；]?\s*$")


def _sentences(text: str) -> list[str]:
    """Split on 。；; — but '(11月5日—20日)' after '…单项赛。' is that sentence's date, not a sentence."""
    out: list[str] = []
    for piece in _SENTENCE_SPLIT_RE.split(text):
        if out and _BRACKET_ONLY_RE.match(fold(piece)):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def _entry_months(text: str) -> tuple[str, list[int]]:
    """An entry that carries its own month: '羽毛球比赛（四月）' -> ('羽毛球比赛', [4])."""
    norm = fold(text)
    m = _PAREN_MONTH_RE.search(norm)
    if m:
        months = parse_months(m.group("months"))
        if months:
            return text[: m.start()], months
    return text, []


def _trailing_months(text: str) -> tuple[str, list[int]]:
    """'慰问困难职工1月份' -> ('慰问困难职工', [1]); used in lists keyed by a trailing month."""
    norm = fold(text)
    m = _TRAILING_MONTH_RE.search(norm)
    if m:
        months = parse_months(m.group("months"))
        if months:
            return text[: m.start()], months
    return text, []
