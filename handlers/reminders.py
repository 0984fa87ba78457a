"""Admin view and control of what the bot posts on its own."""

from __future__ import annotations

import datetime as dt

from handlers.actions import notices as actions
from handlers.actions.core import Problems
from handlers.args import Field, Number, Text
from handlers.args_shapes import Flag, Option
from handlers.base import Context, Reply, Request, Role, command, reply
from schedules.audience import EVERYONE, normalize_audience
from schedules.kv import clip

RECEIPT_WORDS = ("需回执", "需要回执")
SECTION = "提醒通知"  # the heading it has in #帮助

KIND_LABELS = {  # what #提醒预览 and the office page's 提醒 call each kind of post
    "digest": "月度活动摘要", "eve": "活动前一天提醒", "morning": "活动当天提醒", "holiday": "节日问候",
    "deadline": "报名截止提醒", "event_eve": "报名者私聊提醒", "care": "节前慰问名单", "birthdays": "生日名单",
    "birthday": "生日祝福", "notice": "通知", "signup_notice": "报名通知", "signup_list": "报名名单",
}
_PREVIEW_LIMIT = 30
_PRIVATE_TO = {"event_eve": "私聊报名者", "care": "私聊福利委员", "birthdays": "私聊福利委员", "birthday": "私聊会员"}


DAYS = Number("days", "天数", optional=True, low=1, high=366, unit="天")  # none: 7


@command("提醒预览", args=(DAYS,), role=Role.ADMIN,
         help="查看接下来几天（默认 7 天）将自动发送的提醒", examples=("#提醒预览", "#提醒预览 30"))
def preview(req: Request, ctx: Context) -> list[Reply]:
    days = req.get(DAYS) or 7
    rem = ctx.services.reminders
    posts = rem.preview(ctx.now.astimezone(dt.UTC), days)
    state = "（提醒已暂停，恢复前不会发送）" if rem.paused else ""
    if not rem.rules.enabled:
        state = "（配置中已关闭自动提醒）"
    if not posts:
        return reply(f"接下来 {days} 天没有要自动发送的提醒。{state}")
    lines = [f"接下来 {days} 天将发送 {len(posts)} 条{state}："]
    for p in posts[:_PREVIEW_LIMIT]:
        when = p.due_at.astimezone(ctx.services.tz)
        where = p.target.split(":", 1)[1] if p.target.startswith("group:") else _PRIVATE_TO.get(p.kind, "私聊")
        first = clip(p.text.splitlines()[0], 40)
        lines.append(f"{when:%m-%d %H:%M} → {where}：{KIND_LABELS.get(p.kind, p.kind)}｜{first}")
    if len(posts) > _PREVIEW_LIMIT:
        lines.append(f"……另有 {len(posts) - _PREVIEW_LIMIT} 条")
    return reply("\n".join(lines))


@command("暂停提醒", args=(), role=Role.ADMIN, help="暂停自动提醒（管理员的通知照常发送）")
def pause(req: Request, ctx: Context) -> list[Reply]:
    paused = actions.pause_reminders(ctx)
    if isinstance(paused, Problems):
        return reply(paused.text() + "。")
    return reply("已暂停自动提醒。发送 #恢复提醒 恢复；暂停期间到期的提醒不会补发。")


@command("恢复提醒", args=(), role=Role.ADMIN, help="恢复自动提醒")
def resume(req: Request, ctx: Context) -> list[Reply]:
    resumed = actions.resume_reminders(ctx)
    if isinstance(resumed, Problems):
        return reply(resumed.text() + "。")
    return reply("已恢复自动提醒。" if resumed else "自动提醒没有暂停，无需恢复。")


AUDIENCE = Option("audience", "对象", field=Field("对象", sample="女教工"))  # one word, anywhere
NOTICE_TEXT = Text("text", "内容", ask="请写上通知内容")
# A word of its own anywhere ('周五下午开会 需回执'); inside a sentence it is text.
RECEIPT = Flag("receipt", RECEIPT_WORDS[0], words=RECEIPT_WORDS)


@command("发送通知", args=(AUDIENCE, NOTICE_TEXT, RECEIPT), role=Role.ADMIN,
         help="向工会群发送一条通知（经发件队列，按安全速率发送）；写“需回执”则编号并统计谁已收到",
         examples=("#发送通知 本周五下午三点在报告厅召开教代会", "#发送通知 对象=退休教师 重阳节茶话会改到十月九日",
                   "#发送通知 需回执 请各位老师于周五前提交教学计划"))
def announce(req: Request, ctx: Context) -> list[Reply]:
    audience = normalize_audience(req.get(AUDIENCE)) if req.get(AUDIENCE) else EVERYONE
    sent = actions.send_notice(ctx, req.get(NOTICE_TEXT), req.get(RECEIPT), audience)
    if isinstance(sent, Problems):
        return reply(sent.text() + "。")
    return reply(sent_text(sent))


def sent_text(sent: actions.Sent) -> str:
    """What the admin is told once a notice is queued (the page shows the same)."""
    where = "、".join(sent.groups)
    if sent.notice.needs_receipt:
        return (f"通知 {sent.notice.number} 已排队，将发到：{where}。已开启回执："
                f"群里回复“收到”即计入，发送 #回执 {sent.notice.number} 查看谁已收到。")
    return f"通知已排队，将发到：{where}。"


@command("提醒设置", args=(), role=Role.ADMIN, help="查看自动提醒的设置")
def settings(req: Request, ctx: Context) -> list[Reply]:
    rem = ctx.services.reminders
    t, (fastest, slowest, per_minute) = rem.rules.times, rem.rules.pace
    groups = "；".join(f"{g.label}（{'、'.join(g.audiences)}）" for g in rem.rules.groups) or "未配置"
    state = "已关闭（配置）" if not rem.rules.enabled else ("已暂停" if rem.paused else "开启")
    counts = rem.outbox.counts()
    return reply("\n".join([
        f"自动提醒：{state}",
        f"月度摘要：每月第一个工作日 {t.digest:%H:%M}",
        f"活动提醒：前一个工作日 {t.eve:%H:%M}，当天 {t.morning:%H:%M}",
        f"免打扰：{t.quiet_start:%H:%M}–{t.quiet_end:%H:%M}；"
        f"错过 {int(t.grace.total_seconds() // 60)} 分钟以上的提醒不再补发",
        f"发送速率：每条间隔 {fastest:g}–{slowest:g} 秒，每分钟最多 {per_minute} 条",
        f"工会群：{groups}",
        f"发件队列：待发 {counts.get('pending', 0)}，已发 {counts.get('sent', 0)}，"
        f"错过 {counts.get('missed', 0)}，失败 {counts.get('failed', 0)}，不再发送 {counts.get('dropped', 0)}",
    ]))
