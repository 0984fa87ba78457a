"""The 提案 register as the office reads it: one page of a filtered, searched list (with each row's
co-signer count and 交办 date, fetched for that page only), and the counts the statistics chart.

Reads only; the status machine stays in storage.proposals. A search is a plain substring match on
title, 案由, 建议 and proposer (LIKE with the user's % and _ escaped), which is enough for a few
thousand proposals (see bench/proposal_register.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import col, func, or_, select

from storage.db import session_scope
from storage.models import Proposal, ProposalCosign, ProposalEvent

PAGE_SIZE = 50
UNCATEGORISED = "未分类"  # how the register names (and filters) a proposal filed without a 类别


@dataclass(frozen=True)
class RegisterQuery:
    year: int
    status: str = ""
    department: str = ""
    text: str = ""
    page: int = 1  # 1-based; out of range is brought to the nearest page
    size: int = PAGE_SIZE
    category: str = ""  # a 类别, or UNCATEGORISED for the proposals that have none


@dataclass(frozen=True)
class RegisterRow:
    proposal: Proposal
    cosigners: int
    handed_at: dt.datetime | None  # the latest 交办, from which the answer deadline runs


@dataclass(frozen=True)
class RegisterPage:
    rows: list[RegisterRow]
    total: int
    page: int
    pages: int
    departments: tuple[str, ...] = ()  # every 承办部门 of the year, for the filter (read in the same transaction)
    categories: tuple[str, ...] = ()  # every 类别 in use that year ('' as UNCATEGORISED), for the filter


@dataclass(frozen=True)
class RegisterCounts:
    by_status: dict[str, int]
    by_department: dict[str, int]
    by_category: dict[str, int]  # '' counted as UNCATEGORISED
    by_evaluation: dict[str, int]
    total: int


def _filtered(union_id: str, q: RegisterQuery):  # type: ignore[no-untyped-def]
    where = [Proposal.union_id == union_id, Proposal.year == q.year]
    if q.status:
        where.append(Proposal.status == q.status)
    if q.department:
        where.append(Proposal.department == q.department)
    if q.category:
        where.append(Proposal.category == ("" if q.category == UNCATEGORISED else q.category))
    text = q.text.strip()
    if text:
        where.append(or_(*(col(c).contains(text, autoescape=True) for c in (
            Proposal.title, Proposal.reason, Proposal.suggestion, Proposal.proposer_name))))
    return where


def register_page(engine: Engine, union_id: str, q: RegisterQuery) -> RegisterPage:
    where = _filtered(union_id, q)
    with session_scope(engine) as s:
        total = s.exec(select(func.count()).select_from(Proposal).where(*where)).one()
        pages = max(1, -(-total // q.size))
        page = min(max(1, q.page), pages)
        found = list(s.exec(select(Proposal).where(*where).order_by(col(Proposal.seq))
                            .offset((page - 1) * q.size).limit(q.size)).all())
        ids = [p.id for p in found]
        counts = dict(s.exec(select(ProposalCosign.proposal_id, func.count())
                             .where(col(ProposalCosign.proposal_id).in_(ids))
                             .group_by(col(ProposalCosign.proposal_id))).all()) if ids else {}
        handed = dict(s.exec(select(ProposalEvent.proposal_id, func.max(ProposalEvent.at))
                             .where(col(ProposalEvent.proposal_id).in_(ids), ProposalEvent.action == "交办")
                             .group_by(col(ProposalEvent.proposal_id))).all()) if ids else {}
        departments = tuple(sorted(s.exec(select(Proposal.department).where(  # code point order, as before
            Proposal.union_id == union_id, Proposal.year == q.year, Proposal.department != "").distinct()).all()))
        categories = tuple(sorted(c or UNCATEGORISED for c in s.exec(select(Proposal.category).where(
            Proposal.union_id == union_id, Proposal.year == q.year).distinct()).all()))
    rows = [RegisterRow(p, int(counts.get(p.id, 0)), _aware(handed.get(p.id))) for p in found]
    return RegisterPage(rows, int(total), page, pages, departments, categories)


def _aware(at: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes; every time stored is UTC."""
    return at.replace(tzinfo=dt.UTC) if at is not None and at.tzinfo is None else at


def register_counts(engine: Engine, union_id: str, year: int) -> RegisterCounts:
    mine = (Proposal.union_id == union_id, Proposal.year == year)
    with session_scope(engine) as s:
        def grouped(column, *extra) -> dict[str, int]:  # type: ignore[no-untyped-def]
            return {str(k): int(n) for k, n in s.exec(select(column, func.count()).where(*mine, *extra)
                                                      .group_by(column).order_by(func.count().desc())).all()}
        by_status = grouped(col(Proposal.status))
        by_department = grouped(col(Proposal.department), Proposal.department != "")
        by_category = {k or UNCATEGORISED: n for k, n in grouped(col(Proposal.category)).items()}
        by_evaluation = grouped(col(Proposal.evaluation), Proposal.evaluation != "")
    return RegisterCounts(by_status, by_department, by_category, by_evaluation, sum(by_status.values()))
