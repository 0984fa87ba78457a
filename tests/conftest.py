"""Shared fixtures: databases (SQLite always, PostgreSQL when it can run here),
an app wired on a fake clock, and the terminal chat as a test transport."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from bot.app import App, build_app
from bot.clock import FakeClock
from bot.config import Config, parse_config
from bot.transports.console import ConsoleChat
from tests.pg_cluster import PgCluster, fresh_database

REPO = Path(__file__).resolve().parents[1]
# Every child process the tests start (python -m bot.cli, the bots, the web server) imports THIS checkout's
# code: in a git worktree that shares another checkout's virtualenv, the editable install points at the other
# checkout, and a child run from a temp dir would test that code instead. PYTHONPATH comes before it.
if os.environ.get("PYTHONPATH", "").split(os.pathsep)[0] != str(REPO):
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
SEEDS = REPO.parent / "shared" / "seeds"  # absent in a plain clone: tests reading it skip
# A plan written for the tests (17 items, 教师节 on 2027-09-10): what a plain clone imports.
PLAN_FIXTURE = REPO / "tests" / "fixtures" / "plan_2027.txt"
needs_seeds = pytest.mark.skipif(not (SEEDS / "gold").is_dir(), reason="needs ../shared/seeds beside the clone (CI has it)")
TZ = "Asia/Shanghai"

# Profiles of the generated invariant tests (tests/test_invariants_*.py, see docs/testing.md); the
# hypothesis default profile, which other tests use, is left alone. UNIONBOT_HYPOTHESIS=deep picks
# the long one (make test-deep). No deadline: a step is a chat message through the real pipeline on
# a real database, whose time depends on the machine, not on the code under test.
_GENERATED = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                         HealthCheck.data_too_large], print_blob=True)
settings.register_profile("invariants", max_examples=10, stateful_step_count=15, **_GENERATED)
settings.register_profile("invariants-deep", max_examples=80, stateful_step_count=40, **_GENERATED)


# Tests that take tens of seconds each (subprocesses, waits on schedules, generated sequences): see docs/testing.md.
SLOW = ("tests/e2e/", "tests/test_fuzz.py", "tests/test_invariants_")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist's worksteal, worker k is first sent the k-th contiguous slice of the collection, and an idle
    worker steals the back half of the longest queue. In plain collection order the first slice held every e2e
    test, which one worker then ran one after another. Here each worker's slice starts with an equal share of the
    slow tests, so they run side by side, and the quick tests at the back of each slice are what gets stolen.
    Every worker computes the same order (xdist requires it); without xdist the order is left alone."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if workers < 2:
        return
    slow = [i for i in items if i.nodeid.startswith(SLOW)]
    quick = [i for i in items if not i.nodeid.startswith(SLOW)]
    ordered: list[pytest.Item] = []
    left = len(items)
    for k in range(workers):  # the slice sizes worksteal sends when all workers start idle
        size = left // (workers - k)
        mine = slow[k::workers]
        ordered += mine + quick[:max(0, size - len(mine))]
        quick = quick[max(0, size - len(mine)):]
        left -= size
    items[:] = ordered + quick


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster | None]:
    cluster = PgCluster()
    if cluster.bin is None:
        if os.environ.get("UNIONBOT_REQUIRE_PG"):
            pytest.fail("PostgreSQL binaries not found (apt-get install postgresql)")
        yield None
        return
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/test.db"
        return
    cluster = request.getfixturevalue("pg_cluster")
    if cluster is None:
        pytest.skip("PostgreSQL not available")
    with fresh_database(cluster) as url:
        yield url


def make_config(db_url: str, **extra: object) -> Config:
    raw: dict = {
        "union": {"id": extra.pop("union_id", "test-school"), "name": "测试小学工会", "timezone": TZ},
        "database": {"url": db_url},
        "roles": {"admins": ["王主席"], "welfare_officers": ["赵委员"], "proposal_committee": ["钱老师"]},
        "groups": [{"topic": "全体教职工群"}],
    }
    raw.update(extra)
    return parse_config(raw, base_dir=REPO)


class ChatDriver:
    """The terminal chat, driven by a test: who says what, and what the bot answered."""

    def __init__(self, app: App, clock: FakeClock) -> None:
        self.app = app
        self.clock = clock
        self.out = io.StringIO()
        self.console = ConsoleChat(app, clock, out=self.out, files_dir=None)
        self.started = self.console.pump()  # as the terminal chat does when it opens

    def say(self, who: str, text: str, private: bool = False) -> list:
        self.console.speaker_id = self.console.speaker_name = who
        self.console.private = private
        return self.console.say(text)

    def text(self, who: str, text: str, private: bool = False) -> str:
        return "\n".join(o.text for o in self.say(who, text, private))

    def pump(self) -> list:
        """What the scheduler and the outbox send at the current (fake) time."""
        return self.console.pump()

    def at(self, when: dt.datetime) -> list:
        self.clock.set(when.astimezone(dt.UTC))
        return self.pump()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC))


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> App:
    return build_app(make_config(f"sqlite:///{tmp_path}/chat.db"), clock)


@pytest.fixture
def chat(app: App, clock: FakeClock, tmp_path: Path) -> ChatDriver:
    driver = ChatDriver(app, clock)
    driver.console.files_dir = tmp_path / "files"
    return driver
