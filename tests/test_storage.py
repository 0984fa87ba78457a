"""Storage on SQLite and on a throwaway PostgreSQL cluster."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import inspect

from storage import migrate
from storage.db import make_engine
from storage.drafts import DraftRepo
from storage.members import MemberRepo, RosterRow
from storage.messages import SeenMessages
from storage.schedule_repo import NewItem, ScheduleRepo


def test_migrations_create_tables_with_union_id(db_url: str) -> None:
    engine = make_engine(db_url)
    assert migrate.upgrade(engine) == migrate.head_revision()
    assert migrate.upgrade(engine) == migrate.head_revision()  # idempotent on restart
    insp = inspect(engine)
    tables = set(insp.get_table_names()) - {"alembic_version"}
    assert {"member", "schedule_item", "seen_message", "draft", "setting"} <= tables
    for table in tables:
        assert "union_id" in {c["name"] for c in insp.get_columns(table)}, table


def test_unions_do_not_see_each_other(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    a, b = ScheduleRepo(engine, "school-a"), ScheduleRepo(engine, "school-b")
    a.add(NewItem(2027, [3], [], "三八节慰问"))
    b.add(NewItem(2027, [4], [], "羽毛球赛"))
    assert [i.text for i in a.list()] == ["三八节慰问"] and [i.number for i in b.list()] == [1]
    assert a.get(1).text == "三八节慰问" and b.get(1).text == "羽毛球赛"
    assert SeenMessages(engine, "school-a").first_time("m1") and SeenMessages(engine, "school-b").first_time("m1")
    assert not SeenMessages(engine, "school-a").first_time("m1")


def test_concurrent_adds_get_unique_gap_free_numbers(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    repo = ScheduleRepo(engine, "s")
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for i in range(5):
                repo.add(NewItem(2027, [3], [], f"活动{k}-{i}"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(i.number for i in repo.list()) == list(range(1, 31))


def test_members_touch_roster_and_bind(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    repo = MemberRepo(engine, "s")
    m = repo.touch("wx1", "李老师")
    assert repo.touch("wx1", "李老师（三年级）").id == m.id
    repo.import_roster([RosterRow(name="李明", department="三年级组"), RosterRow(name="张芳", retired=True)])
    member, problem = repo.bind("李老师（三年级）", "李明")
    assert problem == "" and member is not None and member.contact_id == "wx1"
    assert repo.get_by_contact("wx1").department == "三年级组"
    assert repo.bind("wx1", "王五")[0] is None


def test_drafts_survive_and_expire(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    now = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    drafts = DraftRepo(engine, "s")
    drafts.put("wx1", "plan_import", {"a": "三月"}, now, dt.timedelta(minutes=30))
    again = DraftRepo(make_engine(db_url), "s")  # as after a restart
    assert again.get("wx1", now).data == {"a": "三月"}
    late = again.get("wx1", now + dt.timedelta(hours=1))
    assert late.expired and again.get("wx1", now) is None


def test_old_message_ids_are_pruned(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    seen = SeenMessages(engine, "s")
    assert seen.first_time("old")
    assert seen.prune(dt.datetime.now(dt.UTC) - dt.timedelta(days=7)) == 0
    assert seen.prune(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)) == 1
    assert seen.first_time("old")
