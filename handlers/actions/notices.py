"""通知 and 回执: send a notice to the groups (numbered when it asks for receipts), remind privately
those who have not answered, and pause or resume the bot's own reminders."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from handlers.actions.core import Problems, allowed
from handlers.base import Context
from handlers.receipts import NUDGE_KIND, receipt_status
from schedules.audience import EVERYONE, normalize_audience
from schedules.kv import clip
from storage.models import Notice

NOTICE_MAX = 2000  # stored whole (Text); a chat message's default limit


@dataclass
class Sent:
    notice: Notice
    groups: list[str]


def send_notice(ctx: Context, text: str, need_receipt: bool = False, audience: str = "") -> Sent | Problems:
    """The notice goes to the audience's groups through the outbox; with ``need_receipt`` it is numbered
    and the groups are told how to answer."""
    if not allowed(ctx, "发送通知"):
        return Problems.of("", "not_allowed")
    text = text.strip()
    if not text:
        return Problems.of("text", "notice_missing")
    if len(text) > NOTICE_MAX:
        return Problems.of("text", "too_long", label="通知内容", limit=NOTICE_MAX, length=len(text))
    rem = ctx.services.reminders
    if not rem.groups:
        return Problems.of("", "no_groups")
    audience = normalize_audience(audience) if audience.strip() else EVERYONE
    notice = ctx.services.notices.create(text, audience, need_receipt, ctx.sender.contact_id, ctx.now)
    if need_receipt:
        post = f"【工会通知 {notice.number}】{text}\n{ctx.services.style.receipt_hint(notice.number)}"
    else:
        post = f"【工会通知】{text}"
    groups = rem.announce(post, audience, ctx.now.astimezone(dt.UTC), ref=f"notice:{notice.number}")
    ctx.services.notices.set_groups(notice.number, groups)
    return Sent(notice, groups)


@dataclass
class Nudged:
    notice: Notice
    reached: int  # reminded privately
    unreachable: int  # missing without a chat account
    all_in: bool  # nobody is missing: nobody was reminded


def nudge_receipts(ctx: Context, number: int) -> Nudged | Problems:
    """Everyone still missing, with a chat account, is reminded privately (paced, through the outbox); a
    reminder is dropped at sending time for anyone who has answered by then."""
    if not allowed(ctx, "催办"):
        return Problems.of("", "not_allowed")
    notice = ctx.services.notices.get(number)
    if notice is None or not notice.needs_receipt:
        return Problems.of("number", "notice_unknown", value=number)
    st = receipt_status(ctx.services, notice)
    if not st.missing:
        return Nudged(notice, 0, 0, True)
    # Whoever sends the 催办 knows of the notice: everyone else missing, with a contact, is reminded.
    reachable = [p for p in st.missing if p.contact_id and p.contact_id != ctx.sender.contact_id]
    token = uuid.uuid4().hex[:12]  # one 催办, one post per person: a second 催办 is a new round
    text = (f"提醒：工会通知 {notice.number} 需要回执，您还没有确认。\n{clip(notice.text, 200)}\n"
            f"收到请回复 #收到 {notice.number}")
    ctx.services.reminders.queue_private(NUDGE_KIND, f"notice:{notice.number}", [p.contact_id for p in reachable],
                                         token, text, ctx.now.astimezone(dt.UTC))
    return Nudged(notice, len(reachable), sum(1 for p in st.missing if not p.contact_id), False)


def pause_reminders(ctx: Context) -> bool | Problems:
    """True when they were running and are now paused."""
    if not allowed(ctx, "暂停提醒"):
        return Problems.of("", "not_allowed")
    ctx.services.reminders.set_paused(True)
    return True


def resume_reminders(ctx: Context) -> bool | Problems:
    """False when they were not paused (nothing to do)."""
    if not allowed(ctx, "恢复提醒"):
        return Problems.of("", "not_allowed")
    rem = ctx.services.reminders
    if not rem.paused:
        return False
    rem.set_paused(False)
    # Posts due while paused are not caught up: start planning from now.
    rem.settings.put("reminders:last_tick", ctx.now.astimezone(dt.UTC).isoformat())
    return True
