"""The transport-agnostic message pipeline.

Every transport turns what arrives into an ``Incoming`` and sends back the
``Outgoing`` list. The order of the checks matters: our own messages and
replays are dropped before anything is stored; a group message that is not
addressed to the bot is dropped before anything is parsed or logged, so
ordinary chatter (and anything private said by mistake in a group) never
reaches the database. One narrow exception: a message that is *only* an
acknowledgement ("收到", "收到1": ``handlers.notices.PLAIN_ACK``), while a
receipt notice sent to that group is open, counts as ``#收到``.

An addressed message goes first to the form machinery (``handlers.forms.check_update``): an open
form may take it; otherwise the registry dispatches the command it hands back.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import Config
from handlers import forms, notices
from handlers.access import Denied
from handlers.base import Attachment, Chat, Context, Registry, Reply, Request, Role, Sender, roles_label
from handlers.command_words import COMMAND_PREFIXES
from handlers.command_words import split_command as split_command
from handlers.services import Services
from handlers.welfare_rules import GROUP_ALARM
from schedules.text_norm import normalize_message
from storage.messages import SeenMessages

log = logging.getLogger(__name__)

# Messages from before start-up are not answered (gateways replay history after a
# login); a little slack covers clock skew between the gateway and us.
STARTUP_SLACK = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class Incoming:
    message_id: str
    contact_id: str
    contact_name: str
    text: str
    room_id: str | None = None
    room_topic: str = ""
    room_alias: str = ""
    # The remark (备注) the bot's account gave the contact: who they are across logins. None: the transport
    # cannot tell (the terminal, the office page), so what is known is kept; "": the contact has none.
    contact_remark: str | None = None
    mentions_self: bool = False
    from_self: bool = False
    timestamp: dt.datetime | None = None
    attachment: Attachment | None = None


@dataclass(frozen=True)
class Outgoing:
    """One message to send: to a room (``room_id``) or privately (``contact_id``)."""

    text: str = ""
    room_id: str | None = None
    contact_id: str | None = None
    file: Attachment | None = None
    room_topic: str = ""


class Pipeline:
    def __init__(
        self, config: Config, services: Services, registry: Registry, clock: Callable[[], dt.datetime],
        seen: SeenMessages, bot_names: tuple[str, ...] = (),
    ) -> None:
        self.config = config
        self.services = services
        self.registry = registry
        self.clock = clock
        self.seen = seen
        self.bot_names = bot_names or (config.bot_name,)
        self.started_at = clock()

    def handle(self, msg: Incoming) -> list[Outgoing]:
        if msg.from_self:
            return []
        if msg.timestamp is not None and msg.timestamp < self.started_at - STARTUP_SLACK:
            return []
        in_group = msg.room_id is not None
        # The command word is read from the normalized text (＃报名 is #报名);
        # what follows it is kept as typed, so a proposal's "，" stays "，".
        text = normalize_message(msg.text or "")
        raw = (msg.text or "").replace("\u3000", " ").strip()
        if in_group:
            text, mentioned = self._strip_mentions(text)
            raw, _ = self._strip_mentions(raw)
            addressed = text.startswith(COMMAND_PREFIXES) or msg.mentions_self or mentioned
            if not addressed:
                return self._plain_acknowledgement(msg, text)
            if not text.startswith(COMMAND_PREFIXES) and (number := notices.plain_acknowledgement(text)) is not None:
                text = raw = f"#收到 {number}".strip()  # '@工会助手 收到了' is '#收到', as '@工会助手 收到' is
        if msg.message_id and not self.seen.first_time(msg.message_id):
            return []
        chat = Chat("group", msg.room_id, msg.room_topic) if in_group else Chat("private", msg.contact_id)
        try:
            replies = self._dispatch(msg, text, raw, chat)
        except Exception:
            log.exception("handler failed for message %s", msg.message_id)
            replies = [Reply("抱歉，处理时出错了，您的消息未生效。请稍后再试，或联系工会管理员。")]
        return [self._route(r, chat, msg) for r in replies]

    def _plain_acknowledgement(self, msg: Incoming, text: str) -> list[Outgoing]:
        """An un-addressed group message: dropped unread, unless it is only an acknowledgement and a
        receipt notice sent to this group is open; then it counts, silently, as ``#收到``."""
        number = notices.plain_acknowledgement(text)
        if number is None:
            return []
        since = self.clock() - dt.timedelta(days=notices.PLAIN_ACK_DAYS)
        candidates = [n for n in self.services.notices.receipts_since(since, (msg.room_topic, msg.room_id or ""))
                      if not number or str(n.number) == number]
        if not candidates or (msg.message_id and not self.seen.first_time(msg.message_id)):
            return []
        chat = Chat("group", msg.room_id, msg.room_topic)
        try:
            sender, told = self._sender(msg)
            ctx = Context(sender=sender, chat=chat, now=self.clock().astimezone(self.services.tz),
                          services=self.services)
            replies = notices.acknowledge_plain(ctx, number, candidates) + told
        except Exception:
            log.exception("acknowledgement failed for message %s", msg.message_id)
            return []  # said to nobody in particular: no apology in the group either
        return [self._route(r, chat, msg) for r in replies]

    # --- steps --------------------------------------------------------------

    def _strip_mentions(self, text: str) -> tuple[str, bool]:
        mentioned = False
        for name in self.bot_names:
            pattern = re.compile(r"@" + re.escape(name) + r"[\s\u2005]*")
            if pattern.search(text):
                mentioned = True
                text = pattern.sub("", text)
        return text.strip(), mentioned

    def _sender(self, msg: Incoming) -> tuple[Sender, list[Reply]]:
        """Who speaks, and what the admins must be told about it (a newcomer the bot cannot place)."""
        members = self.services.members
        member = members.touch(msg.contact_id, msg.contact_name, msg.room_alias, msg.contact_remark)
        roles = self.services.access.roles_of(msg.contact_id, member.roster_role, member.id, member.remark)
        sender = Sender(msg.contact_id, member.name, roles, member.id)
        notices: list[Reply] = []
        if msg.room_id is not None and member.id in members.created:
            members.created.discard(member.id)
            outcome, candidates = members.relink_in_group(member, msg.room_topic)
            if outcome == "ambiguous":
                # Never merge two people silently: the admins decide (#绑定).
                who = "、".join(f"{c.name}（{c.department or '未填部门'}）" for c in candidates[:5])
                text = (f"群“{msg.room_topic}”里新出现的“{member.display_name}”（群昵称“{member.room_alias}”）"
                        f"可能是之前的 {who} 之一，未自动关联。需要时请用 #绑定 处理。")
                notices = [Reply(text, to_contact=a) for a in self.services.access.holders(Role.ADMIN)]
        return sender, notices

    def _dispatch(self, msg: Incoming, text: str, raw: str, chat: Chat) -> list[Reply]:
        now = self.clock().astimezone(self.services.tz)
        sender, notices = self._sender(msg)
        ctx = Context(sender=sender, chat=chat, now=now, services=self.services)
        return self._for_sender(msg, text, raw, chat, ctx) + notices

    def _for_sender(self, msg: Incoming, text: str, raw: str, chat: Chat, ctx: Context) -> list[Reply]:
        # The form machinery is asked first: an open form may take the message, or hand back the
        # command to run (a replacement the member agreed to); the pipeline knows nothing of its states.
        routed = forms.check_update(forms.Message(text, raw, msg.text or "", msg.attachment), ctx,
                                    self.config.limits.max_message_chars)
        if routed.replies is not None:
            return routed.replies
        return self._command(msg, routed, ctx)

    def _command(self, msg: Incoming, routed: forms.Routed, ctx: Context) -> list[Reply]:
        """The command ``routed`` hands back (the message's own, or one a replaced form was waiting with)."""
        chat, sender, text, raw = ctx.chat, ctx.sender, routed.text, routed.raw
        name, _ = split_command(text)
        _, args = split_command(raw.lstrip("＃／"))
        spec = self.registry.get(name) if name else None
        if spec is None and name and (glued := self.registry.split_glued(name)):
            name, head = glued  # '#报名1' is '#报名 1'
            spec = self.registry.get(name)
            args = f"{head} {args}".strip()
        limit = spec.max_chars if spec and spec.max_chars else self.config.limits.max_message_chars
        if len(msg.text) > limit:
            return [Reply(f"消息过长（超过 {limit} 字），请精简后再发。")]
        if spec is None and msg.attachment is not None and not chat.is_group:
            return [Reply(f"收到文件“{msg.attachment.name[:40]}”，但不知道要做什么。"
                          "导入年度计划请先发送 #导入计划，再发送文件。")]
        if spec is None:
            if not name:
                return [] if chat.is_group else [Reply("您好，我是工会助手。发送 #帮助 查看可用命令。")]
            if chat.is_group and GROUP_ALARM.search(text):
                # Perhaps personal (住院, 丧事…): say nothing of it in the group.
                return [Reply("涉及个人的申请请私聊我提交（发送 #申请），群里不要发具体情况。")]
            hints = self.registry.suggest(name, sender, self.services.access)
            hint = f"您是不是想找：{'、'.join('#' + h for h in hints)}？" if hints else ""
            # In a group, never repeat what was typed: it may be something private.
            what = "这个命令" if chat.is_group else f"“{name[:20]}”这个命令"
            return [Reply(f"没有{what}。{hint}发送 #帮助 查看全部命令。")]
        # The access rule decides role and scope; a private command in a group is only ever told to go private.
        match self.services.access.check(sender, spec, chat.is_group):
            case Denied.PRIVATE_ONLY:
                return [Reply(f"#{spec.name} 请私聊我使用，群里不要发具体内容。")]
            case Denied.ROLE:
                return [Reply(f"#{spec.name} 仅限{roles_label(spec.roles)}使用，您的消息未生效。")]
            case Denied.GROUP_ONLY:
                return [Reply(f"#{spec.name} 请在群里使用。")]
        return spec.func(Request(spec.name, args, msg.attachment, typed=name, draft=routed.draft, spec=spec), ctx)

    def _route(self, r: Reply, chat: Chat, msg: Incoming) -> Outgoing:
        if r.to_contact:
            return Outgoing(text=r.text, contact_id=r.to_contact, file=r.file)
        if chat.is_group:
            text = self.services.style.for_group(r.text)  # '@工会助手 报名 1' where groups need the @
            return Outgoing(text=text, room_id=chat.id, file=r.file, room_topic=chat.topic)
        return Outgoing(text=r.text, contact_id=msg.contact_id, file=r.file)

