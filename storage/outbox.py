"""The outbox: every post the bot sends on its own (reminders, digests,
notices, sign-up lists) is a row here before it is sent.

Queuing is an insert that ignores a duplicate key, so planning the same post
twice (a restart, a second instance) queues it once. Sending is claimed row
by row with a conditional update (pending -> sending), so two senders can
never both take a row. A row stuck in ``sending`` after a crash is handed
back to ``pending`` by the next leader: the crash fell between claiming and
confirming one message, and resending that one message is better than
silently dropping it (see README, "Decisions").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.db import session_scope
from storage.models import OutboxPost

MAX_ATTEMPTS = 8  # 5 s, 10 s, 20 s … about 10 minutes in all
RETRY_BASE = dt.timedelta(seconds=5)


@dataclass(frozen=True)
class NewPost:
    kind: str
    ref: str
    target: str  # 'group:<label>' | 'room:<id>' | 'contact:<id>'
    occurrence: str
    text: str
    due_at: dt.datetime
    expires_at: dt.datetime


class OutboxRepo:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id

    def enqueue(self, posts: list[NewPost], now: dt.datetime) -> int:
        """Queue posts; ones already queued (same key) are left alone. Posts
        already past their expiry are recorded as missed. Returns how many were new."""
        if not posts:
            return 0
        rows = [
            dict(union_id=self.union_id, kind=p.kind, ref=p.ref[:64], target=p.target[:160],
                 occurrence=p.occurrence[:64], text=p.text, due_at=p.due_at, expires_at=p.expires_at,
                 status="pending" if now <= p.expires_at else "missed", attempts=0, last_error="",
                 claimed_by="", created_at=now)
            for p in posts
        ]
        added = 0
        with session_scope(self.engine) as s:
            dialect = s.get_bind().dialect.name
            ins = pg_insert if dialect == "postgresql" else sqlite_insert
            for i in range(0, len(rows), 200):  # SQLite caps the parameters of one statement
                stmt = ins(OutboxPost).values(rows[i:i + 200]).on_conflict_do_nothing(
                    index_elements=["union_id", "kind", "ref", "target", "occurrence"]).returning(OutboxPost.id)
                added += len(s.execute(stmt).all())
        return added

    def claim_next(self, now: dt.datetime, worker: str) -> OutboxPost | None:
        """Take the next due post for sending; None when nothing is due. Posts past
        their expiry are never taken; ``expire`` (each scheduler tick) records them."""
        with session_scope(self.engine) as s:
            candidates = s.exec(
                select(OutboxPost.id).where(
                    OutboxPost.union_id == self.union_id, OutboxPost.status == "pending",
                    OutboxPost.due_at <= now, OutboxPost.expires_at >= now,
                ).order_by(col(OutboxPost.due_at), col(OutboxPost.id)).limit(5)
            ).all()
            for post_id in candidates:
                taken = s.execute(
                    update(OutboxPost).where(col(OutboxPost.id) == post_id, OutboxPost.status == "pending")
                    .values(status="sending", claimed_by=worker[:64])
                )
                if taken.rowcount == 1:
                    return s.get(OutboxPost, post_id)
        return None

    def mark_sent(self, post_id: int, now: dt.datetime) -> None:
        with session_scope(self.engine) as s:
            s.execute(update(OutboxPost).where(col(OutboxPost.id) == post_id, OutboxPost.status == "sending")
                      .values(status="sent", sent_at=now))

    def mark_failed(self, post_id: int, error: str, now: dt.datetime) -> None:
        """Back to pending with a growing delay; given up after a few attempts."""
        with session_scope(self.engine) as s:
            post = s.get(OutboxPost, post_id)
            if post is None or post.status != "sending":
                return
            post.attempts += 1
            post.last_error = error[:255]
            if post.attempts >= MAX_ATTEMPTS:
                post.status = "failed"
            else:
                post.status = "pending"
                post.due_at = now + RETRY_BASE * (2 ** (post.attempts - 1))
            s.add(post)

    def hold(self, post_id: int, until: dt.datetime, why: str) -> None:
        """Back to pending without counting an attempt: the post waits (a group not found yet) until
        ``until``, or until it expires."""
        with session_scope(self.engine) as s:
            s.execute(update(OutboxPost).where(col(OutboxPost.id) == post_id, OutboxPost.status == "sending")
                      .values(status="pending", due_at=until, last_error=why[:255]))

    def release(self, target: str, now: dt.datetime) -> int:
        """Posts held for ``target`` (a group not found yet, see ``hold``) are due now: it has been found."""
        with session_scope(self.engine) as s:
            result = s.execute(
                update(OutboxPost).where(OutboxPost.union_id == self.union_id, OutboxPost.status == "pending",
                                         OutboxPost.target == target, col(OutboxPost.due_at) > now,
                                         col(OutboxPost.last_error).startswith("group not found yet"))
                .values(due_at=now))
            return result.rowcount or 0

    def mark_dropped(self, post_id: int, why: str) -> None:
        """Checked again when it was due and not sent: nothing left to say (the event behind it was
        cancelled, the vote closed, the member answered meanwhile); ``why`` is kept for `status`."""
        with session_scope(self.engine) as s:
            s.execute(update(OutboxPost).where(col(OutboxPost.id) == post_id, OutboxPost.status == "sending")
                      .values(status="dropped", drop_reason=why[:255]))

    def expire(self, now: dt.datetime) -> int:
        with session_scope(self.engine) as s:
            result = s.execute(
                update(OutboxPost).where(
                    OutboxPost.union_id == self.union_id, OutboxPost.status == "pending",
                    OutboxPost.expires_at < now,
                ).values(status="missed")
            )
            return result.rowcount or 0

    def recover(self) -> int:
        """At leadership start: posts a dead sender had claimed go back to pending."""
        with session_scope(self.engine) as s:
            result = s.execute(
                update(OutboxPost).where(OutboxPost.union_id == self.union_id, OutboxPost.status == "sending")
                .values(status="pending")
            )
            return result.rowcount or 0

    def counts(self) -> dict[str, int]:
        with session_scope(self.engine) as s:
            rows = s.exec(
                select(OutboxPost.status, func.count()).where(OutboxPost.union_id == self.union_id)
                .group_by(OutboxPost.status)
            ).all()
        return {status: n for status, n in rows}

    def drop_reasons(self) -> dict[str, int]:
        """How many posts were dropped for each reason."""
        with session_scope(self.engine) as s:
            rows = s.exec(
                select(OutboxPost.drop_reason, func.count()).where(
                    OutboxPost.union_id == self.union_id, OutboxPost.status == "dropped")
                .group_by(OutboxPost.drop_reason)
            ).all()
        return {reason: n for reason, n in rows}

    def list(self, status: str | None = None, kind: str | None = None) -> list[OutboxPost]:
        with session_scope(self.engine) as s:
            q = select(OutboxPost).where(OutboxPost.union_id == self.union_id)
            if status:
                q = q.where(OutboxPost.status == status)
            if kind:
                q = q.where(OutboxPost.kind == kind)
            return list(s.exec(q.order_by(col(OutboxPost.due_at), col(OutboxPost.id))).all())

    def recent(self, statuses: tuple[str, ...], limit: int) -> list[OutboxPost]:
        """The latest posts in these states, newest first (the office page's 提醒)."""
        with session_scope(self.engine) as s:
            return list(s.exec(select(OutboxPost).where(
                OutboxPost.union_id == self.union_id, col(OutboxPost.status).in_(statuses),
            ).order_by(col(OutboxPost.due_at).desc(), col(OutboxPost.id).desc()).limit(limit)).all())

    def keys_since(self, since: dt.datetime) -> set[tuple[str, str, str, str]]:
        with session_scope(self.engine) as s:
            rows = s.exec(select(OutboxPost.kind, OutboxPost.ref, OutboxPost.target, OutboxPost.occurrence).where(
                OutboxPost.union_id == self.union_id, OutboxPost.due_at >= since)).all()
        return {tuple(r) for r in rows}  # type: ignore[misc]
