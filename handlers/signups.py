"""Event sign-ups by message (接龙): publish, sign up, cancel, lists, export.

Who gets a place is decided by the database (storage.signups); handlers only
read the message, check who may do what, and word the replies. Replies in a
busy group stay one line; the full list is posted to the group at most once
per ``[signups] list_interval_minutes`` through the outbox.

The commands stay here, in #帮助's order; reading their arguments lives in ``handlers.signup_args``,
their wording in ``handlers.signup_views``, the publish form in ``handlers.signup_publish``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from handlers.args import Field, Fields, Ref, Text
from handlers.base import Answer, Attachment, Context, Invalid, Reply, Request, Role, command, reply
from handlers.forms import begin
from handlers.notices import Person, by_department
from handlers.refs import EVENTS, sole_open_event
from handlers.signup_args import _EXTRA_GIVEN, _number_from_title, parse_signup_args, split_note, split_title
from handlers.signup_args import NOTE_MAX as NOTE_MAX
from handlers.signup_args import events_titled as events_titled
from handlers.signup_checks import named_member
from handlers.signup_publish import PUBLISH_FORM, _new_event, _publish, _read_event
from handlers.signup_publish import PUBLISH_PROMPT as PUBLISH_PROMPT
from handlers.signup_views import (
    SIGNUP_NUDGE_KIND,
    _extra_replies,
    _open_events,
    _open_list,
    _outcome_replies,
    _promotion_replies,
    not_signed_up,
    roster_text,
    signup_workbook,
    when_text,
)
from handlers.signup_views import STATUS_LABELS as STATUS_LABELS
from handlers.signup_views import notice_text as notice_text
from handlers.signup_views import render_list_post as render_list_post
from handlers.signup_views import render_signup_nudge as render_signup_nudge
from schedules.event_form import FIELDS as EVENT_FIELDS
from schedules.kv import too_long
from storage.models import Event, Member

SECTION = "活动报名"  # the heading it has in #帮助


EVENT = Ref("event", "编号", kind=EVENTS)
SOLE_EVENT = Ref("event", "编号", kind=EVENTS, default=sole_open_event)  # none: the only open one
CANCEL_REASON = Text("reason", "原因", optional=True)
# Read again whole by the publish form (handlers.signup_publish), which names every problem at once.
NEW_EVENT = Fields("event", "活动名称", head="活动名称", optional=True, strict=False, fields=tuple(
    Field(name, aliases, listed=key != "title") for name, aliases, key in EVENT_FIELDS))


def _queue_list_post(ctx: Context, event: Event) -> None:
    """Coalesce the group's list post: one per interval per event, sent at the end of it."""
    if not ctx.chat.is_group:
        return
    interval = ctx.services.signup_list_interval
    now = ctx.now.astimezone(dt.UTC)
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    bucket = int((now - epoch) / interval)
    due = epoch + interval * (bucket + 1)
    ctx.services.reminders.queue_rendered(
        kind="signup_list", ref=f"event:{event.number}", target=f"room:{ctx.chat.id}",
        occurrence=str(bucket), due_at=due, expires_at=due + dt.timedelta(hours=1), now=now,
    )


def _member(ctx: Context) -> Member:
    m = ctx.services.members.get_by_contact(ctx.sender.contact_id)
    assert m is not None  # the pipeline registers every sender before dispatch
    return m


# --- admins ---------------------------------------------------------------------



@command("发起报名", args=(NEW_EVENT,), role=Role.ADMIN,
         help="发起一项活动报名，并把报名通知发到对应的群（只发 #发起报名 则私聊分步填写）",
         examples=("#发起报名 教职工羽毛球赛 时间=2027-04-15 15:30 地点=体育馆 名额=32 截止=2027-04-12 17:00",
                   "#发起报名 活动5 名额=40"))
