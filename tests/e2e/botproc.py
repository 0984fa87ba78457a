"""`unionbot run` as a subprocess against the test gateway: write its config,
start it, wait until it answers, kill it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.gateway_harness import TOKEN, Gateway

REPO = Path(__file__).resolve().parents[2]
BOT = "bot-wxid"


def write_config(path: Path, gateway: Gateway, db_url: str, extra: str = "", union_id: str = "e2e-school",
                 groups: tuple[str, ...] = ("全体教职工群",)) -> Path:
    group_tables = "".join(f'[[groups]]\ntopic = "{g}"\n' for g in groups)
    path.write_text(f"""
[union]
id = "{union_id}"
name = "测试小学工会"
[database]
url = "{db_url}"
[wechaty]
endpoint = "{gateway.endpoint}"
token = "{TOKEN}"
[roles]
admins = ["admin-zhao"]
{group_tables}
{extra}
""", encoding="utf-8")
    return path


class BotProcess:
    def __init__(self, config: Path, cwd: Path, now: str | None = None) -> None:
        self.config = config
        self.cwd = cwd
        self.now = now
        self.proc: subprocess.Popen[str] | None = None
        self.log = cwd / f"bot-{config.stem}.log"

    def start(self) -> BotProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHATY_", "UNIONBOT_"))}
        args = [sys.executable, "-m", "bot.cli", "run", "--config", str(self.config)]
        if self.now:
            args += ["--now", self.now]
        with open(self.log, "a", encoding="utf-8") as log:
            self.proc = subprocess.Popen(args, cwd=self.cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         text=True)
        return self

    def wait_ready(self, gateway: Gateway, asker: str = "t-wang", timeout: float = 40) -> None:
        """Ready when it answers a #帮助 in private."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = len(gateway.bot_messages(BOT))
            gateway.send(op="say", **{"from": asker}, text="#帮助")
            try:
                gateway.wait_bot_message(BOT, lambda m: m["listenerId"] == asker, timeout=2, after=before)
                return
            except TimeoutError:
                assert self.proc is not None and self.proc.poll() is None, self.output()
        raise TimeoutError("bot did not come up: " + self.output())

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
