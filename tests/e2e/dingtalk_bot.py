"""`unionbot run` as a subprocess against the fake DingTalk (tests/fake_dingtalk.py): its config, start, ready."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.botproc import NO_QUIET_HOURS, BotProcess, with_quiet_hours
from tests.fake_dingtalk import CLIENT_ID, CLIENT_SECRET, FakeDingTalk

STAFF = [("admin-zhao", "赵主席"), ("t-li", "李老师"), ("t-wang", "王老师"),
         *[(f"t-{i:02d}", f"老师{i:02d}") for i in range(1, 13)]]
FAST = """
[reminders]
tick_seconds = 1
[sending]
min_interval_seconds = 0.1
max_interval_seconds = 0.15
per_minute = 1000
"""


def write_config(path: Path, fake: FakeDingTalk, db_url: str, extra: str = FAST,
                 groups: tuple[str, ...] = ("全体教职工群",), quiet_hours: str = NO_QUIET_HOURS,
                 secret: str = CLIENT_SECRET, union_id: str = "dt-school") -> Path:
    group_tables = "".join(f'[[groups]]\ntopic = "{g}"\n' for g in groups)
    path.write_text(f"""
[union]
id = "{union_id}"
name = "测试小学工会"
[database]
url = "{db_url}"
[dingtalk]
client_id = "{CLIENT_ID}"
client_secret = "{secret}"
api_base = "{fake.base}"
oapi_base = "{fake.base}"
[roles]
admins = ["admin-zhao"]
{group_tables}
{with_quiet_hours(extra, quiet_hours)}
""", encoding="utf-8")
    return path


class DingTalkBot(BotProcess):
    """A bot process with extra environment (e.g. a shorter idle watchdog for a test)."""

    def __init__(self, config: Path, cwd: Path, now: str | None = None, env: dict[str, str] | None = None) -> None:
        super().__init__(config, cwd, now)
        self.env = env or {}

    def start(self) -> DingTalkBot:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("WECHATY_", "UNIONBOT_", "DINGTALK_"))} | self.env
        args = [sys.executable, "-m", "bot.cli", "run", "--config", str(self.config)]
        if self.now:
            args += ["--now", self.now]
        self.log_start = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "a", encoding="utf-8") as log:
            self.proc = subprocess.Popen(args, cwd=self.cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         text=True)
        BotProcess.running.append(self)
        return self

    READY_LINE = "DingTalk stream connected"  # bot/transports/dingtalk_stream.py, once a stream is open

    def wait_ready(self, fake: FakeDingTalk, asker: str = "t-wang", timeout: float = 120) -> None:  # type: ignore[override]
        """Ready when it answers a #帮助 in private, asked once its stream is open (as BotProcess.wait_ready)."""
        deadline = time.monotonic() + timeout
        self.wait_connected(deadline)
        patience = 15.0
        while time.monotonic() < deadline:
            before = len(fake.sent())
            fake.say(asker, "#帮助")
            try:
                fake.wait_sent(lambda s: s["to"] in (f"private:{asker}", [asker]), timeout=patience, after=before)
                return
            except TimeoutError:
                assert self.proc is not None and self.proc.poll() is None, self.output()
        raise TimeoutError("bot did not come up: " + self.output())


def populate(fake: FakeDingTalk) -> FakeDingTalk:
    fake.add_department(2, "语文组")
    for userid, name in STAFF:
        fake.add_user(userid, name, dept_id=2 if userid.startswith("t-") else 1)
    return fake


@pytest.fixture(name="fake")
def fake_fixture() -> Iterator[FakeDingTalk]:
    """The fake DingTalk with the staff in its directory (import ``fake_fixture`` to use ``fake``)."""
    f = populate(FakeDingTalk(ping_interval=2.0).start())
    yield f
    f.stop()


def texts_to(fake: FakeDingTalk, to: str | list[str], marker: str = "") -> list[str]:
    return [s["text"] for s in fake.sent() if s["to"] == to and marker in s["text"]]
