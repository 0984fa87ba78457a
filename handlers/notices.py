"""Receipts for notices: "收到请回复" without two hundred "收到" burying the notice.

``#发送通知 … 需回执`` (handlers.reminders) numbers the notice. Members answer
``#收到`` in the group or in private, or only "收到" in the group while the notice is
open (``PLAIN_ACK``): it is recorded once, and confirmed privately
at most once; an acknowledgement never adds a message to the group. Admins see who
has not answered by department (``#回执 N``) and remind only them, privately,
through the outbox (``#催办 N``); a reminder is dropped at sending time for anyone
who has acknowledged by then.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from handlers.actions import notices as actions
from handlers.actions.core import Problems
from handlers.args import Ref, whole_number
from handlers.base import Context, Reply, Request, Role, command, reply
from handlers.receipts import NUDGE_KIND as NUDGE_KIND
from handlers.receipts import Person as Person
from handlers.receipts import ReceiptStatus as ReceiptStatus
from handlers.receipts import receipt_status as receipt_status
from handlers.receipts import sent_it
from handlers.refs import RECEIPT_NOTICES
from handlers.services import Services
from schedules.kv import clip
from storage.models import Member, Notice

SECTION = "通知回执"  # the heading it has in #帮助


# A group message that is *only* an acknowledgement counts as ``#收到`` while a receipt notice sent to that
# group is open (PLAIN_ACK_DAYS after it was sent). Deliberately short: 收到 / 收到了 / 已收到 / 已收到了,
# optionally after 好的 (好的收到, 好的，收到), optionally with a notice number (收到1, 收到 1, 收到#1),
# optionally ending in 。！!~. Anything else ("收到，但我周五请假", "收到3份") is ordinary chatter: dropped unread.
PLAIN_ACK = re.compile(r"^(?:好的[，,\s]*)?已?收到了?\s*(?:[#＃№]?\s*(\d{1,6})\s*号?)?[\s。.!！~～]*$")
PLAIN_ACK_DAYS = 7


def plain_acknowledgement(text: str) -> str | None:
    """'收到了' -> ''; '收到 3' -> '3'; anything that is not only an acknowledgement -> None."""
    m = PLAIN_ACK.match(text.strip())
    return None if m is None else (m.group(1) or "")


def by_department(people: list[Person]) -> list[str]:
    groups: dict[str, list[str]] = {}
    for p in people:
        groups.setdefault(p.department or "未填部门", []).append(p.name)
    return [f"{d}（{len(names)}）：{'、'.join(names)}" for d, names in sorted(groups.items())]


NOTICE = Ref("notice", "通知编号", kind=RECEIPT_NOTICES)
OPEN_NOTICE = Ref("notice", "通知编号", optional=True, kind=RECEIPT_NOTICES)  # none: the sender's open one


def _member(ctx: Context) -> Member:
    m = ctx.services.members.get_by_contact(ctx.sender.contact_id)
    assert m is not None  # the pipeline registers every sender before dispatch
    return m


@command("收到", aliases=("已收到", "回执收到"), args=(OPEN_NOTICE,), private_problems=True,
         help="确认收到需要回执的通知（群里或私聊都可以，不会在群里刷屏）", examples=("#收到", "#收到 3"))
def acknowledge(req: Request, ctx: Context) -> list[Reply]:
    me = _member(ctx)
    private = ctx.sender.contact_id  # every answer goes privately: the group never hears an acknowledgement
    access, notices = ctx.services.access, ctx.services.notices
    notice = req.get(OPEN_NOTICE)
    if notice is not None:
        if sent_it(notice, me):
            return [Reply(f"通知 {notice.number} 是您发出的，不需要回执。", to_contact=private)]
        if not access.in_audience(me, notice.audience):
            return [Reply(f"通知 {notice.number} 面向{notice.audience}，不需要您回执。", to_contact=private)]
    else:
        mine = [n for n in notices.list(receipts_only=True)
                if access.in_audience(me, n.audience) and not sent_it(n, me)]
        if not mine:
            return [Reply("目前没有需要您回执的通知。", to_contact=private)]
        open_ = [n for n in mine if not notices.has_acknowledged(n, ctx.sender.contact_id)]
        notice = open_[0] if open_ else mine[0]
    if not notices.acknowledge(notice, me, ctx.now):
        return []  # confirmed once already: nothing more, anywhere
    return [Reply(f"已确认收到通知 {notice.number}：{clip(notice.text, 30)}", to_contact=private)]


def acknowledge_plain(ctx: Context, number: str, candidates: list[Notice]) -> list[Reply]:
    """A plain "收到" in a group (``plain_acknowledgement``), with ``candidates`` the receipt notices open
    for that group: counted exactly like ``#收到``, confirmed privately the first time; anything that does
    not count (not in the audience, no such notice, the notice's own sender) is passed over in silence,
    for it may have been ordinary chatter."""
    me = _member(ctx)
    access, notices = ctx.services.access, ctx.services.notices
    mine = [n for n in candidates if access.in_audience(me, n.audience) and not sent_it(n, me)
            and (not number or str(n.number) == number)]
    open_ = [n for n in mine if not notices.has_acknowledged(n, ctx.sender.contact_id)]
    if not open_ or not notices.acknowledge(open_[0], me, ctx.now):
        return []
    return [Reply(f"已确认收到通知 {open_[0].number}：{open_[0].text[:30]}", to_contact=ctx.sender.contact_id)]


@command("回执", args=(NOTICE,), role=Role.ADMIN, help="查看通知的回执情况和未回执名单（按部门）",
         examples=("#回执 3",))
def receipts(req: Request, ctx: Context) -> list[Reply]:
    notice = req.get(NOTICE)
    st = receipt_status(ctx.services, notice)
    total = len(st.acknowledged) + len(st.missing)
    head = f"通知 {notice.number}（{clip(notice.text, 20)}）"
    lines = [f"{head}已收到 {len(st.acknowledged)}/{total}（按{st.counted_by}统计）"]
    if st.outside:
        lines.append(f"另有 {len(st.outside)} 人不在统计范围内，也回复了收到：{'、'.join(p.name for p in st.outside)}")
    if st.missing:
        lines.append(f"未回执 {len(st.missing)} 人：")
        lines += by_department(st.missing)
        lines.append(f"发送 #催办 {notice.number} 私聊提醒他们。")
    else:
        lines.append("全部已回执。")
    return reply("\n".join(lines))


@command("催办", args=(NOTICE,), role=Role.ADMIN, help="私聊提醒还没回执的人（经发件队列，按安全速率）",
         examples=("#催办 3",))
def nudge(req: Request, ctx: Context) -> list[Reply]:
    done = actions.nudge_receipts(ctx, req.get(NOTICE).number)
    if isinstance(done, Problems):
        return reply(done.text() + "。")
    return reply(nudged_text(done, ctx))


def nudged_text(done: actions.Nudged, ctx: Context) -> str:
    """What the admin is told after a 催办 (the page shows the same)."""
    if done.all_in:
        return f"通知 {done.notice.number} 全部已回执，无需催办。"
    extra = (f"另有 {done.unreachable} 人未绑定{ctx.services.style.platform}，无法私聊，请另行通知。"
             if done.unreachable else "")
    return f"已安排私聊提醒 {done.reached} 人（按安全速率发送，发送时已回执的人不再提醒）。{extra}"


def render_nudge(services: Services, ref: str, target: str, text: str) -> str | None:
    """At sending time: nothing for someone who has acknowledged meanwhile."""
    number = ref.removeprefix("notice:")
    notice = services.notices.get(n) if (n := whole_number(number)) is not None else None
    contact = target.removeprefix("contact:")
    if notice is None or services.notices.has_acknowledged(notice, contact):
        return None
    return text


def notice_json(n: Notice, tz: dt.tzinfo) -> dict:
    return {"number": n.number, "text": n.text, "audience": n.audience, "needs_receipt": n.needs_receipt,
            "groups": json.loads(n.groups or "[]"), "created_at": n.created_at.astimezone(tz).isoformat()}


def person_json(p: Person, tz: dt.tzinfo) -> dict:
    return {"name": p.name, "department": p.department, "contact_id": p.contact_id,
            **({"at": p.at.astimezone(tz).isoformat()} if p.at else {})}
