"""Category accuracy on items no rule was written from: bench/unseen/items.tsv.

The items were written by hand for this measure, not copied from the seeds. They are split in two
by a hash of the text: ``dev`` may be looked at while changing the rules; ``test`` is only scored,
so its number is the one to report. Both halves are printed, with what was wrong, so a change that
helps dev and hurts test shows.

    .venv/bin/python -m bench.unseen_categories [--show dev|test|all]
"""

from __future__ import annotations

import argparse
import sys
import zlib
from pathlib import Path

from schedules.categories import classify

ITEMS = Path(__file__).resolve().parent / "unseen" / "items.tsv"


def load(path: Path = ITEMS) -> list[tuple[str, str, str | None, str]]:
    """(half, category, holiday, text) per line."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category, holiday, text = line.split("\t")
        half = "test" if zlib.crc32(text.encode("utf-8")) % 2 else "dev"
        rows.append((half, category, holiday or None, text))
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
    ap.add_argument("--show", choices=("dev", "test", "all"), default="dev",
                    help="whose mistakes to list (default dev: test is for scoring)")
    args = ap.parse_args(argv)
    report = score(load())
    for half in ("dev", "test"):
        row = report.get(half)
        if not row:
            continue
        print(f"unseen {half:4}  n={row['items']:3}  category {row['category'] / row['items']:.3f}"
              f"  holiday {row['holiday'] / row['items']:.3f}")
        if args.show in (half, "all"):
            for text, want, got in row["wrong"]:
                print(f"    {want:22} got {got:22} {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
