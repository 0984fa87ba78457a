"""The kinds of object people name by number in chat, and how each is found (handlers.args.Kind).

One place says what '没有编号为 N 的…' means for each kind: which number shapes it takes (a plain
number, a proposal code like 2027-003, a sign-up's title), where the numbers are shown, and who may see it.
Commands declare ``Ref(key, label, kind=VOTES)``; the lookup runs before the handler (handlers.args).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.args import Kind, Problem, whole_number
from handlers.proposal_common import congress_year
from handlers.signup_args import event_by_words
from handlers.signup_views import _open_events
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
    parse=lambda raw, ctx: event_by_words(raw, ctx.services.signups.all_events(), ctx),
    where="见 #报名列表", after="，发送 #报名列表 查看", number_word="报名编号")


def latest_checkin(ctx: Context) -> Checkin | Problem:
    """#签到情况 / #结束签到 without a number: the latest check-in."""
    c = ctx.services.checkins.latest()
    return c if c is not None else Problem("还没有发起过签到（#开始签到）", usage=False)


def sole_open_event(ctx: Context) -> Event | Problem:
    """#名单 without a number: the one sign-up open now, if there is only one."""
    events = _open_events(ctx)
    return events[0] if len(events) == 1 else Problem(EVENTS.ask())
