"""Drive the real Node test gateway (gateway/mock-harness.mjs, or `unionbot gateway --puppet mock`) from Python tests.

The gateway is wechaty-puppet-service's PuppetServer over wechaty-puppet-mock;
we make contacts and rooms, make people speak, and read every message the
puppet sees (the bot's own included) as JSON lines.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

GATEWAY_DIR = Path(__file__).resolve().parents[1] / "gateway"
TOKEN = "insecure_test"


def gateway_available() -> str | None:
    """None when the gateway can run here, else why not."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (GATEWAY_DIR / "node_modules" / "wechaty-puppet-service").is_dir():
        return "gateway npm packages missing (run: make gateway)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gateway:
    running: ClassVar[list[Gateway]] = []  # stopped after each test, passed or failed (tests/e2e/conftest.py)

    def __init__(self, port: int | None = None, command: list[str] | None = None) -> None:
        """``command``: run this instead of the test harness (e.g. `unionbot gateway --puppet mock`),
        which speaks the same control protocol on stdin and stdout."""
        self.command = command
        self.port = port or free_port()
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.messages: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.proc: subprocess.Popen[str] | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> None:
        env = dict(os.environ, WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_SERVER="true",
                   GATEWAY_PORT=str(self.port), GATEWAY_TOKEN=TOKEN)
        self.proc = subprocess.Popen(
            self.command or ["node", str(GATEWAY_DIR / "mock-harness.mjs")], cwd=GATEWAY_DIR, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        Gateway.running.append(self)
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_event(lambda e: e.get("event") == "listening", timeout)

    def _read(self) -> None:
        assert self.proc and self.proc.stdout
        for line in self.proc.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if event.get("event") == "message":
                event["recv_at"] = time.perf_counter()
                with self._lock:
                    self.messages.append(event)
            self.events.put(event)

    def send(self, **cmd: Any) -> float:
        """Returns when the command was handed to the gateway (perf_counter), for round-trip timing."""
        assert self.proc and self.proc.stdin
        self.proc.stdin.write(json.dumps(cmd, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        return time.perf_counter()

    def wait_event(self, pred: Any, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if pred(event):
                return event
        raise TimeoutError("gateway event not seen")

    def bot_messages(self, bot_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.messages if m["talkerId"] == bot_id]

    def wait_bot_message(self, bot_id: str, pred: Any, timeout: float = 60, after: int = 0) -> dict[str, Any]:
        """The first message the bot sent (from index ``after`` on) that ``pred`` accepts."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.bot_messages(bot_id)[after:]:
                if pred(m):
                    return m
            time.sleep(0.05)
        raise TimeoutError(f"bot never sent a matching message; it sent: {self.bot_messages(bot_id)[-5:]}")

    def wait_bot_count(self, bot_id: str, count: int, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.bot_messages(bot_id)) < count:
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # `unionbot gateway` passes it on to node
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    @classmethod
    def stop_all(cls) -> None:
        while cls.running:
            cls.running.pop().stop()


def wait_until(pred: Any, timeout: float = 90) -> bool:
    # The timeouts of these waits only bound how long a failing test takes: generous, so that a loaded machine
    # (CI on two busy cores) never fails one. What a test claims is in its assertions, not in a timeout.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False
