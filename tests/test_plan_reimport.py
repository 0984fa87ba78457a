"""Re-importing a plan (issue 27 item 8): numbers members use do not change, hand edits and activities with
sign-ups are kept unless the chair says otherwise, and the preview says what will be updated, added, kept
and removed. On SQLite and PostgreSQL; the schema change is a migration tested both ways."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import text

from bot.app import App, build_app
from bot.clock import FakeClock
from schedules.plan_merge import Incoming, Stored, merge
from storage import migrate
from storage.db import make_engine
from tests.conftest import PLAN_FIXTURE, ChatDriver, make_config

ADMIN = "王主席"


@pytest.fixture
def db_app(db_url: str, clock: FakeClock) -> App:
    return build_app(make_config(db_url), clock)


def _import(chat: ChatDriver, plan: str) -> str:
    chat.text(ADMIN, "#导入计划", private=True)
    return chat.text(ADMIN, plan, private=True)


def _by_number(app: App) -> dict[int, tuple[str, dt.date | None]]:
    return {it.number: (it.text, it.date) for it in app.services.schedule.list(2027)}


def test_merge_matches_by_month_and_text() -> None:
    stored = [Stored(1, (3,), "三八节慰问女教工", "holiday", None), Stored(2, (4,), "教职工羽毛球比赛", "sports", None),
              Stored(3, (5,), "拔河比赛", "sports", None, edited=True), Stored(4, (6,), "包粽子", "care", None),
              Stored(5, (9,), "教师节表彰", "holiday", None, linked=True)]
    new = [Incoming((3,), "三八节慰问女教工", "holiday", None), Incoming((4,), "教职工羽毛球赛", "sports", None),
           Incoming((5,), "教职工拔河比赛", "sports", None), Incoming((10,), "重阳节慰问", "holiday", None),
           Incoming((11,), "教职工羽毛球比赛", "sports", None)]
    m = merge(stored, new)
    assert (m.same, m.update, m.held, m.add, m.remove, m.kept) == ({0: 1}, {1: 2}, {2: 3}, [3, 4], [4], [5])
    m = merge(stored, new, overwrite=frozenset({3}), drop=frozenset({5}))
    assert (m.update, m.held, m.remove, m.kept) == ({1: 2, 2: 3}, {}, [4, 5], [])


def test_reimport_keeps_numbers_hand_edits_and_signed_up_activities(db_app: App, clock: FakeClock) -> None:
    chat = ChatDriver(db_app, clock)
    plan = PLAN_FIXTURE.read_text(encoding="utf-8")
    _import(chat, plan)
    assert "已导入 17 项活动（编号 1–17）" in chat.text(ADMIN, "#确认导入", private=True)
    before = _by_number(db_app)
    assert before[5][0] == "开展教职工乒乓球比赛" and before[16][0] == "评选优秀工会小组"
    # The chair fixes two by hand (as the office page does), and a sign-up points at activity 16.
    assert "已修改" in chat.text(ADMIN, "#修改活动 5 2027-04-20")
    assert "已修改" in chat.text(ADMIN, "#修改活动 9 内容=组织教职工包粽子活动（食堂二楼）")
    assert "已发起报名" in chat.text(ADMIN, "#发起报名 活动 16 时间=2027-12-10 15:00")
    # Next version of the plan: one item reworded, one new in November, 16 and 17 no longer there.
    new_plan = (plan.replace("召开工会委员会会议", "召开工会委员会全体会议")
                .replace("十二月:\n1、评选优秀工会小组\n2、做好工会年度工作总结\n", "十一月:\n1、教职工篮球赛\n"))
    preview = _import(chat, new_plan)
    assert "识别到 16 项活动" in preview
    assert "按新计划更新 1 项：活动 2 召开工会委员会会议 → 2.召开工会委员会全体会议" in preview
    assert "保留您手改过的 2 项：活动 5 开展教职工乒乓球比赛；活动 9 组织教职工包粽子活动（食堂二楼）" in preview
    assert "新增 1 项（编新号）：16.教职工篮球赛" in preview
    assert "删除新计划中没有的 1 项：活动 17 做好工会年度工作总结" in preview
    assert "有报名或您改过，保留 1 项：活动 16 评选优秀工会小组" in preview
    assert _by_number(db_app) == {**before, 5: (before[5][0], dt.date(2027, 4, 20)),
                                  9: ("组织教职工包粽子活动（食堂二楼）", None)}  # nothing stored yet
    done = chat.text(ADMIN, "#确认导入", private=True)
    assert "已有活动编号不变" in done
    after = _by_number(db_app)
    assert after[5] == ("开展教职工乒乓球比赛", dt.date(2027, 4, 20))  # the hand edit survives
    assert after[9][0] == "组织教职工包粽子活动（食堂二楼）"
    assert after[2][0] == "召开工会委员会全体会议" and after[16] == before[16] and 17 not in after
    assert after[18][0] == "教职工篮球赛"  # a new number; nothing renumbered
    assert {n: after[n] for n in range(1, 16) if n not in (2, 5, 9)} == {
        n: before[n] for n in range(1, 16) if n not in (2, 5, 9)}
    assert db_app.services.signups.get(1).schedule_number == 16
    # The chair lets the plan replace a hand edit and removes the kept activity, by their numbers.
    _import(chat, new_plan)
    assert "手改过的活动的活动编号：5、9" in chat.text(ADMIN, "覆盖 3", private=True)
    chat.text(ADMIN, "覆盖 5", private=True)
    preview = chat.text(ADMIN, "删旧 16", private=True)
    assert "保留您手改过的 1 项：活动 9" in preview and "删除新计划中没有的 1 项：活动 16" in preview
    chat.text(ADMIN, "确认", private=True)
    final = _by_number(db_app)
    assert final[5] == ("开展教职工乒乓球比赛", None) and 16 not in final and final[9] == after[9]


def test_cli_reimport_keeps_numbers(db_app: App) -> None:
    from handlers.plan_import import new_items
    from schedules.plan_import import import_plan_text

    result = import_plan_text(PLAN_FIXTURE.read_text(encoding="utf-8"), year=2027)
    repo = db_app.services.schedule
    first = [r.number for r in repo.replace_imported(2027, new_items(result.items), source="plan").rows]
    again = [r.number for r in repo.replace_imported(2027, new_items(result.items), source="plan").rows]
    assert first == again == list(range(1, 18)) and repo.count(2027) == 17


def test_hand_edit_migration_up_and_down(db_url: str) -> None:
    engine = make_engine(db_url)
    cfg = migrate._alembic_config(engine)
    command.upgrade(cfg, "0007")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO schedule_item (union_id, number, year, months, weeks, text, category, "
                          "source, created_by, created_at) VALUES ('u', 1, 2027, '3', '', '三八节', 'holiday', "
                          "'plan', '', CURRENT_TIMESTAMP)"))
    assert migrate.upgrade(engine) == migrate.head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT edited FROM schedule_item")).scalar_one() in (False, 0)
    command.downgrade(cfg, "0007")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT text FROM schedule_item")).scalar_one() == "三八节"
    migrate.upgrade(engine)
