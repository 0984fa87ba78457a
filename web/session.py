"""Signed session cookies and CSRF tokens: pure functions of a secret, tested directly.

The cookie holds the member id, when it ends, and a random session id; an HMAC-SHA256 over it
makes it unforgeable. The CSRF token of a session is an HMAC of its session id, so every form
carries a value a cross-site page cannot know, and nothing needs storing on the server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

SESSION_SECONDS = 8 * 3600
COOKIE = "unionbot_session"


@dataclass(frozen=True)
class Session:
    member_id: int
    expires: int  # unix seconds
    sid: str


def _mac(secret: bytes, data: bytes) -> str:
    return hmac.new(secret, data, hashlib.sha256).hexdigest()


def new_session(member_id: int, now: float) -> Session:
    return Session(member_id, int(now) + SESSION_SECONDS, secrets.token_hex(16))


def encode(secret: bytes, session: Session) -> str:
    body = base64.urlsafe_b64encode(json.dumps(
        {"m": session.member_id, "e": session.expires, "s": session.sid}, separators=(",", ":")).encode())
    return f"{body.decode()}.{_mac(secret, body)}"


def decode(secret: bytes, value: str | None, now: float) -> Session | None:
    """The session a cookie carries; None if forged, mangled or past its end."""
    if not value or len(value) > 400 or "." not in value:
        return None
    body, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(mac, _mac(secret, body.encode())):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body.encode()))
        session = Session(int(data["m"]), int(data["e"]), str(data["s"]))
    except (ValueError, KeyError, TypeError):
        return None
    return session if session.expires > now else None


def csrf_token(secret: bytes, scope: str) -> str:
    """``scope``: a session id, or 'login:<link>' on the confirm page before any session exists."""
    return _mac(secret, b"csrf:" + scope.encode())


def csrf_ok(secret: bytes, scope: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(csrf_token(secret, scope), token or "")
