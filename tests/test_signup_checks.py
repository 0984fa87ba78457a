"""Sign-up checks (issue 27, item 6): an unknown audience is refused with the known ones listed, the same
title at the same time asks before it is published again, 代报名 with a roster names someone in it, and a
roster 代表 may sign up for an event for 代表 (the one access rule decides)."""

from __future__ import annotations

from bot.app import App
from storage.members import RosterRow
from storage.models import Member
from tests import test_web as web
from tests.conftest import ChatDriver

env = web.env  # the office page on a fake clock, set up as tests/test_web.py does

STAFF = [("李老师", "语文组", "女", "代表"), ("王老师", "语文组", "男", ""), ("张老师", "数学组", "女", "代表")]


def with_roster(app: App) -> None:
    app.services.members.import_roster([RosterRow(n, department=d, gender=g, role=r, contact_id=n)
                                        for n, d, g, r in STAFF])


def test_an_unknown_audience_is_refused_and_the_known_ones_listed(chat: ChatDriver, app: App) -> None:
    with_roster(app)
    out = chat.text("王主席", "#发起报名 观星活动 对象=火星人")
    assert "未发起" in out and "火星人" in out and "女教工" in out and "代表" in out and "数学组" in out
    assert app.services.signups.all_events() == [] and [o for o in chat.pump() if o.room_id] == []
    assert "已发起报名【1】" in chat.text("王主席", "#发起报名 教研活动 对象=数学组")  # a roster department
    assert "已发起报名【2】" in chat.text("王主席", "#发起报名 三八节插花 对象=女职工")  # an alias


def test_the_same_title_at_the_same_time_asks_first(chat: ChatDriver, app: App) -> None:
    publish = "#发起报名 教职工羽毛球赛 时间=2027-04-15 15:30 名额=30"
    assert "已发起报名【1】" in chat.text("王主席", publish, private=True)
    again = chat.text("王主席", publish, private=True)
    assert "已有同名、同时间的报名 【1】" in again and "确认" in again
    assert len(app.services.signups.all_events()) == 1  # nothing published yet
    assert "已取消" in chat.text("王主席", "取消", private=True)
    assert len(app.services.signups.all_events()) == 1
    chat.text("王主席", publish, private=True)
    assert "已发起报名【2】" in chat.text("王主席", "确认", private=True)  # the chair chose to
    # In the group there is no form to confirm: refused, and told how.
    assert "未重复发起" in chat.text("王主席", publish)
    assert len(app.services.signups.all_events()) == 2
    # Another time, or a cancelled twin, is no duplicate.
    assert "已发起报名【3】" in chat.text("王主席", "#发起报名 教职工羽毛球赛 时间=2027-04-16 15:30", private=True)
    chat.text("王主席", "#取消活动 3 改期", private=True)
    assert "已发起报名【4】" in chat.text("王主席", "#发起报名 教职工羽毛球赛 时间=2027-04-16 15:30", private=True)


def test_proxy_signup_with_a_roster_refuses_a_name_not_in_it(chat: ChatDriver, app: App) -> None:
    with_roster(app)
    chat.text("王主席", "#发起报名 春季踏青 名额=5")
    count = len(app.services.members.all())
    out = chat.text("王主席", "#代报名 1 不存在老师")
    assert "未报名" in out and "花名册中没有“不存在老师”" in out
    assert len(app.services.members.all()) == count and app.services.signups.all_signups(1) == []
    assert "报名成功" in chat.text("王主席", "#代报名 1 王老师")


def test_proxy_signup_without_a_roster_still_takes_a_new_name(chat: ChatDriver, app: App) -> None:
    chat.text("王主席", "#发起报名 春季踏青 名额=5")
    assert "报名成功" in chat.text("王主席", "#代报名 1 退休的老校长")


def test_a_roster_representative_may_sign_up_for_an_event_for_representatives(chat: ChatDriver, app: App) -> None:
    with_roster(app)
    assert "已发起报名【1】" in chat.text("王主席", "#发起报名 教代会分组讨论 对象=代表 名额=10")
    assert "报名成功" in chat.text("李老师", "#报名 1")
    assert "不在报名范围内" in chat.text("王老师", "#报名 1")
    missing = chat.text("王主席", "#未报名 1", private=True)
    assert "张老师" in missing and "王老师" not in missing
    member = app.services.members.get_by_contact("张老师")
    assert isinstance(member, Member) and app.services.access.in_audience(member, "代表")


def test_the_page_refuses_an_unknown_audience_and_asks_before_a_duplicate(env) -> None:  # type: ignore[no-untyped-def]
    chat, app = env
    admin = web.login(chat, app, web.ADMIN)
    fields = {"名称": "春季踏青", "时间": "3月20日 8:00", "名额": "20"}
    mars = web.post(admin, "/signups/new", {**fields, "对象": "火星人"}, page="/signups")
    assert "火星人" in mars.text and "女教工" in mars.text and chat.app.services.signups.get(1) is None
    assert "已发起报名【1】" in web.post(admin, "/signups/new", fields, page="/signups").text
    again = web.post(admin, "/signups/new", fields, page="/signups")
    assert "已有同名、同时间的报名" in again.text and chat.app.services.signups.get(2) is None
    done = web.post(admin, "/form", {"action": "confirm"}, page="/signups")
    assert "已发起报名【2】" in done.text
