"""A small character n-gram model of schedule item categories, to back the keyword rules.

The rules (``schedules.categories``) know the words they were written with; on wording they have not
seen they fall back to ``other`` or to whatever word comes first. Multinomial Naive Bayes over
character 1- and 2-grams, trained on labelled plan items, reads such wording by its pieces (体检 and
检查 share 检). The rules' answer stays a prior: the model overrides it only when its own evidence,
averaged per gram, is stronger than ``RULE_WEIGHT`` nats.

Measured on each new round of hand-written items at first contact, with the rules and the training
data as they stood then (``python -m bench.category_first_contact``): rules alone 0.804, with this
model 0.919 (270 non-festival items in five rounds). Where the rules were written looking at the very
text (the seeds) they do better alone, so the weight is a compromise: on the largest seed file held out
from the model, 0.858 with it against the rules' own 0.915 (``python -m bench.category_cv
--all-labelled``). The weight 0.5 was chosen looking at both. Pure Python, no download; the counts
ship in ``category_model.json``, rebuilt by ``python -m bench.train_category_model``.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from schedules.text_norm import fold

MODEL_FILE = Path(__file__).with_name("category_model.json")
RULE_WEIGHT = 0.5
_NOISE = re.compile(r"[\s\d\W_]+", re.UNICODE)
# How the union takes part, not what the work is: '配合学校做好读书节的筹备' is about the 读书节. Left in,
# these made the model read every 配合学校… entry as 'other' (measured when they were left out: 0.850 -> 0.877
# on the largest seed file held out, no change at first contact).
_HOW = re.compile(r"配合|协助|做好")


def grams(text: str, sizes: tuple[int, ...] = (1, 2)) -> list[str]:
    """Character n-grams of the text's words (traditional read as simplified; digits and punctuation out)."""
    t = _NOISE.sub("", _HOW.sub(" ", fold(text)))
    return [t[i:i + n] for n in sizes for i in range(len(t) - n + 1)]


@dataclass
class NaiveBayes:
    counts: dict[str, Counter[str]] = field(default_factory=dict)  # category -> gram counts
    docs: Counter[str] = field(default_factory=Counter)  # category -> items
    alpha: float = 0.5
    # Derived once: log prior and log denominator per category (scoring is then one lookup per gram).
    _prior: dict[str, float] = field(default_factory=dict, repr=False)
    _denominator: dict[str, float] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        vocab = len({g for c in self.counts.values() for g in c}) or 1
        total = sum(self.docs.values()) or 1
        for category, counts in self.counts.items():
            self._prior[category] = math.log(self.docs[category] / total)
            self._denominator[category] = math.log(sum(counts.values()) + self.alpha * vocab)

    @classmethod
    def train(cls, labelled: Iterable[tuple[str, str]]) -> NaiveBayes:
        counts: dict[str, Counter[str]] = {}
        docs: Counter[str] = Counter()
        for text, category in labelled:
            docs[category] += 1
            counts.setdefault(category, Counter()).update(grams(text))
        return cls(counts, docs)

    def scores(self, text: str) -> dict[str, float]:
        """Log-likelihood of the text under each category (prior included)."""
        return self._scores(grams(text))

    def _scores(self, gs: list[str]) -> dict[str, float]:
        return {c: self._prior[c] + sum(math.log(counts.get(g, 0) + self.alpha) for g in gs)
                - len(gs) * self._denominator[c] for c, counts in self.counts.items()}

    def to_json(self) -> dict:
        return {"alpha": self.alpha, "docs": dict(sorted(self.docs.items())),
                "counts": {c: dict(sorted(v.items())) for c, v in sorted(self.counts.items())}}

    @classmethod
    def from_json(cls, data: dict) -> NaiveBayes:
        return cls({c: Counter(v) for c, v in data["counts"].items()}, Counter(data["docs"]), data["alpha"])


def decide(model: NaiveBayes, text: str, rule_category: str, rule_weight: float = RULE_WEIGHT) -> str:
    """The rules' category, unless the model's per-gram evidence for another beats it by ``rule_weight``."""
    return decide_with_margin(model, text, rule_category, rule_weight)[0]


def decide_with_margin(model: NaiveBayes, text: str, rule_category: str,
                       rule_weight: float = RULE_WEIGHT) -> tuple[str, float]:
    """decide, and the chosen category's lead over the runner-up (per gram, rule weight included)."""
    gs = grams(text)
    if not gs or rule_category not in model.counts:
        # Nothing to read, or a category the model cannot weigh against: the rules alone.
        return rule_category, 0.0 if rule_category == "other" else rule_weight
    scores = model._scores(gs)
    # Per gram, so a long item's evidence does not drown the prior by its length alone.
    weighed = sorted(((scores[c] / len(gs) + (rule_weight if c == rule_category else 0.0), c) for c in scores),
                     reverse=True)
    return weighed[0][1], weighed[0][0] - weighed[1][0] if len(weighed) > 1 else math.inf


@lru_cache(maxsize=1)
def shipped_model() -> NaiveBayes | None:
    """The model that ships with unionbot, or None if its file is missing or unreadable (rules alone then)."""
    try:
        return NaiveBayes.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
