"""What every long-running platform transport does besides talking to its platform: the scheduler's tick,
the outbox drained at the configured pace by the leader, incoming messages through the pipeline with their
replies sent (or kept in the outbox when they cannot be), and a clean stop on SIGTERM.

A platform (``bot.transports.Platform``) supplies only the platform side; see bot/transports/__init__.py.
The Wechaty transport predates this and keeps its own copy of the same loop (wechaty_transport.Supervisor).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import signal
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App
from bot.pipeline import Incoming, Outgoing
from bot.sender import Pacer
from bot.status import HEARTBEAT_KEY, LOGIN_KEY

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 1.0
STOP_GRACE_SECONDS = 5.0
HEARTBEAT_EVERY = 5.0  # seconds between heartbeat writes (status compares with 20 s)
THROTTLE_MAX_SECONDS = 60.0


class Runner:
    def __init__(self, app: App, platform: Any) -> None:
        self.app = app
        self.platform = platform
        self.stopping = asyncio.Event()
        self.pacer = Pacer(app.config.sending)
        self.sender_task: asyncio.Task | None = None
        self._beat_at = 0.0
        self.throttled = 0  # throttled sends in a row
        self._replies: set[asyncio.Task] = set()  # replies being sent (kept referenced until done)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        # APScheduler is only the clock: tick() decides nothing by itself, the outbox's unique key does.
        scheduler = AsyncIOScheduler(timezone=self.app.config.tz)
        scheduler.add_job(self.tick, "interval", seconds=self.app.config.reminders.tick_seconds,
                          next_run_time=dt.datetime.now(dt.UTC), max_instances=1, coalesce=True,
                          misfire_grace_time=None)
        scheduler.start()
        self.sender_task = asyncio.create_task(self.send_loop())
        try:
            await self.platform.run(self)
        finally:
            scheduler.shutdown(wait=False)
            await self.finish_sending()
            if self.app.sender.leader.held:  # a standby's stop says nothing about the leader's connection
                self.app.services.settings.put(HEARTBEAT_KEY, "")  # stopped on purpose: not connected

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
        """Drain the outbox while the platform is ready, one post at a time, at the configured pace.

        On SIGTERM the post in hand is finished and confirmed before the loop ends, so the outbox stays
        consistent; a post the platform refused (throttled, failed) goes back with a growing delay."""
        loop = asyncio.get_running_loop()
        while not self.stopping.is_set():
            wait = self.pacer.delay(loop.time())
            if wait > 0:
                await self._sleep(wait)
                continue
            item = self.app.sender.take(self.app.clock()) if self.platform.ready() else None
            if item is None:
                await self._sleep(IDLE_POLL_SECONDS)
                continue
            post, out = item
            try:
                await self.platform.send(out, None)
            except Exception as exc:
                self._not_sent(post, exc)
                continue
            self.throttled = 0
            self.app.sender.sent(post, self.app.clock())
            self.pacer.record(loop.time())

    def _not_sent(self, post: Any, exc: Exception) -> None:
        """A refused post goes back to the outbox. Throttling (the platform says nothing went out) waits with a
        growing delay and costs no attempt, so a busy day never uses a post's attempts up; any other failure
        counts one (the outbox gives up after a few)."""
        now = self.app.clock()
        if self.platform.throttled(exc):
            self.throttled += 1
            delay = min(THROTTLE_MAX_SECONDS, 2.0 ** self.throttled)
            log.warning("post %s throttled by the platform (%s); again in %.0f s", post.id, exc, delay)
            assert post.id is not None
            self.app.sender.outbox.hold(post.id, now + dt.timedelta(seconds=delay), f"throttled: {exc}")
            self.pacer.next_at = asyncio.get_running_loop().time() + delay  # everything else waits too
            return
        log.warning("post %s not sent: %s", post.id, exc)
        self.app.sender.failed(post, str(exc), now)

    async def handle(self, incoming: Incoming, context: Any = None) -> None:
        """One message through the pipeline; its replies sent now, or kept in the outbox for the sender."""
        outgoing = self.app.pipeline.handle(incoming)
        if outgoing:
            # Sent after the platform has its ack: a slow send must not make it push the message again.
            task = asyncio.create_task(self._reply(outgoing, context))
            self._replies.add(task)
            task.add_done_callback(self._replies.discard)

    async def _reply(self, outgoing: list[Outgoing], context: Any) -> None:
        for out in outgoing:
            try:
                await self.platform.send(out, context)
            except Exception as exc:
                # The write behind the reply is done; the reply waits in the outbox.
                log.warning("reply not sent (%s); queued for retry", exc)
                self.app.sender.defer(out, self.app.clock())

    async def finish_sending(self) -> None:
        task = self.sender_task
        if task is not None and not task.done():
            done, _ = await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)
            if not done:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        if self._replies:
            await asyncio.wait(set(self._replies), timeout=STOP_GRACE_SECONDS)

    def alive(self) -> None:
        """The platform heard from its server: for `unionbot status`, in another process (at most every 5 s)."""
        now = asyncio.get_running_loop().time()
        if now - self._beat_at < HEARTBEAT_EVERY:
            return
        self._beat_at = now
        try:
            # Real time, not the bot's (possibly rehearsing) clock: status compares with the wall clock.
            self.app.services.settings.put(HEARTBEAT_KEY, dt.datetime.now(dt.UTC).isoformat())
        except Exception as exc:  # the status line must never take the bot down
            log.debug("could not record heartbeat: %s", exc)

    def record_login(self, state: str, detail: str = "") -> None:
        try:
            self.app.services.settings.put(LOGIN_KEY, json.dumps(
                {"state": state, "detail": detail, "at": dt.datetime.now(dt.UTC).isoformat()}, ensure_ascii=False))
        except Exception as exc:  # never take the bot down for a status line
            log.debug("could not record login state: %s", exc)

    async def sleep(self, seconds: float) -> None:
        """Sleep, waking early when stopping."""
        await self._sleep(seconds)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)
