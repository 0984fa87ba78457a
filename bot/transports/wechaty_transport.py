"""WeChat through a Wechaty puppet-service gateway (python-wechaty 0.10.7, gRPC).

python-wechaty retries only while starting and then waits a fixed 60 s; a
connection dropped later is not noticed at all. We supervise it ourselves: a
heartbeat (``ding``) every few seconds, and on failure a fresh client after a
short, growing back-off (1 s, 2 s, 4 s … 30 s). The process is safe to kill
at any moment: handled message ids are in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import signal
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App, build_app
from bot.clock import SystemClock
from bot.config import Config
from bot.sender import Pacer
from bot.status import HEARTBEAT_KEY, LOGIN_KEY
from bot.transports.wechaty_bot import _quietly, make_bot, send_strict
from bot.wechaty_compat import load_wechaty

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
LOGIN_WAIT_SECONDS = 10.0  # connected, no login yet: say so
LOGIN_RECONNECT_SECONDS = 20.0  # connected, still no login: a new connection gets the login event again
NO_LOGIN = ("已连接网关 %d 秒，但没有收到登录事件：微信号还没扫码登录（看网关的二维码，或 var/login-qr.png），"
            "或网关用的 wechaty-puppet 版本过新（1.21.x 会让重启后的机器人收不到登录；请用本项目 gateway/ 里"
            "锁定 1.20.2 的网关）。消息暂不处理，要发的帖子留在发件箱。")
HEARTBEAT_TIMEOUT = 5.0
MAX_BACKOFF = 30.0
STOP_GRACE_SECONDS = 5.0


IDLE_POLL_SECONDS = 1.0


def run_wechaty(config: Config, clock: Callable[[], dt.datetime] | None = None, endpoint: str = "",
                token: str = "") -> None:
    app = build_app(config, clock or SystemClock())
    for notice in app.notices:
        log.info(notice)
    try:
        asyncio.run(Supervisor(app, endpoint or config.wechaty_endpoint, token or config.wechaty_token).run())
    finally:
        app.close()


class Supervisor:
    """Keeps a connected client, and beside it the scheduler's tick and the outbox sender."""

    def __init__(self, app: App, endpoint: str, token: str) -> None:
        self.app = app
        self.stopping = asyncio.Event()
        self.bot: Any = None  # the connected client, when there is one
        self.pacer = Pacer(app.config.sending)
        self.sender_task: asyncio.Task | None = None
        self.wechaty = load_wechaty()
        # The library reads the endpoint and token from the environment.
        os.environ["WECHATY_PUPPET_SERVICE_ENDPOINT"] = endpoint
        if token:
            os.environ["WECHATY_PUPPET_SERVICE_TOKEN"] = token
        os.environ.setdefault("WECHATY_PUPPET", "wechaty-puppet-service")

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        # APScheduler is only the clock: tick() decides nothing by itself, the
        # outbox's unique key does. Its jobs live in memory, never in a store.
        scheduler = AsyncIOScheduler(timezone=self.app.config.tz)
        scheduler.add_job(self.tick, "interval", seconds=self.app.config.reminders.tick_seconds,
                          next_run_time=dt.datetime.now(dt.UTC),
                          max_instances=1, coalesce=True, misfire_grace_time=None)
        scheduler.start()
        self.sender_task = asyncio.create_task(self.send_loop())
        try:
            await self._connect_loop(loop)
        finally:
            scheduler.shutdown(wait=False)
            await self._finish_sending()

    def tick(self) -> None:
        if not self.app.sender.ensure_leader():
            return
        try:
            self.app.housekeeping(self.app.clock())
            queued = self.app.scheduler.tick(self.app.clock())
        except Exception:
            log.exception("reminder planning failed; will try again at the next tick")
            return
        if queued:
            log.info("queued %d post(s)", queued)

    async def send_loop(self) -> None:
        """Drain the outbox while connected, one post at a time, at the configured pace.

        On SIGTERM the post in hand is finished and confirmed before the loop
        ends (the client is stopped only after), so the outbox stays consistent.
        """
        loop = asyncio.get_running_loop()
        while not self.stopping.is_set():
            wait = self.pacer.delay(loop.time())
            if wait > 0:
                await self._sleep(wait)
                continue
            bot = self.bot
            item = self.app.sender.take(self.app.clock()) if bot is not None else None
            if item is None:
                await self._sleep(IDLE_POLL_SECONDS)
                continue
            post, out = item
            try:
                await send_strict(bot, out)
            except Exception as exc:
                log.warning("post %s not sent: %s", post.id, exc)
                self.app.sender.failed(post, str(exc), self.app.clock())
                if self.bot is bot:
                    self.bot = None  # hold posts until a heartbeat says the link is back
                continue
            self.app.sender.sent(post, self.app.clock())
            self.pacer.record(loop.time())

    def _record_login(self, state: str, detail: str = "") -> None:
        """Who the bot is logged in as, or why it is not, for `unionbot status` and `doctor`."""
        try:
            self.app.services.settings.put(LOGIN_KEY, json.dumps(
                {"state": state, "detail": detail, "at": dt.datetime.now(dt.UTC).isoformat()}, ensure_ascii=False))
        except Exception as exc:  # never take the bot down for a status line
            log.debug("could not record login state: %s", exc)

    def _record_heartbeat(self) -> None:
        """For `unionbot status`, which runs in another process."""
        try:
            # Real time, not the bot's (possibly rehearsing) clock: status compares with the wall clock.
            self.app.services.settings.put(HEARTBEAT_KEY, dt.datetime.now(dt.UTC).isoformat())
        except Exception as exc:  # the status line must never take the bot down
            log.debug("could not record heartbeat: %s", exc)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)

    async def _finish_sending(self) -> None:
        task = self.sender_task
        if task is None or task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)
        if not done:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _stop_client(self, bot: Any, task: asyncio.Task) -> None:
        self.bot = None
        await _quietly(asyncio.wait_for(bot.stop(), STOP_GRACE_SECONDS))
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)
        if not done:
            # python-wechaty catches the first cancellation and sleeps 60 s before
            # "restarting"; a second one ends it.
            task.cancel()
            await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)

    async def _connect_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        backoff = 1.0
        while not self.stopping.is_set():
            bot = make_bot(self.wechaty, self.app, self)
            started = loop.time()
            task = asyncio.create_task(bot.start())
            await self._watch(bot, task)
            if self.stopping.is_set():
                await self._finish_sending()  # the post in hand goes out before the client stops
                await self._stop_client(bot, task)
                self.app.services.settings.put(HEARTBEAT_KEY, "")  # stopped on purpose: not connected
                break
            await self._stop_client(bot, task)
            backoff = 1.0 if loop.time() - started > 60 else min(backoff * 2, MAX_BACKOFF)
            why = "still no login event on this connection" if getattr(bot, "_no_login", False) else \
                "gateway connection lost"
            log.warning("%s; reconnecting in %.0f s", why, backoff)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), backoff)

    async def _watch(self, bot: Any, task: asyncio.Task) -> None:
        """Return when the connection is gone (failed heartbeats), when a connected gateway has sent no
        login for a long while (a new connection gets it again), or when we are stopping."""
        failures = 0
        loop = asyncio.get_running_loop()
        connected_at = loop.time()
        warned = False
        while not self.stopping.is_set() and not task.done():
            try:
                await asyncio.wait_for(self.stopping.wait(), HEARTBEAT_SECONDS)
                return
            except TimeoutError:
                pass
            puppet = getattr(bot, "puppet", None)
            if puppet is None or getattr(puppet, "_puppet_stub", None) is None:
                failures += 1
            else:
                try:
                    await asyncio.wait_for(puppet.ding("unionbot"), HEARTBEAT_TIMEOUT)
                    failures = 0
                    self._record_heartbeat()
                    if self.bot is None and getattr(bot, "_logged_in", False):
                        self.bot = bot
                except Exception as exc:  # any gRPC or socket failure means the link is down
                    failures += 1
                    log.info("heartbeat failed: %s", exc)
            if failures >= 2:
                return
            if failures == 0 and not getattr(bot, "_logged_in", False):
                # Since the connection, or since a logout on it.
                waited = loop.time() - max(connected_at, getattr(bot, "_login_lost_at", 0.0))
                if waited >= LOGIN_WAIT_SECONDS and not warned:
                    warned = True
                    log.warning(NO_LOGIN, int(waited))
                    self._record_login("waiting", NO_LOGIN % int(waited))
                if waited >= LOGIN_RECONNECT_SECONDS:
                    bot._no_login = True
                    return  # connect again: a new event stream gets the login event again
