"""One-time login links for the office page, and the key its session cookies are signed with.

A link is random (256 bits), valid ``LINK_TTL``, good for one login and tied to one member.
Only its SHA-256 is stored. Redeeming is one conditional update (unused and unexpired -> used),
so two tabs racing with the same link get one session between them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.db import session_scope
from storage.models import WebLogin
from storage.settings import Settings

LINK_TTL = dt.timedelta(minutes=10)
SECRET_KEY = "web:secret"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Redeemed:
    member_id: int | None
    problem: str = ""  # "" | "unknown" | "used" | "expired"


class WebLogins:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id

    def issue(self, member_id: int, now: dt.datetime) -> str:
        token = secrets.token_urlsafe(32)
        with session_scope(self.engine) as s:
            s.add(WebLogin(union_id=self.union_id, token_hash=token_hash(token), member_id=member_id,
                           created_at=now, expires_at=now + LINK_TTL))
        return token

    def peek(self, token: str, now: dt.datetime) -> Redeemed:
        """What redeeming would give, without using the link up (the confirm page)."""
        with session_scope(self.engine) as s:
            row = self._row(s, token)
            return _state(row, now)

    def redeem(self, token: str, now: dt.datetime) -> Redeemed:
        with session_scope(self.engine) as s:
            row = self._row(s, token)
            state = _state(row, now)
            if state.problem or row is None:
                return state
            taken = s.execute(update(WebLogin).where(col(WebLogin.id) == row.id, col(WebLogin.used_at).is_(None))
                              .values(used_at=now))
            return state if taken.rowcount == 1 else Redeemed(None, "used")

    def session_secret(self, settings: Settings) -> bytes:
        """The key session cookies are signed with: made once per union and kept in the database,
        so the page's processes share it and a restart logs no one out."""
        if settings.get(SECRET_KEY) is None:
            settings.put(SECRET_KEY, secrets.token_hex(32))
        return bytes.fromhex(settings.get(SECRET_KEY) or "")

    def _row(self, s, token: str) -> WebLogin | None:  # type: ignore[no-untyped-def]
        if not token or len(token) > 100:
            return None
        return s.exec(select(WebLogin).where(WebLogin.union_id == self.union_id,
                                             WebLogin.token_hash == token_hash(token))).first()


def _state(row: WebLogin | None, now: dt.datetime) -> Redeemed:
    if row is None:
        return Redeemed(None, "unknown")
    if row.used_at is not None:
        return Redeemed(None, "used")
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
    if now > expires:
        return Redeemed(None, "expired")
    return Redeemed(row.member_id)
