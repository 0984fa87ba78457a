"""报名: publish an event, sign up (oneself or another), cancel, close, cancel the event, remind.

Who gets a place is decided by the database (storage.signups); an action asks the access rule,
checks its values, calls the repository and gives back its outcome with what others must be told.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field

from handlers.actions.core import Problems, Tell, allowed
from handlers.base import Attachment, Context
from handlers.signup_checks import audience_problem, named_member
from handlers.signup_views import (
    SIGNUP_NUDGE_KIND,
    cancel_tell,
    notice_text,
    promotion_tell,
    proxy_tell,
    remind_text,
    signup_workbook,
)
from schedules.event_form import TITLE_MAX, EventForm, read_event_values
from storage.models import Event, Member
from storage.signups import CancelOutcome, ChangeOutcome, NewEvent, SignupOutcome

# What each of an event's values is called, in the sentences and on the page.
EVENT_LABELS = {"title": "名称", "starts_at": "时间", "place": "地点", "capacity": "名额", "deadline": "截止",
                "audience": "对象", "family_max": "家属", "note": "备注"}


def from_schedule(form: EventForm, ctx: Context) -> tuple[int | None, str]:
    """'活动5' as the title: that schedule item's text and date. (its number, the problem)."""
    m = re.fullmatch(r"活动\s*(\d{1,6})", form.title)
    if not m:
        return None, ""
    item = ctx.services.schedule.get(int(m.group(1)))
    if item is None:
        return None, f"没有编号为 {m.group(1)} 的活动（见 #本月活动）"
    if len(item.text) > TITLE_MAX:
        return None, (f"活动 {item.number} 的内容有 {len(item.text)} 字，报名标题最多 {TITLE_MAX} 字；"
                      "请直接写上标题发起报名")
    form.title = item.text
    if form.starts_at is None and item.date is not None:
        form.starts_at = dt.datetime.combine(item.date, dt.time(0, 0), tzinfo=ctx.services.tz)
    form.errors = [e for e in form.errors if e != "缺少活动名称"]
    form.by_field.pop("title", None)
    return item.number, ""


def read_event(ctx: Context, values: dict[str, str]) -> NewEvent | Problems:
    """An event from its values, one per field (the page): each problem by its field."""
    form = read_event_values(values, EVENT_LABELS, ctx.now)
    number, problem = from_schedule(form, ctx)
    problems = Problems(dict(form.by_field))
    if problem:
        problems.add_text("title", problem)
    if audience := audience_problem(form.audience, ctx):
        problems.add_text("audience", audience)
    if not problems.fields.get("deadline") and form.deadline is not None and form.deadline <= ctx.now:
        problems.add("deadline", "deadline_past")
    if problems:
        return problems
    return NewEvent(title=form.title, starts_at=form.starts_at, place=form.place, capacity=form.capacity,
                    deadline=form.deadline, audience=form.audience, family_max=form.family_max, note=form.note,
                    schedule_number=number)


@dataclass
class Published:
    event: Event
    groups: list[str]  # where the notice goes; empty: no group serves its audience


def publish_event(ctx: Context, new: NewEvent) -> Published | Problems:
    if not allowed(ctx, "发起报名"):
        return Problems.of("", "not_allowed")
    if new.deadline is not None and new.deadline <= ctx.now:
        return Problems.of("deadline", "deadline_past")
    event = ctx.services.signups.create_event(new, by=ctx.sender.contact_id)
    groups = ctx.services.reminders.announce(notice_text(event, ctx), event.audience, ctx.now.astimezone(dt.UTC),
                                             kind="signup_notice", ref=f"event:{event.number}")
    return Published(event, groups)


def queue_list_post(ctx: Context, event: Event) -> None:
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


def acting_member(ctx: Context) -> Member:
    m = ctx.services.members.get_by_contact(ctx.sender.contact_id)
    assert m is not None  # the pipeline registers every sender before dispatch; the page acts as a bound one
    return m


@dataclass
class SignedUp:
    outcome: SignupOutcome
    member: Member
    extra_change: ChangeOutcome | None = None  # signing up again with another '+N'
    note_changed: bool = False  # signing up again with a 备注
    note: str = ""
    tells: list[Tell] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.note_changed or _says_something(self.extra_change)


def sign_up(ctx: Context, number: int, extra: int = 0, note: str = "", extra_given: bool = False) -> SignedUp:
    """The sender signs up; the audience is the access rule's (a roster 代表 is one for a 代表 event).
    Signing up again with ``extra_given`` or a ``note`` changes them; the place stays."""
    member = acting_member(ctx)
    signups = ctx.services.signups
    outcome = signups.sign_up(number, member, extra, ctx.sender.contact_id, ctx.now,
                              admit=lambda event: ctx.services.access.in_audience(member, event.audience), note=note)
    done = SignedUp(outcome, member)
    if outcome.status == "already" and outcome.event is not None and member.id is not None:
        if extra_given and outcome.signup is not None and outcome.signup.extra != extra:
            done.extra_change = signups.change_extra(number, member.id, extra, ctx.now)
            done.tells = [Tell(p.contact_id, promotion_tell(outcome.event, p))
                          for p in done.extra_change.promoted if p.contact_id]
        if note:
            signups.set_note(number, member.id, note, ctx.now)
            done.note_changed, done.note = True, note
        if done.changed:
            queue_list_post(ctx, outcome.event)
    elif outcome.status in ("confirmed", "waitlist") and outcome.event is not None:
        queue_list_post(ctx, outcome.event)
    return done


