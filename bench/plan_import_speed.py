"""Time importing every seed plan file (parse + classify + dates); goal < 0.5 s in all."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from bench.plan_import_eval import DEFAULT_SEEDS
from schedules.plan_import import import_plan_text
from schedules.text_norm import fold


def run(seeds: Path = DEFAULT_SEEDS, rounds: int = 5) -> dict:
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    import_plan_text(texts[0], year=2027, today=dt.date(2026, 11, 24))  # warm caches once
    best = float("inf")
    items = 0
    for _ in range(rounds):
        fold.cache_clear()  # each round reads the text afresh, as an import of a new plan would
        start = time.perf_counter()
        items = sum(len(import_plan_text(t, year=2027, today=dt.date(2026, 11, 24)).items) for t in texts)
        best = min(best, time.perf_counter() - start)
    return {"files": len(texts), "items": items, "seconds": round(best, 4)}


if __name__ == "__main__":
    r = run()
    print(f"imported {r['files']} seed files ({r['items']} items) in {r['seconds']:.3f} s (best of 5)")
