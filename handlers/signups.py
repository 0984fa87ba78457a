"""Event sign-ups by message (接龙): publish, sign up, cancel, lists, export.

Who gets a place is decided by the database (storage.signups); handlers only
read the message, check who may do what, and word the replies. Replies in a
busy group stay one line; the full list is posted to the group at most once
per ``[signups] list_interval_minutes`` through the outbox.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid

from handlers.base import Answer, Attachment, Context, Form, Invalid, Reply, Request, Role, Step, command, reply
from handlers.forms import begin
from handlers.notices import Person, by_department
from handlers.services import Services
from handlers.signup_checks import audience_problem, duplicate_warning, named_member
from handlers.xlsx import workbook_bytes
from schedules.audience import EVERYONE
from schedules.event_form import TITLE_MAX, parse_event_form
from schedules.kv import too_long
from schedules.text_norm import normalize_message
from storage.models import Event, Member, Signup
from storage.signups import ChangeOutcome, NewEvent, SignupOutcome

SECTION = "活动报名"  # the heading it has in #帮助

_WEEKDAY = "一二三四五六日"
_NUMBER = re.compile(r"^(?:报名|活动|编号|第)?(\d{1,6})(?:号|个)?$")
_EXTRA = re.compile(r"^(?:\+|＋|加|带|家属)(\d{1,2})(?:人|位)?$")
_EXTRA_GIVEN = re.compile(r"(?:^|\s)(?:\+|＋|加|带|家属)\d")


def parse_signup_args(args: str) -> tuple[int | None, int, str]:
    """'3 +1' -> (3, 1, ''); '' -> (None, 0, ''); garbage -> (None, 0, problem)."""
    number, extra = None, 0
    for token in args.replace("＋", "+").split():
        token = token.lstrip("#＃")
        if m := _NUMBER.match(token):
            if number is not None:
                return None, 0, "一次只能报名一个活动"
            number = int(m.group(1))
        elif m := _EXTRA.match(token):
            extra = int(m.group(1))
        else:
            return None, 0, f"看不懂“{token[:20]}”"
    return number, extra, ""


NOTE_MAX = 50
_NOTE_KEY = re.compile(r"^备注\s*[=:：]?\s*")


def split_note(args: str) -> tuple[str, str, str]:
    """'3 +1 素食' -> ('3 +1', '', '素食'); '羽毛球' -> ('', '羽毛球', ''); '备注=素食' -> ('', '', '素食').

    Words after a number are a 备注; without a number they name the event,
    unless they start with 备注."""
    args, words = split_title(args)
    if m := _NOTE_KEY.match(words):
        return args, "", words[m.end():].strip()
    if words and parse_signup_args(args)[0] is not None:
        return args, "", words
    return args, words, ""


def split_title(args: str) -> tuple[str, str]:
    """'羽毛球 +1' -> ('+1', '羽毛球'): the words that are neither a number nor '+N' name an event."""
    keep, words = [], []
    for token in re.sub(r"(\d)\s*\+", r"\1 +", args.replace("＋", "+")).split():  # '1+1' is '1 +1'
        bare = token.lstrip("#＃")
        (keep if _NUMBER.match(bare) or _EXTRA.match(bare) else words).append(token)
    return " ".join(keep), " ".join(words)


def events_titled(words: str, events: list[Event]) -> list[Event]:
    """Events whose title contains ``words`` (spaces and width ignored); at least two characters."""
    key = re.sub(r"\s+", "", normalize_message(words)).lstrip("#")
    if len(key) < 2:
        return []
    return [e for e in events if key in re.sub(r"\s+", "", normalize_message(e.title))]


def _number_from_title(words: str, events: list[Event], ctx: Context, req: Request) -> tuple[int | None, list[Reply]]:
    found = events_titled(words, events)
    if len(found) == 1:
        return found[0].number, []
    if not found:
        return None, req.usage(f"没有找到名称含“{words[:20]}”的活动（编号见 #报名列表）")
    return None, reply("有多项活动符合，请写上编号：\n" + _open_list(found, ctx))


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
    return roster_text(services, int(number)) if number.isdecimal() else None


def _who(s: Signup) -> str:
    return s.name + (f" +{s.extra}" if s.extra else "") + (f"（{s.note}）" if s.note else "")


def _event_arg(req: Request, ctx: Context, sole_open: bool = False) -> tuple[Event | None, list[Reply]]:
    """The event the first argument names; ``sole_open``: with no argument, the one open event (if one)."""
    arg = req.argv[0] if req.argv else ""
    number, _, _ = parse_signup_args(arg)
    if number is None and arg and not split_title(arg)[0]:
        number, problem = _number_from_title(arg, ctx.services.signups.all_events(), ctx, req)
        if number is None:
            return None, problem
    if number is None and not arg and sole_open and len(open_events := _open_events(ctx)) == 1:
        number = open_events[0].number
    if number is None:
        return None, req.usage("请写上报名编号（见 #报名列表）")
    event = ctx.services.signups.get(number)
    if event is None:
        return None, reply(f"没有编号为 {number} 的报名活动，发送 #报名列表 查看。")
    return event, []


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


def _read_event(answer: Answer, ctx: Context) -> dict:
    """A notice's text (one line, or one '键：值' per line) -> the event to publish; problems said at once."""
    form = parse_event_form(answer.text, ctx.now)
    schedule_number = None
    if m := re.fullmatch(r"活动\s*(\d{1,6})", form.title):
        item = ctx.services.schedule.get(int(m.group(1)))
        if item is None:
            raise Invalid(f"没有编号为 {m.group(1)} 的活动（见 #本月活动）。")
        schedule_number = item.number
        if len(item.text) > TITLE_MAX:
            raise Invalid(f"未发起：活动 {item.number} 的内容有 {len(item.text)} 字，报名标题最多 {TITLE_MAX} 字；"
                          "请直接写上标题发起报名。")
        form.title = item.text
        if form.starts_at is None and item.date is not None:
            form.starts_at = dt.datetime.combine(item.date, dt.time(0, 0), tzinfo=ctx.services.tz)
        form.errors = [e for e in form.errors if e != "缺少活动名称"]
    if problem := audience_problem(form.audience, ctx):
        form.errors.append(problem)
    if form.errors:
        raise Invalid("未发起：" + "；".join(form.errors) + "。")
    if form.deadline is not None and form.deadline <= ctx.now:
        raise Invalid("未发起：报名截止时间已经过去了。")
    return {
        "title": form.title, "starts_at": _iso(form.starts_at), "place": form.place, "capacity": form.capacity,
        "deadline": _iso(form.deadline), "audience": form.audience, "family_max": form.family_max,
        "note": form.note, "schedule_number": schedule_number,
    }


