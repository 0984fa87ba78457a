"""Welfare requests, private by design.

``WelfareDesk`` is the only way in: every method takes the acting person and
enforces, record by record, what the access rule granted them
(``handlers.access.Access.welfare_actor``: a member sees the requests made for
them, officers see and handle all), and writes the audit log, refusals
included. The desk holds no rule of its own about who is an officer. A request
someone may not see is reported exactly like one that does not exist.
Problems come back as codes (``NOT_FOUND``, ``WRONG_STATUS``); handlers word them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from storage.codes import parse_year_code
from storage.db import serialize, session_scope
from storage.models import Member, WelfareAudit, WelfareRequest

OPEN_STATUSES = ("待受理", "已受理", "已核定")
CLOSED_STATUSES = ("已发放", "已驳回")
# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "受理": (("待受理",), "已受理"),
    "核定": (("待受理", "已受理", "已核定"), "已核定"),
    "发放": (("已核定",), "已发放"),
    "驳回": (OPEN_STATUSES, "已驳回"),
}
def parse_code(text: str, default_year: int) -> tuple[int, int] | None:
    """'W2027-012' / '2027-12' -> (2027, 12); '12' / 'W12' -> (default_year, 12)."""
    return parse_year_code(text, default_year, prefix="W")


# What the access rule grants an actor: (action, the request it is about or None) -> allowed. Actions:
# "view" (one request), "pending", "act", "ledger", "note".
Grant = Callable[[str, WelfareRequest | None], bool]


def _nothing(action: str, req: WelfareRequest | None) -> bool:
    return False


class Actor:
    """Who acts, and what they were granted: every actor (chat, page, and the CLI's operator, who acts
    through the typed actions) carries the access rule's ``grant``; without one, nothing is allowed."""

    __slots__ = ("_grant", "contact_id", "member_id", "name")

    def __init__(self, contact_id: str, name: str, member_id: int | None, grant: Grant | None = None) -> None:
        self.contact_id, self.name, self.member_id = contact_id, name, member_id
        self._grant: Grant = grant or _nothing

    def may(self, action: str, req: WelfareRequest | None = None) -> bool:
        return self._grant(action, req)


NOT_FOUND = "not_found"  # no such request, or the actor may not see it: the same answer
WRONG_STATUS = "wrong_status"  # the request's status does not allow the action


@dataclass(frozen=True)
class Outcome:
    request: WelfareRequest | None
    problem: str = ""  # "" | NOT_FOUND | WRONG_STATUS (``request`` then holds its current status)


