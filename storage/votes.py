"""Votes and elections (#发起投票 / #投票) and attendance (#开始签到 / #签到).

A ballot is one transaction: a conditional update that the vote is still open
(which also queues ballots behind a closing #结束投票 on PostgreSQL), the voter's
row under a unique (vote, member) key (a second ballot fails there), then the
counters of the chosen options incremented in place. For an anonymous vote that
is all: the voter rows hold no choice and no time, the counters no voter, and no
per-ballot row exists whose id or order could be joined back. A named vote also
keeps each ballot (``vote_ballot``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import case, insert, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from storage.db import serialize, session_scope
from storage.models import Checkin, CheckinRecord, Member, Vote, VoteBallot, VoteTally, VoteVoter


@dataclass(frozen=True)
class NewVote:
    title: str
    options: list[str]
    audience: str = "全体"
    deadline: dt.datetime | None = None
    anonymous: bool = True
    max_choices: int = 1


def _still_open(s: Session, model: type[Vote] | type[Checkin], row_id: int | None) -> bool:
    """A no-op update of an open row: it says whether the row is still open and, on PostgreSQL, holds its
    lock to the end of the transaction, so a closing #结束投票 / #结束签到 waits for the record in hand."""
    done = s.execute(update(model).where(col(model.id) == row_id, col(model.status) == "open").values(status="open"))
    return bool(done.rowcount)


def _close(engine: Engine, model: type[Vote] | type[Checkin], row_id: int | None, now: dt.datetime) -> bool:
    with session_scope(engine) as s:
        done = s.execute(update(model).where(col(model.id) == row_id, col(model.status) == "open")
                         .values(status="closed", closed_at=now))
        return bool(done.rowcount)


class VoteRepo:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id

    def create(self, new: NewVote, by: str, now: dt.datetime) -> Vote:
        with session_scope(self.engine) as s:
            serialize(s, f"{self.union_id}:vote")
            top = s.exec(select(func.max(Vote.number)).where(Vote.union_id == self.union_id)).one()
            v = Vote(union_id=self.union_id, number=(top or 0) + 1, title=new.title,
                     options=json.dumps(new.options, ensure_ascii=False), audience=new.audience,
                     deadline=new.deadline, anonymous=new.anonymous, max_choices=new.max_choices, created_by=by,
                     created_at=now)
            s.add(v)
            s.flush()
            assert v.id is not None
            s.execute(insert(VoteTally), [{"vote_id": v.id, "option": i, "count": 0, "union_id": self.union_id}
                                      for i in range(len(new.options))])
            return v

    def get(self, number: int) -> Vote | None:
        with session_scope(self.engine) as s:
            return s.exec(select(Vote).where(Vote.union_id == self.union_id, Vote.number == number)).first()

    def list(self) -> list[Vote]:
        with session_scope(self.engine) as s:
            return list(s.exec(select(Vote).where(Vote.union_id == self.union_id)
                               .order_by(col(Vote.number).desc())).all())

    def cast(self, vote: Vote, member: Member, choices: list[int], now: dt.datetime) -> str:
        """'ok' | 'twice' | 'closed' (ended, or past its deadline)."""
        assert vote.id is not None and member.id is not None
        if vote.deadline is not None and now >= vote.deadline:
            return "closed"
        try:
            with session_scope(self.engine) as s:
                if not _still_open(s, Vote, vote.id):
                    return "closed"
                s.execute(insert(VoteVoter).values(union_id=self.union_id, vote_id=vote.id, member_id=member.id))
                # Every counter of the vote is written (+1 or +0), not only the chosen ones: on PostgreSQL an
                # updated row gets a new place in the table and the transaction's id (xmin), which the voter's
                # row shares, so touching only the chosen counter would tell who chose what, and the table's
                # order the last ballot's choice (found by tests/test_invariants_votes.py).
                chosen = sorted(set(choices))
                s.execute(update(VoteTally).where(col(VoteTally.vote_id) == vote.id)
                          .values(count=VoteTally.count + case((col(VoteTally.option).in_(chosen), 1), else_=0)))
                if not vote.anonymous:
                    s.execute(insert(VoteBallot).values(union_id=self.union_id, vote_id=vote.id, member_id=member.id,
                                                        choices=json.dumps(sorted(set(choices)))))
        except IntegrityError:
            return "twice"
        return "ok"

    def close(self, vote: Vote, now: dt.datetime) -> bool:
        return _close(self.engine, Vote, vote.id, now)

    def voter_ids(self, vote: Vote) -> set[int]:
        with session_scope(self.engine) as s:
            return set(s.exec(select(VoteVoter.member_id).where(VoteVoter.vote_id == vote.id)).all())

    def tally(self, vote: Vote) -> list[int]:
        with session_scope(self.engine) as s:
            rows = s.exec(select(VoteTally.option, VoteTally.count).where(VoteTally.vote_id == vote.id)).all()
            counts = dict(rows)
            return [counts.get(i, 0) for i in range(len(json.loads(vote.options)))]


class CheckinRepo:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id

    def create(self, title: str, audience: str, by: str, now: dt.datetime) -> Checkin:
        with session_scope(self.engine) as s:
            serialize(s, f"{self.union_id}:checkin")
            top = s.exec(select(func.max(Checkin.number)).where(Checkin.union_id == self.union_id)).one()
            c = Checkin(union_id=self.union_id, number=(top or 0) + 1, title=title, audience=audience, created_by=by,
                        created_at=now)
            s.add(c)
            s.flush()
            return c

    def get(self, number: int) -> Checkin | None:
        with session_scope(self.engine) as s:
            return s.exec(select(Checkin).where(Checkin.union_id == self.union_id, Checkin.number == number)).first()

    def list(self) -> list[Checkin]:
        """Every check-in, newest first (the office page's list)."""
        with session_scope(self.engine) as s:
            return list(s.exec(select(Checkin).where(Checkin.union_id == self.union_id)
                               .order_by(col(Checkin.number).desc())).all())

    def open_ones(self) -> list[Checkin]:
        with session_scope(self.engine) as s:
            return list(s.exec(select(Checkin).where(Checkin.union_id == self.union_id, Checkin.status == "open")
                               .order_by(col(Checkin.number).desc())).all())

    def latest(self) -> Checkin | None:
        with session_scope(self.engine) as s:
            return s.exec(select(Checkin).where(Checkin.union_id == self.union_id)
                          .order_by(col(Checkin.number).desc())).first()

    def record(self, checkin: Checkin, member: Member, now: dt.datetime) -> str:
        """'ok' | 'twice' | 'closed'."""
        assert checkin.id is not None and member.id is not None
        try:
            with session_scope(self.engine) as s:
                if not _still_open(s, Checkin, checkin.id):
                    return "closed"
                s.execute(insert(CheckinRecord).values(union_id=self.union_id, checkin_id=checkin.id,
                                                       member_id=member.id, at=now))
        except IntegrityError:
            return "twice"
        return "ok"

    def close(self, checkin: Checkin, now: dt.datetime) -> bool:
        return _close(self.engine, Checkin, checkin.id, now)

    def present(self, checkin: Checkin) -> list[tuple[Member, dt.datetime]]:
        with session_scope(self.engine) as s:
            on = col(CheckinRecord.member_id) == Member.id
            rows = s.exec(select(Member, CheckinRecord.at).join(CheckinRecord, on)
                          .where(CheckinRecord.checkin_id == checkin.id).order_by(col(CheckinRecord.at))).all()
            return [(m, at) for m, at in rows]
