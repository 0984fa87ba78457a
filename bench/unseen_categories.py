"""Category accuracy on items written apart from the seeds: bench/unseen/items*.tsv.

The items were written by hand for this measure, not copied from the seeds. ``items.tsv`` is split in
two by a hash of the text: ``dev`` may be looked at while changing the rules; ``test`` is only scored.
Each later round (``items_round2.tsv`` …) is scored once when it is committed, that first score is
recorded in bench/unseen/README.md, and from then on it is read like dev.

    .venv/bin/python -m bench.unseen_categories [--show dev|test|all]
"""

from __future__ import annotations

import argparse
import sys
import zlib
from pathlib import Path

from schedules.categories import classify

UNSEEN = Path(__file__).resolve().parent / "unseen"


def read_items(path: Path) -> list[tuple[str, str | None, str]]:
    """(category, holiday, text) per line of one items*.tsv; '#' lines are comments."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            category, holiday, text = line.split("\t")
            rows.append((category, holiday or None, text))
    return rows


def load(folder: Path = UNSEEN) -> list[tuple[str, str, str | None, str]]:
    """(half, category, holiday, text) per line of every items*.tsv."""
    rows = []
    for path in sorted(folder.glob("items*.tsv")):
        for category, holiday, text in read_items(path):
            if path.stem == "items":
                half = "test" if zlib.crc32(text.encode("utf-8")) % 2 else "dev"
            else:
                half = path.stem.removeprefix("items_")
            rows.append((half, category, holiday, text))
    return rows


def score(rows: list[tuple[str, str, str | None, str]]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for half, category, holiday, text in rows:
        got_category, got_holiday = classify(text)
        row = out.setdefault(half, {"items": 0, "category": 0, "holiday": 0, "wrong": []})
        row["items"] += 1
        row["category"] += got_category == category
        row["holiday"] += got_holiday == holiday
        if (got_category, got_holiday) != (category, holiday):
            row["wrong"].append((text, f"{category}/{holiday}", f"{got_category}/{got_holiday}"))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", default="dev",
                    help="whose mistakes to list: dev (the default: test is for scoring), test, round2…, all")
    args = ap.parse_args(argv)
    report = score(load())
    for half in sorted(report, key=lambda h: (h != "dev", h != "test", h)):
        row = report[half]
        print(f"unseen {half:4}  n={row['items']:3}  category {row['category'] / row['items']:.3f}"
              f"  holiday {row['holiday'] / row['items']:.3f}")
        if args.show in (half, "all"):
            for text, want, got in row["wrong"]:
                print(f"    {want:22} got {got:22} {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
