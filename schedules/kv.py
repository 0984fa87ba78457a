"""The one reader for ``键=值`` arguments, as people type them in chat.

'教职工羽毛球赛 时间=4月15日 15:30 地点=体育馆' or one per line ('时间：4月15日 15:30'):
``=``, ``＝``, ``:`` and ``：`` all separate a key from its value. Only the keys a command
declares start a pair, so a value may hold spaces and colons ('15:30'); it runs to the
next key or the end. The text before the first key is the head (a title, a notice).
A word that looks like a key the command does not know ('颜色=红') is reported, so the
command can say which keys it takes instead of keeping it as text. Pure, tested directly.

A value runs to the next key, so free text typed after the last pair ('天数=5 因阑尾炎手术住院')
lands in that value. The reader cannot know a value's shape; ``split_trailing`` lets a command whose
field has one (a number, a date, a choice) take the part it can read and keep the rest as free text,
instead of refusing the whole value and losing every field given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from schedules.text_norm import fold_width

_UNKNOWN = re.compile(r"(?:^|(?<=[\s,，;；]))([^\s=＝:：,，;；]{1,8})\s*[=＝]")


@dataclass
class KeyValues:
    head: str = ""
    pairs: dict[str, str] = field(default_factory=dict)  # key as declared -> value (the last one given)
    order: list[str] = field(default_factory=list)  # keys in the order typed
    unknown: list[str] = field(default_factory=list)  # 'X=' where X is no declared key


def read_pairs(text: str, keys: Iterable[str], *, fold: bool = True) -> KeyValues:
    """``keys``: the words that start a pair (aliases included). ``fold``: full-width letters and digits
    to half-width in the values (a proposal's punctuation is kept by the callers that pass False)."""
    names = sorted(set(keys), key=len, reverse=True)
    source = fold_width(text) if fold else text
    out = KeyValues()
    if not names:
        out.head = source.strip()
        return out
    key_re = re.compile(r"(?:^|(?<=[\s,，;；]))(" + "|".join(map(re.escape, names)) + r")\s*[=＝:：]\s*")
    matches = list(key_re.finditer(source))
    out.head = _clean(source[: matches[0].start()] if matches else source)
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(source)
        out.pairs[m.group(1)] = _clean(source[m.end():end])
        out.order.append(m.group(1))
    known = set(names)
    for m in _UNKNOWN.finditer(source):
        if m.group(1) not in known and not any(m.group(1).endswith(k) for k in known):
            out.unknown.append(m.group(1))
    return out


def _clean(value: str) -> str:
    return value.strip().strip(",，;；").strip()


def split_trailing(value: str, readable: Callable[[str], bool]) -> tuple[str, str]:
    """(the longest leading run of whole words ``readable`` accepts, the free text after it).

    '5 因阑尾炎手术住院' -> ('5', '因阑尾炎手术住院'); '4月15日 15:30' stays whole when the whole is
    readable. When no leading run is readable the value comes back whole (the caller reports it)."""
    if readable(value):
        return value, ""
    cuts = [m.start() for m in re.finditer(r"\s+", value.strip())]
    text = value.strip()
    for cut in reversed(cuts):
        head = text[:cut].strip()
        if head and readable(head):
            return head, _clean(text[cut:])
    return value, ""


def too_long(label: str, limit: int, text: str) -> str:
    """The refusal for text over its limit, with both numbers: nothing is cut silently (issue 27)."""
    return f"{label}最多 {limit} 字，您写了 {len(text)} 字"


def clip(text: str, limit: int) -> str:
    """A glimpse of stored text in a reply or a list, marked with … when it is shortened (never stored)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
