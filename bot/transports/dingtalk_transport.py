"""DingTalk through its official robot for an organisation's internal app, in Stream mode.

Messages come over the stream (bot/transports/dingtalk_stream.py); everything the bot says goes out over
HTTP through the one DingTalk client (bot/dingtalk/api.py): a direct reply through the message's
``sessionWebhook`` while it is valid, else the robot's proactive APIs (group send, batch send to users);
a file always as an upload plus a ``sampleFile`` message (a webhook reply cannot carry one).

Groups are addressed by their ``openConversationId``. A configured group (``[[groups]] topic``) is found
by its title in the first message heard there, and its id kept (setting ``room:<topic>``, as the Wechaty
transport keeps room ids); until then its posts wait in the outbox. ``[[groups]] id`` needs no message.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from bot.app import App, build_app
from bot.clock import SystemClock
from bot.config import Config
from bot.dingtalk.api import DingTalkApi, DingTalkAuthError, DingTalkError, DingTalkThrottled
from bot.dingtalk.directory import sync_directory, sync_due
from bot.dingtalk.meter import MonthlyMeter
from bot.pipeline import STARTUP_SLACK, Incoming, Outgoing
from bot.transports.dingtalk_stream import StreamLink
from bot.transports.runner import Runner

log = logging.getLogger(__name__)

PRIVATE, GROUP = "1", "2"
HEARTBEAT_SECONDS = 5.0
DIRECTORY_LOOK_SECONDS = 3600.0  # how often the daily directory sync looks whether it is due
LATE_ANSWERED = dt.timedelta(hours=1)  # a message pushed after a restart is answered up to this old
WEBHOOK_MARGIN_MS = 60_000  # a sessionWebhook this close to its expiry is not used


def run_dingtalk(config: Config, clock: Callable[[], dt.datetime] | None = None, api: Any = None) -> None:
    """`unionbot run` on DingTalk. Wrong app credentials raise DingTalkAuthError before anything starts; a
    DingTalk that cannot be reached does not stop it (the stream retries with back-off, posts wait)."""
    api = api or DingTalkApi.from_config(config)
    try:
        api.check_credentials()
    except DingTalkAuthError:
        raise
    except DingTalkError as exc:
        log.warning("DingTalk not reachable yet (%s); connecting with back-off", exc)
    app = build_app(config, clock or SystemClock())
    if getattr(api, "meter", None) is None:
        api.meter = MonthlyMeter(app.services.settings)  # the month's metered calls, for `unionbot status`
    for notice in app.notices:
        log.info(notice)
    try:
        asyncio.run(Runner(app, DingTalkPlatform(app, api)).run())
    finally:
        app.close()


class DingTalkPlatform:
    """The DingTalk side of ``Runner``: the stream, and sending through the API client."""

    name = "dingtalk"

    def __init__(self, app: App, api: Any) -> None:
        self.app = app
        self.api = api
        self.link: StreamLink | None = None
        # One API call at a time, off the event loop (the client is synchronous); the platform allows ~20/s.
        self.calls = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="dingtalk-api")
        self.learned: dict[str, str] = {}  # title -> openConversationId, as stored
        self.members_seen: set[tuple[str, str]] = set()  # (group label, userid) recorded as a group member

    async def run(self, runner: Runner) -> None:
        d = self.app.config.dingtalk
        self.link = StreamLink(
            d.client_id, d.client_secret, d.api_base,
            on_message=lambda data: self.on_message(runner, data), stopping=runner.stopping,
            may_connect=self.app.sender.ensure_leader, on_alive=runner.alive, before_close=runner.finish_sending)
        runner.record_login("logged_in", f"钉钉应用 {d.client_id}（Stream 模式）")
        beside = [asyncio.create_task(self.directory_loop(runner)), asyncio.create_task(self.heartbeat_loop(runner))]
        try:
            await self.link.run()
        finally:
            for task in beside:
                task.cancel()
            await asyncio.gather(*beside, return_exceptions=True)
            self.calls.shutdown(wait=False, cancel_futures=True)

    async def directory_loop(self, runner: Runner) -> None:
        """The school's directory into members: at start and once a day, by the process that leads (a failed read
        changes nothing and is tried again at the next look)."""
        first = True
        while not runner.stopping.is_set():
            now = self.app.clock()
            if self.app.sender.leader.held and (first or sync_due(self.app, now)):
                first = False
                try:
                    # HTTP and database work: in a thread, never on the loop.
                    await asyncio.to_thread(sync_directory, self.app, self.api, now)
                except DingTalkError as exc:
                    log.warning("DingTalk directory not read (%s); members stay as they were", exc)
                except Exception:
                    log.exception("DingTalk directory sync failed; members stay as they were")
            await runner.sleep(DIRECTORY_LOOK_SECONDS if not first else 1.0)

    async def heartbeat_loop(self, runner: Runner) -> None:
        """`unionbot status` counts the bot connected for 20 s after a heartbeat; DingTalk's pings may come less
        often, so a live stream (the watchdog closes a silent one) is reported every few seconds."""
        while not runner.stopping.is_set():
            if self.ready():
                runner.alive()
            await runner.sleep(HEARTBEAT_SECONDS)

    def ready(self) -> bool:
        """Posts go out while this process holds the stream: the stream being up says the app and the
        network work, and only the leader sends."""
        return self.link is not None and self.link.connected.is_set()

    def throttled(self, exc: Exception) -> bool:
        return isinstance(exc, DingTalkThrottled)

    async def on_message(self, runner: Runner, data: dict) -> None:
        incoming = to_incoming(data, getattr(self.app.clock, "offset", dt.timedelta(0)))
        if incoming is None:
            return
        incoming = keep_late(incoming, self.app.pipeline.started_at, self.app.clock())
        if incoming.room_id is not None:
            incoming = self.learn_group(incoming)
        await runner.handle(incoming, data)

    def learn_group(self, incoming: Incoming) -> Incoming:
        """Match a group message to a configured group: keep its id (posts wait for it), note the speaker as one
        of its members (what receipts count against without a directory), and name it by its label."""
        cid, title = incoming.room_id or "", incoming.room_topic
        settings = self.app.services.settings
        for group in self.app.config.groups:
            if group.id == cid or (not group.id and group.topic == title):
                if not group.id and self.learned.get(group.topic) != cid:
                    if settings.get(f"room:{group.topic}") != cid:
                        settings.put(f"room:{group.topic}", cid)
                        log.info("staff group %r is DingTalk group %s", group.topic, cid)
                    self.learned[group.topic] = cid
                    # Posts that waited for this group go out now, not at their next look (GROUP_WAIT).
                    self.app.sender.outbox.release(f"group:{group.label}", self.app.clock())
                if (group.label, incoming.contact_id) not in self.members_seen:  # one insert a person
                    self.members_seen.add((group.label, incoming.contact_id))
                    self.app.services.notices.add_group_member(group.label, incoming.contact_id,
                                                               incoming.contact_name)
                return dataclasses.replace(incoming, room_topic=group.label)
        return incoming

    async def send(self, out: Outgoing, context: dict | None) -> None:
        """Raise when the message did not go: the caller keeps it in the outbox."""
        loop = asyncio.get_running_loop()

        def call(fn: Callable[..., Any], *args: Any) -> Any:
            return loop.run_in_executor(self.calls, fn, *args)

        if out.file is not None:
            if out.room_id:
                await call(self.api.send_file_group, out.room_id, out.file.name, out.file.data)
            elif out.contact_id:
                await call(self.api.send_file_users, [out.contact_id], out.file.name, out.file.data)
            else:
                raise ValueError("no destination")
        if not out.text:
            return
        webhook = reply_webhook(out, context)
        if webhook:
            try:
                await call(self.api.reply_webhook, webhook, out.text)
                return
            except Exception as exc:  # the proactive API below still works
                log.info("sessionWebhook reply failed (%s); sending through the robot API", exc)
        if out.room_id:
            await call(self.api.send_group, out.room_id, out.text)
        elif out.contact_id:
            await call(self.api.send_users, [out.contact_id], out.text)
        else:
            raise ValueError("no destination")


def reply_webhook(out: Outgoing, context: dict | None, now_ms: int | None = None) -> str:
    """The message's sessionWebhook when ``out`` answers in the same conversation and it is still valid."""
    if not context or not context.get("sessionWebhook"):
        return ""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if int(context.get("sessionWebhookExpiredTime") or 0) <= now_ms + WEBHOOK_MARGIN_MS:
        return ""
    if context.get("conversationType") == GROUP:
        same = out.room_id is not None and out.room_id == context.get("conversationId")
    else:
        same = out.room_id is None and out.contact_id == context.get("senderStaffId")
    return str(context["sessionWebhook"]) if same else ""


