"""What every page's routes share: reading fields, answering a POST with a redirect (post/redirect/get)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.responses import Response

from web.bridge import Outcome
from web.office import Office, Viewer, download, within


def to_int(value: Any, default: int) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdecimal() and len(text) < 7 else default


def one_line(value: Any, limit: int, label: str) -> str:
    """The field on one line; longer than ``limit`` is refused (TooLong), never cut."""
    return within(re.sub(r"\s+", " ", str(value or "")).strip(), limit, label)


def typed(form: dict[str, Any]) -> dict[str, str]:
    """The fields as typed (no token, no files): what an error page gives back to the form."""
    return {k: v for k, v in form.items() if k != "csrf" and isinstance(v, str)}


def result(office: Office, viewer: Viewer, outcome: Outcome, back: str) -> Response:
    """A change done: a download is sent as it is; otherwise the bot's answer is shown on ``back``."""
    if outcome.files:
        return download(outcome.files[0])
    return office.redirect(viewer, back, title="办理结果", message=outcome.text or "已提交。")


def refuse(office: Office, viewer: Viewer, back: str, form: dict[str, Any], errors: dict[str, str],
           **extra: Any) -> Response:
    """A form with errors: nothing changed; ``back`` shows each error by its field, every field as typed."""
    message = "；".join(v for v in errors.values() if v)
    return office.redirect(viewer, back, title="未提交", message=f"未提交：{message}。", errors=errors,
                           values=typed(form), **extra)


def for_viewer(office: Office, viewer: Viewer, event: Any) -> bool:
    """Admins see every event; a member the events whose audience includes them (as in chat)."""
    return office.can(viewer, "发起报名") or office.services.access.in_audience(viewer.member, event.audience)
