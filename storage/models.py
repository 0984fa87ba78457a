"""SQLModel tables. Every table carries ``union_id`` so one PostgreSQL database
can hold many schools (one bot per school) without their data meeting."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Member(SQLModel, table=True):
    """A staff member: from the roster, from first contact in chat, or both once bound."""

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("union_id", "contact_id", name="uq_member_contact"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    contact_id: str | None = Field(default=None, max_length=128)
    name: str = Field(max_length=64)  # real name (roster) or display name until bound
    display_name: str = Field(default="", max_length=128)
    room_alias: str = Field(default="", max_length=128)
    # The remark (备注) the bot's own account gave the contact by hand: the contact cannot change it, so
    # [roles] may name it and it re-links the member across logins while it is unique. Never a member code.
    remark: str = Field(default="", max_length=128)
    department: str = Field(default="", max_length=64)
    gender: str = Field(default="", max_length=8)  # '男' | '女' | ''
    retired: bool = False
    birthday: dt.date | None = None
    roster_role: str = Field(default="", max_length=64)
    in_roster: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)


class SeenMessage(SQLModel, table=True):
    """Message ids already handled: gateways replay messages after a re-login."""

    __tablename__ = "seen_message"

    union_id: str = Field(primary_key=True, max_length=64)
    message_id: str = Field(primary_key=True, max_length=128)
    seen_at: dt.datetime = Field(default_factory=utcnow, index=True)


class ScheduleItem(SQLModel, table=True):
    """One activity of the year's schedule. ``number`` is what members type (#活动 N)."""

    __tablename__ = "schedule_item"
    __table_args__ = (UniqueConstraint("union_id", "number", name="uq_schedule_number"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    number: int
    year: int
    months: str = Field(default="", max_length=64)  # '7,8'
    weeks: str = Field(default="", max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    category: str = Field(default="other", max_length=32)
    holiday: str | None = Field(default=None, max_length=16)
    date: dt.date | None = None
    rrule: str | None = Field(default=None, max_length=255)
    source: str = Field(default="chat", max_length=16)  # plan | file | chat
    created_by: str = Field(default="", max_length=128)
    created_at: dt.datetime = Field(default_factory=utcnow)
    # Changed by hand (#修改活动, the office page): a re-imported plan keeps it unless the chair says otherwise.
    edited: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})


class Draft(SQLModel, table=True):
    """A half-filled multi-message form (plan import, 提案, 申请), kept across restarts."""

    __tablename__ = "draft"

    union_id: str = Field(primary_key=True, max_length=64)
    contact_id: str = Field(primary_key=True, max_length=128)
    kind: str = Field(max_length=32)
    payload: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    expires_at: dt.datetime = Field(index=True)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class Setting(SQLModel, table=True):
    """Small per-union state the bot keeps (e.g. the room id found for a topic)."""

    __tablename__ = "setting"

    union_id: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=128)
    value: str = Field(sa_column=Column(Text, nullable=False))


class OutboxPost(SQLModel, table=True):
    """One post to send: a reminder, a digest, a notice, a private message.

    The unique key (kind, ref, target, occurrence) is what makes a post
    impossible to queue twice; ``status`` moves pending -> sending -> sent (or
    missed / failed / dropped), each step a conditional update, so two senders on one
    database can never both send a row.
    """

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("union_id", "kind", "ref", "target", "occurrence", name="uq_outbox_post"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    kind: str = Field(max_length=32)  # digest | eve | morning | holiday | deadline | notice | signup_list | private
    ref: str = Field(default="", max_length=64)  # what it is about (schedule item, event, month)
    target: str = Field(max_length=160)  # 'group:<label>' | 'room:<id>' | 'contact:<id>'
    occurrence: str = Field(max_length=64)  # a date, a month, or a unique token for one-offs
    text: str = Field(sa_column=Column(Text, nullable=False))
    due_at: dt.datetime = Field(index=True)
    expires_at: dt.datetime  # after this it is recorded as missed, not sent
    # pending|sending|sent|missed|failed|dropped (checked again at sending time: nothing left to say)
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    last_error: str = Field(default="", max_length=255)
    drop_reason: str = Field(default="", max_length=255)  # why a 'dropped' post was not sent (shown by status)
    claimed_by: str = Field(default="", max_length=64)
    sent_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)


class Event(SQLModel, table=True):
    """An activity members sign up for (#发起报名). ``confirmed_seats`` is the
    counter the conditional update checks against ``capacity``."""

    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("union_id", "number", name="uq_event_number"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    number: int
    title: str = Field(max_length=200)
    starts_at: dt.datetime | None = None
    place: str = Field(default="", max_length=200)
    capacity: int | None = None
    confirmed_seats: int = 0
    deadline: dt.datetime | None = None
    audience: str = Field(default="全体", max_length=64)
    family_max: int = 0  # how many family members one sign-up may bring
    note: str = Field(default="", max_length=500)
    status: str = Field(default="open", max_length=16)  # open | closed | cancelled
    cancel_reason: str = Field(default="", max_length=200)
    schedule_number: int | None = None
    created_by: str = Field(default="", max_length=128)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Signup(SQLModel, table=True):
    """One member's sign-up; one row per (event, member), re-used when they sign up again."""

    __tablename__ = "signup"
    __table_args__ = (UniqueConstraint("event_id", "member_id", name="uq_signup_member"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    event_id: int = Field(foreign_key="event.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    contact_id: str | None = Field(default=None, max_length=128)
    name: str = Field(max_length=64)
    department: str = Field(default="", max_length=64)
    extra: int = 0  # family members
    note: str = Field(default="", max_length=100)  # 备注: 素食, 需要接送…
    status: str = Field(default="confirmed", max_length=16)  # confirmed | waitlist | cancelled
    by: str = Field(default="", max_length=128)  # who entered it (代报名)
    signed_at: dt.datetime = Field(default_factory=utcnow)  # waitlist order
    updated_at: dt.datetime = Field(default_factory=utcnow)

    @property
    def seats(self) -> int:
        return 1 + self.extra


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
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    closed_at: dt.datetime | None = None

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


class GroupMember(SQLModel, table=True):
    """Who is in a staff group, as the gateway reports it: what receipts count against without a roster."""

    __tablename__ = "group_member"
    __table_args__ = (UniqueConstraint("union_id", "group_label", "contact_id", name="uq_group_member"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    group_label: str = Field(max_length=128)
    contact_id: str = Field(max_length=128)
    name: str = Field(default="", max_length=128)


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


class WebLogin(SQLModel, table=True):
    """A one-time login link for the office page (#后台, `unionbot web link`). Only the token's
    SHA-256 is stored: a copy of the database lets no one log in."""

    __tablename__ = "web_login"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_web_login_token"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    token_hash: str = Field(max_length=64)
    member_id: int
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime
    used_at: dt.datetime | None = None


class WebSession(SQLModel, table=True):
    """A logged-in office page session: the cookie names it by ``sid``; the page lets a request in only
    while its row is here, unrevoked and unexpired, so logout, a lost role or "sign everyone out" ends it
    at once. ``roles`` are the roles at login (a role lost since revokes it); ``flash`` holds what the next
    page shows after a form's redirect (an error with the fields as typed, or the bot's answer)."""

    __tablename__ = "web_session"
    __table_args__ = (UniqueConstraint("sid", name="uq_web_session_sid"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    sid: str = Field(max_length=64)
    member_id: int = Field(index=True)
    roles: str = Field(default="", max_length=255)
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime
    revoked_at: dt.datetime | None = None
    flash: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
