"""A re-imported plan against the year already stored (pure; issue 27).

Members use activity numbers (#活动 3) and sign-ups point at them, and the chair fixes dates and
places by hand, so a second import must not throw the year away and number it again. Each new
item is matched to a stored one of that year (same month, similar text, same category helps); a
matched row keeps its number and is brought up to the plan, unless it was edited by hand, then it
is kept as it is (the chair may say otherwise). New items get new numbers. A stored row the plan
no longer has is removed, unless sign-ups point at it or it was edited by hand: then it is kept
unless the chair confirms its removal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Stored:
    """A stored row, as the matcher sees it."""

    number: int
    months: tuple[int, ...]
    text: str
    category: str
    date: dt.date | None
    edited: bool = False  # changed by hand since it was imported
    linked: bool = False  # a sign-up points at it


@dataclass(frozen=True)
class Incoming:
    months: tuple[int, ...]
    text: str
    category: str
    date: dt.date | None


@dataclass
class Merge:
    """What an import does to the stored year; item indexes are positions in the new plan."""

    same: dict[int, int] = field(default_factory=dict)  # item -> row number, nothing to change
    update: dict[int, int] = field(default_factory=dict)  # item -> row number, brought up to the plan
    held: dict[int, int] = field(default_factory=dict)  # item -> row number, edited by hand: kept as is
    add: list[int] = field(default_factory=list)  # items that get new numbers
    remove: list[int] = field(default_factory=list)  # row numbers the plan no longer has
    kept: list[int] = field(default_factory=list)  # row numbers not in the plan, kept (sign-ups, hand edits)

    @property
    def row_of(self) -> dict[int, int]:
        return {**self.same, **self.update, **self.held}


SIMILAR = 0.5  # text similarity for items in the same month
SIMILAR_ANY_MONTH = 0.8  # …and for a row whose month was changed (by hand, or in the new plan)


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _score(row: Stored, item: Incoming) -> float:
    ratio = similarity(row.text, item.text)
    same_month = bool(set(row.months) & set(item.months)) or (not row.months and not item.months)
    if row.date is not None and item.date is not None and row.date == item.date:
        same_month = True
    if not (ratio >= SIMILAR_ANY_MONTH or (same_month and ratio + (0.1 if row.category == item.category else 0)
                                             >= SIMILAR)):
        return 0.0
    return ratio + (0.1 if same_month else 0) + (0.05 if row.category == item.category else 0)


def merge(stored: list[Stored], items: list[Incoming], *, overwrite: frozenset[int] = frozenset(),
          drop: frozenset[int] = frozenset()) -> Merge:
    """``overwrite``: row numbers whose hand edits the chair lets the plan replace;
    ``drop``: row numbers with sign-ups or hand edits the chair lets go when the plan has no such item."""
    pairs = sorted(((s, r.number, i) for r in stored for i, it in enumerate(items) if (s := _score(r, it)) > 0),
                   key=lambda p: (-p[0], p[1], p[2]))
    rows = {r.number: r for r in stored}
    out = Merge()
    taken_rows: set[int] = set()
    for _, number, i in pairs:  # best pairs first, each row and item once
        if number in taken_rows or i in out.row_of:
            continue
        taken_rows.add(number)
        row, item = rows[number], items[i]
        if (row.text, row.months, row.date) == (item.text, item.months, item.date):
            out.same[i] = number
        elif row.edited and number not in overwrite:
            out.held[i] = number
        else:
            out.update[i] = number
    out.add = [i for i in range(len(items)) if i not in out.row_of]
    for r in stored:
        if r.number in taken_rows:
            continue
        (out.kept if (r.linked or r.edited) and r.number not in drop else out.remove).append(r.number)
    return out
