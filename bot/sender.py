"""Draining the outbox: the leader claims due posts one at a time, sends them
at a safe pace, and confirms each. Transport-independent: the terminal chat
drains synchronously on its fake clock, the WeChat transport in an asyncio
task on the real one.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import random
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.config import Config, Sending
from bot.pipeline import Outgoing
from handlers.style import CommandStyle
from schedules.reminders import in_quiet_hours
from storage.leader import LeaderLock
from storage.models import OutboxPost
from storage.outbox import NewPost, OutboxRepo
from storage.settings import Settings

log = logging.getLogger(__name__)

# (ref, target, stored text) -> the text to send now, or None to drop the post (rendered when sent)
GROUP_WAIT = dt.timedelta(minutes=1)
Renderer = Callable[[str, str, str], str | None]
# (post, now) -> why the post must not go out any more (recorded with the drop), or None to send it
Recheck = Callable[[OutboxPost, dt.datetime], str | None]
# Why a renderer had nothing to say, by kind, for the record (`unionbot status`).
RENDER_DROPS = {"receipt_nudge": "已回执", "signup_nudge": "已报名", "signup_list": "名单为空"}


class Pacer:
    """One message every ``min..max`` seconds (with jitter) and at most
    ``per_minute`` in any 60 s, so a fan-out to hundreds of groups does not
    get the account limited. Times are monotonic seconds."""

    def __init__(self, sending: Sending, rng: random.Random | None = None) -> None:
        self.sending = sending
        self.rng = rng or random.Random()
        self.next_at = 0.0
        self.recent: collections.deque[float] = collections.deque()

    def delay(self, now: float) -> float:
        while self.recent and self.recent[0] <= now - 60:
            self.recent.popleft()
        wait = max(0.0, self.next_at - now)
        if len(self.recent) >= self.sending.per_minute:
            wait = max(wait, self.recent[0] + 60 - now)
        return wait

    def record(self, now: float) -> None:
        self.recent.append(now)
        self.next_at = now + self.rng.uniform(self.sending.min_interval_seconds, self.sending.max_interval_seconds)


@dataclass
class OutboxSender:
    config: Config
    outbox: OutboxRepo
    settings: Settings
    leader: LeaderLock
    renderers: dict[str, Renderer] = field(default_factory=dict)
    style: CommandStyle = field(default_factory=CommandStyle)  # a group post's '#命令' hints, per platform
    recheck: Recheck | None = None
    # The terminal chat has no room ids: it shows groups by label.
    group_room: Callable[[str], str | None] | None = None
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{random.getrandbits(32):08x}")

    def ensure_leader(self) -> bool:
        if self.leader.held:
            return True
        if not self.leader.try_acquire():
            return False
        recovered = self.outbox.recover()
        if recovered:
            log.warning("took over %d post(s) a stopped sender had claimed; sending them again", recovered)
        return True

    def take(self, now: dt.datetime) -> tuple[OutboxPost, Outgoing] | None:
        """The next due post and where it goes; None when nothing is due now."""
        if not self.ensure_leader():
            return None
        r = self.config.reminders
        if in_quiet_hours(now.astimezone(self.config.tz).time(), r.quiet_start, r.quiet_end):
            return None
        while True:
            post = self.outbox.claim_next(now, self.worker)
            if post is None:
                return None
            assert post.id is not None
            reason = self.recheck(post, now) if self.recheck else None
            if reason:
                self.outbox.mark_dropped(post.id, reason)
                log.info("post %s (%s %s) dropped: %s", post.id, post.kind, post.ref, reason)
                continue
            text = post.text
            if post.kind in self.renderers:
                text = self.renderers[post.kind](post.ref, post.target, post.text) or ""
                if not text:
                    self.outbox.mark_dropped(post.id, RENDER_DROPS.get(post.kind, "发送时已无内容"))
                    continue
            out = self.resolve(post.target, text)
            if out is None:
                # A group not found yet (not joined, renamed before we knew its id): the post waits for it
                # instead of using up its attempts; `unionbot status` names the group.
                self.outbox.hold(post.id, now + GROUP_WAIT, f"group not found yet: {post.target}")
                log.warning("post %s: %s is not a known group yet; it waits", post.id, post.target)
                continue
            return post, out

    def resolve(self, target: str, text: str) -> Outgoing | None:
        kind, _, key = target.partition(":")
        if kind == "contact":
            return Outgoing(text=text, contact_id=key)
        if kind == "room":
            return Outgoing(text=self.style.for_group(text), room_id=key)
        if kind == "group":
            room = self.group_room(key) if self.group_room else self.room_of_group(key)
            return Outgoing(text=self.style.for_group(text), room_id=room, room_topic=key) if room else None
        return None

    def room_of_group(self, label: str) -> str | None:
        for g in self.config.groups:
            if g.label == label:
                return g.id or self.settings.get(f"room:{g.topic}")
        return None

    def sent(self, post: OutboxPost, now: dt.datetime) -> None:
        assert post.id is not None
        self.outbox.mark_sent(post.id, now)

    def failed(self, post: OutboxPost, error: str, now: dt.datetime) -> None:
        assert post.id is not None
        self.outbox.mark_failed(post.id, error, now)

    def defer(self, out: Outgoing, now: dt.datetime) -> None:
        """A reply the transport could not deliver: keep it for the sender to retry."""
        target = f"room:{out.room_id}" if out.room_id else f"contact:{out.contact_id}"
        if out.text:
            self.outbox.enqueue([NewPost("reply", "", target, uuid.uuid4().hex, out.text, now,
                                         now + dt.timedelta(hours=12))], now)

    def drain(self, now: dt.datetime, send: Callable[[Outgoing], None], limit: int = 10_000) -> int:
        """Send everything due now, synchronously (the terminal chat; its clock stands still)."""
        count = 0
        while count < limit and (item := self.take(now)) is not None:
            post, out = item
            try:
                send(out)
            except Exception as exc:
                self.failed(post, str(exc), now)
                continue
            self.sent(post, now)
            count += 1
        return count
