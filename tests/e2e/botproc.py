"""`unionbot run` as a subprocess against the test gateway: write its config,
start it, wait until it answers, kill it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

from tests.gateway_harness import TOKEN, Gateway

REPO = Path(__file__).resolve().parents[2]
BOT = "bot-wxid"


# No test may depend on the hour it runs at: quiet hours (21:30-07:30 by default) would hold
# the posts e2e tests wait for whenever the suite runs at night. Tests of quiet hours set them,
# and the clock, themselves.
NO_QUIET_HOURS = "00:00-00:00"


def write_config(path: Path, gateway: Gateway, db_url: str, extra: str = "", union_id: str = "e2e-school",
                 groups: tuple[str, ...] = ("全体教职工群",), quiet_hours: str = NO_QUIET_HOURS) -> Path:
    group_tables = "".join(f'[[groups]]\ntopic = "{g}"\n' for g in groups)
    extra = with_quiet_hours(extra, quiet_hours)
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


def with_quiet_hours(extra: str, quiet_hours: str) -> str:
    """``extra`` with ``[reminders] quiet_hours`` set (into its own [reminders] table when it has one)."""
    line = f'quiet_hours = "{quiet_hours}"\n'
    if re.search(r"^\[reminders\]\s*$", extra, flags=re.M):
        return re.sub(r"^\[reminders\]\s*\n", lambda m: m.group(0) + line, extra, count=1, flags=re.M)
    return extra + "\n[reminders]\n" + line


class BotProcess:
    running: ClassVar[list[BotProcess]] = []  # stopped after each test, passed or failed (tests/e2e/conftest.py)

    def __init__(self, config: Path, cwd: Path, now: str | None = None) -> None:
        self.config = config
        self.cwd = cwd
        self.now = now
        self.proc: subprocess.Popen[str] | None = None
        self.log = cwd / f"bot-{config.stem}.log"
        self.log_start = 0  # where this run's lines begin (a restart appends to the same log)

    def start(self) -> BotProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHATY_", "UNIONBOT_"))}
        args = [sys.executable, "-m", "bot.cli", "run", "--config", str(self.config)]
        if self.now:
            args += ["--now", self.now]
        self.log_start = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "a", encoding="utf-8") as log:
            self.proc = subprocess.Popen(args, cwd=self.cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         text=True)
        BotProcess.running.append(self)
        return self

    # What this run logs once it reads messages (bot/transports/wechaty_bot.py, on_login).
    READY_LINE = "logged in as "

    def wait_connected(self, deadline: float) -> None:
        """Until this run logged READY_LINE. Asking before then would be pointless (a message said before the
        bot listens is lost) and harmful: every ask a slow bot reads later gets its own late answer, which a
        test counting the bot's messages would count."""
        while self.READY_LINE not in self.run_output():
            assert self.proc is not None and self.proc.poll() is None, self.output()
            if time.monotonic() > deadline:
                raise TimeoutError("bot never said it was connected: " + self.output())
            time.sleep(0.05)

    def run_output(self) -> str:
        """This run's log (the file may hold earlier runs' lines)."""
        if not self.log.exists():
            return ""
        return self.log.read_bytes()[self.log_start:].decode("utf-8", errors="replace")

    def wait_ready(self, gateway: Gateway, asker: str = "t-wang", timeout: float = 120) -> None:
        """Ready when it answers a #帮助 in private, asked once it is connected (asked again only when no answer
        comes for a long while: a logout in between, say)."""
        deadline = time.monotonic() + timeout
        self.wait_connected(deadline)
        patience = 15.0
        while time.monotonic() < deadline:
            before = len(gateway.bot_messages(BOT))
            gateway.send(op="say", **{"from": asker}, text="#帮助")
            try:
                gateway.wait_bot_message(BOT, lambda m: m["listenerId"] == asker, timeout=patience, after=before)
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

    @classmethod
    def stop_all(cls) -> None:
        """Every bot a test started and left running: none outlives its test."""
        while cls.running:
            bot = cls.running.pop()
            try:
                bot.stop()
            except (OSError, subprocess.SubprocessError):
                bot.kill()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