class WelfareDesk:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id

    # --- members ------------------------------------------------------------------

    def submit(self, actor: Actor, beneficiary: Member, kind: str, details: dict[str, str],
               standard: int | None, now: dt.datetime) -> WelfareRequest:
        year = now.year
        with session_scope(self.engine) as s:
            serialize(s, f"{self.union_id}:welfare:{year}")
            top = s.exec(select(func.max(WelfareRequest.seq)).where(
                WelfareRequest.union_id == self.union_id, WelfareRequest.year == year)).one()
            assert beneficiary.id is not None
            req = WelfareRequest(
                union_id=self.union_id, year=year, seq=(top or 0) + 1, kind=kind, member_id=beneficiary.id,
                member_name=beneficiary.name, member_contact=beneficiary.contact_id, reported_by=actor.contact_id,
                reported_by_name=actor.name, details=json.dumps(details, ensure_ascii=False),
                standard_amount=standard, created_at=now, updated_at=now)
            s.add(req)
            s.flush()
            self._audit(s, actor, "提交", req.code, now, "代报" if beneficiary.id != actor.member_id else "")
            return req

    def mine(self, actor: Actor, now: dt.datetime, audit: bool = True) -> list[WelfareRequest]:
        """``audit=False``: the office page's list of the member's own codes and states, no read of content."""
        with session_scope(self.engine) as s:
            if audit:
                self._audit(s, actor, "查看本人", "", now)
            if actor.member_id is None:
                return []
            return list(s.exec(select(WelfareRequest).where(
                WelfareRequest.union_id == self.union_id, WelfareRequest.member_id == actor.member_id,
            ).order_by(col(WelfareRequest.year), col(WelfareRequest.seq))).all())

    def view(self, actor: Actor, code: str, now: dt.datetime, audit: bool = True) -> WelfareRequest | None:
        """The request if the actor may see it; None otherwise, the same as when it does not exist."""
        with session_scope(self.engine) as s:
            req = self._find(s, code, now.year)
            if req is None or not actor.may("view", req):
                self._audit(s, actor, "拒绝查看", code[:16], now)
                return None
            if audit:  # False: the page showing the result of the officer's own change, already logged
                self._audit(s, actor, "查看", req.code, now)
            return req

    def note_read(self, actor: Actor, code: str, action: str, detail: str, now: dt.datetime) -> None:
        """An attachment uploaded or opened (after ``view`` allowed it): in the audit log, once."""
        with session_scope(self.engine) as s:
            self._audit(s, actor, action, code, now, detail)

    # --- officers -----------------------------------------------------------------

    def pending(self, actor: Actor, now: dt.datetime, audit: bool = True) -> list[WelfareRequest]:
        """``audit=False``: a count or a list of codes on a page, not a read of any request's content."""
        with session_scope(self.engine) as s:
            if not actor.may("pending"):
                self._audit(s, actor, "拒绝待办", "", now)
                return []
            if audit:
                self._audit(s, actor, "查看待办", "", now)
            return list(s.exec(select(WelfareRequest).where(
                WelfareRequest.union_id == self.union_id, col(WelfareRequest.status).in_(OPEN_STATUSES),
            ).order_by(col(WelfareRequest.created_at), col(WelfareRequest.id))).all())

    def act(self, actor: Actor, code: str, action: str, now: dt.datetime, **values: Any) -> Outcome:
        allowed, target = TRANSITIONS[action]
        with session_scope(self.engine) as s:
            req = self._find(s, code, now.year)
            if req is None or not actor.may("act", req):
                self._audit(s, actor, f"拒绝{action}", code[:16], now)
                return Outcome(None, NOT_FOUND)
            changes: dict[str, Any] = dict(status=target, updated_at=now, handled_by=actor.name[:64], **values)
            if target in CLOSED_STATUSES:
                changes["closed_at"] = now
            moved = s.execute(update(WelfareRequest).where(
                col(WelfareRequest.id) == req.id, col(WelfareRequest.status).in_(allowed)).values(**changes))
            if moved.rowcount != 1:
                self._audit(s, actor, f"未能{action}", req.code, now, req.status)
                return Outcome(req, WRONG_STATUS)
            s.refresh(req)
            detail = " ".join(f"{k}={v}" for k, v in values.items())[:255]
            self._audit(s, actor, action, req.code, now, detail)
            return Outcome(req)

    def ledger(self, actor: Actor, year: int, now: dt.datetime, audit: bool = True) -> list[WelfareRequest] | None:
        """``audit=False``: the office page's table; the export (the file leaves) is what is logged."""
        with session_scope(self.engine) as s:
            if not actor.may("ledger"):
                self._audit(s, actor, "拒绝导出", str(year), now)
                return None
            if audit:
                self._audit(s, actor, "导出台账", str(year), now)
            return list(s.exec(select(WelfareRequest).where(
                WelfareRequest.union_id == self.union_id, WelfareRequest.year == year,
            ).order_by(col(WelfareRequest.seq))).all())

    def note(self, actor: Actor, code: str, action: str, now: dt.datetime, text: str) -> None:
        """A note on an officer's change (the reason for an amount above the standard), in the audit log."""
        with session_scope(self.engine) as s:
            if actor.may("note"):
                self._audit(s, actor, action, code[:16], now, text)

    def purge(self, now: dt.datetime, retention: dt.timedelta) -> int:
        """Closed requests past the retention period go; their audit rows (code only) stay."""
        with session_scope(self.engine) as s:
            result = s.execute(delete(WelfareRequest).where(
                WelfareRequest.union_id == self.union_id, col(WelfareRequest.status).in_(CLOSED_STATUSES),
                col(WelfareRequest.closed_at) < now - retention))
            return result.rowcount or 0

    def audit_log(self, code: str | None = None) -> list[WelfareAudit]:
        with session_scope(self.engine) as s:
            q = select(WelfareAudit).where(WelfareAudit.union_id == self.union_id)
            if code is not None:
                q = q.where(WelfareAudit.request_code == code)
            return list(s.exec(q.order_by(col(WelfareAudit.id))).all())

    # --- internals ------------------------------------------------------------------

    def _find(self, s: Session, code: str, default_year: int) -> WelfareRequest | None:
        parsed = parse_code(code, default_year)
        if parsed is None:
            return None
        return s.exec(select(WelfareRequest).where(WelfareRequest.union_id == self.union_id,
                                                   WelfareRequest.year == parsed[0],
                                                   WelfareRequest.seq == parsed[1])).first()

    def _audit(self, s: Session, actor: Actor, action: str, code: str, now: dt.datetime, detail: str = "") -> None:
        s.add(WelfareAudit(union_id=self.union_id, request_code=code, at=now, actor=actor.contact_id[:128],
                           actor_name=actor.name[:64], action=action[:16], detail=detail[:255]))


def details_of(req: WelfareRequest) -> dict[str, str]:
    return json.loads(req.details)
