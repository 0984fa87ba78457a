"""Event sign-ups by message (接龙): publish, sign up, cancel, lists, export.

Who gets a place is decided by the database (storage.signups); handlers only
read the message, check who may do what, and word the replies. Replies in a
busy group stay one line; the full list is posted to the group at most once
per ``[signups] list_interval_minutes`` through the outbox.

The commands stay here, in #帮助's order; reading their arguments lives in ``handlers.signup_args``,
their wording in ``handlers.signup_views``, the publish form in ``handlers.signup_publish``.
"""

from __future__ import annotations

from handlers.actions import signups as actions
from handlers.actions.core import Problems
from handlers.actions.core import told as _told
from handlers.actions.signups import acting_member
from handlers.args import Count, Field, Fields, Ref, Text, Word
from handlers.base import Answer, Context, Invalid, Reply, Request, Role, command, reply
from handlers.forms import begin
from handlers.notices import Person, by_department
from handlers.refs import EVENTS, MY_EVENTS, OPEN_EVENTS, PROXY_EVENTS, only_my_signup, only_open_event, sole_open_event
from handlers.signup_args import NOTE_MAX as NOTE_MAX
from handlers.signup_args import events_titled as events_titled
from handlers.signup_args import parse_signup_args as parse_signup_args
from handlers.signup_args import split_note as split_note
from handlers.signup_args import split_title as split_title
from handlers.signup_publish import PUBLISH_FORM, _new_event, _publish, _read_event
from handlers.signup_publish import PUBLISH_PROMPT as PUBLISH_PROMPT
from handlers.signup_views import SIGNUP_NUDGE_KIND as SIGNUP_NUDGE_KIND
from handlers.signup_views import STATUS_LABELS as STATUS_LABELS
from handlers.signup_views import (
    _open_events,
    _open_list,
    _outcome_replies,
    _promotion_replies,
    not_signed_up,
    reminded_text,
    roster_text,
    signed_up_replies,
    when_text,
)
from handlers.signup_views import notice_text as notice_text
from handlers.signup_views import render_list_post as render_list_post
from handlers.signup_views import render_signup_nudge as render_signup_nudge
from handlers.signup_views import signup_workbook as signup_workbook
from schedules.event_form import FIELDS as EVENT_FIELDS
from storage.models import Member

SECTION = "活动报名"  # the heading it has in #帮助


EVENT = Ref("event", "编号", kind=EVENTS)
SOLE_EVENT = Ref("event", "编号", kind=EVENTS, default=sole_open_event)  # none: the only open one
CANCEL_REASON = Text("reason", "原因", optional=True)
SIGNUP_EVENT = Ref("event", "编号", kind=OPEN_EVENTS, default=only_open_event)  # '#报名 羽毛球', '#报名'
PROXY_EVENT = Ref("event", "编号", kind=PROXY_EVENTS)
MY_EVENT = Ref("event", "编号", kind=MY_EVENTS, default=only_my_signup)  # none: the sender's only one
NAME = Word("name", "姓名")
EXTRA = Count("extra", "家属人数", optional=True, anywhere=True)  # '+1' before or after the note
NOTE = Text("note", "备注", optional=True, limit=NOTE_MAX, refused="，未报名。")
# Read again whole by the publish form (handlers.signup_publish), which names every problem at once.
NEW_EVENT = Fields("event", "活动名称", head="活动名称", optional=True, strict=False, fields=tuple(
    Field(name, aliases, listed=key != "title") for name, aliases, key in EVENT_FIELDS))


def _member(ctx: Context) -> Member:
    return acting_member(ctx)


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


@command("代报名", args=(PROXY_EVENT, NAME, EXTRA, NOTE), role=Role.ADMIN,
         help="替某位教职工报名", examples=("#代报名 3 张三", "#代报名 3 张三 +1"))
