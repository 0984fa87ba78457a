"""The core tables: members, messages seen, the schedule, drafts, settings, the outbox, events and sign-ups,
group members and the office page's logins. Every table carries ``union_id``; storage/models.py re-exports all."""

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


class GroupMember(SQLModel, table=True):
    """Who is in a staff group, as the gateway reports it: what receipts count against without a roster."""

    __tablename__ = "group_member"
    __table_args__ = (UniqueConstraint("union_id", "group_label", "contact_id", name="uq_group_member"),)

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    group_label: str = Field(max_length=128)
    contact_id: str = Field(max_length=128)
    name: str = Field(default="", max_length=128)


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
