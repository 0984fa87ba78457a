"""Welfare through the real gateway: refused in the group with nothing of it
repeated there, submitted privately, the officer told privately."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from tests.e2e.botproc import BOT, BotProcess, write_config
from tests.e2e.conftest import ROOM
from tests.gateway_harness import Gateway, wait_until

pytestmark = pytest.mark.gateway


def test_group_refusal_and_private_flow(gateway: Gateway, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", gateway, f"sqlite:///{tmp_path}/bot.db")
    config.write_text(config.read_text(encoding="utf-8").replace(
        'admins = ["admin-zhao"]', 'admins = ["admin-zhao"]\nwelfare_officers = ["t-20"]'), encoding="utf-8")
    bot = BotProcess(config, tmp_path).start()
    try:
        bot.wait_ready(gateway)
        start = len(gateway.bot_messages(BOT))
        gateway.send(op="say", **{"from": "t-01"}, room=ROOM, text="#申请 丧事 我母亲昨晚在市第一人民医院去世")
        gateway.send(op="say", **{"from": "t-02"}, room=ROOM, text="@工会助手 我住院了 肿瘤科", mention=[BOT])
        # Counted in the room: a late answer to wait_ready's #帮助 (in private) is not one of them.
        wait_until(lambda: len([m for m in gateway.bot_messages(BOT)[start:] if m["roomId"] == ROOM]) >= 2)
        time.sleep(1)
        room_texts = [m["text"] for m in gateway.bot_messages(BOT)[start:] if m["roomId"] == ROOM]
        assert len(room_texts) == 2 and all("私聊" in t for t in room_texts)
        assert not any(word in t for t in room_texts for word in ("母亲", "市第一人民医院", "去世", "肿瘤"))
        db = sqlite3.connect(tmp_path / "bot.db")
        assert db.execute("SELECT count(*) FROM welfare_request").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM draft").fetchone() == (0,)

        gateway.send(op="say", **{"from": "t-01"}, text="#申请 丧事 亲属关系=父母 日期=2027-03-01")
        gateway.wait_bot_message(BOT, lambda m: m["listenerId"] == "t-01" and "请核对" in m["text"])
        gateway.send(op="say", **{"from": "t-01"}, text="确认")
        mine = gateway.wait_bot_message(BOT, lambda m: m["listenerId"] == "t-01" and "已提交丧事申请" in m["text"])
        assert mine["roomId"] is None
        told = gateway.wait_bot_message(BOT, lambda m: m["listenerId"] == "t-20" and "新的丧事申请" in m["text"])
        assert told["roomId"] is None
        gateway.send(op="say", **{"from": "t-02"}, text="#申请详情 " + mine["text"].split("编号 ")[1][:9])
        refused = gateway.wait_bot_message(BOT, lambda m: m["listenerId"] == "t-02" and "无权查看" in m["text"])
        assert "父母" not in refused["text"]
    finally:
        bot.stop()
