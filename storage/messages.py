"""Message ids already handled, so a replayed or doubled message is answered once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import delete

from storage.db import session_scope
from storage.models import SeenMessage


class SeenMessages:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id
        ins = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        self._insert = (ins(SeenMessage)
                        .values(union_id=bindparam("u"), message_id=bindparam("m"), seen_at=bindparam("t"))
                        .on_conflict_do_nothing(index_elements=["union_id", "message_id"])
                        .returning(SeenMessage.message_id))

    def first_time(self, message_id: str) -> bool:
        """Record the id; False when it was recorded before (the insert decides, not a read).

        One Core statement: this runs for every message addressed to the bot."""
        with self.engine.begin() as conn:
            new = conn.execute(self._insert, {"u": self.union_id, "m": message_id[:128],
                                              "t": dt.datetime.now(dt.UTC)})
            return new.first() is not None

    def prune(self, before: dt.datetime) -> int:
        with session_scope(self.engine) as s:
            result = s.exec(delete(SeenMessage).where(
                SeenMessage.union_id == self.union_id, SeenMessage.seen_at < before))
            return int(result.rowcount or 0)
