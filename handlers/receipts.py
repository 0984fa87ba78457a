"""Who has answered a receipt notice and who has not: read by #回执, #催办, the office page and the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass

from handlers.services import Services
from storage.models import Member, Notice

NUDGE_KIND = "receipt_nudge"


@dataclass(frozen=True)
class Person:
    name: str
    department: str
    contact_id: str
    at: dt.datetime | None = None


@dataclass(frozen=True)
class ReceiptStatus:
    notice: Notice
    acknowledged: list[Person]
    missing: list[Person]
    counted_by: str  # 花名册 | 群成员
    # Acknowledged by someone outside the audience counted (not in the roster, not in the groups):
    # shown apart, never in the count, so received plus missing is always the audience.
    outside: list[Person] = dataclasses.field(default_factory=list)


def receipt_status(services: Services, notice: Notice) -> ReceiptStatus:
    """Who answered and who has not: the roster's members in the notice's audience, or, without a
    roster, the members of the groups it went to as the gateway reports them."""
    # Whoever sent the notice knows of it: counted neither as missing nor as answering.
    sender = notice.created_by or None
    expected = services.access.expected(notice.audience)
    # The answers as ids, matched to the roster just read; only members outside it are loaded (a
    # notice to a thousand members used to load every answering member a second time).
    answers = services.notices.acknowledged_ids(notice)
    known = {m.id: m for m in expected or [] if m.id is not None}
    known |= services.members.by_ids([i for i, _ in answers if i not in known])
    acked = [(known[i], at) for i, at in answers if i in known and not sent_it(notice, known[i])]
    done = [Person(m.name, m.department, m.contact_id or "", at) for m, at in acked]
    acked_ids = {m.id for m, _ in acked}
    acked_contacts = {m.contact_id for m, _ in acked if m.contact_id}
    if expected is not None:
        missing = [Person(m.name, m.department, m.contact_id or "") for m in expected
                   if m.id not in acked_ids and not sent_it(notice, m)]
        counted = {m.id for m in expected}
        return ReceiptStatus(notice, [p for (m, _), p in zip(acked, done, strict=True) if m.id in counted], missing,
                             "花名册", [p for (m, _), p in zip(acked, done, strict=True) if m.id not in counted])
    labels = json.loads(notice.groups or "[]")
    people = services.notices.group_contacts(labels)
    outside = [p for p in done if p.contact_id not in people]
    done = [p for p in done if p.contact_id in people]
    missing = []
    waiting = sorted(((cid, name) for cid, name in people.items() if cid not in acked_contacts and cid != sender),
                     key=lambda kv: kv[1])
    members = services.members.by_contacts([cid for cid, _ in waiting])  # one query, not one per group member
    for cid, name in waiting:
        m = members.get(cid)
        missing.append(Person(m.name if m else name, m.department if m else "", cid))
    return ReceiptStatus(notice, done, missing, "群成员", outside)


def sent_it(notice: Notice, member: Member) -> bool:
    return bool(notice.created_by) and member.contact_id == notice.created_by
