"""Reading a sign-up command's words: the event's number or title, ``+家属人数`` and the note.

The sign-up kinds in ``handlers.refs`` (OPEN_EVENTS, MY_EVENTS) use ``take_event`` and ``event_words``; the
declarations in ``handlers.signups`` read '+家属人数' with ``args.Count(anywhere=True)``. ``split_note`` is
the same split as one function (kept for the callers and tests that import it from ``handlers.signups``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from handlers.args import Problem
from handlers.base import Context
from handlers.signup_views import _open_list
from schedules.text_norm import normalize_message
from storage.models import Event

_NUMBER = re.compile(r"^(?:报名|活动|编号|第)?(\d{1,6})(?:号|个)?$")
_EXTRA = re.compile(r"^(?:\+|＋|加|带|家属)(\d{1,2})(?:人|位)?$")


def parse_signup_args(args: str) -> tuple[int | None, int, str]:
    """'3 +1' -> (3, 1, ''); '' -> (None, 0, ''); garbage -> (None, 0, problem)."""
    number, extra = None, 0
    for token in args.replace("＋", "+").split():
        token = token.lstrip("#＃")
        if m := _NUMBER.match(token):
            if number is not None:
                return None, 0, "一次只能报名一个活动"
            number = int(m.group(1))
        elif m := _EXTRA.match(token):
            extra = int(m.group(1))
        else:
            return None, 0, f"看不懂“{token[:20]}”"
    return number, extra, ""


NOTE_MAX = 50
_NOTE_KEY = re.compile(r"^备注\s*[=:：]?\s*")


def split_note(args: str) -> tuple[str, str, str]:
    """'3 +1 素食' -> ('3 +1', '', '素食'); '羽毛球' -> ('', '羽毛球', ''); '备注=素食' -> ('', '', '素食').

    Words after a number are a 备注; without a number they name the event,
    unless they start with 备注."""
    args, words = split_title(args)
    if m := _NOTE_KEY.match(words):
        return args, "", words[m.end():].strip()
    if words and parse_signup_args(args)[0] is not None:
        return args, "", words
    return args, words, ""


def split_title(args: str) -> tuple[str, str]:
    """'羽毛球 +1' -> ('+1', '羽毛球'): the words that are neither a number nor '+N' name an event."""
    keep, words = [], []
    for token in re.sub(r"(\d)\s*\+", r"\1 +", args.replace("＋", "+")).split():  # '1+1' is '1 +1'
        bare = token.lstrip("#＃")
        (keep if _NUMBER.match(bare) or _EXTRA.match(bare) else words).append(token)
    return " ".join(keep), " ".join(words)


def take_event(text: str) -> tuple[str, str]:
    """#报名's event words and the note after them: '3 素食' or '素食 3' -> ('3', '素食'); '羽毛球' ->
    ('羽毛球', ''); '备注=素食' -> ('', '素食'). A number names the event wherever it stands, and then
    the other words are the note; without one the words name it by title, unless they start with 备注."""
    numbers, words = split_title(text)
    if m := _NOTE_KEY.match(words):
        return numbers, words[m.end():].strip()
    return (numbers, words) if numbers else (words, "")


def event_words(raw: str, events: Callable[[], list[Event]], ctx: Context) -> int | Problem | None:
    """An event's number from its words: '3', '报名3', '#3', or words of a title among ``events()``
    ('羽毛球 +1': the '+1' is not part of the title); None when they name none. ``events`` is read only
    for a title: a number alone costs no list (reading the open events doubled #报名's queries)."""
    numbers, title = split_title(raw)
    number, _, problem = parse_signup_args(numbers)
    if problem:
        return Problem(problem)
    if number is None and title:
        return number_by_title(title, events(), ctx)
    return number


def events_titled(words: str, events: list[Event]) -> list[Event]:
    """Events whose title contains ``words`` (spaces and width ignored); at least two characters."""
    key = re.sub(r"\s+", "", normalize_message(words)).lstrip("#")
    if len(key) < 2:
        return []
    return [e for e in events if key in re.sub(r"\s+", "", normalize_message(e.title))]


def number_by_title(words: str, events: list[Event], ctx: Context) -> int | Problem:
    """The one event among ``events`` whose title contains ``words``, or why not."""
    found = events_titled(words, events)
    if len(found) == 1:
        return found[0].number
    if not found:
        return Problem(f"没有找到名称含“{words[:20]}”的活动（编号见 #报名列表）")
    return Problem("有多项活动符合，请写上编号：\n" + _open_list(found, ctx), usage=False, end="")


def event_by_words(word: str, events: Callable[[], list[Event]], ctx: Context) -> int | Problem | None:
    """An event's number from one word: '3', '报名3', '#3', or words of its title among ``events()`` (read
    only then); None: no number given."""
    number, _, _ = parse_signup_args(word)
    if number is None and word and not split_title(word)[0]:
        return number_by_title(word, events(), ctx)
    return number
