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
from bot.pipeline import COMMAND_PREFIXES, Incoming, Outgoing
from bot.sender import Pacer
from bot.status import HEARTBEAT_KEY, LOGIN_KEY
from bot.wechaty_compat import load_wechaty
from handlers.base import Attachment
from storage.members import member_code, member_of_code
from storage.settings import Settings

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


def make_bot(wechaty: Any, app: App, supervisor: Supervisor | None = None) -> Any:
    class UnionBot(wechaty.Wechaty):  # type: ignore[misc, name-defined]
        _logged_in = False  # login seen and the groups resolved: the sender may post
        _login_seen = False  # the login event came: messages can be read
        _login_lost_at = 0.0

        async def start(self) -> None:
            # Wechaty.start() sleeps 60 s on a network error and, when the gateway
            # cannot be reached at all, stops the whole event loop. Ours lets the
            # error end this client; the supervisor retries with its own back-off.
            await self.init_puppet()
            await self.init_puppet_event_bridge(self.puppet)
            await self.puppet.start()
            self.started = True

        async def on_login(self, contact: Any) -> None:
            self._login_seen = True  # messages may be read from now; posts wait until the groups are resolved
            log.info("logged in as %s", contact.contact_id)
            if supervisor is not None:
                supervisor._record_login("logged_in", f"{contact.name}（{contact.contact_id}）")
            app.pipeline.bot_names = tuple({app.config.bot_name, contact.name} - {""})
            await resolve_groups(self, app)
            self._logged_in = True
            if supervisor is not None:
                supervisor.bot = self  # the sender may post now
                supervisor._record_heartbeat()

        async def on_ready(self, payload: Any) -> None:
            # Before 'ready' a gateway may know only some rooms (wechaty#2670): look again now.
            await resolve_groups(self, app)

        async def on_room_topic(self, room: Any, new_topic: str, old_topic: str, *args: Any) -> None:
            # A renamed staff group keeps its id, which is what posts use; a room renamed *to* a
            # configured topic is found now.
            log.info("room %s renamed: %r -> %r", room.room_id, old_topic, new_topic)
            await resolve_groups(self, app)

        async def on_room_join(self, room: Any, invitees: list, *args: Any) -> None:
            await resolve_groups(self, app)

        async def on_logout(self, contact: Any) -> None:
            log.warning("logged out (%s): scan the gateway's QR code again; posts wait in the outbox",
                        getattr(contact, "contact_id", contact))
            self._logged_in = self._login_seen = False
            self._login_lost_at = asyncio.get_running_loop().time()
            if supervisor is not None:
                supervisor.bot = None  # hold posts until the next login
                supervisor._record_login("waiting", "已退出登录，请在网关处重新扫码")

        async def on_message(self, msg: Any) -> None:
            if not self._login_seen:
                # Before the login event the library cannot even tell our own messages (self_id() raises):
                # drop it quietly instead of a traceback per message; the warning above says why.
                return
            try:
                incoming = await to_incoming(msg, getattr(app.clock, "offset", dt.timedelta(0)),
                                             known=lambda cid: app.services.members.get_by_contact(cid) is not None)
            except Exception:
                log.exception("could not read message")
                return
            if incoming is None:
                return
            outgoing = app.pipeline.handle(incoming)
            if incoming.room_id is None:
                await give_remark(msg.talker(), incoming, app)
            for out in outgoing:
                try:
                    await send_strict(self, out)
                except Exception as exc:
                    # The write behind the reply is done; the reply waits in the
                    # outbox until the connection is back.
                    log.warning("reply not sent (%s); queued for retry", exc)
                    app.sender.defer(out, app.clock())

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
            await record_members(bot, app, group.label, room)
        elif known := settings.get(f"room:{group.topic}"):
            found[group.topic] = known
        else:
            log.warning("staff group %r not found among the account's rooms", group.topic)
    return found


_REMARKED: set[str] = set()  # contact ids given their member code in this process (at most 60 a minute allowed)


