"""Planning a 500-group digest (goal < 1 s) and the sender's throughput.

- plan: one scheduler tick on the morning of a first workday, 500 staff
  groups, a real plan's activities: plan + queue 500 digests in SQLite.
- drain: claim, send (to nowhere) and confirm those 500 posts with pacing off:
  the database's ceiling.
- paced: the same 500 under the default pacing (2–4 s apart, <= 20 a minute),
  on a virtual clock: how long a real fan-out takes.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from bench.plan_import_eval import DEFAULT_SEEDS
from bot.app import build_sender, build_services, open_engine
from bot.config import Sending, parse_config
from bot.sender import Pacer
from handlers.plan_import import new_items
from schedules.plan_import import import_plan_text

GROUPS = 500
DUE = dt.datetime(2027, 3, 1, 0, 0, 5, tzinfo=dt.UTC)  # 08:00:05 in Shanghai, Monday 1 March


def run(groups: int = GROUPS) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        config = parse_config({
            "union": {"id": "bench"}, "database": {"url": f"sqlite:///{tmp}/bench.db"},
            "groups": [{"topic": f"年级组{i:03d}", "id": f"{i}@chatroom"} for i in range(groups)],
        }, base_dir=Path(tmp))
        engine = open_engine(config)
        services = build_services(config, engine)
        plan = next(iter(sorted(DEFAULT_SEEDS.glob("*.txt")))).read_text(encoding="utf-8")
        imported = import_plan_text(plan, year=2027, today=dt.date(2026, 11, 24))
        services.schedule.replace_imported(2027, new_items(imported.items), source="plan")
        services.reminders.tick(DUE - dt.timedelta(minutes=1))

        start = time.perf_counter()
        queued = services.reminders.tick(DUE)
        plan_seconds = time.perf_counter() - start

        sender = build_sender(config, engine, services)
        start = time.perf_counter()
        sent = sender.drain(DUE, lambda out: None)
        drain_seconds = time.perf_counter() - start
        engine.dispose()

    pacer, now = Pacer(Sending(), random.Random(7)), 0.0
    for _ in range(groups):
        now += pacer.delay(now)
        pacer.record(now)
    return {"groups": groups, "queued": queued, "plan_seconds": round(plan_seconds, 3), "sent": sent,
            "drain_per_second": round(sent / drain_seconds), "paced_minutes": round(now / 60, 1),
            "paced_per_minute": round(groups / (now / 60), 1)}


if __name__ == "__main__":
    r = run()
    print(f"tick for {r['groups']} groups: {r['queued']} digests planned and queued in {r['plan_seconds']} s")
    print(f"sender without pacing: {r['drain_per_second']} posts/s; default pacing: {r['paced_minutes']} min "
          f"({r['paced_per_minute']}/min)")
