"""Small per-union key/value state (e.g. the room id found for a configured group topic)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from storage.db import session_scope
from storage.models import Setting


class Settings:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id

    def get(self, key: str) -> str | None:
        with session_scope(self.engine) as s:
            row = s.get(Setting, (self.union_id, key))
            return row.value if row else None

    def put(self, key: str, value: str) -> None:
        with session_scope(self.engine) as s:
            row = s.get(Setting, (self.union_id, key)) or Setting(union_id=self.union_id, key=key, value=value)
            row.value = value
            s.add(row)
