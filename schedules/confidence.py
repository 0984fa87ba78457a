"""Which imported items the chair should look at first: the importer's own doubts about an item.

The preview (``#导入计划``) and ``unionbot plan import --json`` mark these items. Each doubt is a code; the
reasons are measured against the gold by ``bench/plan_import_eval.py`` (how often a flagged item is wrong,
and how many wrong items are flagged).
"""

from __future__ import annotations

from schedules.plan_parser import GUESSED_SECTION, MODEL_OVERRULED, SPLIT_CELL, PlanItem

# Below this lead (nats per gram, the rules' weight included) the category is a near tie.
WEAK_MARGIN = 0.35
_SHORT = 4
_LONG = 40

WEAK_CATEGORY = "weak_category"
NO_MONTH = "no_month"
LONG_TEXT = "long_text"
SHORT_TEXT = "short_text"
# What the parser itself doubted. A month taken from the end of an entry (GUESSED_TRAILING) is still listed
# for checking in the preview, but is no flag: it was wrong once in 29 items measured.
_STRUCTURE = (GUESSED_SECTION, SPLIT_CELL, MODEL_OVERRULED)


def doubts(item: PlanItem) -> list[str]:
    """The reasons to check this item, most telling first; [] when the importer has none."""
    out = [note for note in item.notes if note in _STRUCTURE]
    if item.margin < WEAK_MARGIN:
        out.append(WEAK_CATEGORY)
    if not item.months and not item.weeks:
        out.append(NO_MONTH)
    text = "".join(item.text.split())
    if len(text) > _LONG:
        out.append(LONG_TEXT)
    elif len(text) < _SHORT:
        out.append(SHORT_TEXT)
    return out


def confidence(item: PlanItem) -> float:
    """A rough 0–1 score for sorting and export: 1 with no doubt, lower with each."""
    return round(0.5 ** len(doubts(item)), 3)
