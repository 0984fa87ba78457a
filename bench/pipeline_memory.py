"""Pipeline throughput (no network, one core) and memory.

- throughput: messages/s through ``Pipeline.handle`` on SQLite, a staff-group
  mix: 70% chatter (dropped early), 20% reads, 5% private reads, 5% sign-ups.
- RSS: the real bot (`unionbot run`, python-wechaty loaded, connected to the
  test gateway) idle after start-up (goal < 150 MB); and a process that has
  loaded the same modules, before and after 100,000 messages through the
  pipeline (goal: growth within 10%).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MESSAGES = 100_000


def rss_mb(pid: str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _worker(count: int) -> dict:
    """Runs in a fresh interpreter (see run())."""
    import datetime as dt
    import gc

    from bot.app import build_app
    from bot.clock import FakeClock
    from bot.config import parse_config
    from bot.pipeline import Incoming
    from bot.wechaty_compat import load_wechaty

    load_wechaty()  # the real bot has it loaded: count it in
    tmp = tempfile.mkdtemp()
    config = parse_config({"union": {"id": "bench"}, "database": {"url": f"sqlite:///{tmp}/bench.db"},
                           "roles": {"admins": ["admin"]}, "groups": [{"topic": "全体教职工群"}],
                           "schedule": {"file": str(REPO / "examples/schedule.example.toml")}}, base_dir=REPO)
    clock = FakeClock(dt.datetime(2027, 3, 2, 2, 0, tzinfo=dt.UTC))
    app = build_app(config, clock)

    def msg(i: int, text: str, who: str, room: bool = True) -> Incoming:
        return Incoming(message_id=f"m{i}", contact_id=who, contact_name=who, text=text,
                        room_id="g@chatroom" if room else None, room_topic="全体教职工群", timestamp=clock())

    app.pipeline.handle(msg(0, "#发起报名 观影 名额=1000000", "admin"))
    # Warm up, then measure from a settled state.
    for i in range(1, 2001):
        app.pipeline.handle(msg(i, "#本月活动", f"t{i % 500}"))
    gc.collect()
    before = rss_mb()
    reads = ("#本月活动", "#活动 3", "#报名列表", "#下月活动")
    start = time.perf_counter()
    for i in range(count):
        n = 10_000 + i
        who = f"t{i % 500}"
        k = i % 20
        if k < 14:
            text, room = "今天食堂的红烧肉不错", True
        elif k < 18:
            text, room = reads[i % 4], True
        elif k == 18:
            text, room = "本月活动", False
        else:
            text, room = "#报名 1", True
            who = f"s{i}"  # every sign-up a new member: a real write
        app.pipeline.handle(msg(n, text, who, room))
    seconds = time.perf_counter() - start
    gc.collect()
    after = rss_mb()
    return {"messages": count, "seconds": round(seconds, 2), "per_second": round(count / seconds),
            "rss_before_mb": round(before, 1), "rss_after_mb": round(after, 1),
            "growth": round(after / before - 1, 3)}


def idle_bot_rss() -> float | None:
    from tests.e2e.botproc import BotProcess, write_config
    from tests.gateway_harness import Gateway, gateway_available

    if gateway_available():
        return None
    gw = Gateway()
    gw.start()
    gw.send(op="contact", id="t-wang", name="王老师")
    gw.send(op="login", id="bot-wxid", name="工会助手")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = write_config(Path(tmp) / "config.toml", gw, f"sqlite:///{tmp}/idle.db",
                                  extra=f'[schedule]\nfile = "{REPO}/examples/schedule.example.toml"\n')
            bot = BotProcess(config, Path(tmp)).start()
            try:
                bot.wait_ready(gw)
                time.sleep(3)
                assert bot.proc is not None
                return round(rss_mb(str(bot.proc.pid)), 1)
            finally:
                bot.stop()
    finally:
        gw.stop()


def run(count: int = MESSAGES) -> dict:
    res = subprocess.run([sys.executable, "-c", f"import json, bench.pipeline_memory as m; "
                          f"print(json.dumps(m._worker({count})))"],
                         capture_output=True, text=True, cwd=REPO, check=True)
    result = json.loads(res.stdout.strip().splitlines()[-1])
    result["idle_bot_rss_mb"] = idle_bot_rss()
    return result


if __name__ == "__main__":
    print(run())
