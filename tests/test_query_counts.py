"""Pages and commands that read many people run a fixed number of SQL statements, however many people
there are (bench/web_pages.py measures their time; this keeps per-person lookups from coming back).
Counts statements, never time. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.app import build_app
from bot.clock import FakeClock
from handlers.receipts import receipt_status
from handlers.services import Services
from storage.members import RosterRow
from tests.conftest import make_config

GROUP = "全体教职工群"


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _group_receipts(services: Services, people: int, clock: FakeClock) -> tuple[int, list[str]]:
    """A receipt notice counted by the group's members (no roster): statements to read its status."""
    services.notices.set_group_members(GROUP, [(f"wx-{i}", f"群名{i}") for i in range(people)])
    for i in range(people):
        services.members.touch(f"wx-{i}", f"群名{i}")  # members the bot has met
    services.members.forget()  # the page's process has not met them: its cache is cold
    notice = services.notices.create("交体检表", "全体", True, "wx-0", clock())
    services.notices.set_groups(notice.number, [GROUP])
    notice = services.notices.get(notice.number)
    assert notice is not None and json.loads(notice.groups) == [GROUP]
    for i in range(1, people, 2):
        member = services.members.get_by_contact(f"wx-{i}")
        assert member is not None
        services.notices.acknowledge(notice, member, clock())
    with counted(services.members.engine) as statements:
        st = receipt_status(services, notice)
    assert st.counted_by == "群成员"
    assert sorted(p.contact_id for p in st.missing) == sorted(f"wx-{i}" for i in range(2, people, 2))
    assert len(st.acknowledged) == people // 2
    return len(statements), [p.name for p in st.missing]


def test_group_counted_receipts_do_not_look_up_each_missing_member(db_url: str, clock: FakeClock) -> None:
    small = build_app(make_config(db_url, union_id="few"), clock).services
    large = build_app(make_config(db_url, union_id="many"), clock).services
    few, _ = _group_receipts(small, 6, clock)
    many, names = _group_receipts(large, 40, clock)
    assert many == few, f"{many} statements for 40 group members against {few} for 6"
    assert "群名2" in names


def test_missing_signups_leave_the_signed_up_in_the_database_and_still_know_the_roster(chat, app) -> None:  # type: ignore[no-untyped-def]
    """#未报名 reads the roster without those signed up: once everyone has, the answer is "all signed up",
    never "no roster"; a 代表 event counts roster 代表 only; and the roster read loads nobody signed up."""
    staff = [("李老师", "语文组", "代表"), ("王老师", "语文组", ""), ("张老师", "数学组", "代表")]
    app.services.members.import_roster([RosterRow(n, department=d, role=r, contact_id=n) for n, d, r in staff])
    assert "已发起报名【1】" in chat.text("王主席", "#发起报名 教代会分组讨论 对象=代表 名额=10")
    assert "报名成功" in chat.text("李老师", "#报名 1")
    with counted(app.services.members.engine) as statements:
        missing = chat.text("王主席", "#未报名 1", private=True)
    assert "张老师" in missing and "李老师" not in missing and "王老师" not in missing
    roster_reads = [s for s in statements if "FROM member" in s and "in_roster" in s and "NOT IN" in s]
    assert roster_reads, statements
    assert "报名成功" in chat.text("张老师", "#报名 1")
    assert "都已报名" in chat.text("王主席", "#未报名 1", private=True)


def test_signing_up_by_number_reads_no_list_of_events(db_url: str, clock: FakeClock) -> None:
    """`#报名 N` names its event by number: the open events (read only to find one by its title) stay
    unread; a title still finds it. The #报名 round trip read the list on every sign-up."""
    from tests.conftest import ChatDriver

    app = build_app(make_config(db_url), clock)
    chat = ChatDriver(app, clock)
    for i in range(3):
        assert "已发起报名" in chat.text("王主席", f"#发起报名 读书会{i} 名额=50")
    events = "FROM event WHERE"
    with counted(app.engine) as statements:
        assert "报名成功" in chat.text("wx-a", "#报名 2")
    flat = [" ".join(s.split()) for s in statements]
    listing = [s for s in flat if events in s and "event.number =" not in s and "event.id =" not in s]
    assert not listing, listing
    assert "读书会1" in chat.text("wx-b", "#报名 读书会1")  # by title: the open events are read then


@contextmanager
def sqlite_traced(engine: Engine) -> Iterator[list[str]]:
    """Every statement SQLite runs on the engine's connections, BEGIN and COMMIT included, and those run
    on the driver's connection past SQLAlchemy's events (storage.db.PlainRead, storage.messages)."""
    seen: list[str] = []

    def trace(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.set_trace_callback(seen.append)

    event.listen(engine, "connect", trace)
    engine.dispose()  # the pooled connections were made before: new ones are traced
    try:
        yield seen
    finally:
        event.remove(engine, "connect", trace)
        engine.dispose()


def test_event_lookup_is_one_plain_read_equal_to_the_orm_row(db_url: str, clock: FakeClock) -> None:
    """`signups.get` (every #报名's reference reader) reads the event as one statement on the driver's
    connection; it must give what the ORM reads, datetimes and None included, on both databases."""
    from sqlmodel import Session, select

    from storage.models import Event
    from tests.conftest import ChatDriver

    app = build_app(make_config(db_url), clock)
    chat = ChatDriver(app, clock)
    assert "已发起报名" in chat.text("王主席", "#发起报名 读书会 时间=3月20日15:00 地点=图书馆 名额=30 截止=3月18日")
    assert "已发起报名" in chat.text("王主席", "#发起报名 羽毛球赛")
    for number in (1, 2):
        got = app.services.signups.get(number)
        with Session(app.engine) as s:
            orm = s.exec(select(Event).where(Event.union_id == app.config.union_id, Event.number == number)).one()
        assert got is not None and got.model_dump() == orm.model_dump()
    assert got.deadline is None and app.services.signups.get(1).deadline is not None  # type: ignore[union-attr]
    assert app.services.signups.get(99) is None


def test_signing_up_takes_the_write_lock_once(tmp_path, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    """On SQLite every transaction through the engine begins IMMEDIATE (the write lock). A `#报名 N`
    by someone already known runs the sign-up's one transaction: its event lookup before it is a plain
    read (it took the lock too, waited behind any writer, and cost as much as a write: bench/README.md)."""
    from tests.conftest import ChatDriver

    app = build_app(make_config(f"sqlite:///{tmp_path}/t.db"), clock)
    chat = ChatDriver(app, clock)
    assert "已发起报名" in chat.text("王主席", "#发起报名 读书会 名额=50")
    assert "报名成功" in chat.text("wx-a", "#报名 1")  # queues the group's list post for this interval
    chat.text("wx-b", "#我的报名")  # wx-b is known now
    with sqlite_traced(app.engine) as seen:
        assert "报名成功" in chat.text("wx-b", "#报名 1")
    begins = [s for s in seen if s.strip().upper().startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE"], seen
    assert any("FROM event" in s and "event.number" in s for s in seen[:seen.index("BEGIN IMMEDIATE")]), seen
    # The whole budget (bench/signup_profile.py prints it): the seen-message insert, the lookup, then the
    # sign-up's transaction: BEGIN, the event, the seats, the row, its place in the list, COMMIT.
    assert len(seen) == 8, seen
