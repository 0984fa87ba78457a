"""How sign-ups read in chat: an event's time and notice, the list, the replies to a sign-up or a
change, the export workbook, and the posts rendered when the outbox sends them.

Split from ``handlers.signups``, which re-exports the names callers import from it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from handlers.args import whole_number
from handlers.base import Context, Reply, reply
from handlers.services import Services
from handlers.xlsx import workbook_bytes
from schedules.audience import EVERYONE
from storage.models import Event, Member, Signup
from storage.signups import ChangeOutcome, SignupOutcome

if TYPE_CHECKING:
    from handlers.actions.signups import Reminded, SignedUp

_WEEKDAY = "一二三四五六日"


def when_text(when: dt.datetime | None, ctx: Context) -> str:
    if when is None:
        return "待定"
    local = when.astimezone(ctx.services.tz)
    clock = "" if local.time() == dt.time(0, 0) else f" {local:%H:%M}"
    return f"{local.month}月{local.day}日（周{_WEEKDAY[local.weekday()]}）{clock}"


def notice_text(e: Event, ctx: Context, preview: bool = False) -> str:
    """The group notice; ``preview``: before publishing, without the number it does not have yet."""
    number = "" if preview else f"（报名编号 {e.number}）"
    lines = [f"【报名通知】{e.title}{number}", f"时间：{when_text(e.starts_at, ctx)}"]
    if e.place:
        lines.append(f"地点：{e.place}")
    cap = f"{e.capacity} 人" if e.capacity else "不限"
    if e.family_max:
        cap += f"（每人可带家属 {e.family_max} 人）"
    lines.append(f"名额：{cap}")
    if e.deadline:
        lines.append(f"截止：{when_text(e.deadline, ctx)}")
    if e.audience != EVERYONE:
        lines.append(f"对象：{e.audience}")
    if e.note:
        lines.append(f"说明：{e.note}")
    if not preview:
        plus = f"（带家属发送 #报名 {e.number} +1）" if e.family_max else ""
        lines.append(f"报名：发送 #报名 {e.number}{plus}；取消发送 #取消报名 {e.number}；名单 #名单 {e.number}")
    return "\n".join(lines)


def roster_text(services: Services, number: int) -> str | None:
    roster = services.signups.roster(number)
    if roster is None:
        return None
    e = roster.event
    seats = sum(s.seats for s in roster.confirmed)
    cap = f"/{e.capacity}" if e.capacity else ""
    state = {"open": "", "closed": "（已截止）", "cancelled": "（已取消）"}[e.status]
    lines = [f"【{e.number}】{e.title}{state} 已报 {seats}{cap} 人"]
    for i, s in enumerate(roster.confirmed, start=1):
        lines.append(f"{i}. {_who(s)}")
    if roster.waitlist:
        lines.append(f"候补 {len(roster.waitlist)} 人：")
        lines += [f"候补{i}. {_who(s)}" for i, s in enumerate(roster.waitlist, start=1)]
    if not roster.confirmed and not roster.waitlist:
        lines.append("还没有人报名。")
    return "\n".join(lines)


def render_list_post(services: Services, ref: str) -> str | None:
    """The coalesced group list, rendered when it is sent (not when queued), so it is current."""
    number = ref.removeprefix("event:")
    return roster_text(services, n) if (n := whole_number(number)) is not None else None


def _who(s: Signup) -> str:
    return s.name + (f" +{s.extra}" if s.extra else "") + (f"（{s.note}）" if s.note else "")


STATUS_LABELS = {"confirmed": "已报名", "waitlist": "候补", "cancelled": "已取消"}


def signup_workbook(rows: list[Signup], tz: dt.tzinfo) -> bytes:
    body = [
        (i, s.name, s.department, s.signed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
         STATUS_LABELS.get(s.status, s.status), s.extra, s.note, s.by if s.by != s.contact_id else "")
        for i, s in enumerate(rows, start=1)
    ]
    return workbook_bytes("报名名单", ["序号", "姓名", "部门", "报名时间", "状态", "家属人数", "备注", "代报人"], body)


SIGNUP_NUDGE_KIND = "signup_nudge"


def not_signed_up(ctx: Context, event: Event) -> list[Member] | None:
    """The roster's members in the event's audience who neither signed up nor wait; None without a roster."""
    taken = ctx.services.signups.active_member_ids(event.number)
    expected = ctx.services.access.expected(event.audience, without=taken)
    if expected is None:
        return None
    return [m for m in expected if m.id not in taken]


def render_signup_nudge(services: Services, ref: str, target: str, text: str) -> str | None:
    """At sending time: nothing once the member signed up, or once the sign-up closed."""
    number = ref.removeprefix("event:")
    event = services.signups.get(n) if (n := whole_number(number)) is not None else None
    if event is None or event.status != "open":
        return None
    contact = target.removeprefix("contact:")
    if any(s.contact_id == contact and s.status != "cancelled" for s in services.signups.all_signups(event.number)):
        return None
    return text


def _outcome_replies(outcome: SignupOutcome, name: str, ctx: Context) -> list[Reply]:
    e = outcome.event
    if e is None:
        return reply("没有这个报名编号，发送 #报名列表 查看正在报名的活动。")
    mine = outcome.signup
    match outcome.status:
        case "closed":
            return reply(f"“{e.title}”报名已截止。")
        case "cancelled":
            return reply(f"“{e.title}”已取消。")
        case "deadline":
            return reply(f"“{e.title}”报名已于 {when_text(e.deadline, ctx)} 截止。")
        case "audience":
            return reply(f"“{e.title}”面向{e.audience}，您不在报名范围内。如有疑问请联系工会。")
        case "family":
            return reply(f"“{e.title}”{_family_limit(e)}，未报名。")
        case "already":
            state = "已在名单中" if mine and mine.status == "confirmed" else f"在候补第 {outcome.position} 位"
            return reply(f"{name} 已经报过“{e.title}”了（{state}），无需重复报名。")
        case "confirmed":
            left = f"，剩余 {e.capacity - e.confirmed_seats} 个名额" if e.capacity else ""
            plus = f" +{mine.extra}" if mine and mine.extra else ""
            return reply(f"✓ {name}{plus} 报名成功：{e.title}（第 {outcome.position} 位{left}）")
        case "waitlist":
            return reply(f"“{e.title}”名额已满，{name} 已进入候补第 {outcome.position} 位；"
                         "有人取消时自动递补并私聊通知。")
    return reply("未报名，请稍后再试。")


def _family_limit(e: Event) -> str:
    return f"最多可带家属 {e.family_max} 人" if e.family_max else "不能带家属"


def _extra_replies(outcome: ChangeOutcome, name: str, ctx: Context) -> list[Reply]:
    e = outcome.event
    assert e is not None
    match outcome.status:
        case "changed":
            assert outcome.signup is not None
            seats = f"（已报 {e.confirmed_seats}/{e.capacity}）" if e.capacity else ""
            out = [Reply(f"已将 {name} 报名“{e.title}”的家属人数改为 {outcome.signup.extra} 人{seats}。")]
            out += _promotion_replies(e, outcome.promoted, ctx, out)
            return out
        case "full":
            return reply(f"“{e.title}”名额不足（或有人在候补），家属人数未改。")
        case "family":
            return reply(f"“{e.title}”{_family_limit(e)}，未修改。")
        case "closed":
            return reply(f"“{e.title}”报名已截止，不能修改。")
    return []


def _promotion_replies(event: Event, promoted: list[Signup], ctx: Context, head: list[Reply]) -> list[Reply]:
    """Private notices to those moved up from the waitlist; in a group, their names on the first reply."""
    out = []
    for p in promoted:
        out.append(Reply(promotion_tell(event, p), to_contact=p.contact_id)
                   if p.contact_id else
                   Reply(f"{p.name} 已从候补递补（未绑定{ctx.services.style.platform}，请转告）。"))
    if promoted and ctx.chat.is_group and head:
        head[0] = Reply(head[0].text + " 候补的 " + "、".join(p.name for p in promoted) + " 已递补。")
    return out


def signed_up_replies(done: SignedUp, ctx: Context) -> list[Reply]:
    """The chat's answer to #报名: the outcome, or what signing up again changed (+N, 备注)."""
    outcome, name = done.outcome, done.member.name
    changes: list[Reply] = []
    if done.extra_change is not None:
        changes += _extra_replies(done.extra_change, name, ctx)
    if done.note_changed and outcome.event is not None:
        changes.append(Reply(f"已更新 {name} 在“{outcome.event.title}”的备注：{done.note}。"))
    return changes or _outcome_replies(outcome, name, ctx)


