"""DingTalk's directory into members, and the OpenAPI client's faults, against the fake DingTalk on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app import build_app
from bot.clock import FakeClock
from bot.config import ConfigError, parse_config
from bot.dingtalk.api import DingTalkApi, DingTalkAuthError, DingTalkError, DingTalkThrottled
from bot.dingtalk.directory import sync_directory, sync_due
from bot.dingtalk.meter import MonthlyMeter
from handlers.base import Role
from storage.db import session_scope
from storage.members import RosterRow
from storage.models import Signup
from tests.conftest import ChatDriver, make_config
from tests.fake_dingtalk import CLIENT_ID, CLIENT_SECRET, FakeDingTalk
from tests.test_cli import unionbot

NOW = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def fake() -> Iterator[FakeDingTalk]:
    f = FakeDingTalk().start()
    f.add_department(2, "语文组")
    f.add_department(3, "高一语文", parent_id=2)
    f.add_user("u-li", "李老师", dept_id=3)
    f.add_user("u-wang", "王老师", dept_id=2)
    f.add_user("u-head", "校长")  # the root department's own: no department name
    for i in range(105):  # more than one page of user/list (size 100)
        f.add_user(f"t{i:03d}", f"教师{i:03d}", dept_id=2)
    yield f
    f.stop()


def api_for(fake: FakeDingTalk, secret: str = CLIENT_SECRET, **kw: object) -> DingTalkApi:
    return DingTalkApi(CLIENT_ID, secret, api_base=fake.base, oapi_base=fake.base, **kw)  # type: ignore[arg-type]


def test_sync_creates_updates_retires_and_brings_back(db_url: str, fake: FakeDingTalk) -> None:
    clock = FakeClock(NOW)
    app = build_app(make_config(db_url), clock)
    members = app.services.members
    api = api_for(fake)

    first = sync_directory(app, api, NOW)
    assert first.people == 108 and len(first.added) == 108 and not first.left
    li = members.get_by_contact("u-li")
    assert li is not None and li.department == "高一语文" and li.in_roster
    assert members.get_by_contact("t104").department == "语文组"  # the second page was read
    assert members.get_by_contact("u-head").department == ""
    assert not sync_due(app, NOW + dt.timedelta(hours=23)) and sync_due(app, NOW + dt.timedelta(hours=24))

    # The roster file adds what the directory lacks, by userid or by a unique name; blank departments stay.
    members.import_roster([RosterRow("李老师", role="福利委员", birthday=dt.date(1970, 5, 1), contact_id="u-li"),
                           RosterRow("王老师", gender="女", retired=True)])
    li, wang = members.get_by_contact("u-li"), members.get_by_contact("u-wang")
    assert (li.department, li.birthday, li.roster_role) == ("高一语文", dt.date(1970, 5, 1), "福利委员")
    assert (wang.department, wang.gender, wang.retired) == ("语文组", "女", True)
    assert Role.WELFARE_OFFICER in app.services.access.roles_of("u-li", li.roster_role, li.id)

    chat = ChatDriver(app, clock)
    chat.text("王主席", "#发起报名 观影 名额=3")
    assert "报名成功" in chat.text("u-li", "#报名 1")

    # 李老师 leaves the school's directory: no roles, out of the roster, history kept.
    fake.remove_user("u-li")
    fake.add_department(4, "数学组")
    fake.add_user("u-wang", "王老师", dept_id=4)  # moved
    second = sync_directory(app, api, NOW + dt.timedelta(days=1))
    assert second.left == ("李老师",) and "王老师" in second.updated
    assert members.get_by_contact("u-li") is None
    gone = members.by_id(li.id)
    assert gone is not None and gone.contact_id == "left:u-li" and not gone.in_roster and gone.roster_role == ""
    assert Role.WELFARE_OFFICER not in app.services.access.roles_of(gone.contact_id, gone.roster_role, gone.id)
    assert li.id not in {m.id for m in members.roster()}
    assert members.get_by_contact("u-wang").department == "数学组"
    with session_scope(app.engine) as s:
        signups = s.exec(select(Signup).where(Signup.member_id == li.id)).all()
    assert [x.contact_id for x in signups] == ["left:u-li"]

    # Back in the directory, and speaking to the bot before the next sync: the same member, the same history.
    fake.add_user("u-li", "李老师", dept_id=3)
    chat.text("王主席", "#发起报名 合唱 名额=5")
    assert "报名成功" in chat.text("u-li", "#报名 2")
    assert members.get_by_contact("u-li").id != li.id
    third = sync_directory(app, api, NOW + dt.timedelta(days=2))
    assert third.returned == ("李老师",) and not third.added
    back = members.get_by_contact("u-li")
    assert back is not None and back.id == li.id and back.in_roster
    with session_scope(app.engine) as s:
        rows = s.exec(select(Signup).where(Signup.member_id == li.id).order_by(Signup.event_id)).all()
        assert [x.contact_id for x in rows] == ["u-li", "u-li"]
    assert len(members.find("李老师")) == 1


def test_a_failed_or_empty_read_changes_nothing(tmp_path: Path, fake: FakeDingTalk) -> None:
    app = build_app(make_config(f"sqlite:///{tmp_path}/d.db"), FakeClock(NOW))
    api = api_for(fake)
    sync_directory(app, api, NOW)
    before = [(m.id, m.contact_id, m.in_roster) for m in app.services.members.all()]
    fake.remove_user("u-li")
    fake.oapi_error("/topapi/v2/user/list", 60011, "无权限")
    with pytest.raises(DingTalkError, match="权限管理"):
        sync_directory(app, api, NOW)
    for uid in list(fake.users):
        fake.remove_user(uid)
    with pytest.raises(DingTalkError, match="一个人也没有读到"):
        sync_directory(app, api, NOW)
    assert [(m.id, m.contact_id, m.in_roster) for m in app.services.members.all()] == before


def test_a_name_two_roster_entries_share_is_not_guessed(tmp_path: Path, fake: FakeDingTalk) -> None:
    app = build_app(make_config(f"sqlite:///{tmp_path}/d.db"), FakeClock(NOW))
    members = app.services.members
    members.import_roster([RosterRow("王老师", department="一年级组"), RosterRow("王老师", department="二年级组",
                                                                            contact_id="wx-2")])
    result = sync_directory(app, api_for(fake), NOW)
    assert "王老师" in result.added and "王老师" not in result.updated
    # A roster without ids cannot tell the two 王老师 the directory now also has apart: left out, reported.
    r = members.import_roster([RosterRow("王老师", gender="女")])
    assert r.ambiguous == ("王老师",) and r.updated == 0 and r.added == 0
    assert all(m.gender == "" for m in members.find("王老师"))


def test_client_refreshes_a_token_once_throttles_and_counts(tmp_path: Path, fake: FakeDingTalk) -> None:
    app = build_app(make_config(f"sqlite:///{tmp_path}/m.db"), FakeClock(NOW))
    meter = MonthlyMeter(app.services.settings, clock=lambda: NOW)
    api = api_for(fake, meter=meter)
    cid = fake.add_group("全体教职工群")
    api.send_group(cid, "第一条")
    fake.expire_tokens()
    api.send_group(cid, "第二条")  # the old token is refused once, a new one fetched, the call retried
    fake.throttle("/v1.0/robot/groupMessages/send")
    with pytest.raises(DingTalkThrottled):
        api.send_group(cid, "被限流")
    unknown = api.send_users([f"t{i:03d}" for i in range(45)] + ["nobody"], "私信")
    api.send_file("名单.xlsx", b"PK\x03\x04 not really", group=cid)
    sent = fake.sent()
    assert [s["text"] for s in sent if s["via"] == "group" and s["msgKey"] == "sampleText"] == ["第一条", "第二条"]
    assert [len(s["to"]) for s in sent if s["via"] == "users"] == [20, 20, 6] and unknown == ["nobody"]
    file_post = next(s for s in sent if s["msgKey"] == "sampleFile")
    assert file_post["param"]["fileName"] == "名单.xlsx" and file_post["param"]["fileType"] == "xlsx"
    assert fake.media[file_post["param"]["mediaId"]][1] == b"PK\x03\x04 not really"
    # 2 group texts + 3 batches + 1 upload + 1 file post; tokens, the refused call and directory reads are free.
    assert meter.used() == 7
    assert MonthlyMeter(app.services.settings, clock=lambda: NOW + dt.timedelta(days=31)).used() == 0
    with pytest.raises(DingTalkAuthError, match="凭证与基础信息"):
        api_for(fake, secret="wrong").check_credentials()
    # DingTalk's per-person flow control: those people did not get it; the others must not get it twice.
    fake.fail_next("/v1.0/robot/oToMessages/batchSend", 200,
                   {"processQueryKey": "q", "invalidStaffIdList": [], "flowControlledStaffIdList": ["t001"]})
    with pytest.raises(DingTalkThrottled) as caught:
        api.send_users(["t000", "t001", "t002"], "限流")
    assert caught.value.sent_user_ids == ("t000", "t002")


def test_config_refuses_dingtalk_with_wechaty() -> None:
    base = {"union": {"id": "s"}, "dingtalk": {"client_id": "ding1", "client_secret": "x"}}
    c = parse_config(base)
    assert c.dingtalk.enabled and c.dingtalk.robot == "ding1" and c.dingtalk.api_base == "https://api.dingtalk.com"
    with pytest.raises(ConfigError, match="一个进程只连一个平台"):
        parse_config({**base, "wechaty": {"endpoint": "local"}})
    with pytest.raises(ConfigError, match="一个进程只连一个平台"):
        parse_config(base, env={"WECHATY_PUPPET_SERVICE_ENDPOINT": "127.0.0.1:8788"})


def write_config(tmp_path: Path, fake: FakeDingTalk, secret: str = CLIENT_SECRET, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[union]\nid = "ding-school"\n[database]\nurl = "sqlite:///var/unionbot.db"\n'
                    f'[dingtalk]\nclient_id = "{CLIENT_ID}"\nclient_secret = "{secret}"\n'
                    f'api_base = "{fake.base}"\noapi_base = "{fake.base}"\n{extra}', encoding="utf-8")
    (tmp_path / "var").mkdir(exist_ok=True)
    return path


def test_members_sync_cli(tmp_path: Path, fake: FakeDingTalk) -> None:
    config = write_config(tmp_path, fake)
    r = unionbot("members", "sync", "--json", "--config", str(config), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["people"] == 108
    r = unionbot("members", "list", "--json", "--config", str(config), cwd=tmp_path)
    people = {p["contact_id"]: p for p in json.loads(r.stdout)["members"]}
    assert people["u-li"]["department"] == "高一语文" and people["u-li"]["name"] == "李老师"
    assert not people["u-li"]["left"]

    bad = write_config(tmp_path, fake, secret="wrong")
    r = unionbot("members", "sync", "--config", str(bad), cwd=tmp_path)
    assert r.returncode == 2 and "凭证与基础信息" in r.stderr
    both = write_config(tmp_path, fake, extra='[wechaty]\nendpoint = "local"\n')
    r = unionbot("members", "sync", "--config", str(both), cwd=tmp_path)
    assert r.returncode == 2 and "一个进程只连一个平台" in r.stderr


def test_rate_limiter_keeps_to_twenty_calls_a_second() -> None:
    from bot.dingtalk.api import RateLimiter

    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    limiter = RateLimiter(20, clock=lambda: now[0], sleep=sleep)
    for _ in range(20):
        limiter.wait()
        now[0] += 0.01
    assert slept == []
    limiter.wait()  # the 21st within the same second waits for the first to fall out of the window
    assert len(slept) == 1 and slept[0] == pytest.approx(0.8, abs=1e-9) and now[0] == pytest.approx(101.0)
