"""Length-preserving text normalization and Chinese numerals.

Pattern matching runs on a normalized copy of each line whose characters stand
one-for-one with the original, so the text we keep is sliced from what the
chair wrote (full-width punctuation and all) rather than from our rewrite.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from schedules.hant_chars import SIMPLIFIED, TRADITIONAL

# Full-width ASCII (U+FF01..U+FF5E) -> ASCII; ideographic space -> space.
_WIDTH_MAP = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH_MAP[0x3000] = 0x20
_WIDTH_MAP[0x00A0] = 0x20
# Dashes and tildes people type for ranges, folded into one.
for _ch in "—–－―‒~～〜":
    _WIDTH_MAP[ord(_ch)] = ord("-")
_WIDTH_MAP[ord("．")] = ord(".")
# Traditional characters read as simplified: a plan copied from a Hong Kong, Taiwan or older page
# (召開教代會, 第十週) meets the same patterns; only the normalized copy changes.
_FOLD_MAP = {**_WIDTH_MAP, **{ord(t): ord(s) for t, s in zip(TRADITIONAL, SIMPLIFIED, strict=True)}}


def fold_width(text: str) -> str:
    """Full-width to half-width, one character for one: for text that is kept (a `键=值` value)."""
    return text.translate(_WIDTH_MAP)


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Full-width to half-width and traditional to simplified, one character for one. Cached: the importer
    reads each line several times (tables, months on one line, details, headings), and translate with a
    map this size costs more than the lookup."""
    return text.translate(_FOLD_MAP)


def normalize_message(text: str) -> str:
    """Chat input normalization: NFKC (full-width letters, digits, ＃, ：, spaces)."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ").strip()


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int | None:
    """'十二' -> 12, '二十三' -> 23, '7' -> 7; None for anything else (up to 99)."""
    text = text.strip()
    if not text:
        return None
    if text.isdecimal():
        return int(text)
    if text in ("元", "正"):
        return 1
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = _DIGITS.get(tens) if tens else 1
        o = _DIGITS.get(ones) if ones else 0
        if t is None or o is None:
            return None
        return t * 10 + o
    if len(text) == 1 and text in _DIGITS:
        return _DIGITS[text]
    return None
