"""Score the plan importer against hand-made gold extractions, set by set.

Sets: the seeds (``shared/seeds/gold``: the rules were written looking at them), the web plans
(``shared/plans-web/gold``: development data, by other hands), and the hand-written plans
(``bench/unseen/plans``: ``dev_*``, and ``test_*`` batches each committed before the importer was run on
them). For each plan its own lines are imported and the predicted items are matched one-to-one to the gold
items: same months (or weeks) and similar text (difflib ratio >= 0.6 after removing spaces and
punctuation). Prints precision, recall and F1, and category and holiday accuracy on matched items.

Categories are cross-validated by file: each file is classified by a model trained on every labelled item
except that file's (the shipped model learns from all of them). The seeds are also shown as shipped. Also
printed: the confusion matrix of categories on the web plans, and how well the importer's flag
(``schedules.confidence``) catches wrong items (an item matching no gold item, or with the wrong category).

    .venv/bin/python -m bench.plan_import_eval [--seeds DIR] [--web DIR] [--json] [--verbose]
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from schedules.categories import CATEGORIES
from schedules.category_model import NaiveBayes
from schedules.confidence import doubts
from schedules.plan_parser import PlanItem, parse_plan

DEFAULT_SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
UNSEEN_PLANS = Path(__file__).resolve().parent / "unseen" / "plans"
# Hand-written batches scored once on their first run (recorded in bench/unseen/README.md), read since.
LATER_BATCHES = {"test-b8": range(29, 39), "test-b9": range(39, 45), "test-b10": range(45, 49)}
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def _squash(text: str) -> str:
    return _PUNCT.sub("", text)


def similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, _squash(a), _squash(b)).ratio() >= 0.6


@dataclass
class Score:
    predicted: int = 0
    gold: int = 0
    matched: int = 0
    category_ok: int = 0
    holiday_ok: int = 0

    def add(self, other: Score) -> None:
        for f in ("predicted", "gold", "matched", "category_ok", "holiday_ok"):
            setattr(self, f, getattr(self, f) + getattr(other, f))

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else (1.0 if not self.predicted else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def match(pred: list[PlanItem], gold: list[dict]) -> tuple[Score, list, list, list]:
    """Greedy one-to-one matching, best text ratio first."""
    candidates = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            if sorted(p.months) != sorted(g["months"]) or sorted(p.weeks) != sorted(g["weeks"]):
                continue
            ratio = difflib.SequenceMatcher(None, _squash(p.text), _squash(g["text"])).ratio()
            if ratio >= 0.6:
                candidates.append((ratio, i, j))
    candidates.sort(reverse=True)
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        pairs.append((pred[i], gold[j]))
    score = Score(predicted=len(pred), gold=len(gold), matched=len(pairs))
    score.category_ok = sum(1 for p, g in pairs if p.category == g["category"])
    score.holiday_ok = sum(1 for p, g in pairs if p.holiday == g["holiday"])
    missed = [g for j, g in enumerate(gold) if j not in used_g]
    extra = [p for i, p in enumerate(pred) if i not in used_p]
    return score, pairs, missed, extra


@dataclass
class Doc:
    """One plan to import: its text, where it starts, its expected items, and the labelled set it is in."""

    name: str  # the file (the key of its items in bench.category_cv.labelled_everywhere)
    group: str
    text: str
    first_line: int
    gold: list[dict]


def gold_docs(folder: Path) -> list[Doc]:
    """The plans of every gold file in ``folder/gold`` (the seeds' format)."""
    docs = []
    for gold_file in sorted((folder / "gold").glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        lines = (folder / gold["file"]).read_text(encoding="utf-8").splitlines()
        for plan in gold["plans"]:
            first, last = plan["title_line"], plan["end_line"]
            docs.append(Doc(gold["file"], gold["file"], "\n".join(lines[first - 1: last]), first, plan["items"]))
    return docs


def read_expected(path: Path) -> list[dict]:
    """One item per line: months ('3', '7,8') or weeks ('w1,2'), text, category, holiday (may be empty)."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        key, text, category, holiday = line.split("\t")
        numbers = [int(n) for n in key.lstrip("w").split(",") if n]
        weeks = key.startswith("w")
        items.append({"months": [] if weeks else numbers, "weeks": numbers if weeks else [], "text": text,
                      "category": category, "holiday": holiday or None, "line": 0})
    return items


def _batch(name: str) -> str:
    half, _, rest = name.partition("_")
    number = int(rest.split(".")[0]) if rest.split(".")[0].isdecimal() else 0
    return next((batch for batch, numbers in LATER_BATCHES.items() if half == "test" and number in numbers), half)


def unseen_docs(plans: Path = UNSEEN_PLANS) -> list[Doc]:
    """Whole hand-written plans: ``dev_*`` were read while fixing the importer, ``test_*`` were written and
    committed with their expected items before it was run on them (later batches are read since)."""
    return [Doc(f"plans/{path.with_suffix('.tsv').name}", _batch(path.name), path.read_text(encoding="utf-8"), 1,
                read_expected(path.with_suffix(".tsv"))) for path in sorted(plans.glob("*.txt"))]


@dataclass
class Result:
    total: Score = field(default_factory=Score)
    files: dict[str, Score] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (gold, predicted) category
    flag: Counter[str] = field(default_factory=Counter)  # items, wrong, flagged, flagged_wrong


def score_docs(docs: list[Doc], model_for: Callable[[str], NaiveBayes | None], verbose: bool = False) -> Result:
    """Import and match every doc; ``model_for(doc.name)`` is its category model (None: the shipped one)."""
    result = Result()
    for doc in docs:
        parsed = parse_plan(doc.text, first_line_no=doc.first_line, model=model_for(doc.name))
        score, pairs, missed, extra = match(parsed.items, doc.gold)
        result.total.add(score)
        result.files.setdefault(doc.group, Score()).add(score)
        for p, g in pairs:
            result.confusion[g["category"], p.category] += 1
        wrong = {id(p) for p in extra} | {id(p) for p, g in pairs if p.category != g["category"]}
        for p in parsed.items:
            flagged = bool(doubts(p))
            result.flag.update({"items": 1, "wrong": id(p) in wrong, "flagged": flagged,
                                "flagged_wrong": flagged and id(p) in wrong})
        if verbose:
            _explain(doc, missed, extra, pairs)
    return result


def _explain(doc: Doc, missed: list[dict], extra: list[PlanItem], pairs: list) -> None:
    for g in missed:
        print(f"  {doc.name} missed {g['line']} {g['months']}{g['weeks']} {g['text']}", file=sys.stderr)
    for p in extra:
        print(f"  {doc.name} extra  {p.line} {p.months}{p.weeks} {p.text} {doubts(p)}", file=sys.stderr)
    for p, g in pairs:
        if p.category != g["category"] or p.holiday != g["holiday"]:
            print(f"  {doc.name} label  {g['line']} {g['text']}: {p.category}/{p.holiday} != "
                  f"{g['category']}/{g['holiday']} {doubts(p)}", file=sys.stderr)


def held_out_models(labelled: dict[str, list[tuple[str, str]]]) -> Callable[[str], NaiveBayes]:
    """A model per file, trained on every labelled set but that file's."""

    @cache
    def model_for(name: str) -> NaiveBayes:
        return NaiveBayes.train(x for key, rows in labelled.items() if key != name for x in rows)

    return model_for


def evaluate(seeds: Path, verbose: bool = False) -> dict:
    """The seeds scored as shipped (the model was trained on them): per file and overall."""
    result = score_docs(gold_docs(seeds), lambda _name: None, verbose=verbose)
    return {"files": {name: _row(sc) for name, sc in result.files.items()}, "overall": _row(result.total)}


def evaluate_unseen(plans: Path = UNSEEN_PLANS, verbose: bool = False) -> dict:
    """The hand-written plans by half or batch, as shipped."""
    result = score_docs(unseen_docs(plans), lambda _name: None, verbose)
    return {half: _row(sc) for half, sc in sorted(result.files.items())}


def evaluate_sets(seeds: Path, web: Path, verbose: bool = False) -> dict:
    """Every set side by side, categories cross-validated by file; the web plans per file, their confusion
    matrix, and the flag's catch rate per set."""
    from bench.category_cv import labelled_everywhere

    model_for = held_out_models(labelled_everywhere(seeds, web, plans_apart=True))
    sets: dict[str, Result] = {}
    if (seeds / "gold").is_dir():
        sets["seeds"] = score_docs(gold_docs(seeds), model_for, verbose)
    if (web / "gold").is_dir():
        sets["plans-web"] = score_docs(gold_docs(web), model_for, verbose)
    for group, result in _by_group(unseen_docs(), model_for, verbose).items():
        sets[f"hand-written {group}"] = result
    report: dict = {"sets": {name: {**_row(r.total), "flag": _flag(r.flag)} for name, r in sets.items()}}
    if "plans-web" in sets:
        report["web_files"] = {name: _row(sc) for name, sc in sets["plans-web"].files.items()}
        report["web_confusion"] = {g: {p: n for (gg, p), n in sets["plans-web"].confusion.items() if gg == g}
                                   for g in CATEGORIES}
    total: Counter[str] = Counter()
    for r in sets.values():
        total.update(r.flag)
    report["flag"] = _flag(total)
    return report


def _by_group(docs: list[Doc], model_for: Callable[[str], NaiveBayes], verbose: bool) -> dict[str, Result]:
    groups: dict[str, list[Doc]] = {}
    for doc in docs:
        groups.setdefault(doc.group, []).append(doc)
    return {g: score_docs(ds, model_for, verbose) for g, ds in sorted(groups.items(), key=lambda kv: _order(kv[0]))}


def _order(group: str) -> tuple[int, int, str]:
    batch = group.rsplit("-b", 1)[-1]
    return (0 if group == "dev" else 1 if group == "test" else 2, int(batch) if batch.isdecimal() else 0, group)


def _flag(c: Counter[str]) -> dict:
    """How often a flagged item is wrong (precision) and how many wrong items are flagged (recall)."""
    return {"items": c["items"], "wrong": c["wrong"], "flagged": c["flagged"], "flagged_wrong": c["flagged_wrong"],
            "precision": round(c["flagged_wrong"] / c["flagged"], 4) if c["flagged"] else None,
            "recall": round(c["flagged_wrong"] / c["wrong"], 4) if c["wrong"] else None}


def _row(s: Score) -> dict:
    return {
        "predicted": s.predicted, "gold": s.gold, "matched": s.matched,
        "precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
        "category_accuracy": round(s.category_ok / s.matched, 4) if s.matched else None,
        "holiday_accuracy": round(s.holiday_ok / s.matched, 4) if s.matched else None,
    }


def _cells(r: dict) -> str:
    cat = f"{r['category_accuracy']:.3f}" if r["category_accuracy"] is not None else "-"
    hol = f"{r['holiday_accuracy']:.3f}" if r["holiday_accuracy"] is not None else "-"
    return (f"{r['predicted']:5} {r['gold']:5} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} "
            f"{cat:>6} {hol:>6}")


def print_table(rows: dict[str, dict], title: str = "file") -> None:
    print(f"{title:34} {'pred':>5} {'gold':>5} {'P':>6} {'R':>6} {'F1':>6} {'cat':>6} {'hol':>6}")
    for name, r in rows.items():
        print(f"{name:34} {_cells(r)}")


def print_report(shipped: dict, report: dict) -> None:
    print("seeds, categories as shipped (the model was trained on these items):")
    print_table({**shipped["files"], "OVERALL": shipped["overall"]})
    if "web_files" in report:
        print("\nplans-web per file, categories cross-validated by file:")
        print_table(report["web_files"])
    print("\nevery set, categories cross-validated by file (a file is never classified by a model trained on it);"
          "\nthe rules were tuned on all of them (seeds, plans-web, bench/unseen dev and read batches):")
    print_table({name: r for name, r in report["sets"].items()}, title="set")
    if "web_confusion" in report:
        print("\nplans-web categories, gold (rows) by importer (columns), matched items:")
        short = [c[:6] for c in CATEGORIES]
        print(f"{'':15}" + "".join(f"{c:>7}" for c in short))
        for g, row in report["web_confusion"].items():
            print(f"{g:15}" + "".join(f"{row.get(p, 0):7}" for p in CATEGORIES))
    print("\nflag (schedules.confidence) against wrong items (no gold match, or wrong category):")
    for name, f in [*((n, r["flag"]) for n, r in report["sets"].items()), ("ALL", report["flag"])]:
        p = f"{f['precision']:.3f}" if f["precision"] is not None else "-"
        r = f"{f['recall']:.3f}" if f["recall"] is not None else "-"
        print(f"{name:34} items {f['items']:4}  wrong {f['wrong']:3}  flagged {f['flagged']:3}  "
              f"precision {p}  recall {r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--web", type=Path, default=None, help="the web plans (default: plans-web beside the seeds)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    web = args.web or args.seeds.parent / "plans-web"
    shipped = evaluate(args.seeds) if (args.seeds / "gold").is_dir() else {"files": {}, "overall": _row(Score())}
    report = evaluate_sets(args.seeds, web, verbose=args.verbose)
    if args.json:
        print(json.dumps({**shipped, **report}, ensure_ascii=False, indent=2))
    else:
        print_report(shipped, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
