"""Where a `#报名 N` spends its time inside the bot (no network, SQLite): the in-process half of
bench.gateway_roundtrip's write. Every sign-up comes from a known member signing up for the first
time, as in that bench. Prints µs per message, the SQL statements one sign-up runs (as SQLite runs them:
BEGIN, COMMIT and the seen-message insert included, since 2026-12-05 afternoon), and with
``--profile`` cProfile's top functions.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import pstats
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event as sa_event

REPO = Path(__file__).resolve().parents[1]
ROUNDS = 400


def run(rounds: int = ROUNDS, profile: bool = False) -> dict:
    from bot.app import build_app
    from bot.clock import FakeClock
    from bot.config import parse_config
    from bot.pipeline import Incoming

    tmp = tempfile.mkdtemp()
    config = parse_config({"union": {"id": "bench"}, "database": {"url": f"sqlite:///{tmp}/bench.db"},
                           "roles": {"admins": ["admin"]}, "groups": [{"topic": "全体教职工群"}],
                           "schedule": {"file": str(REPO / "examples/schedule.example.toml")}}, base_dir=REPO)
    clock = FakeClock(dt.datetime(2027, 3, 2, 2, 0, tzinfo=dt.UTC))
    app = build_app(config, clock)
    n = 0

    def say(text: str, who: str) -> None:
        nonlocal n
        n += 1
        app.pipeline.handle(Incoming(message_id=f"m{n}", contact_id=who, contact_name=who, text=text,
                                     room_id="g@chatroom", room_topic="全体教职工群", timestamp=clock()))

    teachers = [f"t{i:03d}" for i in range(rounds + 1)]
    for t in teachers:
        say("#活动 1", t)  # known to the bot before measuring, as in the gateway bench
    say("#发起报名 羽毛球赛 名额=1000", "admin")
    # SQLite's own trace, not the engine's events: the hot path runs its statements on the driver's
    # connection (storage.db.Prepared), past SQLAlchemy; BEGIN and COMMIT are counted too.
    statements: list[str] = []
    sa_event.listen(app.engine, "connect", lambda dbapi_conn, _r: dbapi_conn.set_trace_callback(statements.append))
    app.engine.dispose()  # pooled connections made before are not traced
    say("#报名 1", teachers[-1])
    shown = list(statements)
    statements.clear()
    prof = cProfile.Profile() if profile else None
    start, cpu = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    for t in teachers[:-1]:
        say("#报名 1", t)
    if prof:
        prof.disable()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if prof:
        order = "tottime" if "tottime" in sys.argv else "cumulative"
        pstats.Stats(prof).sort_stats(order).print_stats(40)
    return {"us_per_signup": round(seconds / rounds * 1e6), "cpu_us_per_signup": round(cpu / rounds * 1e6),
            "statements": shown}


if __name__ == "__main__":
    r = run(profile="--profile" in sys.argv)
    print(f"{r['us_per_signup']} µs per #报名 ({r['cpu_us_per_signup']} µs CPU); "
          f"{len(r['statements'])} SQL statements:")
    for s in r["statements"]:
        print("   ", " ".join(s.split())[:150])
