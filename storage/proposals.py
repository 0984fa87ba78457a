"""教代会 proposals: numbering, co-signing, the status machine and its history.

Every status change is one conditional update (``WHERE status IN (allowed)``)
plus a history row in the same transaction, so two committee members acting
at once cannot both move a proposal, and nothing changes without a trace.
A change that cannot happen comes back as a code (``Change.problem``); handlers word it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, or_, select

from storage.codes import parse_year_code
from storage.db import serialize, session_scope
from storage.models import Member, Proposal, ProposalCosign, ProposalEvent
from storage.proposal_register import (
    UNCATEGORISED,
    RegisterCounts,
    RegisterPage,
    RegisterQuery,
    register_counts,
    register_page,
)

COLLECTING, PENDING_REVIEW = "征集中", "待审查"
STATUSES = ("征集中", "待审查", "立案", "不予立案", "已交办", "已答复", "已评价", "办结", "已合并")
# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "立案": (frozenset({PENDING_REVIEW}), "立案"),
    "不予立案": (frozenset({COLLECTING, PENDING_REVIEW}), "不予立案"),
    "交办": (frozenset({"立案", "已交办"}), "已交办"),
    "答复": (frozenset({"已交办", "已答复"}), "已答复"),
    "评价": (frozenset({"已答复"}), "已评价"),
    "办结": (frozenset({"已答复", "已评价"}), "办结"),
    "并入": (frozenset({COLLECTING, PENDING_REVIEW, "立案"}), "已合并"),
}
EVALUATIONS = ("满意", "基本满意", "不满意")
def parse_code(text: str, default_year: int) -> tuple[int, int] | None:
    """'2027-003' -> (2027, 3); '3' -> (default_year, 3); anything else -> None."""
    return parse_year_code(text, default_year)


@dataclass(frozen=True)
class NewProposal:
    title: str
    reason: str
    suggestion: str
    category: str = ""  # one of [proposals] categories, or '' (未分类); checked by the action


NOT_FOUND = "not_found"
WRONG_STATUS = "wrong_status"  # its status does not allow the action (``proposal`` holds the current one)
SAME = "same"  # a merge of a proposal into itself
UNCHANGED = "unchanged"  # a 类别 change to the one it already has
RECATEGORISED = "改类别"  # the history's word for a 类别 change


@dataclass(frozen=True)
class Change:
    proposal: Proposal | None
    problem: str = ""  # "" | NOT_FOUND | WRONG_STATUS | SAME | UNCHANGED


class ProposalRepo:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id

    def submit(self, new: NewProposal, proposer: Member, year: int, min_cosigners: int,
               now: dt.datetime) -> Proposal:
        with session_scope(self.engine) as s:
            # Numbers are taken inside the inserting transaction, queued per
            # (union, year): unique, and gap-free since a rollback takes none.
            serialize(s, f"{self.union_id}:proposal:{year}")
            top = s.exec(select(func.max(Proposal.seq)).where(Proposal.union_id == self.union_id,
                                                              Proposal.year == year)).one()
            assert proposer.id is not None
            p = Proposal(union_id=self.union_id, year=year, seq=(top or 0) + 1, title=new.title,
                         reason=new.reason, suggestion=new.suggestion, category=new.category,
                         proposer_id=proposer.id,
                         proposer_contact=proposer.contact_id, proposer_name=proposer.name,
                         status=PENDING_REVIEW if min_cosigners <= 0 else COLLECTING,
                         created_at=now, updated_at=now)
            s.add(p)
            s.flush()
            self._log(s, p, proposer.contact_id or "", proposer.name, "提交", now)
            return p

    def find(self, year: int, seq: int) -> Proposal | None:
        with session_scope(self.engine) as s:
            return self._find(s, year, seq)

    def cosign(self, year: int, seq: int, member: Member, min_cosigners: int,
               now: dt.datetime) -> tuple[str, Proposal | None]:
        """'ok' | 'own' | 'twice' | 'closed' | 'not_found'; reaching the minimum sends it to review."""
        with session_scope(self.engine) as s:
            p = self._find(s, year, seq)
            if p is None:
                return "not_found", None
            if p.proposer_id == member.id:
                return "own", p
            if p.status not in (COLLECTING, PENDING_REVIEW):
                return "closed", p
            assert p.id is not None and member.id is not None
            try:
                with s.begin_nested():
                    s.add(ProposalCosign(union_id=self.union_id, proposal_id=p.id, member_id=member.id,
                                         contact_id=member.contact_id, name=member.name, created_at=now))
            except IntegrityError:
                return "twice", p
            count = s.exec(select(func.count()).select_from(ProposalCosign)
                           .where(ProposalCosign.proposal_id == p.id)).one()
            if count >= min_cosigners:
                s.execute(update(Proposal).where(col(Proposal.id) == p.id, Proposal.status == COLLECTING)
                          .values(status=PENDING_REVIEW, updated_at=now))
            s.refresh(p)
            self._log(s, p, member.contact_id or "", member.name, "附议", now)
            return "ok", p

    def transition(self, year: int, seq: int, action: str, actor: str, actor_name: str, now: dt.datetime,
                   note: str = "", **fields: str) -> Change:
        allowed, target = TRANSITIONS[action]
        with session_scope(self.engine) as s:
            p = self._find(s, year, seq)
            if p is None:
                return Change(None, NOT_FOUND)
            moved = s.execute(update(Proposal).where(col(Proposal.id) == p.id, col(Proposal.status).in_(allowed))
                              .values(status=target, updated_at=now, **fields))
            if moved.rowcount != 1:
                s.refresh(p)
                return Change(p, WRONG_STATUS)
            s.refresh(p)
            self._log(s, p, actor, actor_name, action, now, note)
            return Change(p)

    def set_category(self, year: int, seq: int, category: str, actor: str, actor_name: str,
                     now: dt.datetime) -> Change:
        """Files a proposal under ``category`` ('' = 未分类), at any status (the action checks the name and who
        asks). The history row says from what to what, so the change is held per proposal: two at once
        queue, and each row names the 类别 it replaced."""
        with session_scope(self.engine) as s:
            p = self._find(s, year, seq)
            if p is None:
                return Change(None, NOT_FOUND)
            serialize(s, f"{self.union_id}:proposal-category:{p.id}")
            s.refresh(p)
            before = p.category
            if before == category:
                return Change(p, UNCHANGED)
            s.execute(update(Proposal).where(col(Proposal.id) == p.id).values(category=category, updated_at=now))
            s.refresh(p)
            self._log(s, p, actor, actor_name, RECATEGORISED, now,
                      f"{before or UNCATEGORISED} → {category or UNCATEGORISED}")
            return Change(p)

    def merge(self, keep: tuple[int, int], absorb: tuple[int, int], actor: str, actor_name: str,
              now: dt.datetime) -> tuple[Change, Change]:
        """``absorb`` becomes part of ``keep``: its proposer and co-signers co-sign ``keep``."""
        with session_scope(self.engine) as s:
            a, b = self._find(s, *keep), self._find(s, *absorb)
            if a is None or b is None:
                return Change(a, NOT_FOUND), Change(b, NOT_FOUND)
            if a.id == b.id:
                return Change(a, SAME), Change(b)
            if a.status in ("不予立案", "办结", "已合并"):
                return Change(a, WRONG_STATUS), Change(b)
            allowed, target = TRANSITIONS["并入"]
            moved = s.execute(update(Proposal).where(col(Proposal.id) == b.id, col(Proposal.status).in_(allowed))
                              .values(status=target, merged_into=a.code, updated_at=now))
            if moved.rowcount != 1:
                return Change(a), Change(b, WRONG_STATUS)
            assert a.id is not None
            taken = set(s.exec(select(ProposalCosign.member_id).where(ProposalCosign.proposal_id == a.id)).all())
            joiners = [(b.proposer_id, b.proposer_contact, b.proposer_name)] + [
                (c.member_id, c.contact_id, c.name)
                for c in s.exec(select(ProposalCosign).where(ProposalCosign.proposal_id == b.id)).all()]
            for member_id, contact, name in joiners:
                if member_id != a.proposer_id and member_id not in taken:
                    taken.add(member_id)
                    s.add(ProposalCosign(union_id=self.union_id, proposal_id=a.id, member_id=member_id,
                                         contact_id=contact, name=name, created_at=now))
            s.refresh(a)
            s.refresh(b)
            self._log(s, b, actor, actor_name, "合并", now, f"并入 {a.code}")
            self._log(s, a, actor, actor_name, "合并", now, f"{b.code} 并入本案")
            return Change(a), Change(b)

    def cosigners(self, proposal_id: int | None) -> list[ProposalCosign]:
        with session_scope(self.engine) as s:
            return list(s.exec(select(ProposalCosign).where(ProposalCosign.proposal_id == proposal_id)
                               .order_by(col(ProposalCosign.created_at), col(ProposalCosign.id))).all())

    def history(self, proposal_id: int | None) -> list[ProposalEvent]:
        with session_scope(self.engine) as s:
            return list(s.exec(select(ProposalEvent).where(ProposalEvent.proposal_id == proposal_id)
                               .order_by(col(ProposalEvent.at), col(ProposalEvent.id))).all())

    def list(self, year: int | None = None, status: str | None = None) -> list[Proposal]:
        with session_scope(self.engine) as s:
            q = select(Proposal).where(Proposal.union_id == self.union_id)
            if year is not None:
                q = q.where(Proposal.year == year)
            if status:
                q = q.where(Proposal.status == status)
            return list(s.exec(q.order_by(col(Proposal.year), col(Proposal.seq))).all())

    def register_page(self, q: RegisterQuery) -> RegisterPage:
        return register_page(self.engine, self.union_id, q)

    def register_counts(self, year: int) -> RegisterCounts:
        return register_counts(self.engine, self.union_id, year)

    def years(self) -> list[int]:
        """The congress years that have proposals, oldest first (the register's year filter)."""
        with session_scope(self.engine) as s:
            return sorted(s.exec(select(Proposal.year).where(Proposal.union_id == self.union_id).distinct()).all())

    def of_member(self, member_id: int) -> list[Proposal]:
        with session_scope(self.engine) as s:
            cosigned = select(ProposalCosign.proposal_id).where(ProposalCosign.member_id == member_id)
            return list(s.exec(select(Proposal).where(
                Proposal.union_id == self.union_id,
                or_(Proposal.proposer_id == member_id, col(Proposal.id).in_(cosigned)),
            ).order_by(col(Proposal.year), col(Proposal.seq))).all())

    def _find(self, s: Session, year: int, seq: int) -> Proposal | None:
        return s.exec(select(Proposal).where(Proposal.union_id == self.union_id, Proposal.year == year,
                                             Proposal.seq == seq)).first()

    def _log(self, s: Session, p: Proposal, actor: str, actor_name: str, action: str, now: dt.datetime,
             note: str = "") -> None:
        assert p.id is not None
        s.add(ProposalEvent(union_id=self.union_id, proposal_id=p.id, at=now, actor=actor[:128],
                            actor_name=actor_name[:64], action=action, status=p.status, note=note))
