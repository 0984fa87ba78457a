"""End to end through a real Wechaty gateway: `unionbot run` as a subprocess,
mock teachers speaking in a mock room and in private."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gateway_harness import TOKEN, Gateway, gateway_available

pytestmark = pytest.mark.gateway
BOT = "bot-wxid"
ROOM = "20001234@chatroom"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    why = gateway_available()
    if why:
        if os.environ.get("UNIONBOT_REQUIRE_GATEWAY"):
            pytest.fail(why)
        pytest.skip(why)
    gw = Gateway()
    gw.start()
    for cid, name in (("t-li", "李老师"), ("t-wang", "王老师"), ("admin-zhao", "赵主席")):
        gw.send(op="contact", id=cid, name=name)
    gw.send(op="login", id=BOT, name="工会助手")
    gw.send(op="room", id=ROOM, topic="全体教职工群", members=["t-li", "t-wang", "admin-zhao", BOT])
    yield gw
    gw.stop()


@pytest.fixture
def bot(gateway: Gateway, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    config = tmp_path / "config.toml"
    config.write_text(f"""
[union]
id = "e2e-school"
name = "测试小学工会"
[database]
url = "sqlite:///{tmp_path}/bot.db"
[wechaty]
endpoint = "{gateway.endpoint}"
token = "{TOKEN}"
[roles]
admins = ["admin-zhao"]
[[groups]]
topic = "全体教职工群"
[schedule]
file = "{REPO}/examples/schedule.example.toml"
""", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHATY_", "UNIONBOT_"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--config", str(config)], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    # Ready when it answers a ping in private.
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        gateway.send(op="say", **{"from": "t-wang"}, text="#帮助")
        try:
            gateway.wait_bot_message(BOT, lambda m: m["listenerId"] == "t-wang", timeout=2)
            break
        except TimeoutError:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
    else:
        proc.kill()
        pytest.fail("bot did not come up: " + (proc.stdout.read() if proc.stdout else ""))
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_help_in_room_private_reply_and_chatter_ignored(gateway: Gateway, bot: subprocess.Popen[str]) -> None:
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


def test_mention_is_a_command(gateway: Gateway, bot: subprocess.Popen[str]) -> None:
    gateway.send(op="say", **{"from": "t-li"}, room=ROOM, text="@工会助手 活动安排", mention=[BOT])
    m = gateway.wait_bot_message(BOT, lambda m: m["roomId"] == ROOM and "活动安排" in m["text"])
    assert "年活动安排" in m["text"]


def test_no_self_replies_after_fifty_messages(gateway: Gateway, bot: subprocess.Popen[str]) -> None:
    start = len(gateway.bot_messages(BOT))
    for i in range(50):
        speaker = "t-li" if i % 2 else "t-wang"
        gateway.send(op="say", **{"from": speaker}, room=ROOM, text=f"#活动 {i % 12 + 1}")
    gateway.wait_bot_count(BOT, start + 50)
    time.sleep(2)  # a looping bot would keep talking to itself now
    assert len(gateway.bot_messages(BOT)) == start + 50


def test_configured_group_is_found_by_topic(gateway: Gateway, bot: subprocess.Popen[str], tmp_path: Path) -> None:
    import sqlite3

    rows = sqlite3.connect(tmp_path / "bot.db").execute(
        "SELECT value FROM setting WHERE union_id = 'e2e-school' AND key = 'room:全体教职工群'").fetchall()
    assert rows == [(ROOM,)]
