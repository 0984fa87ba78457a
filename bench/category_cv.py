"""Category accuracy held out: leave one labelled set out, train the n-gram model on the others, score on it.

By default the sets are the four seed files; ``--all-labelled`` adds each web plan (``shared/plans-web``), each
bench/unseen items*.tsv and the hand-written plans (1,167 non-festival items). Prints per set and overall: the
keyword rules alone (not a held-out figure: they were written looking at all of these), the model alone, the
model only where the rules find no word ("fallback"), and the rules with the model as schedules.categories
combines them at several rule weights (the shipped one is RULE_WEIGHT). Measured 2026-12-04 with
--all-labelled: rules 0.949, model alone 0.869, as shipped (w0.5) 0.943 (2026-11-25, before the web plans:
0.952, 0.866, 0.941). Where the rules were written looking at the very items
they win; the held-out comparison that decided is ``python -m bench.category_first_contact``, where neither
the rules nor the model had seen the round they are scored on.

    .venv/bin/python -m bench.category_cv [--seeds DIR] [--all-labelled]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.plan_import_eval import read_expected
from bench.unseen_categories import read_items
from schedules.categories import detect_holiday, rule_category
from schedules.category_model import RULE_WEIGHT, NaiveBayes, decide

DEFAULT_SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
WEIGHTS = tuple(sorted({0.0, 0.2, 0.4, RULE_WEIGHT, 0.6, 0.8, 1.0, 2.0}))


def labelled_by_file(seeds: Path) -> dict[str, list[tuple[str, str]]]:
    """Gold items that are not festivals (a named festival is decided by rule, not learned)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for f in sorted((seeds / "gold").glob("*.json")):
        gold = json.loads(f.read_text(encoding="utf-8"))
        out[gold["file"]] = [(it["text"], it["category"]) for p in gold["plans"] for it in p["items"]
                             if detect_holiday(it["text"]) is None]
    return out


def cross_validate(by_file: dict[str, list[tuple[str, str]]]) -> dict:
    names = sorted(name for name, rows in by_file.items() if rows)  # a prose-only plan has nothing to score
    totals = {"rules": 0, "model": 0, "fallback": 0, **{f"w{w}": 0 for w in WEIGHTS}}
    n = 0
    folds = {}
    for held in names:
        train = [x for name in names if name != held for x in by_file[name]]
        model = NaiveBayes.train(train)
        test = by_file[held]
        row = {"items": len(test), "rules": 0, "model": 0, "fallback": 0, **{f"w{w}": 0 for w in WEIGHTS}}
        for text, gold in test:
            rule = rule_category(text)
            row["rules"] += rule == gold
            scores = model.scores(text)
            best = max(scores, key=scores.__getitem__) if scores else "other"
            row["model"] += best == gold
            row["fallback"] += (best if rule == "other" else rule) == gold
            for w in WEIGHTS:
                row[f"w{w}"] += decide(model, text, rule, w) == gold
        folds[held] = row
        for k in totals:
            totals[k] += row[k]
        n += len(test)
    return {"folds": folds, "overall": {k: round(v / n, 4) for k, v in totals.items()}, "items": n}


UNSEEN = Path(__file__).resolve().parent / "unseen"


def default_web(seeds: Path) -> Path:
    """The web plans (``shared/plans-web``) beside the seeds."""
    return seeds.parent / "plans-web"


def labelled_everywhere(
    seeds: Path, web: Path | None = None, plans_apart: bool = False,
) -> dict[str, list[tuple[str, str]]]:
    """The seed files' items, the web plans' items (``shared/plans-web``, one set per file), each
    bench/unseen items*.tsv, and the hand-written plans' items: one set altogether, or with ``plans_apart``
    one set per plan (``plans/test_1.tsv``), so a bench can hold out the very plan it scores."""
    web = default_web(seeds) if web is None else web
    out = labelled_by_file(seeds) if (seeds / "gold").is_dir() else {}
    out.update(labelled_by_file(web) if (web / "gold").is_dir() else {})
    for path in sorted(UNSEEN.glob("items*.tsv")):
        out[path.name] = [(text, category) for category, _, text in read_items(path) if category != "holiday"]
    for path in sorted((UNSEEN / "plans").glob("*.tsv")):
        rows = [(it["text"], it["category"]) for it in read_expected(path) if it["category"] != "holiday"]
        out.setdefault(f"plans/{path.name}" if plans_apart else "plans", []).extend(rows)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--all-labelled", action="store_true",
                    help="leave one set out over the seeds and everything in bench/unseen")
    args = ap.parse_args(argv)
    by_file = labelled_everywhere(args.seeds) if args.all_labelled else labelled_by_file(args.seeds)
    report = cross_validate(by_file)
    for name, row in report["folds"].items():
        cells = "  ".join(f"{k} {row[k] / row['items']:.3f}" for k in row if k != "items")
        print(f"{name:30} n={row['items']:3}  {cells}")
    print(f"{'OVERALL (held-out by file)':30} n={report['items']:3}  "
          + "  ".join(f"{k} {v:.3f}" for k, v in report["overall"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
