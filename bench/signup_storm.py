"""1,000 concurrent sign-ups for 100 places (goal < 2 s on PostgreSQL).

8 threads, each its own connection from the pool, all released at once; the
result must be exactly 100 confirmed and 900 waiting. PostgreSQL runs with
fsync on, as in production; SQLite is measured too for comparison.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.databases import each_database
from bot.app import build_services, open_engine
from bot.config import parse_config
from storage.signups import NewEvent

PEOPLE, PLACES, WORKERS = 1000, 100, 8


def storm(db_url: str, people: int = PEOPLE, places: int = PLACES, workers: int = WORKERS) -> dict:
    config = parse_config({"union": {"id": "bench"}, "database": {"url": db_url}}, base_dir=Path("."))
    engine = open_engine(config)
    engine.pool.dispose()
    services = build_services(config, engine)
    event = services.signups.create_event(NewEvent("羽毛球赛", capacity=places), by="bench")
    members = [services.members.touch(f"t{i}", f"老师{i}") for i in range(people)]
    now = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    barrier = threading.Barrier(workers + 1)

    def go(chunk: list) -> None:  # type: ignore[type-arg]
        barrier.wait()
        for m in chunk:
            services.signups.sign_up(event.number, m, 0, m.contact_id, now)

    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(go, members[i::workers]) for i in range(workers)]
        barrier.wait()
        start = time.perf_counter()
        for f in futures:
            f.result()
        seconds = time.perf_counter() - start
    roster = services.signups.roster(event.number)
    assert roster is not None
    engine.dispose()
    return {"seconds": round(seconds, 3), "confirmed": len(roster.confirmed), "waitlist": len(roster.waitlist)}


def run() -> dict:
    return {db: storm(url) for db, url in each_database("storm")}


if __name__ == "__main__":
    for db, r in run().items():
        print(f"{db}: {PEOPLE} sign-ups for {PLACES} places in {r['seconds']} s "
              f"-> {r['confirmed']} confirmed, {r['waitlist']} waiting")