def proxy_signup(req: Request, ctx: Context) -> list[Reply]:
    extra = req.get(EXTRA)
    done = actions.proxy_sign_up(ctx, req.get(PROXY_EVENT).number, req.get(NAME), extra or 0, req.get(NOTE))
    if isinstance(done, Problems):
        if "name" in done.fields:
            return reply(f"未报名：{done.text()}。")
        return reply(f"{done.text()}，未报名。")
    return _outcome_replies(done.outcome, done.member.name, ctx) + _told(done.tells)


@command("截止报名", args=(EVENT,), role=Role.ADMIN, help="提前截止一项报名", examples=("#截止报名 3",))
def close_signup(req: Request, ctx: Context) -> list[Reply]:
    event = req.get(EVENT)
    closed = actions.close_event(ctx, event.number)
    if isinstance(closed, Problems):
        return reply(closed.text() + "。")
    return reply(f"已截止“{event.title}”的报名：确认 {closed.confirmed} 人，候补 {closed.waitlist} 人。")


@command("取消活动", args=(EVENT, CANCEL_REASON), role=Role.ADMIN,
         help="取消一项报名活动，并私聊通知已报名的人", examples=("#取消活动 3 因天气原因延期",))
def cancel_event(req: Request, ctx: Context) -> list[Reply]:
    event = req.get(EVENT)
    done = actions.cancel_event(ctx, event.number, req.get(CANCEL_REASON))
    if isinstance(done, Problems):
        return reply(done.text() + ("，未取消。" if "reason" in done.fields else "。"))
    return [Reply(f"已取消“{event.title}”，已私聊通知 {len(done.tells)} 位报名者。"), *_told(done.tells)]


@command("导出名单", args=(EVENT,), role=Role.ADMIN, help="把报名名单导出为 Excel 文件（私聊发给您）",
         examples=("#导出名单 3",))
def export_signups(req: Request, ctx: Context) -> list[Reply]:
    event = req.get(EVENT)
    file = actions.export_roster(ctx, event.number)
    if isinstance(file, Problems):
        return reply(file.text() + "。")
    text = (f"“{event.title}”报名名单已发送：{file.name}。如未收到文件，可在服务器上运行 "
            f"unionbot signup export {event.number} --out 名单.xlsx")
    return [Reply(text, file=file, to_contact=ctx.sender.contact_id)]


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
    done = actions.remind_missing(ctx, req.get(EVENT).number)
    if isinstance(done, Problems):
        return reply(done.text() + "。")
    return reply(reminded_text(done, ctx))


# --- members --------------------------------------------------------------------


@command("报名", args=(SIGNUP_EVENT, EXTRA, NOTE),
         help="报名参加活动（只有一项报名时可省略编号，也可写活动名称；编号后的文字是备注，会显示在名单里）",
         examples=("#报名 3", "#报名 3 +1", "#报名 3 素食", "#报名 羽毛球"))
def sign_up(req: Request, ctx: Context) -> list[Reply]:
    extra = req.get(EXTRA)  # None: not written, so signing up again keeps the '+N' given before
    done = actions.sign_up(ctx, req.get(SIGNUP_EVENT).number, extra or 0, req.get(NOTE), extra is not None)
    return signed_up_replies(done, ctx)


@command("取消报名", args=(MY_EVENT,), help="取消自己的报名", examples=("#取消报名 3",))
def cancel_signup(req: Request, ctx: Context) -> list[Reply]:
    outcome = actions.cancel_signup(ctx, req.get(MY_EVENT).number).outcome
    if outcome.status == "not_found":
        return reply("没有这个报名编号，发送 #我的报名 查看您的报名。")
    assert outcome.event is not None
    if outcome.status == "not_signed":
        return reply(f"您没有报名“{outcome.event.title}”，无需取消。")
    out = [Reply(f"已取消 {ctx.sender.name} 的报名：{outcome.event.title}。")]
    out += _promotion_replies(outcome.event, outcome.promoted, ctx, out)
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
