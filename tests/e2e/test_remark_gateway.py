"""Roles by the remark the bot's own account set by hand (issue 27, item 10), through the shipped gateway
with the mock puppet: `admins = ["王主席"]` names the contact the chair gave that remark, the role survives a
new login with new ids, a nickname gets nothing, and doctor fails a remark two contacts share."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.e2e.botproc import BOT, BotProcess
from tests.e2e.test_local_gateway import cli, start_local
from tests.gateway_harness import Gateway

pytestmark = pytest.mark.gateway
ROOM = "10001234@chatroom"


def chair_by_remark(*extra: tuple[str, str, str]):  # type: ignore[no-untyped-def]
    """The staff: the chair's contact carries the remark 王主席 the bot's account gave it by hand."""
    def populate(gw: Gateway) -> None:
        people = [("wx-chair", "老王", "王主席"), ("t-li", "李老师", ""), ("x-nick", "王主席", ""), *extra]
        for cid, name, alias in people:
            gw.send(op="contact", id=cid, name=name, **({"alias": alias} if alias else {}))
        gw.send(op="login", id=BOT, name="工会助手")
        gw.send(op="room", id=ROOM, topic="全体教职工群", members=[cid for cid, _, _ in people] + [BOT])
    return populate


def by_remark(config: Path) -> None:
    config.write_text(config.read_text(encoding="utf-8").replace('admins = ["admin-zhao"]', 'admins = ["王主席"]'),
                      encoding="utf-8")


def test_a_hand_set_remark_names_the_admin_across_logins(tmp_path: Path) -> None:
    home = tmp_path / "school"
    gw, config = start_local(home, staff=chair_by_remark())
    by_remark(config)
    bot = BotProcess(config, tmp_path).start()
    bot.wait_ready(gw, asker="t-li")

    def ask(g: Gateway, who: str, text: str) -> str:
        before = len(g.bot_messages(BOT))
        g.send(op="say", **{"from": who}, text=text)
        return g.wait_bot_message(BOT, lambda m: m["listenerId"] == who, after=before)["text"]

    assert "通知已排队" in ask(gw, "wx-chair", "#发送通知 备注认人的通知")
    assert "仅限工会管理员" in ask(gw, "x-nick", "#发送通知 昵称冒充的通知")  # a nickname never counts
    report = json.loads(cli(config, "doctor", "--json").stdout)
    assert not [c for c in report["checks"] if c["name"].startswith(("角色 ", "备注 "))]
    bot.stop()
    gw.stop()

    # The next login: wechat4u gives new ids; WeChat keeps the remark.
    gw2 = Gateway(gw.port, command=gw.command)
    gw2.start()
    gw2.send(op="contact", id="wx-chair-v2", name="老王", alias="王主席")
    gw2.send(op="contact", id="t-li-v2", name="李老师")
    gw2.send(op="login", id=BOT, name="工会助手")
    gw2.send(op="room", id="20005678@chatroom", topic="全体教职工群", members=["wx-chair-v2", "t-li-v2", BOT])
    bot = BotProcess(config, tmp_path).start()
    bot.wait_ready(gw2, asker="t-li-v2")
    time.sleep(0.5)
    assert "通知已排队" in ask(gw2, "wx-chair-v2", "#发送通知 换号以后的通知")
    members = json.loads(cli(config, "members", "list", "--json").stdout)["members"]
    chair = [m for m in members if m["contact_id"] == "wx-chair-v2"]
    assert len(chair) == 1 and "工会管理员" in chair[0]["roles"]
    assert not [m for m in members if m["contact_id"] == "wx-chair"]  # re-linked, not a second member
    bot.stop()
    gw2.stop()


def test_doctor_fails_a_remark_two_contacts_share(tmp_path: Path) -> None:
    gw, config = start_local(tmp_path / "school", staff=chair_by_remark(("wx-other", "老李", "王主席")))
    by_remark(config)
    report = cli(config, "doctor", "--json")
    checks = {c["name"]: c for c in json.loads(report.stdout)["checks"]}
    assert report.returncode == 1
    assert checks["备注 王主席"]["status"] == "fail" and "2 个联系人" in checks["备注 王主席"]["detail"]
    gw.stop()
