"""Roles by the remark (备注) the bot's own account gave a contact (issue 27, item 10): the contact cannot
change it, so ``[roles]`` may name it; a unique hand-set remark re-links a member across logins (wechat4u
gives new contact ids at every login); a remark two contacts share counts for nobody and fails doctor;
a nickname never counts. Through the pipeline as the WeChat transport feeds it, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from bot.app import App, build_app
from bot.clock import FakeClock
from bot.doctor import contact_checks
from bot.pipeline import Incoming
from handlers.base import Role
from tests.conftest import make_config

ROOM, TOPIC = "room-1", "全体教职工群"
_ids = itertools.count()


@pytest.fixture
def wechat(db_url: str, clock: FakeClock) -> App:
    return build_app(make_config(db_url, roles={"admins": ["王主席"]}), clock)


def say(app: App, contact: str, text: str, remark: str, name: str = "老王", private: bool = False) -> str:
    msg = Incoming(message_id=f"m{next(_ids)}", contact_id=contact, contact_name=name, text=text,
                   room_id=None if private else ROOM, room_topic="" if private else TOPIC, contact_remark=remark,
                   timestamp=app.pipeline.clock())
    return "\n".join(o.text for o in app.pipeline.handle(msg))


def test_a_remark_set_on_the_bots_phone_gives_the_role(wechat: App) -> None:
    assert "已排队" in say(wechat, "wxid_a", "#发送通知 明天下午开会", remark="王主席")
    assert "工会管理员" in say(wechat, "wxid_a", "#我的信息", remark="王主席", private=True)
    me = wechat.services.members.get_by_contact("wxid_a")
    assert me is not None and me.remark == "王主席"
    # Notifications for admins go to the contact, never to the remark as if it were an id.
    assert wechat.services.access.holders(Role.ADMIN) == ["wxid_a"]
    # A nickname never counts.
    assert "仅限工会管理员" in say(wechat, "wxid_nick", "#发送通知 放假", remark="", name="王主席")
    # The chair takes the remark away: the role goes with it.
    assert "仅限工会管理员" in say(wechat, "wxid_a", "#发送通知 再发一条", remark="")
    assert len(wechat.services.notices.list()) == 1


def test_a_unique_remark_re_links_the_member_across_logins(wechat: App, clock: FakeClock) -> None:
    say(wechat, "wxid_a", "#发起报名 春季踏青 名额=5", remark="王主席")
    say(wechat, "wxid_a", "#报名 1", remark="王主席")
    first = wechat.services.members.get_by_contact("wxid_a")
    clock.set(clock() + dt.timedelta(hours=1))
    wechat.services.notices.set_group_members(TOPIC, [])  # a new login: the old id is in no group any more
    wechat.services.members.forget()
    # New login, new contact id, the same remark: the same member, with its role and its sign-up.
    assert "已排队" in say(wechat, "wxid_a_new", "#发送通知 换号后", remark="王主席")
    again = wechat.services.members.get_by_contact("wxid_a_new")
    assert first is not None and again is not None and again.id == first.id
    assert wechat.services.members.get_by_contact("wxid_a") is None
    assert "春季踏青" in say(wechat, "wxid_a_new", "#我的报名", remark="王主席", private=True)


def test_a_remark_two_contacts_share_counts_for_nobody(wechat: App) -> None:
    say(wechat, "wxid_a", "#帮助", remark="王主席")
    wechat.services.notices.add_group_member(TOPIC, "wxid_a", "老王")  # still here at this login
    # Someone else given the same remark by mistake: not merged into the chair, and the role is nobody's.
    assert "仅限工会管理员" in say(wechat, "wxid_b", "#发送通知 冒名", remark="王主席", name="小李")
    a, b = (wechat.services.members.get_by_contact(c) for c in ("wxid_a", "wxid_b"))
    assert a is not None and b is not None and a.id != b.id
    assert "仅限工会管理员" in say(wechat, "wxid_a", "#发送通知 也不行", remark="王主席")
    assert wechat.services.notices.list() == [] and wechat.services.access.holders(Role.ADMIN) == []


def test_doctor_fails_a_remark_two_contacts_share(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = make_config(f"sqlite:///{tmp_path}/d.db", roles={"admins": ["王主席"], "welfare_officers": ["赵委员"]})
    shared = {c.name: c for c in contact_checks(config, {"a": "王主席", "b": "王主席", "c": "赵委员", "d": ""})}
    assert shared["备注 王主席"].status == "fail" and "2 个联系人" in shared["备注 王主席"].detail
    assert "角色 admins" not in shared and "角色 welfare_officers" not in shared
    fine = {c.name: c for c in contact_checks(config, {"a": "王主席", "c": "赵委员"})}
    assert fine["角色"].status == "ok" and len(fine) == 1
    missing = {c.name: c for c in contact_checks(config, {"a": "王主席"})}
    assert missing["角色 welfare_officers"].status == "fail"


def test_the_office_link_after_binding_logs_in_as_the_roster_member(db_url: str, clock: FakeClock) -> None:
    """#绑定 merges the chat contact into its roster entry (the contact's own row goes): the next
    #后台 must issue a link for the roster member, not for the row that no longer exists, even when the
    binding was made by another process within this one's cache minute."""
    from storage.members import RosterRow

    app = build_app(make_config(db_url, roles={"admins": ["wxid_chair"]}), clock)
    app.services.members.import_roster([RosterRow("李明", department="一年级组")])
    say(app, "wxid_li", "#我的信息", remark="", name="小李", private=True)  # known from chat only
    # The chair binds on the office page: another process, whose #绑定 this process's cache does not see.
    desk = build_app(make_config(db_url, roles={"admins": ["wxid_chair"]}), clock)
    say(desk, "wxid_chair", "#我的信息", remark="", name="王主席", private=True)
    assert "已绑定" in say(desk, "wxid_chair", "#绑定 wxid_li 李明", remark="", name="王主席")
    link = say(app, "wxid_li", "#后台", remark="", name="小李", private=True)
    token = link.rsplit("/login/", 1)[-1].strip()
    roster = app.services.members.get_by_contact("wxid_li")
    assert roster is not None and roster.name == "李明" and roster.in_roster
    used = app.services.web_logins.redeem(token, clock())
    assert used.member_id == roster.id and not used.problem
