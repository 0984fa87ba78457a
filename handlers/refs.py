"""The kinds of object people name by number in chat, and how each is found (handlers.args.Kind).

One place says what '没有编号为 N 的…' means for each kind: which number shapes it takes (a plain
number, a proposal code like 2027-003, a sign-up's title), where the numbers are shown, and who may see it.
Commands declare ``Ref(key, label, kind=VOTES)``; the lookup runs before the handler (handlers.args).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from handlers.actions.signups import acting_member
from handlers.args import Kind, Problem, whole_number
from handlers.proposal_common import congress_year
from handlers.signup_args import event_by_words, event_words, take_event
from handlers.signup_views import _open_events, _open_list
from storage.models import Checkin, Event, Notice, Proposal, ScheduleItem, Vote
from storage.proposals import parse_code

if TYPE_CHECKING:
    from handlers.base import Context


def _item_number(raw: str, ctx: Context) -> int | None:
    return whole_number(raw.strip().lstrip("#＃№").removeprefix("活动"))


def _proposal_code(raw: str, ctx: Context) -> tuple[int, int] | None:
    return parse_code(raw, congress_year(ctx))


def _code_text(code: Any) -> str:
    return f"{code[0]}-{code[1]:03d}"


VOTES: Kind[Vote] = Kind("投票", lambda n, ctx: ctx.services.votes.get(n), where="见投票通知")
# A notice with no receipt asked is not one of these: the same words as no notice at all.
RECEIPT_NOTICES: Kind[Notice] = Kind(
    "回执通知", lambda n, ctx: ctx.services.notices.get(n), where="见群里的通知", number_word="通知编号",
    visible=lambda notice, ctx: notice.needs_receipt)
CHECKINS: Kind[Checkin] = Kind("签到", lambda n, ctx: ctx.services.checkins.get(n), where="见签到通知")
PROPOSALS: Kind[Proposal] = Kind(
    "提案", lambda code, ctx: ctx.services.proposals.find(*code), parse=_proposal_code, shown=_code_text,
    where="见 #提案列表")
SCHEDULE_ITEMS: Kind[ScheduleItem] = Kind(
    "活动", lambda n, ctx: ctx.services.schedule.get(n), parse=_item_number, where="见 #本月活动")
# A sign-up is named by its number or by words of its title ('#名单 羽毛球'), among all events.
EVENTS: Kind[Event] = Kind(
    "报名活动", lambda n, ctx: ctx.services.signups.get(n),
    parse=lambda raw, ctx: event_by_words(raw, ctx.services.signups.all_events, ctx),
    where="见 #报名列表", after="，发送 #报名列表 查看", number_word="报名编号")


# #报名 names an open sign-up: by number (any, so the action says why a closed one is refused), by title
# among the open ones, the note after the number; the same words as the action when there is none.
OPEN_EVENTS: Kind[Event] = Kind(
    "报名活动", lambda n, ctx: ctx.services.signups.get(n),
    parse=lambda raw, ctx: event_words(raw, lambda: _open_events(ctx), ctx), take=take_event,
    where="见 #报名列表", number_word="报名编号", not_found="没有这个报名编号，发送 #报名列表 查看正在报名的活动")
PROXY_EVENTS: Kind[Event] = dataclasses.replace(OPEN_EVENTS, take=None)  # #代报名: the first word, then a name
# #取消报名 names one of the sender's own sign-ups (a title among them), or any number.
MY_EVENTS: Kind[Event] = Kind(
    "报名", lambda n, ctx: ctx.services.signups.get(n),
    parse=lambda raw, ctx: event_words(raw, lambda: _my_events(ctx), ctx), take=lambda text: (text.strip(), ""),
    where="发送 #我的报名 查看", number_word="报名编号", not_found="没有这个报名编号，发送 #我的报名 查看您的报名")


def _my_events(ctx: Context) -> list[Event]:
    return [e for e, _ in ctx.services.signups.of_member(acting_member(ctx).id or 0)]


def only_open_event(ctx: Context) -> Event | Problem:
    """#报名 without a number: the one sign-up open now, or why not."""
    events = _open_events(ctx)
    if len(events) == 1:
        return events[0]
    if not events:
        return Problem("目前没有正在报名的活动", usage=False)
    return Problem("正在报名的活动有多项，请写上编号：\n" + _open_list(events, ctx), usage=False, end="")


def only_my_signup(ctx: Context) -> Event | Problem:
    """#取消报名 without a number: the sender's one sign-up, if there is only one."""
    mine = _my_events(ctx)
    return mine[0] if len(mine) == 1 else Problem(MY_EVENTS.ask())


def latest_checkin(ctx: Context) -> Checkin | Problem:
    """#签到情况 / #结束签到 without a number: the latest check-in."""
    c = ctx.services.checkins.latest()
    return c if c is not None else Problem("还没有发起过签到（#开始签到）", usage=False)


def sole_open_event(ctx: Context) -> Event | Problem:
    """#名单 without a number: the one sign-up open now, if there is only one."""
    events = _open_events(ctx)
    return events[0] if len(events) == 1 else Problem(EVENTS.ask())
