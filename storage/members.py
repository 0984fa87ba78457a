"""Members: registered on first contact, loaded from the staff roster, bound together."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import bindparam, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.db import session_scope
from storage.models import (
    CheckinRecord,
    Draft,
    Event,
    GroupMember,
    Member,
    Notice,
    NoticeReceipt,
    Proposal,
    ProposalCosign,
    Signup,
    WelfareRequest,
)


class NameProblem(StrEnum):
    """Why a contact or a name could not be tied to one member (``bind``, ``ensure_named``); "" is none.
    Handlers word these (handlers.members, handlers.welfare, handlers.signup_checks)."""

    NONE = ""
    NO_CONTACT = "no_contact"  # no contact known by that id or name
    MANY_CONTACTS = "many_contacts"  # several contacts fit
    NOT_IN_ROSTER = "not_in_roster"
    MANY_IN_ROSTER = "many_in_roster"
    BOUND_ELSEWHERE = "bound_elsewhere"  # the roster entry is bound to another contact
    MANY_NAMED = "many_named"  # several members have the name


@dataclass(frozen=True)
class RosterRow:
    name: str
    department: str = ""
    gender: str = ""
    retired: bool = False
    birthday: dt.date | None = None
    role: str = ""
    contact_id: str = ""


@dataclass(frozen=True)
class RosterResult:
    added: int
    updated: int
    ambiguous: tuple[str, ...] = ()  # names several roster entries share, left out


log = logging.getLogger(__name__)
CACHE_SECONDS = 60.0
CACHE_SIZE = 2000


MEMBER_CODE = re.compile(r"^UB(\d{5,9})$")


def member_code(member_id: int | None) -> str:
    """The remark (备注) the bot's account gives a member's contact: it survives new contact ids, and the
    contact cannot change it. It is also how ``[roles]`` may name someone across logins."""
    return f"UB{member_id:05d}" if member_id else ""


def member_of_code(remark: str) -> int | None:
    m = MEMBER_CODE.match(remark.strip())
    return int(m.group(1)) if m else None


class MemberRepo:
    """Members. Every message looks up its sender, so lookups are cached in the
    process for a minute; writes here clear the cache, and a change made by
    another process (``unionbot members import``) is seen within that minute."""

    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id
        self._cache: dict[str, tuple[float, str, str, Member]] = {}
        self.generation = 0
        self.created: set[int] = set()  # members first seen by this process: a group may re-link them

    def touch(self, contact_id: str, display_name: str, room_alias: str = "", remark: str | None = None) -> Member:
        """The member behind a contact id, created on first contact; names kept current.

        ``remark``: the remark (备注) the bot's account gave the contact ("" none, None not known: the web
        page and the terminal do not say). A contact id never seen before whose remark is a member code the
        bot set (``member_code``), or a remark set by hand that exactly one member has, is that member under
        a new id (wechat4u gives new ids at every login): the member is re-linked, keeping their sign-ups,
        proposals, requests and roles. A hand-set remark is kept on the member (``[roles]`` may name it).
        Nothing else re-links: names are the contact's own and anyone can take any."""
        hand = None if remark is None else ("" if member_of_code(remark) is not None else remark.strip()[:128])
        hit = self._cache.get(contact_id)
        if (hit and hit[0] > time.monotonic() and hit[1] == display_name and hit[2] == room_alias
                and hand in (None, hit[3].remark)):
            return hit[3]
        member = self._relinked(contact_id, remark) if remark else None
        member = member or self._touch(contact_id, display_name, room_alias, hand)
        if len(self._cache) >= CACHE_SIZE:
            self._cache.clear()  # a school has hundreds of members; this only bounds a pathological stream
        self._cache[contact_id] = (time.monotonic() + CACHE_SECONDS, display_name, room_alias, member)
        return member

    def _relinked(self, contact_id: str, remark: str) -> Member | None:
        member_id = member_of_code(remark)
        with session_scope(self.engine) as s:
            if s.exec(self._by_contact(contact_id)).first() is not None:
                return None  # a known contact: nothing to re-link
            if member_id is None:
                # A remark the chair set by hand: only when exactly one member has it (two would be a guess).
                # And only when its old contact id is gone from the staff groups as the gateway reports them
                # at this login: one still there is someone else the chair gave the same remark.
                same = s.exec(select(Member).where(Member.union_id == self.union_id,
                                                   Member.remark == remark.strip()[:128]).limit(2)).all()
                m = same[0] if len(same) == 1 else None
                if m is not None and m.contact_id and s.exec(select(GroupMember.contact_id).where(
                        GroupMember.union_id == self.union_id, GroupMember.contact_id == m.contact_id)).first():
                    m = None
            else:
                m = s.get(Member, member_id)
            if m is None or m.union_id != self.union_id:
                return None
            old = m.contact_id
            m.contact_id = contact_id
            s.add(m)
            if old:
                _recontact(s, self.union_id, old, contact_id)
        if old:
            self._cache.pop(old, None)
        log.info("member %s re-linked to a new contact id (by its remark)", m.id)
        return m

    def relink_in_group(self, member: Member, group_label: str) -> tuple[str, list[Member]]:
        """A new contact in a staff group who is not a friend (no remark): after a new login they may be
        someone the bot knew under an old id. Their nickname *and* group alias must both match exactly one
        member whose old id is no longer in that group; then the group-level records (sign-ups, receipts,
        check-ins) move to the new contact — never roles, requests or proposals, which need a remark.
        Returns ('linked' | 'ambiguous' | 'none', the candidates)."""
        if not member.display_name or not member.room_alias:
            return "none", []
        with session_scope(self.engine) as s:
            present = set(s.exec(select(GroupMember.contact_id).where(
                GroupMember.union_id == self.union_id, GroupMember.group_label == group_label)).all())
            candidates = [m for m in s.exec(select(Member).where(
                Member.union_id == self.union_id, Member.display_name == member.display_name,
                Member.room_alias == member.room_alias, col(Member.id) != member.id)).all()
                if m.contact_id and m.contact_id not in present]
            if len(candidates) != 1:
                return ("ambiguous" if candidates else "none"), candidates
            old = candidates[0]
            s.execute(update(Signup).where(Signup.member_id == old.id).values(member_id=member.id,
                                                                             contact_id=member.contact_id))
            s.execute(update(NoticeReceipt).where(NoticeReceipt.member_id == old.id).values(member_id=member.id))
            s.execute(update(CheckinRecord).where(CheckinRecord.member_id == old.id).values(member_id=member.id))
        log.info("group member %s linked to %s's group records (same nickname and group alias)", member.id, old.id)
        return "linked", candidates

    def forget(self) -> None:
        self._cache.clear()
        self.generation += 1  # caches built on the roster elsewhere (the access rule's) start again

    def _touch(self, contact_id: str, display_name: str, room_alias: str, remark: str | None = None) -> Member:
        with session_scope(self.engine) as s:
            m = s.exec(self._by_contact(contact_id)).first()
            if m is None:
                m = Member(union_id=self.union_id, contact_id=contact_id, name=display_name or contact_id,
                           display_name=display_name, room_alias=room_alias, remark=remark or "")
                s.add(m)
                try:
                    s.flush()
                except IntegrityError:
                    # Another worker registered the same contact a moment ago.
                    s.rollback()
                    m = s.exec(self._by_contact(contact_id)).one()
                    return m
                if m.id is not None and len(self.created) < CACHE_SIZE:
                    self.created.add(m.id)
                return m
            changed = False
            if display_name and m.display_name != display_name:
                m.display_name = display_name
                if not m.in_roster:
                    m.name = display_name
                changed = True
            if room_alias and m.room_alias != room_alias:
                m.room_alias = room_alias
                changed = True
            if remark is not None and m.remark != remark:  # set, changed or taken away on the bot's phone
                m.remark = remark
                changed = True
            if changed:
                s.add(m)
            return m

    def with_remark(self, remark: str) -> list[Member]:
        """The members whose hand-set remark is ``remark`` (one, for a remark to mean anyone)."""
        with session_scope(self.engine) as s:
            return list(s.exec(select(Member).where(Member.union_id == self.union_id, Member.remark == remark)).all())

    def get_by_contact(self, contact_id: str) -> Member | None:
        hit = self._cache.get(contact_id)
        if hit and hit[0] > time.monotonic():
            return hit[3]
        with session_scope(self.engine) as s:
            return s.exec(self._by_contact(contact_id)).first()

    def by_contacts(self, contact_ids: list[str]) -> dict[str, Member]:
        """contact id -> member, in one query per 500 (a group's members, not one lookup each)."""
        found: dict[str, Member] = {}
        with session_scope(self.engine) as s:
            for i in range(0, len(contact_ids), 500):
                found |= {m.contact_id or "": m for m in s.exec(select(Member).where(
                    Member.union_id == self.union_id, col(Member.contact_id).in_(contact_ids[i:i + 500]))).all()}
        return found

    def current(self, contact_id: str) -> Member | None:
        """The member behind a contact as the database has it now, past this process's cache: another
        process (the office page's #绑定) may have merged the contact into its roster entry within the
        cache's minute, and a login link must name the member that exists."""
        self._cache.pop(contact_id, None)
        with session_scope(self.engine) as s:
            return s.exec(self._by_contact(contact_id)).first()

    def by_id(self, member_id: int) -> Member | None:
        with session_scope(self.engine) as s:
            m = s.get(Member, member_id)
            return m if m is not None and m.union_id == self.union_id else None

    def by_ids(self, ids: list[int]) -> dict[int, Member]:
        if not ids:
            return {}
        with session_scope(self.engine) as s:
            return {m.id: m for m in s.exec(select(Member).where(Member.union_id == self.union_id,
                                                                 col(Member.id).in_(ids))).all() if m.id}

    def find(self, key: str) -> list[Member]:
        """Members whose contact id, real name, display name or room alias is ``key``."""
        with session_scope(self.engine) as s:
            rows = s.exec(select(Member).where(Member.union_id == self.union_id)).all()
        exact = [m for m in rows if key == m.contact_id]
        if exact:
            return exact
        return [m for m in rows if key in (m.name, m.display_name, m.room_alias)]

    def import_roster(self, rows: list[RosterRow]) -> RosterResult:
        """Upsert roster entries by contact id (a WeChat id or DingTalk userid) when the roster has one, else
        by a name only one roster entry has. A blank department keeps the one already known (the DingTalk
        directory's); a name several entries share, with no id to tell them apart, is left out and reported."""
        self.forget()
        added = updated = 0
        ambiguous: list[str] = []
        with session_scope(self.engine) as s:
            existing = s.exec(select(Member).where(Member.union_id == self.union_id)).all()
            by_contact = {m.contact_id: m for m in existing if m.contact_id}
            by_name: dict[str, list[Member]] = {}
            for m in existing:
                if m.in_roster:
                    by_name.setdefault(m.name, []).append(m)
            for row in rows:
                m = by_contact.get(row.contact_id) if row.contact_id else None
                if m is None and len(by_name.get(row.name, [])) > 1:
                    ambiguous.append(row.name)
                    continue
                m = m or (by_name.get(row.name) or [None])[0]
                if m is None:
                    m = Member(union_id=self.union_id, name=row.name, contact_id=row.contact_id or None)
                    added += 1
                else:
                    updated += 1
                m.name = row.name
                m.department = row.department or m.department
                m.gender, m.retired = row.gender, row.retired
                m.birthday, m.roster_role, m.in_roster = row.birthday, row.role, True
                if row.contact_id:
                    m.contact_id = row.contact_id
                s.add(m)
                if m not in by_name.setdefault(row.name, []):
                    by_name[row.name].append(m)
        return RosterResult(added, updated, tuple(ambiguous))

    def bind(self, contact_key: str, roster_name: str) -> tuple[Member | None, NameProblem]:
        """Attach a chat contact to a roster entry; returns (member, problem)."""
        self.forget()
        with session_scope(self.engine) as s:
            rows = s.exec(select(Member).where(Member.union_id == self.union_id)).all()
            contacts = [m for m in rows if m.contact_id == contact_key] or [
                m for m in rows if m.contact_id and contact_key in (m.display_name, m.room_alias, m.name)
                and not m.in_roster
            ]
            roster = [m for m in rows if m.in_roster and m.name == roster_name]
            if not contacts:
                return None, NameProblem.NO_CONTACT
            if len(contacts) > 1:
                return None, NameProblem.MANY_CONTACTS
            if not roster:
                return None, NameProblem.NOT_IN_ROSTER
            if len(roster) > 1:
                return None, NameProblem.MANY_IN_ROSTER
            contact, entry = contacts[0], roster[0]
            if contact.id == entry.id:
                return entry, NameProblem.NONE
            if entry.contact_id and entry.contact_id != contact.contact_id:
                return None, NameProblem.BOUND_ELSEWHERE
            # The roster entry absorbs the chat contact: one member, one id.
            contact_id, display, alias = contact.contact_id, contact.display_name, contact.room_alias
            _reassign(s, contact.id, entry.id)
            s.delete(contact)
            s.flush()
            entry.contact_id, entry.display_name, entry.room_alias = contact_id, display, alias
            s.add(entry)
            return entry, NameProblem.NONE

    def all(self) -> list[Member]:
        """Everyone the bot knows: from the roster and from chat (`unionbot members list`)."""
        with session_scope(self.engine) as s:
            return list(s.exec(select(Member).where(Member.union_id == self.union_id)
                               .order_by(col(Member.in_roster).desc(), col(Member.name))).all())

    def roster(self, without: Collection[int] = ()) -> list[Member]:
        """Members from the roster (the scheduled care lists read them), but those whose ids are ``without``."""
        with session_scope(self.engine) as s:
            q = select(Member).where(Member.union_id == self.union_id, Member.in_roster)
            if without:
                # The ids written into the statement, not bound one by one: an event page with 1,000
                # sign-ups spent more time converting 1,000 parameters than PostgreSQL spent running it.
                q = q.where(col(Member.id).not_in(bindparam("without", sorted(without), expanding=True,
                                                            literal_execute=True)))
            return list(s.exec(q.order_by(Member.name)).all())

    def has_roster(self) -> bool:
        with session_scope(self.engine) as s:
            found = s.exec(select(Member.id).where(Member.union_id == self.union_id, Member.in_roster)).first()
        return found is not None

    def ensure_named(self, name: str) -> tuple[Member | None, NameProblem]:
        """The one member called ``name`` (for 代报名); created when nobody is.
        Returns (member, problem) and refuses a name that fits several people."""
        self.forget()
        found = self.find(name)
        if len(found) > 1:
            return None, NameProblem.MANY_NAMED
        if found:
            return found[0], NameProblem.NONE
        with session_scope(self.engine) as s:
            m = Member(union_id=self.union_id, name=name[:64])
            s.add(m)
            s.flush()
            return m, NameProblem.NONE

    def _by_contact(self, contact_id: str):  # type: ignore[no-untyped-def]
        return select(Member).where(Member.union_id == self.union_id, Member.contact_id == contact_id)


