"""WeChat through a Wechaty puppet-service gateway (python-wechaty 0.10.7, gRPC).

python-wechaty retries only while starting and then waits a fixed 60 s; a
connection dropped later is not noticed at all. We supervise it ourselves: a
heartbeat (``ding``) every few seconds, and on failure a fresh client after a
short, growing back-off (1 s, 2 s, 4 s … 30 s). The process is safe to kill
at any moment: handled message ids are in the database.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import logging
import os
import signal
from typing import Any

from bot.app import App, build_app
from bot.clock import SystemClock
from bot.config import Config
from bot.pipeline import Incoming, Outgoing
from bot.wechaty_compat import load_wechaty
from handlers.base import Attachment
from storage.settings import Settings

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
HEARTBEAT_TIMEOUT = 5.0
MAX_BACKOFF = 30.0


def run_wechaty(config: Config) -> None:
    app = build_app(config, SystemClock())
    for notice in app.notices:
        log.info(notice)
    asyncio.run(Supervisor(app).run())


class Supervisor:
    def __init__(self, app: App) -> None:
        self.app = app
        self.stopping = asyncio.Event()
        self.wechaty = load_wechaty()
        # The library reads the endpoint and token from the environment.
        os.environ["WECHATY_PUPPET_SERVICE_ENDPOINT"] = app.config.wechaty_endpoint
        if app.config.wechaty_token:
            os.environ["WECHATY_PUPPET_SERVICE_TOKEN"] = app.config.wechaty_token
        os.environ.setdefault("WECHATY_PUPPET", "wechaty-puppet-service")

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        backoff = 1.0
        while not self.stopping.is_set():
            bot = make_bot(self.wechaty, self.app)
            started = loop.time()
            task = asyncio.create_task(bot.start())
            await self._watch(bot, task)
            await _quietly(bot.stop())
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            if self.stopping.is_set():
                break
            backoff = 1.0 if loop.time() - started > 60 else min(backoff * 2, MAX_BACKOFF)
            log.warning("gateway connection lost; reconnecting in %.0f s", backoff)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), backoff)

    async def _watch(self, bot: Any, task: asyncio.Task) -> None:
        """Return when the connection is gone (failed heartbeats) or we are stopping."""
        failures = 0
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
                except Exception as exc:  # any gRPC or socket failure means the link is down
                    failures += 1
                    log.info("heartbeat failed: %s", exc)
            if failures >= 2:
                return


def make_bot(wechaty: Any, app: App) -> Any:
    class UnionBot(wechaty.Wechaty):  # type: ignore[misc, name-defined]
        async def on_login(self, contact: Any) -> None:
            log.info("logged in as %s", contact.contact_id)
            app.pipeline.bot_names = tuple({app.config.bot_name, contact.name} - {""})
            await resolve_groups(self, app)

        async def on_message(self, msg: Any) -> None:
            try:
                incoming = await to_incoming(msg)
            except Exception:
                log.exception("could not read message")
                return
            if incoming is None:
                return
            for out in app.pipeline.handle(incoming):
                await send(self, out)

    return UnionBot()


async def resolve_groups(bot: Any, app: App) -> dict[str, str]:
    """Find the configured staff groups' room ids by topic and remember them.

    Topics can be renamed or arrive stale; once an id is known it is what we
    use, and the topic in the config is only how the chair names the group.
    """
    settings = Settings(app.engine, app.config.union_id)
    found: dict[str, str] = {}
    for group in app.config.groups:
        if group.id:
            found[group.label] = group.id
            continue
        room = await _quietly(bot.Room.find(group.topic), what="room lookup")
        if room is not None:
            settings.put(f"room:{group.topic}", room.room_id)
            found[group.topic] = room.room_id
        elif known := settings.get(f"room:{group.topic}"):
            found[group.topic] = known
        else:
            log.warning("staff group %r not found among the account's rooms", group.topic)
    return found


async def to_incoming(msg: Any) -> Incoming | None:
    if msg.is_self():
        return None  # never answer ourselves, or the bot talks to itself forever
    talker = msg.talker()
    room = msg.room()
    topic = ""
    mentions_self = False
    text = msg.text() or ""
    if room is not None:
        topic = await _quietly(room.topic()) or ""
        mentions_self = bool(await _quietly(msg.mention_self()))
        if mentions_self:
            text = await _quietly(msg.mention_text()) or text
    attachment = None
    if msg.type() == msg.Type.MESSAGE_TYPE_ATTACHMENT:
        box = await msg.to_file_box()
        attachment = Attachment(box.name, base64.b64decode(await box.to_base64()))
    when = msg.date()
    if when.tzinfo is None:
        when = when.astimezone()  # the library gives local time without a zone
    return Incoming(
        message_id=msg.message_id, contact_id=talker.contact_id, contact_name=talker.name or "",
        text=text, room_id=room.room_id if room else None, room_topic=topic, mentions_self=mentions_self,
        timestamp=when.astimezone(dt.UTC), attachment=attachment,
    )


async def send(bot: Any, out: Outgoing) -> None:
    from wechaty import FileBox  # safe: load_wechaty() ran before any bot exists

    target = bot.Room.load(out.room_id) if out.room_id else bot.Contact.load(out.contact_id)
    await _quietly(target.ready())
    if out.file is not None:
        box = FileBox.from_base64(base64.b64encode(out.file.data), name=out.file.name)
        await _quietly(target.say(box), what="send file")
    if out.text:
        await _quietly(target.say(out.text), what="send text")


async def _quietly(coro: Any, what: str = "") -> Any:
    """Await, logging instead of raising: the mock gateway, for one, answers
    say() with an error about the sent message's id after delivering it."""
    try:
        return await coro
    except Exception as exc:
        if what:
            log.debug("%s: %s", what, exc)
        return None