def keep_late(incoming: Incoming, started_at: dt.datetime, now: dt.datetime) -> Incoming:
    """A message said while no process held the stream, pushed once one does, is still answered.

    The pipeline drops messages from before start-up, because WeChat gateways replay old history (with new
    ids) after a login. DingTalk only pushes again what was never acked, under the same msgId (the replay
    check catches a repeat), so a message up to ``LATE_ANSWERED`` old is answered; older ones are not."""
    ts = incoming.timestamp
    if ts is not None and ts < started_at - STARTUP_SLACK and now - ts <= LATE_ANSWERED:
        return dataclasses.replace(incoming, timestamp=None)
    return incoming


def to_incoming(data: dict, offset: dt.timedelta = dt.timedelta(0)) -> Incoming | None:
    """A robot message's data as the pipeline's ``Incoming``.

    In a group DingTalk delivers only messages that @ the robot, with the ``@name`` cut out of
    ``text.content`` but the space after it kept; ``richText`` keeps the ``@name`` (the pipeline strips the
    bot's names). Anything that is not text (a picture, a file) arrives with no text, and gets the answer
    WeChat gives an unreadable message."""
    staff = str(data.get("senderStaffId") or "")
    if not staff or not data.get("msgId"):
        return None  # an outsider (no staff id in this organisation) or a malformed push
    kind = data.get("conversationType")
    if kind not in (PRIVATE, GROUP):
        return None
    msgtype = data.get("msgtype")
    if msgtype == "text":
        text = str((data.get("text") or {}).get("content") or "")
    elif msgtype == "richText":
        parts = (data.get("content") or {}).get("richText") or []
        text = "".join(str(p.get("text", "")) for p in parts if isinstance(p, dict))
    else:
        text = ""
    created = data.get("createAt")
    when = dt.datetime.fromtimestamp(int(created) / 1000, dt.UTC) if created else dt.datetime.now(dt.UTC)
    group = kind == GROUP
    return Incoming(
        message_id=f"dingtalk:{data['msgId']}", contact_id=staff, contact_name=str(data.get("senderNick") or ""),
        text=text.strip(), room_id=str(data.get("conversationId") or "") if group else None,
        room_topic=str(data.get("conversationTitle") or "") if group else "", mentions_self=group,
        timestamp=when + offset,
    )
