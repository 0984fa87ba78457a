"""Half-filled multi-message forms, one per member, kept in the database with an
expiry so a restart never loses what a member was typing."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import delete

from storage.db import session_scope
from storage.models import Draft


@dataclass(frozen=True)
class DraftState:
    kind: str
    data: dict[str, Any]
    expired: bool = False


class DraftRepo:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id

    def get(self, contact_id: str, now: dt.datetime) -> DraftState | None:
        """The member's open form; an expired one is removed and reported once."""
        with session_scope(self.engine) as s:
            d = s.get(Draft, (self.union_id, contact_id))
            if d is None:
                return None
            state = DraftState(d.kind, json.loads(d.payload))
            if _aware(d.expires_at) <= now:
                s.delete(d)
                return DraftState(state.kind, state.data, expired=True)
            return state

    def put(self, contact_id: str, kind: str, data: dict[str, Any], now: dt.datetime, ttl: dt.timedelta) -> None:
        with session_scope(self.engine) as s:
            d = s.get(Draft, (self.union_id, contact_id))
            payload = json.dumps(data, ensure_ascii=False)
            if d is None:
                d = Draft(union_id=self.union_id, contact_id=contact_id, kind=kind, payload=payload,
                          expires_at=now + ttl)
            else:
                d.kind, d.payload, d.expires_at, d.updated_at = kind, payload, now + ttl, now
            s.add(d)

    def clear(self, contact_id: str) -> bool:
        with session_scope(self.engine) as s:
            result = s.exec(delete(Draft).where(Draft.union_id == self.union_id, Draft.contact_id == contact_id))
            return bool(result.rowcount)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
