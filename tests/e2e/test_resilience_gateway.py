"""Dropped gateways, SIGKILL and SIGTERM: the bot reconnects by itself, delivers
what fell due meanwhile once, loses no acknowledged write, and stops cleanly."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.botproc import BOT, REPO, BotProcess, write_config
from tests.e2e.conftest import ROOM, TEACHERS, add_rooms, populate
from tests.gateway_harness import Gateway, wait_until

pytestmark = pytest.mark.gateway
FAST = """
[reminders]
tick_seconds = 1
[sending]
min_interval_seconds = 0.2
max_interval_seconds = 0.25
per_minute = 1000
"""


def cli_json(config: Path, *args: str) -> dict:
    res = subprocess.run([sys.executable, "-m", "bot.cli", *args, "--json", "--config", str(config)],
                         capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)



def bot_ready_before_the_digest(gateway: Gateway, tmp_path: Path) -> tuple[BotProcess, Path, float]:
    """A bot whose clock starts ``lead`` s before the March digest (2027-03-01 08:00), ready and connected, with the
    gateway stopped before the digest is due on the bot's clock. Returns the bot, its config and when the digest
    is due at the latest (time.monotonic()).

    The bot's clock starts after ``started`` (so it reads at most 07:59:xx + (now - started)), and it answered
    before ``ready`` (its clock ran by then: a lower bound). A bot too slow to get ready for the lead (a loaded
    machine) could see the digest fall due while the gateway is still up: it is stopped, and the run starts
    again with twice the lead, on a fresh database. A quiet machine needs one attempt of 30 s."""
    due = dt.datetime(2027, 3, 1, 8, 0)
    for attempt, lead in enumerate((30, 60, 120, 240)):
        config = write_config(tmp_path / f"config{attempt}.toml", gateway, f"sqlite:///{tmp_path}/bot{attempt}.db",
                              extra=FAST + f'[schedule]\nfile = "{REPO}/examples/schedule.example.toml"\n')
        now = (due - dt.timedelta(seconds=lead)).strftime("%Y-%m-%d %H:%M:%S")
        started = time.monotonic()
        bot = BotProcess(config, tmp_path, now=now).start()
        try:
            bot.wait_ready(gateway, timeout=lead - 15)  # 15 s for the status call and the gateway's stop
        except TimeoutError:
            bot.stop()
            continue
        assert cli_json(config, "status")["connected"] is True
        ready = time.monotonic()
        if ready - started < lead - 5:
            gateway.stop()
            if time.monotonic() - started < lead:  # stopped before 08:00 on the bot's clock
                return bot, config, ready + lead
            gateway.start()  # too late after all: the same port, a fresh mock world, and another attempt
            populate(gateway)
        bot.stop()
    raise AssertionError("the bot was never ready in time, even with a 240 s lead")


def test_gateway_dropped_and_restored(gateway: Gateway, tmp_path: Path) -> None:
    port = gateway.port
    bot, config, due_by = bot_ready_before_the_digest(gateway, tmp_path)
    try:
        # The digest falls due at 08:00 while the gateway is away: queued, not sent.
        time.sleep(max(0.0, due_by + 2 - time.monotonic()))
        assert wait_until(lambda: cli_json(config, "status")["outbox"]["pending"] == 1, timeout=90)
        restored = Gateway(port)  # the same port, a fresh mock world
        try:
            restored.start()
            populate(restored)
            m = restored.wait_bot_message(BOT, lambda m: m["roomId"] == ROOM and "【3月工会活动】" in m["text"], timeout=120)
            assert m
            restored.send(op="say", **{"from": "t-li"}, room=ROOM, text="#本月活动")
            restored.wait_bot_message(BOT, lambda m: m["roomId"] == ROOM and "本月活动（" in m["text"], timeout=90)
            time.sleep(2)
            digests = [m for m in restored.bot_messages(BOT) if "【3月工会活动】" in m["text"]]
            assert len(digests) == 1
            assert cli_json(config, "status")["connected"] is True
        finally:
            restored.stop()
    finally:
        bot.stop()


def test_sigkill_loses_no_acknowledged_write(gateway: Gateway, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", gateway, f"sqlite:///{tmp_path}/bot.db", extra=FAST)
    bot = BotProcess(config, tmp_path).start()
    bot.wait_ready(gateway)
    gateway.send(op="say", **{"from": "admin-zhao"}, room=ROOM, text="#发起报名 春季踏青 名额=8")
    gateway.wait_bot_message(BOT, lambda m: "已发起报名【1】" in m["text"])
    rng = random.Random(20271)
    people = list(TEACHERS)
    # Kill points: somewhere at random; just after a proposal is acknowledged; just
    # after the first sign-up of a batch is acknowledged (so the check below is never empty).
    acks = (None, lambda m: "已提交提案" in m["text"], lambda m: re.search("报名成功|已进入候补", m["text"]))
    for round_, ack in enumerate(acks):
        batch, people = people[:6], people[6:]
        before = len(gateway.bot_messages(BOT))
        for cid, _ in batch:
            gateway.send(op="say", **{"from": cid}, room=ROOM, text="#报名 1")
        proposer = batch[0][0]
        gateway.send(op="say", **{"from": proposer}, text=f"#提案 第{round_}号提案｜案由{round_}｜建议{round_}")
        gateway.send(op="say", **{"from": proposer}, text="#提交")
        if ack is None:
            time.sleep(rng.uniform(0.005, 0.08))
        else:
            gateway.wait_bot_message(BOT, ack, timeout=90, after=before)
        bot.kill()
        bot = BotProcess(config, tmp_path).start()
        bot.wait_ready(gateway)
    try:
        texts = [m["text"] for m in gateway.bot_messages(BOT)]
        acked = {m.group(1) for t in texts if (m := re.search(r"✓ (老师\d\d) 报名成功", t))}
        acked |= {m.group(1) for t in texts if (m := re.search(r"，(老师\d\d) 已进入候补", t))}
        listed = cli_json(config, "signup", "list", "1")
        stored = {p["name"] for p in listed["confirmed"] + listed["waitlist"]}
        assert acked and acked <= stored, (acked, stored)
        submitted = {m.group(1) for t in texts if (m := re.search(r"已提交提案 (\d{4}-\d{3})", t))}
        codes = {p["code"] for p in cli_json(config, "proposals", "list")["proposals"]}
        assert submitted and submitted <= codes, (submitted, codes)
        assert len(listed["confirmed"]) <= 8
    finally:
        bot.stop()


def test_sigterm_finishes_the_post_in_hand(gateway: Gateway, tmp_path: Path) -> None:
    rooms = add_rooms(gateway, 20)
    config = write_config(tmp_path / "config.toml", gateway, f"sqlite:///{tmp_path}/bot.db", extra=FAST,
                          groups=tuple(topic for _, topic in rooms))
    bot = BotProcess(config, tmp_path).start()
    bot.wait_ready(gateway)
    gateway.send(op="say", **{"from": "admin-zhao"}, text="#发送通知 下周一升旗仪式")

    def sent() -> Counter[str]:
        return Counter(m["roomId"] for m in gateway.bot_messages(BOT) if "升旗仪式" in m["text"] and m["roomId"])

    assert wait_until(lambda: sum(sent().values()) >= 5)
    assert bot.proc is not None
    bot.proc.terminate()
    bot.proc.wait(timeout=90)
    db = sqlite3.connect(tmp_path / "bot.db")
    states = dict(db.execute("SELECT status, count(*) FROM outbox WHERE kind = 'notice' GROUP BY status").fetchall())
    db.close()
    assert "sending" not in states
    assert states.get("sent", 0) == sum(sent().values()) < 20
    assert cli_json(config, "status")["connected"] is False

    bot = BotProcess(config, tmp_path).start()
    try:
        bot.wait_ready(gateway)
        assert wait_until(lambda: len(sent()) == 20)
        time.sleep(1)
        assert set(sent().values()) == {1}
    finally:
        bot.stop()
