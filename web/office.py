"""The office page's shared parts: who is looking (Viewer), the Office every page uses, the errors
pages raise, and small request helpers. `web.app` builds the application from them and the routers.

One access rule: a page is open to whoever may use the chat command it stands for (福利 is
#待办's role), and a button is shown to whoever may use the command it sends. Whoever may not
open a page or see an object gets the same "not found" as for one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from handlers.actions.open_forms import OpenForm, open_form
from handlers.base import Attachment, Chat, Context, Sender
from handlers.services import Services
from storage.models import Member
from storage.web_sessions import WebSessions
from web import session as sessions
from web.settings import PageSettings

log = logging.getLogger("unionbot.web")
HERE = Path(__file__).parent
MAX_UPLOAD = 5 * 1024 * 1024


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str
    command: str  # the chat command whose role opens the page


PAGES = (
    Page("home", "首页", "/", "帮助"),
    Page("mine", "我的", "/mine", "我的申请"),  # a member's own 报名, 提案 and 申请
    Page("schedule", "活动安排", "/schedule", "活动安排"),
    Page("signups", "报名", "/signups", "报名列表"),
    Page("proposals", "提案", "/proposals", "提案列表"),
    Page("welfare", "福利", "/welfare", "待办"),
    Page("reminders", "提醒", "/reminders", "提醒预览"),
    Page("votes", "投票", "/votes", "发起投票"),
    Page("checkins", "签到", "/checkins", "签到情况"),
    Page("members", "会员", "/members", "绑定"),
)
PAGE = {p.key: p for p in PAGES}


class NotFound(Exception):
    """Not there, or not for this viewer: the same page either way."""


class NotLoggedIn(Exception):
    pass


class TooLong(Exception):
    """A field longer than its limit: refused with both numbers, never cut (issue 27)."""

    def __init__(self, label: str, limit: int, length: int) -> None:
        super().__init__(f"{label}最多 {limit} 字，您写了 {length} 字")


NOTICE_MAX = 2000  # a notice is stored whole (Text); this is a chat message's default limit


def within(text: str, limit: int, label: str) -> str:
    """``text`` when it fits; otherwise TooLong (a 400 page naming both numbers), never a cut."""
    if len(text) > limit:
        raise TooLong(label, limit, len(text))
    return text


@dataclass
class Viewer:
    member: Member
    sender: Sender
    sid: str
    csrf: str


@dataclass
class Office:
    settings: PageSettings
    services: Services
    clock: Callable[[], dt.datetime]
    secret: bytes
    templates: Jinja2Templates
    sessions: WebSessions

    @property
    def tz(self) -> dt.tzinfo:
        return self.services.tz

    def now(self) -> dt.datetime:
        return self.clock().astimezone(self.services.tz)

    # --- who is looking ----------------------------------------------------------------

    def viewer(self, request: Request) -> Viewer:
        """The logged-in member: a signed cookie whose session row is still live on the server, and
        who still holds every role they logged in with (a lost role ends the session)."""
        cached = getattr(request.state, "viewer", None)
        if cached is not None:
            return cached
        now = self.clock()
        session = sessions.decode(self.secret, request.cookies.get(sessions.COOKIE), now.timestamp())
        if session is None:
            raise NotLoggedIn()
        row = self.sessions.live(session.sid, now)
        if row is None or row.member_id != session.member_id:
            raise NotLoggedIn()
        member = self.services.members.by_id(session.member_id)
        if member is None:
            self.sessions.revoke(now, sid=session.sid)
            raise NotLoggedIn()
        roles = self.services.access.roles_of_member(member)
        if self.services.access.lost_role(roles, row.roles):
            log.info("web: session of member %s ended, a role was lost", member.id)
            self.sessions.revoke(now, member_id=member.id)
            raise NotLoggedIn()
        sender = Sender(member.contact_id or "", member.name, roles, member.id)
        viewer = Viewer(member, sender, session.sid, sessions.csrf_token(self.secret, session.sid))
        request.state.viewer = viewer
        request.state.has_flash = bool(row.flash)  # most GETs have none: no second query for it
        return viewer

    def roles_text(self, member: Member) -> str:
        return self.services.access.roles_text(self.services.access.roles_of_member(member))

    # --- post/redirect/get ---------------------------------------------------------------

    def redirect(self, viewer: Viewer, back: str, *, message: str = "", title: str = "",
                 errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                 **extra: Any) -> Response:
        """After a POST: what the next page must show (the answer, or the errors with every field as
        typed) goes into the session's flash, and the browser is sent to ``back`` with a GET, so a
        reload repeats nothing and never meets a bare 405."""
        flash = {"message": message, "title": title, "errors": {k: v for k, v in (errors or {}).items() if v},
                 "values": values or {}, "anchor": back.partition("#")[2], **extra}
        self.sessions.put_flash(viewer.sid, flash)
        return RedirectResponse(_safe_back(back), status_code=303)

    def target_label(self, target: str) -> str:
        """Where a post goes, as the office says it: a group by its name, never its chat id."""
        kind, _, where = target.partition(":")
        if kind != "group":
            return "私聊"
        for group_id, topic in self.settings.groups:
            if where in (group_id, topic):
                return topic or "工会群"
        return "工会群" if where.endswith("@chatroom") or not where else where

    def can(self, viewer: Viewer, command: str) -> bool:
        """The one access rule, asked about the chat command a page or a button stands for."""
        spec = self.services.registry.get(command)
        return spec is not None and self.services.access.may(viewer.sender, spec)

    def page(self, request: Request, key: str) -> Viewer:
        viewer = self.viewer(request)
        if not self.can(viewer, PAGE[key].command):
            raise NotFound()
        return viewer

    def context(self, viewer: Viewer) -> Context:
        """A handler's context for reading on the viewer's behalf (the same as their private chat)."""
        return Context(viewer.sender, Chat("private", viewer.sender.contact_id), self.now(), self.services)

    async def checked_form(self, request: Request, viewer: Viewer) -> dict[str, Any]:
        """The POSTed form, after its CSRF token: a form without the session's token changes nothing.
        Kept on the request so a field refused later (TooLong) comes back with everything typed."""
        form = await request.form()
        if not sessions.csrf_ok(self.secret, viewer.sid, str(form.get("csrf", ""))):
            log.warning("web: CSRF token refused for member %s", viewer.member.id)
            raise NotFound()
        fields = dict(form)
        request.state.form = fields
        return fields

    async def action(self, request: Request, page: str, command: str) -> tuple[Viewer, dict[str, Any]]:
        """A POST on ``page`` that sends ``command``: the viewer, and the form once its CSRF token is good;
        whoever may not use the command gets the page's 404."""
        viewer = self.page(request, page)
        form = await self.checked_form(request, viewer)
        if not self.can(viewer, command):
            raise NotFound()
        return viewer, form

    # --- rendering -------------------------------------------------------------------

    def flash(self, request: Request, viewer: Viewer | None) -> dict[str, Any]:
        """This request's flash (taken once per request, on a GET)."""
        if viewer is None or request.method != "GET":
            return {}
        if not hasattr(request.state, "flash"):
            pending = getattr(request.state, "has_flash", True)
            request.state.flash = (self.sessions.pop_flash(viewer.sid) or {}) if pending else {}
        return request.state.flash

    def render(self, request: Request, viewer: Viewer | None, template: str, status: int = 200,
               **values: Any) -> HTMLResponse:
        nav = [p for p in PAGES if viewer is not None and self.can(viewer, p.command)]
        flash = self.flash(request, viewer)
        current = getattr(request.state, "section", None) or _section(request.url.path)
        return self.templates.TemplateResponse(request, template, {
            "viewer": viewer, "nav": nav, "union": self.services.union_name,
            "can": (lambda cmd: viewer is not None and self.can(viewer, cmd)), "current": current,
            "csrf": viewer.csrf if viewer else "", "now": self.now(), "tz": self.tz,
            "flash": flash, "errors": flash.get("errors") or {}, "values": flash.get("values") or {},
            **{k: v for k, v in flash.items() if k not in ("errors", "values", "message", "title")}, **values,
        }, status_code=status)

    def open_form(self, viewer: Viewer) -> OpenForm | None:
        """The viewer's unfinished form (a plan import waiting for 确认), shown on its page."""
        return open_form(self.context(viewer))


