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
        insert = (ins(SeenMessage)
                  .values(union_id=bindparam("u"), message_id=bindparam("m"), seen_at=bindparam("t"))
                  .on_conflict_do_nothing(index_elements=["union_id", "message_id"])
                  .returning(SeenMessage.message_id))
        # Compiled once, from the table's definition, and run on the driver's
        # connection: this insert precedes every reply, and SQLAlchemy's
        # begin/commit machinery around one statement costs three times the
        # statement itself (68 -> 19 us on SQLite, see bench/gateway_roundtrip.py).
        compiled = insert.compile(dialect=engine.dialect)
        self._sql = str(compiled)
        self._order = compiled.positiontup if compiled.positional else None
        self._to_db = SeenMessage.__table__.c.seen_at.type.bind_processor(engine.dialect)  # type: ignore[attr-defined]

    def first_time(self, message_id: str) -> bool:
        """Record the id; False when it was recorded before (the insert decides, not a read,
        so two bots on one account answer a message once)."""
        now = dt.datetime.now(dt.UTC)
        params: dict[str, object] = {"u": self.union_id, "m": message_id[:128],
                                     "t": self._to_db(now) if self._to_db else now}
        conn = self.engine.raw_connection()  # from the pool: pre-ping and reconnects as usual
        try:
            cur = conn.cursor()
            try:
                cur.execute(self._sql, [params[k] for k in self._order] if self._order else params)
                new = cur.fetchone() is not None
            finally:
                cur.close()
            conn.commit()  # SQLite: the statement committed itself (autocommit); PostgreSQL: here
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()
        return new

    def prune(self, before: dt.datetime) -> int:
        with session_scope(self.engine) as s:
            result = s.exec(delete(SeenMessage).where(
                SeenMessage.union_id == self.union_id, SeenMessage.seen_at < before))
            return int(result.rowcount or 0)