def publish(req: Request, ctx: Context) -> list[Reply]:
    if not req.args.strip():
        if ctx.chat.is_group:
            return req.usage("请写上活动名称（也可私聊我只发 #发起报名，按提示填写）")
        return begin(PUBLISH_FORM, req, ctx)
    try:
        event = _read_event(Answer(req.args, None, {}), ctx)
    except Invalid as exc:
        return reply(str(exc))
    if ctx.services.signups.same_events(event["title"], _new_event(event).starts_at):
        # The same title at the same time again: ask first (the form's confirm step), never publish twice blindly.
        if ctx.chat.is_group:
            return reply(f"已有同名、同时间的报名“{event['title'][:30]}”，未重复发起。"
                         "确需再发请私聊我发送同样的命令并确认。")
        return begin(PUBLISH_FORM, req, ctx, {"values": {"event": event}})
    return _publish(event, ctx)


@command("代报名", syntax="#代报名 编号 姓名 [+家属人数] [备注]", role=Role.ADMIN,
         help="替某位教职工报名", examples=("#代报名 3 张三", "#代报名 3 张三 +1"))
def proxy_signup(req: Request, ctx: Context) -> list[Reply]:
    parts = req.argv
    if len(parts) < 2:
        return req.usage()
    args, _, note = split_note(" ".join([parts[0], *parts[2:]]))
    number, extra, problem = parse_signup_args(args)
    if number is None or problem or len(note) > NOTE_MAX:
        return req.usage()
    event = ctx.services.signups.get(number)
    if event is None:
        return reply("没有这个报名编号，发送 #报名列表 查看正在报名的活动。")
    if event.status != "open":
        return reply(f"“{event.title}”{'已取消' if event.status == 'cancelled' else '报名已截止'}，未报名。")
    member, problem = named_member(parts[1][:64], ctx)
    if member is None:
        return reply(f"未报名：{problem}。")
    outcome = ctx.services.signups.sign_up(number, member, extra, ctx.sender.contact_id, ctx.now, note=note)
    replies = _outcome_replies(outcome, member.name, ctx)
    if outcome.status in ("confirmed", "waitlist") and member.contact_id and member.contact_id != ctx.sender.contact_id:
        assert outcome.event is not None
        state = "报名成功" if outcome.status == "confirmed" else f"进入候补（第 {outcome.position} 位）"
        replies.append(Reply(f"{ctx.sender.name} 已为您报名“{outcome.event.title}”：{state}。"
                             f"如不能参加请发送 #取消报名 {number}。", to_contact=member.contact_id))
    return replies


@command("截止报名", args=(EVENT,), role=Role.ADMIN, help="提前截止一项报名", examples=("#截止报名 3",))
def close_signup(req: Request, ctx: Context) -> list[Reply]:
    event = req.get(EVENT)
    if event.status != "open":
        return reply(f"“{event.title}”已{'取消' if event.status == 'cancelled' else '截止'}，无需再截止。")
    ctx.services.signups.set_status(event.number, "closed")
    roster = ctx.services.signups.roster(event.number)
    assert roster is not None
    return reply(f"已截止“{event.title}”的报名：确认 {len(roster.confirmed)} 人，候补 {len(roster.waitlist)} 人。")


@command("取消活动", args=(EVENT, CANCEL_REASON), role=Role.ADMIN,
         help="取消一项报名活动，并私聊通知已报名的人", examples=("#取消活动 3 因天气原因延期",))
def cancel_event(req: Request, ctx: Context) -> list[Reply]:
    event = req.get(EVENT)
    if event.status == "cancelled":
        return reply(f"“{event.title}”已经取消过了。")
    reason = req.get(CANCEL_REASON)
    if len(reason) > 200:
        return reply(too_long("取消原因", 200, reason) + "，未取消。")
    _, active = ctx.services.signups.set_status(event.number, "cancelled", reason or "未说明")
    why = f"原因：{reason}。" if reason else ""
    out = [Reply(f"很抱歉，您报名的“{event.title}”已取消。{why}", to_contact=s.contact_id)
           for s in active if s.contact_id]
    out.insert(0, Reply(f"已取消“{event.title}”，已私聊通知 {len(out)} 位报名者。"))
    return out


