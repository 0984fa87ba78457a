"""The tables of the union's workflows: proposals, welfare requests and their audit, notices and receipts,
votes and check-ins. Every table carries ``union_id``; storage/models.py re-exports all."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models_core import utcnow


class Proposal(SQLModel, table=True):
    """A 教代会 proposal (提案). ``seq`` is its number within the congress year
    (2027-003), allocated in the inserting transaction so numbers stay gap-free."""

    __tablename__ = "proposal"
    __table_args__ = (UniqueConstraint("union_id", "year", "seq", name="uq_proposal_number"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    year: int
    seq: int
    title: str = Field(max_length=200)
    reason: str = Field(sa_column=Column(Text, nullable=False))  # 案由
    suggestion: str = Field(sa_column=Column(Text, nullable=False))  # 建议
    proposer_id: int = Field(foreign_key="member.id")
    proposer_contact: str | None = Field(default=None, max_length=128)
    proposer_name: str = Field(max_length=64)
    status: str = Field(default="征集中", max_length=16)
    department: str = Field(default="", max_length=64)
    category: str = Field(default="", max_length=16)  # 类别 from [proposals] categories; '' = 未分类 (0014)
    review_note: str = Field(default="", max_length=500)
    answer: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    evaluation: str = Field(default="", max_length=16)
    evaluation_note: str = Field(default="", max_length=500)
    merged_into: str = Field(default="", max_length=16)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)

    @property
    def code(self) -> str:
        return f"{self.year}-{self.seq:03d}"


class ProposalCosign(SQLModel, table=True):
    __tablename__ = "proposal_cosign"
    __table_args__ = (UniqueConstraint("proposal_id", "member_id", name="uq_proposal_cosign"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    contact_id: str | None = Field(default=None, max_length=128)
    name: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow)


class ProposalEvent(SQLModel, table=True):
    """The history of a proposal: every change, who made it and when."""

    __tablename__ = "proposal_event"

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    at: dt.datetime = Field(default_factory=utcnow)
    actor: str = Field(default="", max_length=128)
    actor_name: str = Field(default="", max_length=64)
    action: str = Field(max_length=16)
    status: str = Field(max_length=16)  # the status after the change
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class WelfareRequest(SQLModel, table=True):
    """A welfare or care request (W2027-012). Personal data: read and changed only
    through storage.welfare.WelfareDesk, which checks access and writes the audit log."""

    __tablename__ = "welfare_request"
    __table_args__ = (UniqueConstraint("union_id", "year", "seq", name="uq_welfare_number"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    year: int
    seq: int
    kind: str = Field(max_length=32)  # the type's name: 住院, 丧事…
    member_id: int = Field(foreign_key="member.id", index=True)  # whom it is for
    member_name: str = Field(max_length=64)  # kept even if the member leaves the roster
    member_contact: str | None = Field(default=None, max_length=128)
    reported_by: str = Field(default="", max_length=128)  # contact id (代报: a colleague)
    reported_by_name: str = Field(default="", max_length=64)
    details: str = Field(sa_column=Column(Text, nullable=False))  # JSON of the form's fields
    status: str = Field(default="待受理", max_length=16)
    standard_amount: int | None = None
    amount: int | None = None
    handled_by: str = Field(default="", max_length=64)
    reject_reason: str = Field(default="", max_length=500)
    pay_method: str = Field(default="", max_length=16)  # 发放 by: 现金, 银行转账… ('' before 0013 or from chat)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    closed_at: dt.datetime | None = None  # for 已发放, the 发放日期

    @property
    def code(self) -> str:
        return f"W{self.year}-{self.seq:03d}"


class WelfareAudit(SQLModel, table=True):
    """Who read or changed which request, when; refusals too."""

    __tablename__ = "welfare_audit"

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    request_code: str = Field(default="", max_length=16, index=True)
    at: dt.datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=128)
    actor_name: str = Field(default="", max_length=64)
    action: str = Field(max_length=16)
    detail: str = Field(default="", max_length=255)


class Notice(SQLModel, table=True):
    """A numbered #发送通知; with ``needs_receipt`` members acknowledge it (#收到 N)."""

    __tablename__ = "notice"
    __table_args__ = (UniqueConstraint("union_id", "number", name="uq_notice_number"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    number: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    audience: str = Field(default="全体", max_length=64)
    needs_receipt: bool = False
    groups: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # labels, JSON
    created_by: str = Field(default="", max_length=128)
    created_at: dt.datetime = Field(default_factory=utcnow)


class NoticeReceipt(SQLModel, table=True):
    """One acknowledgement per member and notice, decided by the unique key (never count-then-insert)."""

    __tablename__ = "notice_receipt"
    __table_args__ = (UniqueConstraint("notice_id", "member_id", name="uq_notice_receipt"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    at: dt.datetime = Field(default_factory=utcnow)


class Vote(SQLModel, table=True):
    """#发起投票. For an anonymous vote the database keeps who voted (``vote_voter``) and the
    counters (``vote_tally``) apart, with nothing that joins them: no ballot rows, no times."""

    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("union_id", "number", name="uq_vote_number"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    number: int
    title: str = Field(max_length=200)
    options: str = Field(sa_column=Column(Text, nullable=False))  # JSON list
    audience: str = Field(default="全体", max_length=64)
    deadline: dt.datetime | None = None
    anonymous: bool = True
    max_choices: int = 1
    status: str = Field(default="open", max_length=16)  # open | closed
    created_by: str = Field(default="", max_length=128)
    created_at: dt.datetime = Field(default_factory=utcnow)
    closed_at: dt.datetime | None = None


class VoteVoter(SQLModel, table=True):
    """Who has voted: one row per member (the unique key refuses a second ballot). No choice, no time."""

    __tablename__ = "vote_voter"
    __table_args__ = (UniqueConstraint("vote_id", "member_id", name="uq_vote_voter"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    member_id: int = Field(foreign_key="member.id")


class VoteTally(SQLModel, table=True):
    """The counters: one row per option, incremented in place. No voter, no time, no ballot order."""

    __tablename__ = "vote_tally"

    vote_id: int = Field(foreign_key="vote.id", primary_key=True)
    option: int = Field(primary_key=True)  # index into Vote.options
    union_id: str = Field(index=True, max_length=64)
    count: int = 0


class VoteBallot(SQLModel, table=True):
    """An open (named) vote's ballots: who chose what. Never written for an anonymous vote."""

    __tablename__ = "vote_ballot"
    __table_args__ = (UniqueConstraint("vote_id", "member_id", name="uq_vote_ballot"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    choices: str = Field(max_length=200)  # JSON list of option indexes


class Checkin(SQLModel, table=True):
    """#开始签到: attendance for the congress or a meeting."""

    __tablename__ = "checkin"
    __table_args__ = (UniqueConstraint("union_id", "number", name="uq_checkin_number"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    number: int
    title: str = Field(max_length=200)
    audience: str = Field(default="全体", max_length=64)
    status: str = Field(default="open", max_length=16)  # open | closed
    created_by: str = Field(default="", max_length=128)
    created_at: dt.datetime = Field(default_factory=utcnow)
    closed_at: dt.datetime | None = None


class CheckinRecord(SQLModel, table=True):
    __tablename__ = "checkin_record"
    __table_args__ = (UniqueConstraint("checkin_id", "member_id", name="uq_checkin_record"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    checkin_id: int = Field(foreign_key="checkin.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    at: dt.datetime = Field(default_factory=utcnow)
