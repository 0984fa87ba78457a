"""Would the n-gram model have helped on wording nobody had seen? Each later round of hand-written items
(bench/unseen/items_round*.tsv) is scored with the keyword rules as they stood when the round was
committed, read back from git, alone and combined with a model trained only on what was labelled by
then (the seeds and the earlier rounds). Neither had seen the round: this is the held-out comparison
that decided to ship the model.

Measured 2026-11-25 (non-festival items; rules alone → rules with the model at the shipped weight 0.5):
round 2 0.697 → 0.864, round 3 0.830 → 0.943, round 4 0.739 → 0.870, round 5 0.929 → 0.964, round 6
(written after the model shipped) 0.837 → 0.959; all 270 items 0.804 → 0.919. Needs the git history and
../shared/seeds.

    .venv/bin/python -m bench.category_first_contact [--seeds DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import types
from pathlib import Path

from bench.category_cv import DEFAULT_SEEDS, WEIGHTS, labelled_by_file
from bench.unseen_categories import read_items
from schedules.category_model import RULE_WEIGHT, NaiveBayes, decide

REPO = Path(__file__).resolve().parents[1]
UNSEEN = REPO / "bench" / "unseen"


def _rows(path: Path) -> list[tuple[str, str]]:
    """(text, category) of one round's items that name no festival (a festival is decided by rule)."""
    return [(text, category) for category, _, text in read_items(path) if category != "holiday"]


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout


def rules_when_added(path: Path) -> types.ModuleType:
    """schedules/categories.py as it was in the commit that added ``path``."""
    commit = _git("log", "--format=%H", "--diff-filter=A", "--", str(path.relative_to(REPO))).split()[-1]
    module = types.ModuleType(f"categories_at_{commit[:8]}")
    exec(_git("show", f"{commit}:schedules/categories.py"), module.__dict__)  # our own history, by commit id
    return module


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    args = ap.parse_args(argv)
    if not (args.seeds / "gold").is_dir():
        print(f"no seeds at {args.seeds}", file=sys.stderr)
        return 2
    known = [x for rows in labelled_by_file(args.seeds).values() for x in rows] + _rows(UNSEEN / "items.tsv")
    totals = {"rules": 0, **{w: 0 for w in WEIGHTS}}
    n = 0
    for path in sorted(UNSEEN.glob("items_round*.tsv"), key=lambda p: int(p.stem.removeprefix("items_round"))):
        then = rules_when_added(path)
        # The rules then may still have ended in a model of their own; score their keyword part only.
        rule_of = getattr(then, "rule_category", None) or (lambda t, m=then: m.classify(t)[0])
        model = NaiveBayes.train(known)
        test = _rows(path)
        row = {"rules": sum(rule_of(t) == g for t, g in test)}
        row |= {w: sum(decide(model, t, rule_of(t), w) == g for t, g in test) for w in WEIGHTS}
        print(f"{path.stem:14} n={len(test):3}  rules {row['rules'] / len(test):.3f}  "
              + "  ".join(f"w{w} {row[w] / len(test):.3f}" for w in WEIGHTS))
        for k in totals:
            totals[k] += row[k]
        n += len(test)
        known += test
    print(f"{'ALL':14} n={n:3}  rules {totals['rules'] / n:.3f}  "
          + "  ".join(f"w{w} {totals[w] / n:.3f}" for w in WEIGHTS) + f"  (ships w{RULE_WEIGHT})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
