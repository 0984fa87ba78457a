"""The outbox and the scheduler on SQLite and PostgreSQL: each post once,
catch-up within grace, missed ones recorded, one leader at a time."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from bot.app import build_sender, build_services
from bot.clock import FakeClock
from bot.pipeline import Outgoing
from storage import migrate
from storage.db import make_engine
from storage.leader import LeaderLock
from storage.outbox import NewPost, OutboxRepo
from storage.schedule_repo import NewItem
from tests.conftest import make_config

T0 = dt.datetime(2027, 3, 1, 0, 0, tzinfo=dt.UTC)  # 08:00 in Shanghai, a Monday: the March digest


def _setup(db_url: str, groups: int = 1):  # type: ignore[no-untyped-def]
    config = make_config(db_url, groups=[{"topic": f"群{i}", "id": f"{1000 + i}@chatroom"} for i in range(groups)])
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    services = build_services(config, engine)
    services.schedule.add(NewItem(year=2027, months=[3], weeks=[], text="三八节慰问女教工", category="holiday",
                                  holiday="三八妇女节", date=dt.date(2027, 3, 8)))
    return config, engine, services


def test_enqueue_ignores_duplicates(db_url: str) -> None:
    _, engine, _ = _setup(db_url)
    repo = OutboxRepo(engine, "test-school")
    post = NewPost("notice", "", "group:群0", "x1", "hello", T0, T0 + dt.timedelta(hours=1))
    assert repo.enqueue([post], T0) == 1
    assert repo.enqueue([post, post], T0) == 0
    assert len(repo.list()) == 1
    late = NewPost("notice", "", "group:群0", "x2", "late", T0, T0 + dt.timedelta(hours=1))
    repo.enqueue([late], T0 + dt.timedelta(hours=2))
    assert {p.occurrence: p.status for p in repo.list()} == {"x1": "pending", "x2": "missed"}


def test_tick_queues_due_digest_once_and_records_what_is_too_late(db_url: str) -> None:
    _, _, services = _setup(db_url, groups=3)
    sched = services.reminders
    assert sched.tick(T0 - dt.timedelta(minutes=1)) == 0
    assert sched.tick(T0 + dt.timedelta(seconds=30)) == 3  # one digest per group
    assert sched.tick(T0 + dt.timedelta(minutes=1)) == 0
    assert sched.tick(T0 + dt.timedelta(seconds=30)) == 0  # a clock moved back plans nothing twice
    # Down from Mar 4 16:00 (eve of the 8th is Fri Mar 5) to Mar 5 19:00: beyond the 2 h grace.
    sched.tick(dt.datetime(2027, 3, 4, 8, 0, tzinfo=dt.UTC))
    sched.tick(dt.datetime(2027, 3, 5, 11, 0, tzinfo=dt.UTC))
    eves = sched.outbox.list(kind="eve")
    assert len(eves) == 3 and {p.status for p in eves} == {"missed"}
    # Down 07:00-09:00 on the 8th: the 08:00 greeting is within grace and goes out.
    sched.tick(dt.datetime(2027, 3, 7, 23, 0, tzinfo=dt.UTC))
    sched.tick(dt.datetime(2027, 3, 8, 1, 0, tzinfo=dt.UTC))
    assert {p.status for p in sched.outbox.list(kind="holiday")} == {"pending"}


def test_pause_stops_planning(db_url: str) -> None:
    _, _, services = _setup(db_url)
    sched = services.reminders
    sched.set_paused(True)
    assert sched.tick(T0 + dt.timedelta(seconds=30)) == 0
    sched.set_paused(False)
    assert sched.tick(T0 + dt.timedelta(minutes=1)) == 0  # what fell due while paused is not caught up
    assert sched.outbox.list() == []


def test_two_senders_on_one_database_send_each_post_once(db_url: str) -> None:
    config, _, services = _setup(db_url, groups=40)
    services.reminders.tick(T0 + dt.timedelta(seconds=1))
    sent: list[str] = []
    lock = threading.Lock()

    def run_sender() -> None:
        engine = make_engine(db_url)  # its own engine: like a second process
        sender = build_sender(config, engine, build_services(config, engine))
        sender.leader = _NoLock()  # without the leader lock, the claims alone must hold

        def send(o: Outgoing) -> None:
            with lock:
                sent.append(o.room_id or "")

        sender.drain(T0 + dt.timedelta(seconds=2), send)
        engine.dispose()

    threads = [threading.Thread(target=run_sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sent) == sorted(f"{1000 + i}@chatroom" for i in range(40))
    assert services.reminders.outbox.counts() == {"sent": 40}


def test_leader_lock_is_exclusive_and_released(db_url: str) -> None:
    _, engine, _ = _setup(db_url)
    other = make_engine(db_url)
    a, b = LeaderLock(engine, "test-school"), LeaderLock(other, "test-school")
    assert a.try_acquire()
    assert not b.try_acquire()
    assert LeaderLock(other, "another-school").try_acquire()  # each union has its own leader
    a.release()
    assert b.try_acquire()
    b.release()
    other.dispose()


def test_recovered_claims_are_resent_by_the_next_leader(tmp_path: Path) -> None:
    config, engine, services = _setup(f"sqlite:///{tmp_path}/r.db", groups=2)
    services.reminders.tick(T0 + dt.timedelta(seconds=1))
    first = build_sender(config, engine, services)
    assert first.ensure_leader()
    post, _ = first.take(T0 + dt.timedelta(seconds=2)) or (None, None)
    assert post is not None  # claimed, then the process "dies" before confirming
    first.leader.release()
    second = build_sender(config, engine, build_services(config, engine))
    out: list[Outgoing] = []
    assert second.drain(T0 + dt.timedelta(seconds=3), out.append) == 2
    assert services.reminders.outbox.counts() == {"sent": 2}


def test_quiet_hours_hold_posts(tmp_path: Path) -> None:
    config, engine, services = _setup(f"sqlite:///{tmp_path}/q.db")
    clock = FakeClock(dt.datetime(2027, 3, 2, 14, 0, tzinfo=dt.UTC))  # 22:00 in Shanghai
    labels = services.reminders.announce("明天停电", "全体", clock())
    assert labels == ["群0"]
    sender = build_sender(config, engine, services)
    out: list[Outgoing] = []
    assert sender.drain(clock(), out.append) == 0
    assert sender.drain(dt.datetime(2027, 3, 2, 23, 31, tzinfo=dt.UTC), out.append) == 1  # 07:31
    assert out[0].text == "明天停电" and out[0].room_id == "1000@chatroom"


class _NoLock:
    held = True

    def try_acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


def test_preview_leaves_out_what_is_already_sent_or_queued(db_url: str) -> None:
    _, _, services = _setup(db_url)
    sched = services.reminders
    due = T0 + dt.timedelta(seconds=1)
    assert [p.kind for p in sched.preview(T0, 1)] == ["digest"]
    sched.tick(due)
    assert sched.preview(T0, 1) == []
