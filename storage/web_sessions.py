"""Office page sessions kept on the server: a cookie opens pages only while its row is live.

The signed cookie names a session (``sid``); its row says whether it still counts. Logout revokes
one row, a member who lost a role is revoked on their next request, and an admin can revoke every
session of the union at once. The row also carries the "flash": what the page after a form's
redirect shows (post/redirect/get), kept here rather than in a cookie because a notice's text with
its fields can be far larger than a cookie may be.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.db import session_scope
from storage.models import WebSession


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class WebSessions:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id

    def open(self, sid: str, member_id: int, roles: str, now: dt.datetime, expires: dt.datetime) -> None:
        with session_scope(self.engine) as s:
            s.add(WebSession(union_id=self.union_id, sid=sid, member_id=member_id, roles=roles[:255],
                             created_at=now, expires_at=expires))

    def live(self, sid: str, now: dt.datetime) -> WebSession | None:
        """The session's row while it counts: not revoked, not past its end."""
        with session_scope(self.engine) as s:
            row = s.exec(select(WebSession).where(WebSession.union_id == self.union_id,
                                                  WebSession.sid == sid[:64])).first()
            if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
                return None
            s.expunge(row)
            return row

    def revoke(self, now: dt.datetime, *, sid: str | None = None, member_id: int | None = None,
               keep_sid: str | None = None) -> int:
        """Revoke one session, a member's sessions, or (neither given) every session of the union;
        ``keep_sid`` spares the caller's own. Returns how many were live."""
        query = update(WebSession).where(col(WebSession.union_id) == self.union_id,
                                         col(WebSession.revoked_at).is_(None))
        if sid is not None:
            query = query.where(col(WebSession.sid) == sid)
        if member_id is not None:
            query = query.where(col(WebSession.member_id) == member_id)
        if keep_sid is not None:
            query = query.where(col(WebSession.sid) != keep_sid)
        with session_scope(self.engine) as s:
            return s.execute(query.values(revoked_at=now, flash=None)).rowcount

    def put_flash(self, sid: str, data: dict[str, Any]) -> None:
        with session_scope(self.engine) as s:
            s.execute(update(WebSession).where(col(WebSession.union_id) == self.union_id,
                                               col(WebSession.sid) == sid)
                      .values(flash=json.dumps(data, ensure_ascii=False)))

    def pop_flash(self, sid: str) -> dict[str, Any] | None:
        """The flash once: the page after the redirect shows it, a reload does not."""
        with session_scope(self.engine) as s:
            row = s.exec(select(WebSession).where(WebSession.union_id == self.union_id,
                                                  WebSession.sid == sid)).first()
            raw = row.flash if row is not None else None
            if row is None or not raw:
                return None
            taken = s.execute(update(WebSession).where(col(WebSession.id) == row.id,
                                                       col(WebSession.flash) == raw).values(flash=None))
            if taken.rowcount != 1:
                return None
            try:
                data = json.loads(raw)
            except ValueError:
                return None
            return data if isinstance(data, dict) else None
