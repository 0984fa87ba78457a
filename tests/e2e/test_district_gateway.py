"""District mode: three unions, each with its own WeChat account (gateway) and
config, on one PostgreSQL database. Each keeps its own numbers, leader lock and
data; nothing of one is visible to another."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.botproc import BOT, REPO, BotProcess, write_config
from tests.e2e.conftest import ROOM, populate, require_gateway
from tests.gateway_harness import Gateway

pytestmark = pytest.mark.gateway
SCHOOLS = ("east", "west", "north")
FAST = "[reminders]\ntick_seconds = 1\n[sending]\nmin_interval_seconds = 0.1\nmax_interval_seconds = 0.15\n"


@pytest.fixture
def district(tmp_path: Path, pg_url: str) -> Iterator[dict[str, tuple[Gateway, BotProcess, Path]]]:
    require_gateway()
    started: dict[str, tuple[Gateway, BotProcess, Path]] = {}
    try:
        for school in SCHOOLS:
            gw = Gateway()
            gw.start()
            populate(gw)
            home = tmp_path / school
            home.mkdir()
            config = write_config(home / "config.toml", gw, pg_url, extra=FAST, union_id=f"school-{school}")
            started[school] = (gw, BotProcess(config, home).start(), config)
        for gw, bot, _ in started.values():
            bot.wait_ready(gw)
        yield started
    finally:
        for gw, bot, _ in started.values():
            bot.stop()
            gw.stop()


def test_three_unions_on_one_database_stay_apart(district: dict[str, tuple[Gateway, BotProcess, Path]]) -> None:
    for school, (gw, _, _) in district.items():
        gw.send(op="say", **{"from": "admin-zhao"}, room=ROOM, text=f"#发起报名 {school}校羽毛球赛 名额=5")
    for school, (gw, _, _) in district.items():
        # Each union's notice, sent by its own leader, only in its own account's room.
        notice = gw.wait_bot_message(BOT, lambda m: "【报名通知】" in m["text"], timeout=90)
        assert f"{school}校羽毛球赛（报名编号 1）" in notice["text"]
        gw.send(op="say", **{"from": "t-li"}, room=ROOM, text="#报名 1")
        gw.wait_bot_message(BOT, lambda m, s=school: "报名成功" in m["text"] and f"{s}校" in m["text"])
        before = len(gw.bot_messages(BOT))
        gw.send(op="say", **{"from": "t-wang"}, text="#报名列表")
        listing = gw.wait_bot_message(BOT, lambda m: m["listenerId"] == "t-wang", after=before)["text"]
        assert f"{school}校" in listing and all(f"{other}校" not in listing for other in SCHOOLS if other != school)
    for school, (_, _, config) in district.items():
        res = subprocess.run([sys.executable, "-m", "bot.cli", "signup", "list", "1", "--json", "--config", str(config)],
                             capture_output=True, text=True, cwd=REPO)
        data = json.loads(res.stdout)
        assert data["event"]["title"] == f"{school}校羽毛球赛"
        assert [p["name"] for p in data["confirmed"]] == ["李老师"]
        status = subprocess.run([sys.executable, "-m", "bot.cli", "status", "--json", "--config", str(config)],
                                capture_output=True, text=True, cwd=REPO)
        st = json.loads(status.stdout)
        assert st["union"] == f"school-{school}" and st["connected"] is True
        # Its own notice; and its own coalesced list post if a list interval ended during the test.
        assert 1 <= st["outbox"]["sent"] <= 2 and st["database"] == "postgresql"