def _iso(when: dt.datetime | None) -> str | None:
    return when.isoformat() if when else None


def _new_event(v: dict) -> NewEvent:
    def when(key: str) -> dt.datetime | None:
        return dt.datetime.fromisoformat(v[key]) if v.get(key) else None

    return NewEvent(title=v["title"], starts_at=when("starts_at"), place=v["place"], capacity=v["capacity"],
                    deadline=when("deadline"), audience=v["audience"], family_max=v["family_max"], note=v["note"],
                    schedule_number=v["schedule_number"])


def _publish(v: dict, ctx: Context) -> list[Reply]:
    new = _new_event(v)
    if new.deadline is not None and new.deadline <= ctx.now:
        raise Invalid("未发起：报名截止时间已经过去了。")
    event = ctx.services.signups.create_event(new, by=ctx.sender.contact_id)
    groups = ctx.services.reminders.announce(notice_text(event, ctx), event.audience, ctx.now.astimezone(dt.UTC),
                                             kind="signup_notice", ref=f"event:{event.number}")
    where = "、".join(groups) if groups else "（配置中没有对应的群，请手动转发）"
    return reply(f"已发起报名【{event.number}】{event.title}。报名通知将发到：{where}。")


def _publish_summary(data: dict, ctx: Context) -> str:
    new = _new_event(data["values"]["event"])
    preview = Event(union_id="", number=0, **dataclasses.asdict(new))
    return duplicate_warning(new, ctx) + "请核对将发到群里的报名通知：\n" + notice_text(preview, ctx, preview=True)