@command("导出名单", args=(EVENT,), role=Role.ADMIN, help="把报名名单导出为 Excel 文件（私聊发给您）",
         examples=("#导出名单 3",))
def export_signups(req: Request, ctx: Context) -> list[Reply]:
    event = req.get(EVENT)
    data = signup_workbook(ctx.services.signups.all_signups(event.number), ctx.services.tz)
    name = f"报名名单-{event.number}-{event.title[:20]}.xlsx"
    text = (f"“{event.title}”报名名单已发送：{name}。如未收到文件，可在服务器上运行 "
            f"unionbot signup export {event.number} --out 名单.xlsx")
    return [Reply(text, file=Attachment(name, data), to_contact=ctx.sender.contact_id)]


@command("未报名", args=(EVENT,), role=Role.ADMIN, help="查看报名对象中还没报名的人（按部门，依花名册）",
         examples=("#未报名 3",))
def missing_signups(req: Request, ctx: Context) -> list[Reply]:
    event = req.get(EVENT)
    missing = not_signed_up(ctx, event)
    if missing is None:
        return reply("还没有导入花名册，无法知道谁没报名（见 unionbot members import）。")
    if not missing:
        return reply(f"“{event.title}”的报名对象都已报名（或在候补）。")
    lines = [f"“{event.title}”还有 {len(missing)} 人未报名："]
    lines += by_department([Person(m.name, m.department, m.contact_id or "") for m in missing])
    lines.append(f"发送 #提醒报名 {event.number} 私聊提醒他们。")
    return reply("\n".join(lines))


@command("提醒报名", args=(EVENT,), role=Role.ADMIN, help="私聊提醒还没报名的人（截止前，经发件队列）",
         examples=("#提醒报名 3",))
def remind_signups(req: Request, ctx: Context) -> list[Reply]:
    event = req.get(EVENT)
    if event.status != "open" or (event.deadline is not None and event.deadline <= ctx.now):
        return reply(f"“{event.title}”报名已截止，不再提醒。")
    missing = not_signed_up(ctx, event)
    if missing is None:
        return reply("还没有导入花名册，无法知道谁没报名（见 unionbot members import）。")
    reachable = [m.contact_id for m in missing if m.contact_id]
    deadline = f"，{when_text(event.deadline, ctx)}截止" if event.deadline else ""
    text = f"提醒：“{event.title}”正在报名{deadline}。参加请发送 #报名 {event.number}。"
    # Not sent after the deadline: the outbox lets such a post expire (missed) instead.
    ctx.services.reminders.queue_private(SIGNUP_NUDGE_KIND, f"event:{event.number}", reachable, uuid.uuid4().hex[:12],
                                         text, ctx.now.astimezone(dt.UTC), expires_at=event.deadline)
    unbound = len(missing) - len(reachable)
    extra = f"另有 {unbound} 人未绑定{ctx.services.style.platform}。" if unbound > 0 else ""
    return reply(f"已安排私聊提醒 {len(reachable)} 人（发送时已报名或已截止则不再提醒）。{extra}")


# --- members --------------------------------------------------------------------


@command("报名", syntax="#报名 编号 [+家属人数] [备注]",
         help="报名参加活动（只有一项报名时可省略编号，也可写活动名称；编号后的文字是备注，会显示在名单里）",
         examples=("#报名 3", "#报名 3 +1", "#报名 3 素食", "#报名 羽毛球"))
