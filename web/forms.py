"""What every page's routes share: reading fields, answering a POST with a redirect (post/redirect/get)."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi.responses import Response

from handlers.actions.core import Problems, Tell
from handlers.base import Context
from web.office import Office, Viewer, within
from web.settings import FORWARD_KIND

log = logging.getLogger("unionbot.web")
UNBOUND = "您还没有绑定微信，网页上只能查看，不能操作。请联系工会管理员绑定。"


def to_int(value: Any, default: int) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdecimal() and len(text) < 7 else default


def one_line(value: Any, limit: int, label: str) -> str:
    """The field on one line; longer than ``limit`` is refused (TooLong), never cut."""
    return within(re.sub(r"\s+", " ", str(value or "")).strip(), limit, label)


def typed(form: dict[str, Any]) -> dict[str, str]:
    """The fields as typed (no token, no files): what an error page gives back to the form."""
    return {k: v for k, v in form.items() if k != "csrf" and isinstance(v, str)}


def actor(office: Office, viewer: Viewer) -> Context | None:
    """The viewer acting on the page, as in their private chat; None when they have no chat account
    to act as (what they change is done in their name, and what others are told names them)."""
    return office.context(viewer) if viewer.member.contact_id else None


def unbound(office: Office, viewer: Viewer, back: str) -> Response:
    return office.redirect(viewer, back, title="办理结果", message=UNBOUND)


def done(office: Office, viewer: Viewer, back: str, message: str, tell: Iterable[Tell] = (),
         what: str = "") -> Response:
    """An action done: what it must say to others goes through the outbox (the running bot sends it),
    and ``message`` is shown on ``back``. ``what`` names the action in the log, never its content."""
    now = office.clock()
    by_contact: dict[str, list[str]] = {}
    for t in tell:
        if t.contact_id and t.contact_id != viewer.member.contact_id:
            by_contact.setdefault(t.contact_id, []).append(t.text)
    forwarded = 0
    for contact, texts in by_contact.items():
        # One occurrence per action: the same words to the same person twice are two messages.
        forwarded += office.services.reminders.queue_private(
            FORWARD_KIND, what[:20], [contact], uuid.uuid4().hex[:16], "\n\n".join(texts), now)
    log.info("web action by %s: %s (%d forwarded)", viewer.member.id, what[:20], forwarded)
    return office.redirect(viewer, back, title="办理结果", message=message or "已提交。")


def refuse_problems(office: Office, viewer: Viewer, back: str, form: dict[str, Any], problems: Problems,
                    names: Mapping[str, str] | None = None, **extra: Any) -> Response:
    """An action's problems beside their fields: ``names`` maps the action's field to the form's where
    they differ (an edit row's 'when3'); a problem of the whole action goes on top of the form."""
    names = names or {}
    errors = {names.get(k, k or "_form"): v for k, v in problems.fields.items()}
    return refuse(office, viewer, back, form, errors, **extra)


def refuse(office: Office, viewer: Viewer, back: str, form: dict[str, Any], errors: dict[str, str],
           **extra: Any) -> Response:
    """A form with errors: nothing changed; ``back`` shows each error by its field, every field as typed."""
    message = "；".join(v for v in errors.values() if v)
    return office.redirect(viewer, back, title="未提交", message=f"未提交：{message}。", errors=errors,
                           values=typed(form), **extra)


def for_viewer(office: Office, viewer: Viewer, event: Any) -> bool:
    """Admins see every event; a member the events whose audience includes them (as in chat)."""
    return office.can(viewer, "发起报名") or office.services.access.in_audience(viewer.member, event.audience)
