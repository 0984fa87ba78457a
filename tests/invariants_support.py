"""What the generated (hypothesis) invariant tests share.

Each test function gets one database of each kind (the ``db_url`` fixture), migrated once;
each hypothesis example then works in a union of its own on that database (every table
carries ``union_id``), so examples never see each other's rows and no example pays for a
fresh database or a migration. The clock is a FakeClock: quiet hours and deadlines are
reached by moving it, never by waiting.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test
from sqlalchemy import MetaData, Table, select
from sqlalchemy.engine import Engine

from bot.app import App, build_app
from bot.clock import FakeClock
from storage import migrate
from storage.db import make_engine
from tests.conftest import ChatDriver, make_config

DEEP_ENV = "UNIONBOT_HYPOTHESIS"  # =deep selects the longer profile (make test-deep)
T0 = dt.datetime(2027, 3, 1, 0, 0, tzinfo=dt.UTC)  # 08:00 Monday in Shanghai
SH = dt.timezone(dt.timedelta(hours=8))
_unions = itertools.count(1)


def profile() -> settings:
    """The registered profile for generated tests (tests/conftest.py): fast by default, deep on demand."""
    return settings.get_profile("invariants-deep" if os.environ.get(DEEP_ENV) == "deep" else "invariants")


class Database:
    """One migrated database for a test function; a new union for every example."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        migrate.upgrade(self.engine)
        self._meta: MetaData | None = None
        self._apps: list[App] = []

    def app(self, clock: FakeClock, **config: Any) -> App:
        # The examples before this one are over: their senders stop leading. On PostgreSQL a leader holds
        # a connection of the shared pool for its advisory lock; kept, they would exhaust the pool.
        self.release()
        union = f"inv-{os.getpid()}-{next(_unions)}"
        app = build_app(make_config(self.url, union_id=union, **config), clock, engine=self.engine)
        self._apps.append(app)
        return app

    def release(self) -> None:
        for app in self._apps:
            app.sender.leader.release()
        self._apps.clear()

    def chat(self, start: dt.datetime = T0, **config: Any) -> ChatDriver:
        clock = FakeClock(start)
        return ChatDriver(self.app(clock, **config), clock)

    def tables(self) -> dict[str, Table]:
        """The database's tables as the migrations made them (reflected once: slow on PostgreSQL)."""
        if self._meta is None:
            self._meta = MetaData()
            self._meta.reflect(self.engine)
        return dict(self._meta.tables)

    def rows(self, table: str, union: str) -> list[dict[str, Any]]:
        t = self.tables()[table]
        with self.engine.connect() as conn:
            q = select(t).where(t.c.union_id == union)
            if "id" in t.c:
                q = q.order_by(t.c.id)
            return [dict(r._mapping) for r in conn.execute(q)]


@contextmanager
def database(url: str) -> Iterator[Database]:
    db = Database(url)
    try:
        yield db
    finally:
        db.release()
        db.engine.dispose()


def run_machine(machine: type[RuleBasedStateMachine], url: str, **overrides: Any) -> None:
    """Run a state machine class on ``url`` with the selected profile."""
    with database(url) as db:
        machine.db = db  # type: ignore[attr-defined]
        run_state_machine_as_test(machine, settings=settings(profile(), **overrides))


def local(when: dt.datetime) -> dt.datetime:
    return when.astimezone(SH)


def in_quiet_hours(when: dt.datetime) -> bool:
    """21:30–07:30 Asia/Shanghai, written out here rather than borrowed from the code under test."""
    t = local(when).time()
    return t >= dt.time(21, 30) or t < dt.time(7, 30)