PUBLISH_PROMPT = ("请发送报名信息，每行一项（除名称外都可省略）：\n名称：教职工羽毛球赛\n时间：4月15日 15:30\n"
                  "地点：体育馆\n名额：32\n截止：4月12日 17:00\n对象：全体\n家属：0")
PUBLISH_FORM = Form(
    kind="signup_publish", noun="报名通知", role=Role.ADMIN, summary=_publish_summary,
    finish=lambda data, ctx: _publish(data["values"]["event"], ctx),
    steps=lambda data, ctx: (Step("event", "报名信息", PUBLISH_PROMPT, read=_read_event, limit=2000),),
)


@command("发起报名", syntax="#发起报名 活动名称 时间=… 地点=… 名额=… 截止=… 对象=… 家属=…", role=Role.ADMIN,
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


@command("截止报名", syntax="#截止报名 编号", role=Role.ADMIN, help="提前截止一项报名", examples=("#截止报名 3",))
def close_signup(req: Request, ctx: Context) -> list[Reply]:
    event, problem = _event_arg(req, ctx)
    if event is None:
        return problem
    if event.status != "open":
        return reply(f"“{event.title}”已{'取消' if event.status == 'cancelled' else '截止'}，无需再截止。")
    ctx.services.signups.set_status(event.number, "closed")
    roster = ctx.services.signups.roster(event.number)
    assert roster is not None
    return reply(f"已截止“{event.title}”的报名：确认 {len(roster.confirmed)} 人，候补 {len(roster.waitlist)} 人。")


@command("取消活动", syntax="#取消活动 编号 原因", role=Role.ADMIN,
         help="取消一项报名活动，并私聊通知已报名的人", examples=("#取消活动 3 因天气原因延期",))
def cancel_event(req: Request, ctx: Context) -> list[Reply]:
    event, problem = _event_arg(req, ctx)
    if event is None:
        return problem
    if event.status == "cancelled":
        return reply(f"“{event.title}”已经取消过了。")
    reason = req.rest()
    if len(reason) > 200:
        return reply(too_long("取消原因", 200, reason) + "，未取消。")
    _, active = ctx.services.signups.set_status(event.number, "cancelled", reason or "未说明")
    why = f"原因：{reason}。" if reason else ""
    out = [Reply(f"很抱歉，您报名的“{event.title}”已取消。{why}", to_contact=s.contact_id)
           for s in active if s.contact_id]
    out.insert(0, Reply(f"已取消“{event.title}”，已私聊通知 {len(out)} 位报名者。"))
    return out


@command("导出名单", syntax="#导出名单 编号", role=Role.ADMIN, help="把报名名单导出为 Excel 文件（私聊发给您）",
         examples=("#导出名单 3",))
def export_signups(req: Request, ctx: Context) -> list[Reply]:
    event, problem = _event_arg(req, ctx)
    if event is None:
        return problem
    data = signup_workbook(ctx.services.signups.all_signups(event.number), ctx.services.tz)
    name = f"报名名单-{event.number}-{event.title[:20]}.xlsx"
    text = (f"“{event.title}”报名名单已发送：{name}。如未收到文件，可在服务器上运行 "
            f"unionbot signup export {event.number} --out 名单.xlsx")
    return [Reply(text, file=Attachment(name, data), to_contact=ctx.sender.contact_id)]


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
    expected = ctx.services.access.expected(event.audience)
    if expected is None:
        return None
    taken = {s.member_id for s in ctx.services.signups.all_signups(event.number) if s.status != "cancelled"}
    return [m for m in expected if m.id not in taken]


@command("未报名", syntax="#未报名 编号", role=Role.ADMIN, help="查看报名对象中还没报名的人（按部门，依花名册）",
         examples=("#未报名 3",))
def missing_signups(req: Request, ctx: Context) -> list[Reply]:
    event, problem = _event_arg(req, ctx)
    if event is None:
        return problem
    missing = not_signed_up(ctx, event)
    if missing is None:
        return reply("还没有导入花名册，无法知道谁没报名（见 unionbot members import）。")
    if not missing:
        return reply(f"“{event.title}”的报名对象都已报名（或在候补）。")
    lines = [f"“{event.title}”还有 {len(missing)} 人未报名："]
    lines += by_department([Person(m.name, m.department, m.contact_id or "") for m in missing])
    lines.append(f"发送 #提醒报名 {event.number} 私聊提醒他们。")
    return reply("\n".join(lines))


@command("提醒报名", syntax="#提醒报名 编号", role=Role.ADMIN, help="私聊提醒还没报名的人（截止前，经发件队列）",
         examples=("#提醒报名 3",))
def remind_signups(req: Request, ctx: Context) -> list[Reply]:
    event, problem = _event_arg(req, ctx)
    if event is None:
        return problem
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


def render_signup_nudge(services: Services, ref: str, target: str, text: str) -> str | None:
    """At sending time: nothing once the member signed up, or once the sign-up closed."""
    number = ref.removeprefix("event:")
    event = services.signups.get(int(number)) if number.isdecimal() else None
    if event is None or event.status != "open":
        return None
    contact = target.removeprefix("contact:")
    if any(s.contact_id == contact and s.status != "cancelled" for s in services.signups.all_signups(event.number)):
        return None
    return text


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
        out.append(Reply(f"好消息：“{event.title}”有人取消，您已从候补递补为正式报名。"
                         f"如不能参加请发送 #取消报名 {event.number}。", to_contact=p.contact_id)
                   if p.contact_id else
                   Reply(f"{p.name} 已从候补递补（未绑定{ctx.services.style.platform}，请转告）。"))
    if promoted and ctx.chat.is_group and head:
        head[0] = Reply(head[0].text + " 候补的 " + "、".join(p.name for p in promoted) + " 已递补。")
    return out


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


@command("名单", syntax="#名单 编号", help="查看某项活动的报名名单（只有一项报名时可省略编号）",
         examples=("#名单 3", "#名单 羽毛球"))
def show_roster(req: Request, ctx: Context) -> list[Reply]:
    event, problem = _event_arg(req, ctx, sole_open=True)
    if event is None:
        return problem
    text = roster_text(ctx.services, event.number)
    return reply(text or "没有这个报名编号。")


@command("我的报名", syntax="#我的报名", help="查看自己报了哪些活动")
def my_signups(req: Request, ctx: Context) -> list[Reply]:
    mine = ctx.services.signups.of_member(_member(ctx).id or 0)
    if not mine:
        return reply("您目前没有报名任何活动。发送 #报名列表 查看正在报名的活动。")
    lines = ["您的报名："]
    for e, s in mine:
        state = "已报名" if s.status == "confirmed" else "候补中"
        lines.append(f"【{e.number}】{e.title}，{when_text(e.starts_at, ctx)}，{state}")
    return reply("\n".join(lines))


@command("报名列表", syntax="#报名列表", help="查看正在报名的活动")
def open_signups(req: Request, ctx: Context) -> list[Reply]:
    events = _open_events(ctx)
    if not events:
        return reply("目前没有正在报名的活动。")
    return reply("正在报名：\n" + _open_list(events, ctx) + "\n发送 #报名 编号 报名。")


def _open_events(ctx: Context) -> list[Event]:
    return [e for e in ctx.services.signups.open_events() if e.deadline is None or e.deadline > ctx.now]


def _open_list(events: list[Event], ctx: Context) -> str:
    lines = []
    for e in events:
        cap = f"，已报 {e.confirmed_seats}/{e.capacity}" if e.capacity else f"，已报 {e.confirmed_seats}"
        deadline = f"，{when_text(e.deadline, ctx)}截止" if e.deadline else ""
        lines.append(f"【{e.number}】{e.title}（{when_text(e.starts_at, ctx)}{cap}{deadline}）")
    return "\n".join(lines)