def reminded_text(done: Reminded, ctx: Context) -> str:
    extra = f"另有 {done.unbound} 人未绑定{ctx.services.style.platform}。" if done.unbound > 0 else ""
    return f"已安排私聊提醒 {done.reached} 人（发送时已报名或已截止则不再提醒）。{extra}"


def promotion_tell(event: Event, p: Signup) -> str:
    """Told privately to someone moved up from the waitlist."""
    return f"好消息：“{event.title}”有人取消，您已从候补递补为正式报名。如不能参加请发送 #取消报名 {event.number}。"


def proxy_tell(outcome: SignupOutcome, by: str, number: int) -> str:
    """Told privately to someone an admin signed up."""
    assert outcome.event is not None
    state = "报名成功" if outcome.status == "confirmed" else f"进入候补（第 {outcome.position} 位）"
    return f"{by} 已为您报名“{outcome.event.title}”：{state}。如不能参加请发送 #取消报名 {number}。"


def cancel_tell(event: Event, reason: str) -> str:
    """Told privately to everyone signed up for an event that is called off."""
    why = f"原因：{reason}。" if reason else ""
    return f"很抱歉，您报名的“{event.title}”已取消。{why}"


def remind_text(event: Event, ctx: Context) -> str:
    """The private reminder to someone in the audience who has not signed up."""
    deadline = f"，{when_text(event.deadline, ctx)}截止" if event.deadline else ""
    return f"提醒：“{event.title}”正在报名{deadline}。参加请发送 #报名 {event.number}。"


def _open_events(ctx: Context) -> list[Event]:
    return [e for e in ctx.services.signups.open_events() if e.deadline is None or e.deadline > ctx.now]


def _open_list(events: list[Event], ctx: Context) -> str:
    lines = []
    for e in events:
        cap = f"，已报 {e.confirmed_seats}/{e.capacity}" if e.capacity else f"，已报 {e.confirmed_seats}"
        deadline = f"，{when_text(e.deadline, ctx)}截止" if e.deadline else ""
        lines.append(f"【{e.number}】{e.title}（{when_text(e.starts_at, ctx)}{cap}{deadline}）")
    return "\n".join(lines)