def sign_up(req: Request, ctx: Context) -> list[Reply]:
    args, title, note = split_note(req.args)
    number, extra, problem = parse_signup_args(args)
    if problem:
        return req.usage(problem)
    if len(note) > NOTE_MAX:
        return reply(too_long("备注", NOTE_MAX, note) + "，未报名。")
    if number is None and title:
        number, problem_reply = _number_from_title(title, _open_events(ctx), ctx, req)
        if number is None:
            return problem_reply
    if number is None:
        open_events = _open_events(ctx)
        if len(open_events) != 1:
            if not open_events:
                return reply("目前没有正在报名的活动。")
            return reply("正在报名的活动有多项，请写上编号：\n" + _open_list(open_events, ctx))
        number = open_events[0].number
    member = _member(ctx)
    outcome = ctx.services.signups.sign_up(number, member, extra, ctx.sender.contact_id, ctx.now,
                                           admit=lambda event: ctx.services.access.in_audience(member, event.audience),
                                           note=note)
    if outcome.status == "already" and outcome.event is not None and member.id is not None:
        # Signing up again with '+N' or a 备注 changes them; the place stays.
        changes: list[Reply] = []
        if _EXTRA_GIVEN.search(args) and outcome.signup is not None and outcome.signup.extra != extra:
            changes += _extra_replies(ctx.services.signups.change_extra(number, member.id, extra, ctx.now),
                                      member.name, ctx)
        if note:
            ctx.services.signups.set_note(number, member.id, note, ctx.now)
            changes.append(Reply(f"已更新 {member.name} 在“{outcome.event.title}”的备注：{note}。"))
        if changes:
            _queue_list_post(ctx, outcome.event)
            return changes
    replies = _outcome_replies(outcome, member.name, ctx)
    if outcome.status in ("confirmed", "waitlist") and outcome.event is not None:
        _queue_list_post(ctx, outcome.event)
    return replies


@command("取消报名", syntax="#取消报名 编号", help="取消自己的报名", examples=("#取消报名 3",))
def cancel_signup(req: Request, ctx: Context) -> list[Reply]:
    args, title = split_title(req.args)
    number, _, problem = parse_signup_args(args)
    if problem:
        return req.usage(problem)
    if number is None and title:
        mine_events = [e for e, _ in ctx.services.signups.of_member(_member(ctx).id or 0)]
        number, problem_reply = _number_from_title(title, mine_events, ctx, req)
        if number is None:
            return problem_reply
    if number is None:
        mine = ctx.services.signups.of_member(_member(ctx).id or 0)
        if len(mine) != 1:
            return req.usage("请写上报名编号（发送 #我的报名 查看）")
        number = mine[0][0].number
    outcome = ctx.services.signups.cancel(number, _member(ctx).id or 0, ctx.now)
    if outcome.status == "not_found":
        return reply("没有这个报名编号，发送 #我的报名 查看您的报名。")
    assert outcome.event is not None
    if outcome.status == "not_signed":
        return reply(f"您没有报名“{outcome.event.title}”，无需取消。")
    out = [Reply(f"已取消 {ctx.sender.name} 的报名：{outcome.event.title}。")]
    out += _promotion_replies(outcome.event, outcome.promoted, ctx, out)
    _queue_list_post(ctx, outcome.event)
    return out


@command("名单", args=(SOLE_EVENT,), help="查看某项活动的报名名单（只有一项报名时可省略编号）",
         examples=("#名单 3", "#名单 羽毛球"))
def show_roster(req: Request, ctx: Context) -> list[Reply]:
    event = req.get(SOLE_EVENT)
    text = roster_text(ctx.services, event.number)
    return reply(text or "没有这个报名编号。")


@command("我的报名", args=(), help="查看自己报了哪些活动")
def my_signups(req: Request, ctx: Context) -> list[Reply]:
    mine = ctx.services.signups.of_member(_member(ctx).id or 0)
    if not mine:
        return reply("您目前没有报名任何活动。发送 #报名列表 查看正在报名的活动。")
    lines = ["您的报名："]
    for e, s in mine:
        state = "已报名" if s.status == "confirmed" else "候补中"
        lines.append(f"【{e.number}】{e.title}，{when_text(e.starts_at, ctx)}，{state}")
    return reply("\n".join(lines))


@command("报名列表", args=(), help="查看正在报名的活动")
def open_signups(req: Request, ctx: Context) -> list[Reply]:
    events = _open_events(ctx)
    if not events:
        return reply("目前没有正在报名的活动。")
    return reply("正在报名：\n" + _open_list(events, ctx) + "\n发送 #报名 编号 报名。")
