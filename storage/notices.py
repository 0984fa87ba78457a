"""Numbered notices and their receipts (收到), and the staff groups' members as the gateway reports them.

An acknowledgement is one insert under a unique (notice, member) key: two hundred
"收到" at once give exactly two hundred rows, and a second one from the same member
changes nothing (``acknowledge`` says whether it was the first).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from storage.db import serialize, session_scope
from storage.models import GroupMember, Member, Notice, NoticeReceipt


class NoticeRepo:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id

    def create(self, text: str, audience: str, needs_receipt: bool, by: str, now: dt.datetime) -> Notice:
        with session_scope(self.engine) as s:
            serialize(s, f"{self.union_id}:notice")
            top = s.exec(select(func.max(Notice.number)).where(Notice.union_id == self.union_id)).one()
            n = Notice(union_id=self.union_id, number=(top or 0) + 1, text=text, audience=audience,
                       needs_receipt=needs_receipt, created_by=by, created_at=now)
            s.add(n)
            s.flush()
            return n

    def set_groups(self, number: int, labels: list[str]) -> None:
        with session_scope(self.engine) as s:
            n = s.exec(select(Notice).where(Notice.union_id == self.union_id, Notice.number == number)).one()
            n.groups = json.dumps(labels, ensure_ascii=False)
            s.add(n)

    def get(self, number: int) -> Notice | None:
        with session_scope(self.engine) as s:
            return s.exec(select(Notice).where(Notice.union_id == self.union_id, Notice.number == number)).first()

    def list(self, receipts_only: bool = False) -> list[Notice]:
        with session_scope(self.engine) as s:
            q = select(Notice).where(Notice.union_id == self.union_id)
            if receipts_only:
                q = q.where(col(Notice.needs_receipt).is_(True))
            return list(s.exec(q.order_by(col(Notice.number).desc())).all())

    def receipts_since(self, since: dt.datetime, labels: Iterable[str]) -> list[Notice]:
        """Receipt notices created since ``since`` that went to one of these groups (labels: topic or id),
        newest first: those a plain "收到" in such a group may answer."""
        wanted = {label for label in labels if label}
        with session_scope(self.engine) as s:
            rows = s.exec(select(Notice).where(Notice.union_id == self.union_id, col(Notice.needs_receipt).is_(True),
                                               Notice.created_at >= since)
                          .order_by(col(Notice.number).desc())).all()
        return [n for n in rows if wanted & set(json.loads(n.groups or "[]"))]

    def acknowledge(self, notice: Notice, member: Member, now: dt.datetime) -> bool:
        """True when this is the member's first acknowledgement of the notice."""
        assert notice.id is not None and member.id is not None
        try:
            with session_scope(self.engine) as s:
                s.execute(insert(NoticeReceipt).values(union_id=self.union_id, notice_id=notice.id,
                                                       member_id=member.id, at=now))
        except IntegrityError:
            return False
        return True

    def acknowledged(self, notice: Notice) -> list[tuple[Member, dt.datetime]]:
        with session_scope(self.engine) as s:
            on = col(NoticeReceipt.member_id) == Member.id
            rows = s.exec(select(Member, NoticeReceipt.at).join(NoticeReceipt, on)
                          .where(NoticeReceipt.notice_id == notice.id).order_by(col(NoticeReceipt.at))).all()
            return [(m, at) for m, at in rows]

    def acknowledged_ids(self, notice: Notice) -> list[tuple[int, dt.datetime]]:
        """(member id, when), first answer first: the receipts page matches them to the roster it has
        already read instead of loading every answering member again."""
        with session_scope(self.engine) as s:
            return [(mid, at) for mid, at in s.exec(
                select(NoticeReceipt.member_id, NoticeReceipt.at).where(NoticeReceipt.notice_id == notice.id)
                .order_by(col(NoticeReceipt.at), col(NoticeReceipt.id))).all()]

    def has_acknowledged(self, notice: Notice, contact_id: str) -> bool:
        with session_scope(self.engine) as s:
            return s.exec(select(func.count()).select_from(NoticeReceipt).join(
                Member, col(NoticeReceipt.member_id) == Member.id).where(
                NoticeReceipt.notice_id == notice.id, Member.contact_id == contact_id)).one() > 0

    # --- staff groups' members, as the gateway reports them ---------------------------

    def set_group_members(self, label: str, people: Iterable[tuple[str, str]]) -> None:
        """Replace what is known of one group's members: (contact id, name) pairs."""
        with session_scope(self.engine) as s:
            s.execute(delete(GroupMember).where(GroupMember.union_id == self.union_id,
                                                GroupMember.group_label == label))
            rows = {cid: name for cid, name in people if cid}
            if rows:
                s.execute(insert(GroupMember), [
                    {"union_id": self.union_id, "group_label": label, "contact_id": cid, "name": name[:128]}
                    for cid, name in rows.items()])

    def add_group_member(self, label: str, contact_id: str, name: str) -> None:
        try:
            with session_scope(self.engine) as s:
                s.execute(insert(GroupMember).values(union_id=self.union_id, group_label=label,
                                                     contact_id=contact_id, name=name[:128]))
        except IntegrityError:
            pass

    def group_contacts(self, labels: Iterable[str]) -> dict[str, str]:
        """contact id -> name, of everyone in these groups."""
        wanted = list(labels)
        with session_scope(self.engine) as s:
            rows = s.exec(select(GroupMember.contact_id, GroupMember.name).where(
                GroupMember.union_id == self.union_id, col(GroupMember.group_label).in_(wanted))).all()
            return {cid: name for cid, name in rows}
