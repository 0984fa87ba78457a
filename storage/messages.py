"""Message ids already handled, so a replayed or doubled message is answered once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import delete

from storage.db import session_scope
from storage.models import SeenMessage


class SeenMessages:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id

    def first_time(self, message_id: str) -> bool:
        """Record the id; False when it was recorded before (the insert decides, not a read)."""
        try:
            with session_scope(self.engine) as s:
                s.add(SeenMessage(union_id=self.union_id, message_id=message_id[:128]))
        except IntegrityError:
            return False
        return True

    def prune(self, before: dt.datetime) -> int:
        with session_scope(self.engine) as s:
            result = s.exec(delete(SeenMessage).where(
                SeenMessage.union_id == self.union_id, SeenMessage.seen_at < before))
            return int(result.rowcount or 0)
