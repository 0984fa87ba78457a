"""Round trips through the real Wechaty gateway, as a ratio to a bare echo bot
measured in the same run (goals at p50: read <= 1.3x, #报名 write <= 2x).

A round trip: a mock teacher's message handed to the gateway -> the bot's
reply seen by the gateway. The echo bot sends through the same puppet call
unionbot uses, so the ratio is unionbot's own work.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.botproc import BOT, REPO, BotProcess, write_config
from tests.gateway_harness import TOKEN, Gateway, gateway_available

ROOM = "20009999@chatroom"
ROUNDS = 100


def _round_trip(gw: Gateway, speaker: str, text: str, timeout: float = 10) -> float:
    before = len(gw.bot_messages(BOT))
    sent = gw.send(op="say", **{"from": speaker}, room=ROOM, text=text)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = [m for m in gw.bot_messages(BOT)[before:] if m["roomId"] == ROOM]
        if new:
            return new[0]["recv_at"] - sent
        time.sleep(0.0002)
    raise TimeoutError(f"no reply to {text!r}")


def _p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run(rounds: int = ROUNDS) -> dict:
    why = gateway_available()
    if why:
        return {"skipped": why}
    gw = Gateway()
    gw.start()
    teachers = [f"t{i:03d}" for i in range(rounds + 5)]  # each #报名 from someone new: a real write
    for t in [*teachers, "admin-zhao", "t-wang"]:
        gw.send(op="contact", id=t, name=t)
    gw.send(op="login", id=BOT, name="工会助手")
    gw.send(op="room", id=ROOM, topic="全体教职工群", members=[*teachers, "admin-zhao", "t-wang", BOT])
    try:
        # The baseline before and after, so drift during the run weighs on both sides alike.
        echo = _echo_round_trips(gw, teachers, rounds // 2)
        with tempfile.TemporaryDirectory() as tmp:
            config = write_config(Path(tmp) / "config.toml", gw, f"sqlite:///{tmp}/bench.db",
                                  extra=f'[schedule]\nfile = "{REPO}/examples/schedule.example.toml"\n')
            bot = BotProcess(config, Path(tmp), now="2027-03-02 10:00").start()
            try:
                bot.wait_ready(gw)
                # Warm up, and let every teacher be known already, as members of a
                # running union are: the measured reads are reads.
                for t in teachers:
                    _round_trip(gw, t, "#活动 1")
                read = [_round_trip(gw, teachers[i % len(teachers)], "#本月活动") for i in range(rounds)]
                _round_trip(gw, "admin-zhao", "#发起报名 羽毛球赛 名额=1000")
                write = [_round_trip(gw, teachers[i % len(teachers)], "#报名 1") for i in range(rounds)]
            finally:
                bot.stop()
        echo += _echo_round_trips(gw, teachers, rounds - rounds // 2)
    finally:
        gw.stop()
    return {"echo_ms": round(_p50(echo), 2), "read_ms": round(_p50(read), 2), "write_ms": round(_p50(write), 2),
            "read_ratio": round(_p50(read) / _p50(echo), 2), "write_ratio": round(_p50(write) / _p50(echo), 2)}


def _echo_round_trips(gw: Gateway, teachers: list[str], rounds: int) -> list[float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHATY_", "UNIONBOT_"))}
    env.update(WECHATY_PUPPET="wechaty-puppet-service", WECHATY_PUPPET_SERVICE_ENDPOINT=gw.endpoint,
               WECHATY_PUPPET_SERVICE_TOKEN=TOKEN)
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen([sys.executable, "-m", "bench.echo_bot"], cwd=REPO, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        del tmp
        try:
            deadline = time.monotonic() + 40
            while True:
                try:
                    _round_trip(gw, teachers[0], "ping", timeout=2)
                    break
                except TimeoutError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise
            for t in teachers:  # the same warm-up as unionbot gets: every contact known
                _round_trip(gw, t, "warm up")
            return [_round_trip(gw, teachers[i % len(teachers)], "#本月活动") for i in range(rounds)]
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    r = run()
    print(r)