def _recontact(s: Session, union_id: str, old: str, new: str) -> None:
    """Records that keep a contact id (to tell or recognise someone) follow a re-linked member."""
    for model, column in ((Signup, Signup.contact_id), (Proposal, Proposal.proposer_contact),
                          (ProposalCosign, ProposalCosign.contact_id), (WelfareRequest, WelfareRequest.member_contact),
                          (WelfareRequest, WelfareRequest.reported_by), (Draft, Draft.contact_id),
                          (Notice, Notice.created_by)):
        s.execute(update(model).where(col(model.union_id) == union_id, col(column) == old)
                  .values({column.key: new}))


def _reassign(s: Session, from_id: int | None, to_id: int | None) -> None:
    """What a chat contact did before being bound follows it to its roster entry."""
    taken = set(s.exec(select(Signup.event_id).where(Signup.member_id == to_id)).all())
    for row in s.exec(select(Signup).where(Signup.member_id == from_id)).all():
        if row.event_id in taken:
            # Both signed up for one event: the roster entry's sign-up stands.
            if row.status == "confirmed":
                s.execute(update(Event).where(col(Event.id) == row.event_id)
                          .values(confirmed_seats=Event.confirmed_seats - row.seats))
            s.delete(row)
        else:
            row.member_id = to_id  # type: ignore[assignment]
            s.add(row)
    cosigned = set(s.exec(select(ProposalCosign.proposal_id).where(ProposalCosign.member_id == to_id)).all())
    for cos in s.exec(select(ProposalCosign).where(ProposalCosign.member_id == from_id)).all():
        if cos.proposal_id in cosigned:
            s.delete(cos)
        else:
            cos.member_id = to_id  # type: ignore[assignment]
            s.add(cos)
    s.execute(update(Proposal).where(Proposal.proposer_id == from_id).values(proposer_id=to_id))
    s.execute(update(WelfareRequest).where(WelfareRequest.member_id == from_id).values(member_id=to_id))
    s.flush()
