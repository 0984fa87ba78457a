"""Receipts as staff really answer (issue 27, items 2 and 3): a plain "收到" in the group counts while a
receipt notice for that group is open, nothing else said un-addressed is read or stored, the notice's
sender is never missing from it, and "需回执" may stand anywhere in #发送通知. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import func, select

from bot.app import App, build_app
from bot.clock import FakeClock
from bot.config import load_config
from handlers.notices import plain_acknowledgement
from storage.db import session_scope
from storage.members import RosterRow
from storage.models import Member, SeenMessage
from tests.conftest import REPO, ChatDriver

STAFF = [("李老师", "语文组", "女"), ("王老师", "语文组", "男"), ("张老师", "数学组", "女"),
         ("刘老师", "数学组", "男"), ("王主席", "办公室", "男")]  # the chair is in the roster too


@pytest.fixture
def config_path(tmp_path: Path, db_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[union]\nid = "test-school"\nname = "测试"\n[database]\nurl = "{db_url}"\n'
                    '[roles]\nadmins = ["王主席"]\n[[groups]]\ntopic = "全体教职工群"\n', encoding="utf-8")
    return path


@pytest.fixture
def staff(config_path: Path, clock: FakeClock) -> ChatDriver:
    app = build_app(load_config(config_path), clock)
    app.services.members.import_roster([RosterRow(n, department=d, gender=g, contact_id=n) for n, d, g in STAFF])
    return ChatDriver(app, clock)


def _count(app: App, model: type) -> int:
    with session_scope(app.services.members.engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize(("text", "number"), [
    ("收到", ""), ("收到了", ""), ("已收到", ""), ("收到！", ""), ("好的收到", ""), ("好的，收到。", ""),
    ("收到1", "1"), ("收到 1", "1"), ("收到3", "3"), ("已收到 #2", "2"),
])
def test_the_acknowledgement_words(text: str, number: str) -> None:
    assert plain_acknowledgement(text) == number


@pytest.mark.parametrize("text", ["收到，但我周五请假", "收到3份材料", "没收到", "收", "我收到了通知吗", "好的", "收到了吗"])
def test_chatter_is_not_an_acknowledgement(text: str) -> None:
    assert plain_acknowledgement(text) is None


def test_plain_acknowledgements_count_silently(staff: ChatDriver, config_path: Path) -> None:
    app = staff.app
    members_before = _count(app, Member)
    # No receipt notice open: a plain 收到 (even from someone new) is dropped unread, and nothing is stored.
    assert staff.say("新来的老师", "收到") == []
    assert _count(app, Member) == members_before and _count(app, SeenMessage) == 0
    staff.text("王主席", "#发送通知 需回执 周五开会")
    staff.pump()
    for who, text in (("李老师", "收到"), ("王老师", "收到1"), ("张老师", "收到了"), ("刘老师", "已收到")):
        out = staff.say(who, text)
        # Counted like #收到: the group hears nothing, the member is told once, privately.
        assert [(o.room_id, o.contact_id) for o in out] == [(None, who)] and "已确认收到通知 1" in out[0].text
    assert staff.say("李老师", "收到") == []  # once only
    seen = _count(app, SeenMessage)
    members = _count(app, Member)
    for chatter in ("收到，但我周五请假", "今天食堂的菜不错", "收到9"):  # chatter; a notice that is not open
        assert staff.say("新来的老师", chatter) == []
    assert _count(app, SeenMessage) == seen and _count(app, Member) == members  # chatter left no trace
    report = staff.text("王主席", "#回执 1", private=True)
    # The chair sent it: neither missing nor counted. Four of four answered.
    assert "已收到 4/4" in report and "全部已回执" in report
    out = subprocess.run([sys.executable, "-m", "bot.cli", "notices", "receipts", "1", "--json",
                          "--config", str(config_path)], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["missing"] == [] and "王主席" not in [p["name"] for p in data["acknowledged"]]
    assert "是您发出的" in staff.text("王主席", "#收到 1", private=True)


def test_a_plain_acknowledgement_only_while_the_notice_is_open(staff: ChatDriver, clock: FakeClock) -> None:
    staff.text("王主席", "#发送通知 需回执 交计划")
    staff.pump()
    clock.set(clock() + dt.timedelta(days=8))  # long past: a plain 收到 is chatter again, #收到 still works
    assert staff.say("李老师", "收到") == []
    assert "已确认收到通知 1" in staff.text("李老师", "#收到 1")


def test_an_acknowledgement_addressed_to_the_bot(staff: ChatDriver) -> None:
    staff.text("王主席", "#发送通知 需回执 交计划")
    staff.pump()
    out = staff.say("李老师", "@工会助手 收到了")
    assert [o.contact_id for o in out] == ["李老师"] and "已确认收到通知 1" in out[0].text


def test_the_sender_is_not_missing_without_a_roster(chat: ChatDriver) -> None:
    for who in ("李老师", "王老师"):
        chat.text(who, "#帮助")
    chat.text("王主席", "#发送通知 需回执 明天下午开会")  # the chair is one of the group's members
    chat.pump()
    report = chat.text("王主席", "#回执 1", private=True)
    assert "按群成员统计" in report and "已收到 0/2" in report and "王主席" not in report.split("未回执")[1]


@pytest.mark.parametrize("command", ["#发送通知 周五下午开会 需回执", "#发送通知 需回执 周五下午开会",
                                     "#发送通知 对象=全体 周五下午开会 需要回执"])
def test_the_receipt_flag_anywhere(chat: ChatDriver, app: App, command: str) -> None:
    ack = chat.text("王主席", command)
    assert "通知 1 已排队" in ack and "已开启回执" in ack
    notice = app.services.notices.get(1)
    assert notice is not None and notice.needs_receipt and notice.text == "周五下午开会"
    posted = [o.text for o in chat.pump() if o.room_id]
    assert posted and "需回执" not in posted[0] and "#收到 1" in posted[0]


def test_the_receipt_word_inside_a_sentence_is_text(chat: ChatDriver, app: App) -> None:
    chat.text("王主席", "#发送通知 本周不需回执的材料照常交")
    notice = app.services.notices.get(1)
    assert notice is not None and not notice.needs_receipt and "不需回执" in notice.text


def test_the_receipt_flag_at_a_line_end(chat: ChatDriver, app: App) -> None:
    assert "已开启回执" in chat.text("王主席", "#发送通知 周五下午开会 需回执\n请带笔记本")
    notice = app.services.notices.get(1)
    assert notice is not None and notice.needs_receipt and notice.text == "周五下午开会\n请带笔记本"
