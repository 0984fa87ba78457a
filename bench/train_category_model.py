"""Rebuild schedules/category_model.json from every labelled item there is.

Training data: the seeds' and the web plans' gold items (``shared/seeds/gold``, ``shared/plans-web/gold``)
and the hand-written items and plans in ``bench/unseen``. Festival items are left out: a named festival is
decided by rule. The output is sorted JSON, so a rebuild from the same data gives the same file.

    .venv/bin/python -m bench.train_category_model [--seeds DIR] [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.category_cv import DEFAULT_SEEDS, default_web, labelled_everywhere
from schedules.category_model import MODEL_FILE, NaiveBayes


def build(seeds: Path) -> str:
    labelled = [x for rows in labelled_everywhere(seeds).values() for x in rows]
    return json.dumps(NaiveBayes.train(labelled).to_json(), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--check", action="store_true", help="exit 1 if the shipped file differs from a rebuild")
    args = ap.parse_args(argv)
    for folder in (args.seeds, default_web(args.seeds)):
        if not (folder / "gold").is_dir():
            print(f"no gold at {folder}: the model would lose its items", file=sys.stderr)
            return 2
    text = build(args.seeds)
    if args.check:
        same = MODEL_FILE.exists() and MODEL_FILE.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{MODEL_FILE.name} differs from a rebuild")
        return 0 if same else 1
    MODEL_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL_FILE} ({len(text.encode()) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