def download(file: Attachment) -> Response:
    kinds = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             ".ics": "text/calendar; charset=utf-8"}
    media = kinds.get(Path(file.name).suffix.lower(), "application/octet-stream")
    return Response(file.data, media_type=media, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(file.name)}"})


def stored_file(name: str, media: str, data: bytes) -> Response:
    """A member's uploaded file (a welfare attachment): always a download, never sniffed or cached."""
    return Response(data, media_type=media, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


def _parent(path: str) -> str:
    """The page a form's address belongs to: /schedule/3/edit -> /schedule, /signups/new -> /signups."""
    head = "/" + (path.strip("/").split("/", 1)[0])
    if path.startswith(("/signups/", "/proposals/", "/welfare/")):
        rest = path.strip("/").split("/")
        if len(rest) >= 3 and rest[1] not in ("new",):
            return f"/{rest[0]}/{rest[1]}"
    return head if head != "/" else "/"


def _section(path: str) -> str:
    """The menu entry a page belongs to (a detail page marks its list's entry)."""
    return "/" + path.strip("/").split("/", 1)[0] if path.strip("/") else "/"


def _referer(request: Request) -> str:
    """The same site's page the form was posted from (path and query), or ""."""
    ref = request.headers.get("referer", "")
    parsed = urlsplit(ref)
    if not ref or parsed.netloc != request.url.netloc:
        return ""
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


def _int_or_none(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdecimal() and len(text) < 9 else None


def _safe_back(path: str) -> str:
    """Only a path of this site (never //host): where a form returns after its result."""
    return path if path.startswith("/") and not path.startswith("//") else "/"


async def upload(value: object) -> Attachment | str | None:
    """An uploaded file as an attachment; a sentence when it is too large; None when none was sent."""
    filename = getattr(value, "filename", None)
    if not filename:
        return None
    data = await value.read(MAX_UPLOAD + 1)  # type: ignore[attr-defined]
    if len(data) > MAX_UPLOAD:
        return "文件超过 5 MB，请精简后再上传。"
    if not data:
        return "上传的文件是空的。"
    return Attachment(Path(filename).name[:100], data)

