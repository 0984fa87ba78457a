"""Round trips through the real Wechaty gateway, as a ratio to a bare echo bot
measured in the same run (goals at p50: read <= 1.3x, #报名 write <= 1.5x, issue 25).

A round trip: a mock teacher's message handed to the gateway -> the bot's
reply seen by the gateway. The echo bot sends through the same puppet call
unionbot uses, so the ratio is unionbot's own work.

Both bots run at once, each logged in to its own gateway, and the rounds
alternate (echo, unionbot, echo, unionbot …): a machine that speeds up or
slows down during the run weighs on both sides alike. Between rounds both
bots are left to settle (each also receives its own reply as an event), so
no round pays for the one before it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.e2e.botproc import BOT, REPO, BotProcess, write_config
from tests.gateway_harness import TOKEN, Gateway, gateway_available

ROOM = "20009999@chatroom"
ROUNDS = 200
SETTLE_SECONDS = 0.004


def _round_trip(gw: Gateway, speaker: str, text: str, timeout: float = 10) -> float:
    before = len(gw.messages)
    sent = gw.send(op="say", **{"from": speaker}, room=ROOM, text=text)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for m in gw.messages[before:]:
            if m["talkerId"] == BOT and m["roomId"] == ROOM:
                return m["recv_at"] - sent
        time.sleep(0.0001)
    raise TimeoutError(f"no reply to {text!r}")


def _p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _populate(gw: Gateway, teachers: list[str]) -> None:
    for t in [*teachers, "admin-zhao", "t-wang"]:
        gw.send(op="contact", id=t, name=t)
    gw.send(op="login", id=BOT, name="工会助手")
    gw.send(op="room", id=ROOM, topic="全体教职工群", members=[*teachers, "admin-zhao", "t-wang", BOT])


def _start_echo(gw: Gateway) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHATY_", "UNIONBOT_"))}
    env.update(WECHATY_PUPPET="wechaty-puppet-service", WECHATY_PUPPET_SERVICE_ENDPOINT=gw.endpoint,
               WECHATY_PUPPET_SERVICE_TOKEN=TOKEN)
    return subprocess.Popen([sys.executable, "-m", "bench.echo_bot"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_answering(gw: Gateway, speaker: str, alive: Callable[[], bool], timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _round_trip(gw, speaker, "#帮助", timeout=2)
            return
        except TimeoutError:
            if time.monotonic() > deadline or not alive():
                raise


def _alternate(echo_gw: Gateway, bot_gw: Gateway, speakers: list[str], text: str,
               rounds: int) -> tuple[list[float], list[float]]:
    echo: list[float] = []
    ours: list[float] = []
    for i in range(rounds):
        who = speakers[i % len(speakers)]
        pairs = ((echo_gw, echo), (bot_gw, ours))
        for gw, samples in pairs if i % 2 == 0 else reversed(pairs):
            samples.append(_round_trip(gw, who, text))
            time.sleep(SETTLE_SECONDS)
    return echo, ours


def run(rounds: int = ROUNDS) -> dict:
    why = gateway_available()
    if why:
        return {"skipped": why}
    teachers = [f"t{i:03d}" for i in range(rounds + 5)]  # each #报名 from someone new: a real write
    echo_gw, bot_gw = Gateway(), Gateway()
    echo_proc = None
    try:
        for gw in (echo_gw, bot_gw):
            gw.start()
            _populate(gw, teachers)
        echo_proc = _start_echo(echo_gw)
        with tempfile.TemporaryDirectory() as tmp:
            config = write_config(Path(tmp) / "config.toml", bot_gw, f"sqlite:///{tmp}/bench.db",
                                  extra=f'[schedule]\nfile = "{REPO}/examples/schedule.example.toml"\n')
            bot = BotProcess(config, Path(tmp), now="2027-03-02 10:00").start()
            try:
                bot.wait_ready(bot_gw)
                _wait_answering(echo_gw, teachers[0], lambda: echo_proc.poll() is None)
                # Warm up, and let every teacher be known to both already, as the
                # members of a running union are: the measured reads are reads.
                for t in teachers:
                    _round_trip(bot_gw, t, "#活动 1")
                    _round_trip(echo_gw, t, "#活动 1")
                echo_r, read = _alternate(echo_gw, bot_gw, teachers, "#本月活动", rounds)
                _round_trip(bot_gw, "admin-zhao", "#发起报名 羽毛球赛 名额=1000")
                echo_w, write = _alternate(echo_gw, bot_gw, teachers, "#报名 1", rounds)
            finally:
                bot.stop()
    finally:
        if echo_proc is not None:
            echo_proc.terminate()
            echo_proc.wait(timeout=10)
        echo_gw.stop()
        bot_gw.stop()
    echo = echo_r + echo_w
    return {"echo_ms": round(_p50(echo), 2), "read_ms": round(_p50(read), 2), "write_ms": round(_p50(write), 2),
            "read_ratio": round(_p50(read) / _p50(echo_r), 2), "write_ratio": round(_p50(write) / _p50(echo_w), 2)}


if __name__ == "__main__":
    r = run()
    print(r)
