"""Votes and elections in the chat (#发起投票, #投票, #投票结果, #结束投票).

Ballots are cast in private only (in a group the pipeline says to go private
before anything is read, so a choice is never repeated there). The database
decides: one ballot per member by a unique key, counters incremented in place,
nothing counted once the vote is closed or past its deadline (storage.votes).
A secret vote's counts are shown to nobody before it closes; the congress rules
(quorum, more than half of all representatives) are in handlers.vote_rules.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from handlers.actions import votes as actions
from handlers.actions.core import Problems
from handlers.args import Field, Fields, Ref, Text, pick, whole_number
from handlers.base import Context, Reply, Request, Role, Scope, command, reply
from handlers.refs import VOTES
from handlers.services import Services
from handlers.vote_rules import Decision, decide, turnout_text
from schedules.audience import REPRESENTATIVES, normalize_audience
from schedules.kv import split_trailing
from schedules.when import read_datetime
from storage.models import Vote

SECTION = "投票签到"  # the heading it has in #帮助

VOTE_KEYS = {"标题": "title", "选项": "options", "对象": "audience", "范围": "audience", "截止": "deadline",
             "截止时间": "deadline", "匿名": "anonymous", "不记名": "anonymous", "多选": "max_choices"}
DEFAULT_OPTIONS = actions.DEFAULT_OPTIONS
ANONYMOUS_WORDS, NAMED_WORDS = actions.ANONYMOUS_WORDS, actions.NAMED_WORDS


_SHAPED: dict[str, Callable[[str, dt.datetime], bool]] = {
    "deadline": lambda t, now: read_datetime(t, now, dt.time(23, 59)) is not None,
    "anonymous": lambda t, now: t.strip().lower() in ANONYMOUS_WORDS + NAMED_WORDS,
    "max_choices": lambda t, now: whole_number(t) is not None,
    "audience": lambda t, now: not any(c.isspace() for c in t),  # one word, as #发送通知 reads it
}


def options_of(v: Vote) -> list[str]:
    return json.loads(v.options)


def is_congress(v: Vote) -> bool:
    """A vote of 代表 follows the congress rules (quorum, a majority of all representatives)."""
    return normalize_audience(v.audience) == REPRESENTATIVES


def is_closed(v: Vote, now: dt.datetime) -> bool:
    return v.status != "open" or (v.deadline is not None and now >= v.deadline)


VOTE = Ref("vote", "编号", kind=VOTES)
NEW_VOTE = Fields("vote", "投票标题", head="标题", fold=False, fields=(
    Field("标题", listed=False), Field("选项", sample="赞成|反对|弃权"), Field("对象", ("范围",), "代表"),
    Field("截止", ("截止时间",)), Field("匿名", ("不记名",), "是"), Field("多选", sample="1")))
CHOICES = Text("choices", "选项", optional=True)  # none: the reply lists them


@command("发起投票", args=(NEW_VOTE,), role=Role.ADMIN,
         help="发起一项投票或选举（也可每行写一项，如“选项：张三|李四|王五”）；对象可以是代表、女教工、部门或全体",
         examples=("#发起投票 关于修订绩效工资方案的决议 对象=代表 截止=3月20日 17:00",
                   "#发起投票 工会委员选举 选项=张三|李四|王五 多选=2 对象=代表"))
def start_vote(req: Request, ctx: Context) -> list[Reply]:
    given = req.get(NEW_VOTE)
    title = (given.pairs.get("标题") or given.head).strip()
    fields = {VOTE_KEYS[k]: v for k, v in given.pairs.items()}
    # Free text after a value ('截止=3月20日 17:00 请按时投票') is named, not read as a bad date (issue 27).
    tails = []
    for key, readable in _SHAPED.items():
        if key in fields:
            fields[key], tail = split_trailing(fields[key], lambda t, r=readable: r(t, ctx.now))
            tails += [tail] if tail else []
    new = actions.read_vote(ctx, title, fields.get("options"), fields.get("audience"), fields.get("deadline"),
                            fields.get("anonymous"), fields.get("max_choices"))
    problems = list(new.fields.values()) if isinstance(new, Problems) else []
    if tails:
        problems.insert(1 if isinstance(new, Problems) and "title" in new.fields else 0,
                        "“" + " ".join(tails) + "”不属于任何一项（投票的说明请写进标题）")
    if problems or isinstance(new, Problems):
        return req.usage("未发起：" + "；".join(problems))
    started = actions.open_vote(ctx, new)
    v = started.row
    where = "、".join(started.groups) if started.groups else "（配置中没有对应的群，请手动转发）"
    return reply(f"已发起投票【{v.number}】{v.title}。通知将发到：{where}。发送 #投票结果 {v.number} 查看投票率。")


notice_text = actions.vote_notice  # the announcement, as the action posts it


def _choices(words: list[str], options: list[str]) -> list[int] | None:
    found: list[int] = []
    for w in words:
        w = w.strip("，,。")
        if w in options:
            found.append(options.index(w))
        elif (i := pick(w, len(options))) is not None:
            found.append(i)
        else:
            return None
    return found


@command("投票", args=(VOTE, CHOICES), scope=Scope.PRIVATE, help="私聊投票（写选项名称或序号，多选用空格分开）",
         examples=("#投票 1 赞成", "#投票 2 1 3"))
def cast(req: Request, ctx: Context) -> list[Reply]:
    v = req.get(VOTE)
    options = options_of(v)
    choices = _choices(req.get(CHOICES).split(), options)
    if not choices:
        listed = "  ".join(f"{i}.{o}" for i, o in enumerate(options, 1))
        return reply(f"请写上选项：{listed}，例如 #投票 {v.number} {options[0]}。")
    if len(set(choices)) != len(choices) or len(choices) > v.max_choices:
        return reply(f"本次投票最多选 {v.max_choices} 项，且不能重复，未计票。")
    me = ctx.services.members.get_by_contact(ctx.sender.contact_id)
    assert me is not None
    if not ctx.services.access.in_audience(me, v.audience):
        return reply(f"投票 {v.number} 面向{v.audience}，您不在投票范围内，未计票。")
    outcome = ctx.services.votes.cast(v, me, choices, ctx.now)
    if outcome == "twice":
        return reply(f"您已经投过投票 {v.number} 了，每人只能投一次。")
    if outcome == "closed":
        return reply(f"投票 {v.number} 已结束，未计票。")
    secret = "本次为无记名投票，您的选择不与您的名字一起保存。" if v.anonymous else ""
    return reply(f"已收到您对投票 {v.number}《{v.title}》的选票。{secret}")


def eligible_count(services: Services, v: Vote) -> int | None:
    expected = services.access.expected(v.audience)
    return len(expected) if expected is not None else None


def result_text(services: Services, v: Vote) -> str:
    options, counts = options_of(v), services.votes.tally(v)
    voted = len(services.votes.voter_ids(v))
    eligible = eligible_count(services, v)
    turnout = f"投票 {voted} 人" + (f"，应投 {eligible} 人，{turnout_text(voted, eligible)}" if eligible else "")
    d: Decision = decide(options, counts, voted, eligible, is_congress(v), services.vote_rules)
    lines = [f"投票 {v.number}《{v.title}》结果：{turnout}",
             "  ".join(f"{o} {c} 票" for o, c in zip(options, counts, strict=True)), f"依据：{d.rule}。"]
    return "\n".join(lines)


@command("投票结果", args=(VOTE,), help="查看投票结果（结束后公布；进行中管理员可看投票率）",
         examples=("#投票结果 1",))
def result(req: Request, ctx: Context) -> list[Reply]:
    v = req.get(VOTE)
    if is_closed(v, ctx.now):
        return reply(result_text(ctx.services, v))
    if not ctx.services.access.may(ctx.sender, "see_turnout"):
        return reply(f"投票 {v.number} 还在进行中，结束后公布结果。")
    voted = len(ctx.services.votes.voter_ids(v))
    eligible = eligible_count(ctx.services, v)
    of = f"/{eligible}" if eligible else ""
    rate = f"（{turnout_text(voted, eligible)}）" if eligible else ""
    text = f"投票 {v.number}《{v.title}》进行中：已投 {voted}{of} 人{rate}。"
    if v.anonymous:
        return reply(text + "无记名投票，结束前不显示票数。")
    counts = ctx.services.votes.tally(v)
    return reply(text + "  ".join(f"{o} {c} 票" for o, c in zip(options_of(v), counts, strict=True)))


@command("结束投票", args=(VOTE,), role=Role.ADMIN, help="提前结束投票并公布结果", examples=("#结束投票 1",))
def close_vote(req: Request, ctx: Context) -> list[Reply]:
    v = req.get(VOTE)
    closed = actions.close_vote(ctx, v.number)
    if isinstance(closed, Problems):
        return reply(closed.text() + "。")
    if closed is False:
        return reply(f"投票 {v.number} 已经结束了。\n" + result_text(ctx.services, v))
    assert isinstance(closed, Vote)
    return reply("已结束投票。\n" + result_text(ctx.services, closed))


def vote_json(services: Services, v: Vote, now: dt.datetime, tz: dt.tzinfo) -> dict:
    """For `unionbot votes`: a secret vote's counts only once it is closed."""
    closed = is_closed(v, now)
    voted = len(services.votes.voter_ids(v))
    eligible = eligible_count(services, v)
    out: dict = {"number": v.number, "title": v.title, "options": options_of(v), "audience": v.audience,
                 "anonymous": v.anonymous, "max_choices": v.max_choices, "status": "closed" if closed else "open",
                 "deadline": v.deadline.astimezone(tz).isoformat() if v.deadline else None,
                 "voted": voted, "eligible": eligible}
    if closed or not v.anonymous:
        out["counts"] = services.votes.tally(v)
    if closed:
        d = decide(options_of(v), out["counts"], voted, eligible, is_congress(v), services.vote_rules)
        out.update(valid=d.valid, passed=d.passed, elected=list(d.elected), rule=d.rule)
    return out