async def give_remark(talker: Any, incoming: Incoming, app: App) -> None:
    """A friend (someone who talks to the bot in private) gets the member code as remark (备注): WeChat keeps
    it across logins and the contact cannot change it, so a new contact id is re-linked by it."""
    if incoming.contact_id in _REMARKED:
        return
    member = app.services.members.get_by_contact(incoming.contact_id)
    code = member_code(member.id if member else None)
    if not code or incoming.contact_remark == code:
        _REMARKED.add(incoming.contact_id)
        return
    if incoming.contact_remark and member_of_code(incoming.contact_remark) is None:
        _REMARKED.add(incoming.contact_id)  # a remark the chair set by hand: keep theirs
        return
    _REMARKED.add(incoming.contact_id)
    try:
        await talker.alias(code)
        log.info("gave contact %s the remark %s", incoming.contact_id, code)
    except Exception as exc:  # a failed remark only means no re-link across logins for this one
        log.warning("could not set the remark of %s: %s", incoming.contact_id, exc)


async def record_members(bot: Any, app: App, label: str, room: Any) -> None:
    """Who is in a staff group, as the gateway says: what receipts count against when there is no roster."""
    people = await _quietly(room.member_list(), what="room members")
    if not people:
        return
    me = getattr(bot.puppet, "login_user_id", None)
    pairs = [(c.contact_id, (c.payload.name if c.payload else "") or "") for c in people if c.contact_id != me]
    app.services.notices.set_group_members(label, pairs)


async def to_incoming(msg: Any, offset: dt.timedelta = dt.timedelta(0),
                      known: Callable[[str], bool] | None = None) -> Incoming | None:
    """``known``: whether a contact id is a member already; only for one who is not is the group alias
    fetched (a gateway round trip): it is what may re-link them after a new login (storage.members)."""
    if msg.is_self():
        return None  # never answer ourselves, or the bot talks to itself forever
    talker = msg.talker()
    room = msg.room()
    topic = ""
    mentions_self = False
    text = msg.text() or ""
    if room is not None:
        topic = room.payload.topic if room.payload is not None else ""
        if not text.lstrip().startswith((*COMMAND_PREFIXES, "＃", "／")):
            # Only a message not already addressed by its prefix needs the
            # mention lookups (gateway round trips on every group message).
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
    # No payload: the remark is not known (None keeps the member's), not "none" (which would take it away).
    remark = (talker.payload.alias or "") if talker.payload is not None else None
    room_alias = ""
    if room is not None and known is not None and not known(talker.contact_id):
        room_alias = await _quietly(room.alias(talker), what="group alias") or ""
    return Incoming(
        message_id=msg.message_id, contact_id=talker.contact_id, contact_name=talker.name or "",
        contact_remark=remark, room_alias=room_alias,
        text=text, room_id=room.room_id if room else None, room_topic=topic, mentions_self=mentions_self,
        timestamp=when.astimezone(dt.UTC) + offset, attachment=attachment,
    )


async def send_strict(bot: Any, out: Outgoing) -> None:
    """Send through the puppet directly, so a failure raises (the outbox retries it).

    ``Room.say``/``Contact.say`` also load the sent message afterwards, which some
    gateways (the mock among them) answer with an error after a good delivery;
    the puppet call itself fails only when the message did not go.
    """
    conversation = out.room_id or out.contact_id
    if not conversation:
        raise ValueError("no destination")
    if out.file is not None:
        # Imported here, once a file is sent: load_wechaty() has run by then. Not at
        # the top of every send: an import statement costs ~0.3 ms per message here.
        from wechaty import FileBox

        box = FileBox.from_base64(base64.b64encode(out.file.data), name=out.file.name)
        await bot.puppet.message_send_file(conversation_id=conversation, file=box)
    if out.text:
        await bot.puppet.message_send_text(conversation_id=conversation, message=out.text)


async def _quietly(coro: Any, what: str = "") -> Any:
    """Await, logging instead of raising: for lookups whose failure only means "unknown"."""
    try:
        return await coro
    except Exception as exc:
        if what:
            log.debug("%s: %s", what, exc)
        return None
