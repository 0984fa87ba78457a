"""投票 and 签到: start a vote or a check-in (announced to the audience's groups through the outbox) and
close one. The chat's #发起投票 / #开始签到 / #结束投票 / #结束签到 and the office page call these, so
the rules (options, deadline, 匿名, 多选, audience) and their sentences are the same at both doors.
Casting a ballot stays private in chat only: the page never sees or sends a choice."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from handlers.actions.core import Problems, allowed
from handlers.args import whole_number
from handlers.base import Context
from handlers.signup_views import when_text
from schedules.audience import EVERYONE, normalize_audience
from schedules.kv import too_long
from schedules.when import date_problem, read_datetime
from storage.models import Checkin, Vote
from storage.votes import NewVote

DEFAULT_OPTIONS = ["赞成", "反对", "弃权"]
OPTION_SPLIT = re.compile(r"\s*[|｜/、,，\n]\s*")
ANONYMOUS_WORDS = ("是", "匿名", "不记名", "yes", "true", "1")  # 匿名=…
NAMED_WORDS = ("否", "记名", "实名", "公开", "no", "false", "0")


@dataclass
class Started:
    """A vote or a check-in just opened, and the groups its announcement goes to."""

    row: Vote | Checkin
    groups: list[str]


def vote_notice(v: Vote, ctx: Context) -> str:
    options = json.loads(v.options)
    listed = "  ".join(f"{i}.{o}" for i, o in enumerate(options, 1))
    how = "可选 1 项" if v.max_choices == 1 else f"最多选 {v.max_choices} 项"
    lines = [f"【投票】{v.title}（投票编号 {v.number}）", f"选项：{listed}（{how}）",
             f"对象：{v.audience}" + ("，无记名投票" if v.anonymous else "，记名投票")]
    if v.deadline:
        lines.append(f"截止：{when_text(v.deadline, ctx)}")
    lines.append(f"请私聊我投票：发送 #投票 {v.number} {options[0]}（或 #投票 {v.number} 1）。群里请勿发送选择。")
    return "\n".join(lines)


def start_vote(ctx: Context, title: str, options: str | None = None, audience: str | None = None,
               deadline: str | None = None, anonymous: str | None = None,
               max_choices: str | None = None) -> Started | Problems:
    """Each value as typed; None: not given (the defaults: 赞成|反对|弃权, 全体, no deadline, 匿名, one choice)."""
    new = read_vote(ctx, title, options, audience, deadline, anonymous, max_choices)
    return new if isinstance(new, Problems) else open_vote(ctx, new)


def read_vote(ctx: Context, title: str, options: str | None = None, audience: str | None = None,
              deadline: str | None = None, anonymous: str | None = None,
              max_choices: str | None = None) -> NewVote | Problems:
    """The vote the values describe, or what is wrong with them (nothing is created)."""
    if not allowed(ctx, "发起投票"):
        return Problems.of("", "not_allowed")
    problems = Problems()
    title = title.strip()
    if not title:
        problems.add_text("title", "缺少投票标题")
    elif len(title) > 200:
        problems.add_text("title", too_long("标题", 200, title))
    chosen = [o for o in OPTION_SPLIT.split(options or "") if o] or DEFAULT_OPTIONS
    if len(chosen) < 2 or len(chosen) > 30 or len(set(chosen)) != len(chosen):
        problems.add_text("options", "选项应是 2 到 30 个不同的词，用 | 分开")
    until = None
    if deadline and deadline.strip():
        until = read_datetime(deadline.strip(), ctx.now, dt.time(23, 59))
        if until is None:
            problems.add_text("deadline", date_problem("截止", deadline.strip()))
        elif until <= ctx.now:
            problems.add_text("deadline", "截止时间已经过去了")
    secret = True
    if anonymous is not None:
        word = anonymous.strip().lower()
        if word not in ANONYMOUS_WORDS + NAMED_WORDS:
            problems.add_text("anonymous", "匿名应写“是”或“否”")
        secret = word in ANONYMOUS_WORDS
    most = 1
    if max_choices is not None and max_choices.strip():
        n = whole_number(max_choices.strip(), 1, len(chosen))
        if n is None:
            problems.add_text("max_choices", f"多选应是 1 到 {len(chosen)} 之间的数")
        else:
            most = n
    who = normalize_audience(audience.strip() if audience and audience.strip() else EVERYONE)
    if len(who) > 64:
        problems.add_text("audience", too_long("对象", 64, who))
    return problems or NewVote(title, chosen, who, until, secret, most)


def open_vote(ctx: Context, new: NewVote) -> Started:
    """A vote read by ``read_vote``: numbered, stored and announced to its audience's groups."""
    v = ctx.services.votes.create(new, ctx.sender.contact_id, ctx.now)
    groups = ctx.services.reminders.announce(vote_notice(v, ctx), new.audience, ctx.now.astimezone(dt.UTC),
                                             kind="vote_notice", ref=f"vote:{v.number}")
    return Started(v, groups)


def close_vote(ctx: Context, number: int) -> Vote | bool | Problems:
    """The closed vote; False when it was closed already."""
    if not allowed(ctx, "结束投票"):
        return Problems.of("", "not_allowed")
    v = ctx.services.votes.get(number)
    if v is None:
        return Problems.of("number", "vote_missing", value=number)
    if not ctx.services.votes.close(v, ctx.now):
        return False
    closed = ctx.services.votes.get(number)
    assert closed is not None
    return closed


def start_checkin(ctx: Context, title: str, audience: str | None = None) -> Started | Problems:
    if not allowed(ctx, "开始签到"):
        return Problems.of("", "not_allowed")
    problems = Problems()
    title = title.strip()
    if not title:
        problems.add_text("title", "请写上会议名称")
    elif len(title) > 200:
        problems.add_text("title", too_long("会议名称", 200, title))
    who = normalize_audience(audience.strip() if audience and audience.strip() else EVERYONE)
    if len(who) > 64:
        problems.add_text("audience", too_long("对象", 64, who))
    if problems:
        return problems
    c = ctx.services.checkins.create(title, who, ctx.sender.contact_id, ctx.now)
    post = f"【签到】{title}（签到编号 {c.number}，对象：{who}）\n请发送 #签到（群里或私聊都可以）。"
    groups = ctx.services.reminders.announce(post, who, ctx.now.astimezone(dt.UTC), kind="checkin_notice",
                                             ref=f"checkin:{c.number}")
    return Started(c, groups)


def close_checkin(ctx: Context, number: int) -> Checkin | Problems:
    """The check-in, closed (closing a closed one changes nothing)."""
    if not allowed(ctx, "结束签到"):
        return Problems.of("", "not_allowed")
    c = ctx.services.checkins.get(number)
    if c is None:
        return Problems.of("number", "checkin_missing", value=number)
    ctx.services.checkins.close(c, ctx.now)
    closed = ctx.services.checkins.get(number)
    assert closed is not None
    return closed
