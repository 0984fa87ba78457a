"""Attendance (签到) for the congress and meetings: who is here, who is not, and the quorum.

``#签到`` works in the group or in private; the answer goes privately, so two hundred
check-ins add nothing to the group. For a check-in of 代表 the quorum is the congress
rule: at least two thirds of all representatives (``[votes] quorum``).
"""

from __future__ import annotations

from handlers.actions import votes as actions
from handlers.actions.core import Problems
from handlers.args import Field, Fields, Ref
from handlers.base import Attachment, Context, Reply, Request, Role, command, reply
from handlers.notices import Person, by_department
from handlers.refs import CHECKINS, latest_checkin
from handlers.vote_rules import fraction_text
from handlers.xlsx import workbook_bytes
from schedules.audience import EVERYONE, REPRESENTATIVES, normalize_audience
from storage.models import Checkin

SECTION = "投票签到"  # the heading it has in #帮助


NEW_CHECKIN = Fields("checkin", "会议名称", head="名称", fold=False,
                     fields=(Field("对象", ("范围",), "代表", optional=True),))
CHECKIN = Ref("checkin", "签到编号", optional=True, kind=CHECKINS)  # none: the open one for the sender
LATEST = Ref("checkin", "签到编号", optional=True, kind=CHECKINS, default=latest_checkin)


@command("开始签到", args=(NEW_CHECKIN,), role=Role.ADMIN,
         help="开始会议签到（代表大会可统计是否达到法定人数）",
         examples=("#开始签到 第五届教代会第二次会议 对象=代表",))
def start(req: Request, ctx: Context) -> list[Reply]:
    given = req.get(NEW_CHECKIN)
    title = given.head
    if not title:
        return req.usage("请写上会议名称")
    # The audience is one word (as #发送通知 reads it); words after it are not dropped into it (issue 27).
    word, _, tail = (given.pairs.get("对象") or EVERYONE).partition(" ")
    if tail.strip():
        return reply(f"“{tail.strip()}”不属于任何一项（签到的说明请写进会议名称），未开始签到。")
    started = actions.start_checkin(ctx, title, word)
    if isinstance(started, Problems):
        return reply("未开始签到：" + started.text() + "。")
    c = started.row
    where = "、".join(started.groups) if started.groups else "（配置中没有对应的群）"
    return reply(f"已开始签到【{c.number}】{title}，通知将发到：{where}。发送 #签到情况 查看到会情况。")


@command("签到", args=(CHECKIN,), private_problems=True, help="会议签到（群里或私聊都可以，回复只发给您）",
         examples=("#签到",))
def check_in(req: Request, ctx: Context) -> list[Reply]:
    me = ctx.services.members.get_by_contact(ctx.sender.contact_id)
    assert me is not None
    private = ctx.sender.contact_id
    access = ctx.services.access
    c = req.get(CHECKIN)
    if c is None:
        mine = [c for c in ctx.services.checkins.open_ones() if access.in_audience(me, c.audience)]
        if not mine:
            return [Reply("目前没有需要您签到的会议。", to_contact=private)]
        c = mine[0]
    if not access.in_audience(me, c.audience):
        return [Reply(f"“{c.title}”的签到对象是{c.audience}，您不需要签到。", to_contact=private)]
    outcome = ctx.services.checkins.record(c, me, ctx.now)
    if outcome == "twice":
        return [Reply(f"您已签到“{c.title}”，无需重复。", to_contact=private)]
    if outcome == "closed":
        return [Reply(f"“{c.title}”的签到已结束。", to_contact=private)]
    return [Reply(f"已签到：{c.title}（{ctx.now:%H:%M}）。", to_contact=private)]


def attendance(ctx: Context, c: Checkin) -> tuple[list[Person], list[Person] | None]:
    rows = ctx.services.checkins.present(c)
    present = [Person(m.name, m.department, m.contact_id or "", at) for m, at in rows]
    expected = ctx.services.access.expected(c.audience)
    if expected is None:
        return present, None
    here = {m.id for m, _ in rows}
    return present, [Person(m.name, m.department, m.contact_id or "") for m in expected if m.id not in here]


def status_text(ctx: Context, c: Checkin) -> str:
    present, absent = attendance(ctx, c)
    state = "" if c.status == "open" else "（已结束）"
    if absent is None:
        return f"“{c.title}”{state}已签到 {len(present)} 人（没有花名册，无法统计缺席）。"
    expected = len(present) + len(absent)
    lines = [f"“{c.title}”{state}已签到 {len(present)}/{expected} 人。"]
    if normalize_audience(c.audience) == REPRESENTATIVES and expected:
        q = ctx.services.vote_rules.quorum
        need = -(-expected * q.numerator // q.denominator)
        if len(present) >= need:
            lines.append(f"已达到法定人数（全体代表 {expected} 人的{fraction_text(q)}，{need} 人）。")
        else:
            lines.append(f"未达到法定人数（需 {need} 人，还差 {need - len(present)} 人）。")
    if absent:
        lines.append(f"未签到 {len(absent)} 人：")
        lines += by_department(absent)
    return "\n".join(lines)


@command("签到情况", args=(LATEST,), role=Role.ADMIN, help="查看到会人数、缺席名单和是否达到法定人数",
         examples=("#签到情况", "#签到情况 1"))
def show(req: Request, ctx: Context) -> list[Reply]:
    return reply(status_text(ctx, req.get(LATEST)))


def checkin_workbook(ctx: Context, c: Checkin) -> bytes:
    present, absent = attendance(ctx, c)
    rows = [[p.name, p.department, "已签到", p.at.astimezone(ctx.services.tz).strftime("%H:%M") if p.at else ""]
            for p in present]
    rows += [[p.name, p.department, "未签到", ""] for p in absent or []]
    return workbook_bytes(f"{c.title}签到表"[:31], ["姓名", "部门", "状态", "签到时间"], rows)


@command("结束签到", args=(LATEST,), role=Role.ADMIN, help="结束签到，并把签到表（Excel）私聊发给您",
         examples=("#结束签到",))
def close(req: Request, ctx: Context) -> list[Reply]:
    c = req.get(LATEST)
    closed = actions.close_checkin(ctx, c.number)
    if isinstance(closed, Problems):
        return reply(closed.text() + "。")
    name = f"签到表-{c.number}.xlsx"
    return [Reply(status_text(ctx, closed)),
            Reply(f"已发送签到表 {name}。", file=Attachment(name, checkin_workbook(ctx, closed)),
                  to_contact=ctx.sender.contact_id)]