def _says_something(change: ChangeOutcome | None) -> bool:
    """Whether the chat answers this change (it says nothing of 'same' or 'not_signed')."""
    return change is not None and change.status in ("changed", "full", "family", "closed")


@dataclass
class Cancelled:
    outcome: CancelOutcome
    tells: list[Tell] = field(default_factory=list)


def cancel_signup(ctx: Context, number: int) -> Cancelled:
    outcome = ctx.services.signups.cancel(number, acting_member(ctx).id or 0, ctx.now)
    done = Cancelled(outcome)
    if outcome.event is not None and outcome.status == "cancelled":
        done.tells = [Tell(p.contact_id, promotion_tell(outcome.event, p)) for p in outcome.promoted if p.contact_id]
        queue_list_post(ctx, outcome.event)
    return done


def open_event(ctx: Context, number: int, command: str) -> Event | Problems:
    """The event an admin's action names, once the access rule lets the sender use ``command``."""
    if not allowed(ctx, command):
        return Problems.of("", "not_allowed")
    event = ctx.services.signups.get(number)
    return event if event is not None else Problems.of("number", "event_missing", value=number)


@dataclass
class ProxySignedUp:
    outcome: SignupOutcome
    member: Member
    tells: list[Tell] = field(default_factory=list)


def proxy_sign_up(ctx: Context, number: int, name: str, extra: int = 0, note: str = "") -> ProxySignedUp | Problems:
    """An admin signs someone else up (named as in the roster); they are told privately."""
    event = open_event(ctx, number, "代报名")
    if isinstance(event, Problems):
        return event
    if event.status != "open":
        state = "已取消" if event.status == "cancelled" else "报名已截止"
        return Problems.of("number", "event_over", value=event.title, state=state)
    if not name.strip():
        return Problems.of("name", "name_missing")
    member, problem = named_member(name.strip()[:64], ctx)
    if member is None:
        return Problems().add_text("name", problem)
    outcome = ctx.services.signups.sign_up(number, member, extra, ctx.sender.contact_id, ctx.now, note=note)
    done = ProxySignedUp(outcome, member)
    if outcome.status in ("confirmed", "waitlist") and member.contact_id and member.contact_id != ctx.sender.contact_id:
        assert outcome.event is not None
        done.tells.append(Tell(member.contact_id, proxy_tell(outcome, ctx.sender.name, number)))
    return done


@dataclass
class Closed:
    event: Event
    confirmed: int
    waitlist: int


def close_event(ctx: Context, number: int) -> Closed | Problems:
    event = open_event(ctx, number, "截止报名")
    if isinstance(event, Problems):
        return event
    if event.status != "open":
        state = "已取消，无需再截止" if event.status == "cancelled" else "已截止，无需再截止"
        return Problems.of("number", "event_over", value=event.title, state=state)
    ctx.services.signups.set_status(event.number, "closed")
    roster = ctx.services.signups.roster(event.number)
    assert roster is not None
    return Closed(event, len(roster.confirmed), len(roster.waitlist))


@dataclass
class EventCancelled:
    event: Event
    tells: list[Tell]


REASON_MAX = 200


def cancel_event(ctx: Context, number: int, reason: str) -> EventCancelled | Problems:
    """The event is called off; everyone signed up is told why, privately."""
    event = open_event(ctx, number, "取消活动")
    if isinstance(event, Problems):
        return event
    if event.status == "cancelled":
        return Problems.of("number", "event_over", value=event.title, state="已经取消过了")
    if len(reason) > REASON_MAX:
        return Problems.of("reason", "too_long", label="取消原因", limit=REASON_MAX, length=len(reason))
    _, active = ctx.services.signups.set_status(event.number, "cancelled", reason or "未说明")
    return EventCancelled(event, [Tell(s.contact_id, cancel_tell(event, reason)) for s in active if s.contact_id])


def export_roster(ctx: Context, number: int) -> Attachment | Problems:
    """The event's sign-ups, every state, as a workbook."""
    event = open_event(ctx, number, "导出名单")
    if isinstance(event, Problems):
        return event
    data = signup_workbook(ctx.services.signups.all_signups(event.number), ctx.services.tz)
    return Attachment(f"报名名单-{event.number}-{event.title[:20]}.xlsx", data)


@dataclass
class Reminded:
    event: Event
    reached: int
    unbound: int


def remind_missing(ctx: Context, number: int) -> Reminded | Problems:
    """Private reminders, through the outbox, to those in the audience who have not signed up."""
    from handlers.signup_views import not_signed_up

    event = open_event(ctx, number, "提醒报名")
    if isinstance(event, Problems):
        return event
    if event.status != "open" or (event.deadline is not None and event.deadline <= ctx.now):
        return Problems.of("number", "event_over", value=event.title, state="报名已截止，不再提醒")
    missing = not_signed_up(ctx, event)
    if missing is None:
        return Problems.of("", "no_roster")
    reachable = [m.contact_id for m in missing if m.contact_id]
    # Not sent after the deadline: the outbox lets such a post expire (missed) instead.
    ctx.services.reminders.queue_private(SIGNUP_NUDGE_KIND, f"event:{event.number}", reachable, uuid.uuid4().hex[:12],
                                         remind_text(event, ctx), ctx.now.astimezone(dt.UTC),
                                         expires_at=event.deadline)
    return Reminded(event, len(reachable), len(missing) - len(reachable))
