"""End to end through a real Wechaty gateway: `unionbot run` as a subprocess,
mock teachers speaking in a mock room and in private."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.botproc import BOT, REPO, BotProcess, write_config
from tests.e2e.conftest import ROOM
from tests.gateway_harness import Gateway

pytestmark = pytest.mark.gateway


@pytest.fixture
def bot(gateway: Gateway, tmp_path: Path) -> Iterator[BotProcess]:
    config = write_config(tmp_path / "config.toml", gateway, f"sqlite:///{tmp_path}/bot.db",
                          extra=f'[schedule]\nfile = "{REPO}/examples/schedule.example.toml"\n')
    proc = BotProcess(config, tmp_path).start()
    proc.wait_ready(gateway)
    yield proc
    proc.stop()


def test_help_in_room_private_reply_and_chatter_ignored(gateway: Gateway, bot: BotProcess) -> None:
    gateway.send(op="say", **{"from": "t-li"}, room=ROOM, text="#帮助")
    m = gateway.wait_bot_message(BOT, lambda m: m["roomId"] == ROOM and "可用命令" in m["text"])
    assert "#本月活动" in m["text"]

    gateway.send(op="say", **{"from": "t-li"}, text="活动安排")
    m = gateway.wait_bot_message(BOT, lambda m: m["listenerId"] == "t-li" and "活动安排" in m["text"])
    assert m["roomId"] is None

    before = len(gateway.bot_messages(BOT))
    gateway.send(op="say", **{"from": "t-li"}, room=ROOM, text="大家中午好，食堂今天有饺子")
    gateway.send(op="say", **{"from": "t-li"}, room=ROOM, text="#本月活动", mention=[])
    gateway.wait_bot_message(BOT, lambda m: m["roomId"] == ROOM and "本月活动" in m["text"], after=before)
    # Exactly one reply since `before`: the chatter got none.
    assert len(gateway.bot_messages(BOT)) == before + 1


def test_mention_is_a_command(gateway: Gateway, bot: BotProcess) -> None:
    gateway.send(op="say", **{"from": "t-li"}, room=ROOM, text="@工会助手 活动安排", mention=[BOT])
    m = gateway.wait_bot_message(BOT, lambda m: m["roomId"] == ROOM and "活动安排" in m["text"])
    assert "年活动安排" in m["text"]


def test_no_self_replies_after_fifty_messages(gateway: Gateway, bot: BotProcess) -> None:
    start = len(gateway.bot_messages(BOT))
    for i in range(50):
        speaker = "t-li" if i % 2 else "t-wang"
        gateway.send(op="say", **{"from": speaker}, room=ROOM, text=f"#活动 {i % 12 + 1}")
    gateway.wait_bot_count(BOT, start + 50)
    time.sleep(2)  # a looping bot would keep talking to itself now
    assert len(gateway.bot_messages(BOT)) == start + 50


def test_configured_group_is_found_by_topic(gateway: Gateway, bot: BotProcess, tmp_path: Path) -> None:
    import sqlite3

    rows = sqlite3.connect(tmp_path / "bot.db").execute(
        "SELECT value FROM setting WHERE union_id = 'e2e-school' AND key = 'room:全体教职工群'").fetchall()
    assert rows == [(ROOM,)]
