"""Issue 27 item 1: every queued post is checked again when it is sent; what is dropped is
recorded with a reason and counted by `unionbot status` (text and JSON)."""

from __future__ import annotations

import datetime as dt
import json

from bot.app import build_app
from bot.clock import FakeClock
from bot.status import collect, render
from storage import migrate
from storage.db import make_engine
from storage.schedule_repo import NewItem
from tests.conftest import ChatDriver, make_config

T0 = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)  # 16:00 in Shanghai


def _chat(db_url: str) -> ChatDriver:
    clock = FakeClock(T0)
    return ChatDriver(build_app(make_config(db_url), clock), clock)


def test_sign_ups_cancelled_before_the_next_tick_are_never_announced(db_url: str) -> None:
    chat = _chat(db_url)
    services = chat.app.services
    chat.clock.set(T0 + dt.timedelta(hours=6))  # 22:00: quiet hours hold the notices
    for title in ("羽毛球赛", "春季踏青", "观影"):
        assert "已发起报名" in chat.text("王主席", f"#发起报名 {title} 名额=5")
    for number in (1, 2, 3):  # as the office page does: the same repository call
        services.signups.set_status(number, "cancelled", "改期")
    assert chat.pump() == []
    sent = chat.at(dt.datetime(2027, 3, 2, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert [o.text for o in sent if "报名通知" in o.text] == []
    posts = services.reminders.outbox.list(kind="signup_notice")
    assert [(p.status, p.drop_reason) for p in posts] == [("dropped", "报名已取消")] * 3
    st = collect(chat.app.config, services, chat.clock())
    assert st["outbox"]["dropped"] == 3 and st["outbox"]["skipped"] == 3 and st["outbox"]["sent"] == 0
    assert st["dropped_reasons"] == {"报名已取消": 3}
    assert "不再发送 3（报名已取消 3）" in render(st)
    json.dumps(st)  # the --json form
    assert "不再发送 3" in chat.text("王主席", "#提醒设置", private=True)


def test_closed_votes_and_checkins_deleted_activities_and_left_people_are_dropped(db_url: str) -> None:
    chat = _chat(db_url)
    services = chat.app.services
    chat.clock.set(dt.datetime(2027, 3, 3, 7, 0, tzinfo=dt.UTC))  # 15:00; nothing is pumped until 16:00
    chat.text("王主席", "#发起投票 关于修订绩效方案的决议")
    chat.text("王主席", "#开始签到 第二次会议")
    chat.text("王主席", "#发起投票 还开着的投票")
    chat.text("王主席", "#结束投票 1", private=True)
    services.checkins.close(services.checkins.get(1), chat.clock())
    # An activity tomorrow: its eve reminder queued, then the activity deleted before it is sent.
    services.schedule.add(NewItem(year=2027, months=[3], weeks=[], text="教工篮球赛", category="sports",
                                  date=dt.date(2027, 3, 4)))
    services.schedule.add(NewItem(year=2027, months=[3], weeks=[], text="教工拔河赛", category="sports",
                                  date=dt.date(2027, 3, 4)))
    # A receipt reminder to someone no longer among the members (their record removed meanwhile).
    services.reminders.queue_private("receipt_nudge", "notice:9", ["已离职的老师"], "t1", "提醒", chat.clock())
    services.reminders.tick(dt.datetime(2027, 3, 3, 8, 0, 30, tzinfo=dt.UTC))
    services.schedule.delete(1)
    services.schedule.update(2, date=dt.date(2027, 3, 5))
    chat.app.sender.drain(dt.datetime(2027, 3, 3, 8, 0, 30, tzinfo=dt.UTC), lambda o: None)
    outbox = services.reminders.outbox
    by_kind = {(p.kind, p.ref): (p.status, p.drop_reason) for p in outbox.list()}
    assert by_kind[("vote_notice", "vote:1")] == ("dropped", "投票已结束")
    assert by_kind[("vote_notice", "vote:2")] == ("sent", "")
    assert by_kind[("checkin_notice", "checkin:1")] == ("dropped", "签到已结束")
    assert by_kind[("eve", "item:1")] == ("dropped", "活动已删除")
    assert by_kind[("eve", "item:2")] == ("dropped", "活动日期已改")
    assert by_kind[("receipt_nudge", "notice:9")] == ("dropped", "通知已撤回")


def test_the_migration_turns_old_skipped_posts_into_dropped_ones(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from storage.migrate import _alembic_config

    engine = make_engine(db_url)
    command.upgrade(_alembic_config(engine), "0009")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO outbox (union_id, kind, ref, target, occurrence, text, due_at, expires_at,"
                          " status, attempts, last_error, claimed_by, created_at) VALUES ('u', 'signup_list', "
                          "'event:1', 'room:r', '1', '', '2027-03-01', '2027-03-02', 'skipped', 0, "
                          "'nothing to render', '', '2027-03-01')"))
    migrate.upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT status, drop_reason FROM outbox")).one()
    assert tuple(row) == ("dropped", "nothing to render")
    command.downgrade(_alembic_config(engine), "0009")  # and back
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM outbox")).scalar() == "skipped"
    engine.dispose()


def test_posts_to_officers_who_never_wrote_are_not_dropped(db_url: str) -> None:
    """Care lists go to officers named in the config, who may never have written to the bot."""
    from handlers.outbox_checks import drop_reason

    chat = _chat(db_url)
    services = chat.app.services
    assert services.members.get_by_contact("赵委员") is None
    assert drop_reason(services, "care", "care:重阳节", "contact:赵委员", "2027-10-09", T0) is None
    assert drop_reason(services, "reply", "", "contact:谁也不是", "x", T0) is None
    assert drop_reason(services, "event_eve", "event:1", "contact:谁也不是", "2027-03-02", T0) == "报名活动已删除"
    assert drop_reason(services, "birthday", "birthday", "contact:谁也不是", "2027-03-02", T0) == "收件人已不在成员中"


def test_a_receipt_reminder_reaches_a_group_colleague_who_is_not_on_the_roster(db_url: str) -> None:
    """Without a roster, receipts are counted over the notice's groups: a colleague there who never
    joined the member list is missing and is reminded; once out of the group, the reminder is dropped."""
    from handlers.outbox_checks import drop_reason

    chat = _chat(db_url)
    services = chat.app.services
    services.notices.set_group_members("全体教职工群", [("t-26", "钱老师"), ("t-27", "孙老师")])
    assert "通知 1 已排队" in chat.text("王主席", "#发送通知 需回执 周五前交材料")
    assert services.members.get_by_contact("t-26") is None
    assert drop_reason(services, "receipt_nudge", "notice:1", "contact:t-26", "x", T0) is None
    services.notices.set_group_members("全体教职工群", [("t-27", "孙老师")])
    assert drop_reason(services, "receipt_nudge", "notice:1", "contact:t-26", "x", T0) == "收件人已不在成员或群中"
    assert drop_reason(services, "receipt_nudge", "notice:1", "contact:t-27", "x", T0) is None
