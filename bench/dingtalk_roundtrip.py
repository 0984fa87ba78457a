"""Round trips through the fake DingTalk, as a ratio to an echo robot written with the SDK alone
(bench/dingtalk_echo.py), measured in the same run.

A round trip: a teacher's @-message in the staff group pushed by the fake over the stream -> the robot's
reply received on the message's sessionWebhook (the fake stamps both). Each robot has a fake of its own (a
fake gives each message to one of the app's connections, and the two must not share), and the rounds
alternate (echo, unionbot, unionbot, echo …) so a machine that speeds up or slows down weighs on both alike.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.botproc import REPO
from tests.e2e.dingtalk_bot import DingTalkBot, populate, write_config
from tests.fake_dingtalk import CLIENT_ID, CLIENT_SECRET, FakeDingTalk

ROUNDS = 100
# Between rounds: unionbot's client keeps to DingTalk's 20 calls a second per app (bot/dingtalk/api.py,
# RateLimiter), which back-to-back rounds would exceed; the echo robot keeps to nothing. Rounds far enough
# apart measure a message's own latency, not the limiter.
SETTLE_SECONDS = 0.06
GROUP = "全体教职工群"


def _round_trip(fake: FakeDingTalk, cid: str, speaker: str, text: str, timeout: float = 10) -> float:
    before = len(fake.sent())
    sent_at = time.time()
    fake.say(speaker, text, group=cid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for s in fake.sent()[before:]:
            if s["to"] == cid:
                return s["at"] - sent_at
        time.sleep(0.0005)
    raise TimeoutError(f"no reply to {text!r}")


def _p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _alternate(pairs: list[tuple[FakeDingTalk, str, list[float]]], speakers: list[str], text: str,
               rounds: int) -> None:
    for i in range(rounds):
        for fake, cid, samples in pairs if i % 2 == 0 else reversed(pairs):
            samples.append(_round_trip(fake, cid, speakers[i % len(speakers)], text))
            time.sleep(SETTLE_SECONDS)


def run(rounds: int = ROUNDS) -> dict:
    echo_fake, bot_fake = FakeDingTalk(ping_interval=10).start(), FakeDingTalk(ping_interval=10).start()
    echo_proc = None
    teachers = [f"t{i:03d}" for i in range(rounds + 5)]  # each #报名 from someone new: a real write
    try:
        for fake in (echo_fake, bot_fake):
            populate(fake)
            for t in teachers:
                fake.add_user(t, f"老师{t}")
        echo_cid, bot_cid = echo_fake.add_group(GROUP), bot_fake.add_group(GROUP)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UNIONBOT_", "DINGTALK_"))}
        env.update(DINGTALK_OPENAPI_ENDPOINT=echo_fake.base, DINGTALK_CLIENT_ID=CLIENT_ID,
                   DINGTALK_CLIENT_SECRET=CLIENT_SECRET)
        echo_proc = subprocess.Popen([sys.executable, "-m", "bench.dingtalk_echo"], cwd=REPO, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with tempfile.TemporaryDirectory() as tmp:
            config = write_config(Path(tmp) / "config.toml", bot_fake, f"sqlite:///{tmp}/bench.db",
                                  extra=f'[schedule]\nfile = "{REPO}/examples/schedule.example.toml"\n')
            bot = DingTalkBot(config, Path(tmp), now="2027-03-02 10:00").start()
            try:
                bot.wait_ready(bot_fake)
                while echo_fake.open_connections() == 0:
                    if echo_proc.poll() is not None:
                        raise RuntimeError("the echo robot exited")
                    time.sleep(0.05)
                # Warm up: every teacher known to the bot already, as in a running union.
                for t in teachers:
                    _round_trip(bot_fake, bot_cid, t, "#活动 1")
                    _round_trip(echo_fake, echo_cid, t, "#活动 1")
                echo_r: list[float] = []
                read: list[float] = []
                _alternate([(echo_fake, echo_cid, echo_r), (bot_fake, bot_cid, read)], teachers, "#本月活动", rounds)
                _round_trip(bot_fake, bot_cid, "admin-zhao", "#发起报名 羽毛球赛 名额=1000")
                echo_w: list[float] = []
                write: list[float] = []
                _alternate([(echo_fake, echo_cid, echo_w), (bot_fake, bot_cid, write)], teachers, "#报名 1", rounds)
            finally:
                bot.stop()
    finally:
        if echo_proc is not None:
            echo_proc.terminate()
            echo_proc.wait(timeout=10)
        echo_fake.stop()
        bot_fake.stop()
    return {"echo_ms": round(_p50(echo_r + echo_w), 2), "read_ms": round(_p50(read), 2),
            "write_ms": round(_p50(write), 2), "read_ratio": round(_p50(read) / _p50(echo_r), 2),
            "write_ratio": round(_p50(write) / _p50(echo_w), 2), "rounds": rounds}


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS))
