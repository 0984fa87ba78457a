"""The python-wechaty client of the Wechaty transport: the bot's event handlers (login, groups, messages),
turning a Wechaty message into an Incoming and sending an Outgoing through the puppet. The supervisor
that connects, watches and restarts it is in bot/transports/wechaty_transport.py."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.app import App
from bot.pipeline import COMMAND_PREFIXES, Incoming, Outgoing
from handlers.base import Attachment
from storage.members import member_code, member_of_code
from storage.settings import Settings

if TYPE_CHECKING:  # for the annotation only: the supervisor imports this module
    from bot.transports.wechaty_transport import Supervisor

# The transport's logger: its lines keep the name they had before the split.
log = logging.getLogger("bot.transports.wechaty_transport")




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
