"""Only one instance of a union's bot sends at a time.

PostgreSQL: a session-level advisory lock held on a connection of its own for
as long as this process leads; the server drops it when the process dies.
SQLite: an exclusive ``flock`` on a file beside the database, which the
kernel releases when the process dies. Either way a crashed leader never
leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text
from sqlalchemy.engine import Engine


class LeaderLock:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id
        self._conn: Any = None
        self._file: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._conn is not None or self._file is not None

    def try_acquire(self) -> bool:
        if self.held:
            return True
        if self.engine.dialect.name == "postgresql":
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            got = conn.execute(text("SELECT pg_try_advisory_lock(hashtext(:k))"),
                               {"k": f"unionbot-leader:{self.union_id}"}).scalar()
            if got:
                self._conn = conn
                return True
            conn.close()
            return False
        path = self._lock_path()
        if path is None:  # in-memory SQLite: one process by definition
            self._file = open(os.devnull, "rb")  # noqa: SIM115 - held until release()
            return True
        f = open(path, "a+b")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            return False
        self._file = f
        return True

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.execute(text("SELECT pg_advisory_unlock(hashtext(:k))"),
                                   {"k": f"unionbot-leader:{self.union_id}"})
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def _lock_path(self) -> Path | None:
        db = self.engine.url.database
        if not db or db == ":memory:":
            return None
        return Path(f"{db}.{self.union_id}.leader.lock")
