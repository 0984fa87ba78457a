"""Every queued post is checked again when it is about to be sent.

A post is queued when something happens (a sign-up is published, a vote opens,
a reminder falls due) and sent later: after the pacing delay, after quiet hours,
after the bot was down. Meanwhile the event may have been cancelled on the page,
the activity deleted, the vote closed, the notice withdrawn, the member gone.
``drop_reason`` says why such a post must not go out (the outbox records it and
`unionbot status` counts it), or None when it is still right to send.
"""

from __future__ import annotations

import datetime as dt
import json

from handlers.args import whole_number
from handlers.services import Services

# Posts that answer someone who just wrote (or a page action's message to them): always sent.
_REPLIES = frozenset({"reply", "web_reply"})
# Posts that invite people to sign up: wrong once the sign-up is closed, not only once it is cancelled.
_INVITES = frozenset({"signup_notice", "deadline", "signup_nudge"})
# Private posts whose recipient is a member by construction (a participant, someone reminded, a birthday):
# not sent once that member is gone. Officers named in the config may never have written to the bot, so
# posts to them (care lists) are not checked this way.
_TO_MEMBERS = frozenset({"event_eve", "signup_nudge", "birthday"})


def drop_reason(services: Services, kind: str, ref: str, target: str, occurrence: str,
                now: dt.datetime) -> str | None:
    if kind in _REPLIES:
        return None
    what, _, key = ref.partition(":")
    number = whole_number(key)
    reason = None
    if what == "event" and number is not None:
        reason = _event_reason(services, kind, number, target, now)
    elif what == "item" and number is not None:
        reason = _item_reason(services, number, occurrence)
    elif what == "vote" and number is not None:
        vote = services.votes.get(number)
        reason = "投票已删除" if vote is None else "投票已结束" if vote.status != "open" else None
    elif what == "checkin" and number is not None:
        checkin = services.checkins.get(number)
        reason = "签到已删除" if checkin is None else "签到已结束" if checkin.status != "open" else None
    elif what == "notice" and number is not None:
        reason = _notice_reason(services, kind, number, target)
    if reason is None and kind in _TO_MEMBERS and target.startswith("contact:"):
        contact = target.removeprefix("contact:")
        if services.members.get_by_contact(contact) is None:
            reason = "收件人已不在成员中"
    return reason


def _event_reason(services: Services, kind: str, number: int, target: str, now: dt.datetime) -> str | None:
    event = services.signups.get(number)
    if event is None:
        return "报名活动已删除"
    if event.status == "cancelled":
        return "报名已取消"
    if kind in _INVITES and (event.status != "open" or (event.deadline is not None and event.deadline <= now)):
        return "报名已截止"
    if kind == "event_eve":
        contact = target.removeprefix("contact:")
        if not any(s.contact_id == contact and s.status == "confirmed" for s in services.signups.all_signups(number)):
            return "此人已取消报名"
    return None


def _notice_reason(services: Services, kind: str, number: int, target: str) -> str | None:
    notice = services.notices.get(number)
    if notice is None:
        return "通知已撤回"
    if kind != "receipt_nudge" or not target.startswith("contact:"):
        return None
    # Without a roster, receipts are counted over the groups the notice went to: someone reminded may be
    # a colleague in the group who is not on any list. Gone means neither a member nor in those groups.
    contact = target.removeprefix("contact:")
    if services.members.get_by_contact(contact) is not None:
        return None
    labels = json.loads(notice.groups or "[]")
    return None if contact in services.notices.group_contacts(labels) else "收件人已不在成员或群中"


def _item_reason(services: Services, number: int, occurrence: str) -> str | None:
    item = services.schedule.get(number)
    if item is None:
        return "活动已删除"
    # Reminders are queued for the activity's date; a date changed since then makes them wrong.
    if item.date is not None and occurrence[:10].count("-") == 2 and item.date.isoformat() != occurrence[:10]:
        return "活动日期已改"
    if item.date is None and occurrence[:10].count("-") == 2:
        return "活动日期已改"
    return None
