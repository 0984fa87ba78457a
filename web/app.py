"""`unionbot web`: the office page's application, its login and the rules every page shares.

One access rule: a page is open to whoever may use the chat command it stands for (福利 is
#待办's role), and a button is shown to whoever may use the command it sends. Whoever may not
open a page or see an object gets the same "not found" as for one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.app import build_services, open_engine
from bot.clock import SystemClock
from bot.config import Config
from handlers.base import CONFIRM, Attachment, Chat, Context, Sender
from handlers.forms import current_text
from handlers.services import Services
from storage.messages import SeenMessages
from storage.models import Member
from web import session as sessions
from web.bridge import CommandBridge, Outcome

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
    Page("schedule", "活动安排", "/schedule", "活动安排"),
    Page("signups", "报名", "/signups", "报名列表"),
    Page("proposals", "提案", "/proposals", "提案列表"),
    Page("welfare", "福利", "/welfare", "待办"),
    Page("reminders", "提醒", "/reminders", "提醒预览"),
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
    config: Config
    services: Services
    clock: Callable[[], dt.datetime]
    bridge: CommandBridge
    secret: bytes
    templates: Jinja2Templates

    @property
    def tz(self) -> dt.tzinfo:
        return self.services.tz

    def now(self) -> dt.datetime:
        return self.clock().astimezone(self.services.tz)

    # --- who is looking ----------------------------------------------------------------

    def viewer(self, request: Request) -> Viewer:
        session = sessions.decode(self.secret, request.cookies.get(sessions.COOKIE), self.clock().timestamp())
        if session is None:
            raise NotLoggedIn()
        member = self.services.members.by_id(session.member_id)
        if member is None:
            raise NotLoggedIn()
        roles = self.services.access.roles_of(member.contact_id or "", member.roster_role, member.id, member.remark)
        sender = Sender(member.contact_id or "", member.name, roles, member.id)
        return Viewer(member, sender, session.sid, sessions.csrf_token(self.secret, session.sid))

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
        """The POSTed form, after its CSRF token: a form without the session's token changes nothing."""
        form = await request.form()
        if not sessions.csrf_ok(self.secret, viewer.sid, str(form.get("csrf", ""))):
            log.warning("web: CSRF token refused for member %s", viewer.member.id)
            raise NotFound()
        return dict(form)

    async def action(self, request: Request, page: str, command: str) -> tuple[Viewer, dict[str, Any]]:
        """A POST on ``page`` that sends ``command``: the viewer, and the form once its CSRF token is good;
        whoever may not use the command gets the page's 404."""
        viewer = self.page(request, page)
        form = await self.checked_form(request, viewer)
        if not self.can(viewer, command):
            raise NotFound()
        return viewer, form

    def run(self, viewer: Viewer, text: str, attachment: Attachment | None = None) -> Outcome:
        return self.bridge.run(viewer.member, text, attachment)

    # --- rendering -------------------------------------------------------------------

    def render(self, request: Request, viewer: Viewer | None, template: str, status: int = 200,
               **values: Any) -> HTMLResponse:
        nav = [p for p in PAGES if viewer is not None and self.can(viewer, p.command)]
        open_form = self.open_form(viewer) if viewer else None
        return self.templates.TemplateResponse(request, template, {
            "viewer": viewer, "nav": nav, "union": self.services.union_name, "open_form": open_form,
            "can": (lambda cmd: viewer is not None and self.can(viewer, cmd)),
            "csrf": viewer.csrf if viewer else "", "now": self.now(), "tz": self.tz, **values,
        }, status_code=status)

    def open_form(self, viewer: Viewer) -> dict[str, Any] | None:
        """The viewer's unfinished chat form (a plan import waiting for 确认), shown on every page."""
        if not viewer.sender.contact_id:
            return None
        draft = self.services.drafts.get(viewer.sender.contact_id, self.now())
        if draft is None or draft.expired:
            return None
        form = self.services.registry.forms.get(draft.kind)
        if form is None:
            return None
        try:
            text = current_text(form, draft.data, self.context(viewer))
        except Exception:  # a draft left by an older version: the chat would start it again
            log.exception("web: cannot show the open form %s", draft.kind)
            return None
        return {"noun": form.noun, "text": text, "confirm": draft.data.get("step") == CONFIRM}


def download(file: Attachment) -> Response:
    kinds = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             ".ics": "text/calendar; charset=utf-8"}
    media = kinds.get(Path(file.name).suffix.lower(), "application/octet-stream")
    return Response(file.data, media_type=media, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(file.name)}"})


def create_app(config: Config, clock: Callable[[], dt.datetime] | None = None,
               engine: Engine | None = None) -> FastAPI:
    clock = clock or SystemClock()
    engine = engine or open_engine(config)
    services = build_services(config, engine)
    services.schedule.cache_seconds = 0  # the bot caches a year for seconds; the desk reads it as it is
    bridge = CommandBridge(config, services, clock, SeenMessages(engine, config.union_id))
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["local"] = lambda v, fmt="%Y-%m-%d %H:%M": (
        v.astimezone(services.tz).strftime(fmt) if isinstance(v, dt.datetime) else (v or ""))
    office = Office(config, services, clock, bridge, services.web_logins.session_secret(services.settings), templates)

    app = FastAPI(title="工会办公", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.office = office
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> HTMLResponse:
        try:
            viewer = office.viewer(request)
        except NotLoggedIn:
            viewer = None
        return office.render(request, viewer, "message.html", status=404, title="没有找到",
                             message="页面不存在，或您无权查看。")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return await not_found(request, NotFound())
        return HTMLResponse(f"<p>{exc.status_code}</p>", status_code=exc.status_code)

    @app.exception_handler(TooLong)
    async def too_long(request: Request, exc: TooLong) -> HTMLResponse:
        back = request.url.path.rsplit("/", 1)[0] or "/"
        try:
            viewer = office.viewer(request)
        except NotLoggedIn:
            viewer = None
        return office.render(request, viewer, "message.html", status=400, title="未提交",
                             message=f"{exc}，请精简后重新提交（未做任何修改）。", back=back)

    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, exc: NotLoggedIn) -> HTMLResponse:
        return office.render(request, None, "message.html", status=401, title="请先登录",
                             message="请在微信里私聊工会助手，发送 #后台，打开它回复的链接登录（链接 10 分钟内有效）。")

    # --- login ---------------------------------------------------------------------

    @app.get("/login/{token}", response_class=HTMLResponse)
    def login_page(request: Request, token: str) -> HTMLResponse:
        state = services.web_logins.peek(token, clock())
        if state.problem:
            return _link_problem(request, state.problem)
        member = services.members.by_id(state.member_id or 0)
        return office.render(request, None, "login.html", title="登录", who=member.name if member else "",
                             token=token, login_csrf=sessions.csrf_token(office.secret, "login:" + token))

    @app.post("/login/{token}")
    async def login(request: Request, token: str) -> Response:
        form = await request.form()
        if not sessions.csrf_ok(office.secret, "login:" + token, str(form.get("csrf", ""))):
            return _link_problem(request, "unknown")
        state = services.web_logins.redeem(token, clock())
        if state.problem or state.member_id is None:
            log.info("web login refused: %s link", state.problem)
            return _link_problem(request, state.problem or "unknown")
        session = sessions.new_session(state.member_id, clock().timestamp())
        log.info("web login: member %s", state.member_id)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(sessions.COOKIE, sessions.encode(office.secret, session), max_age=sessions.SESSION_SECONDS,
                            httponly=True, samesite="lax", secure=config.web.link_base.startswith("https://"))
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        viewer = office.viewer(request)
        await office.checked_form(request, viewer)
        log.info("web logout: member %s", viewer.member.id)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(sessions.COOKIE)
        return response

    def _link_problem(request: Request, problem: str) -> HTMLResponse:
        why = {"used": "这个登录链接已经用过了。", "expired": "这个登录链接已过期（10 分钟内有效）。"}
        text = why.get(problem, "这个登录链接无效。")
        return office.render(request, None, "message.html", status=400, title="无法登录",
                             message=text + "请在微信里私聊工会助手，发送 #后台 获取新的链接。")

    # --- the open chat form ----------------------------------------------------------

    @app.post("/form", response_class=HTMLResponse)
    async def form_step(request: Request) -> HTMLResponse:
        """Answer, confirm or cancel the viewer's open form: the words the chat would take."""
        viewer = office.viewer(request)
        form = await office.checked_form(request, viewer)
        action = str(form.get("action", ""))
        attachment = await upload(form.get("file"))
        if isinstance(attachment, str):
            return office.render(request, viewer, "message.html", title="未提交", message=attachment)
        text = {"confirm": "#确认", "cancel": "#取消"}.get(action, str(form.get("text", "")).strip())
        empty = not text and attachment is None
        outcome = Outcome(["请填写内容。"]) if empty else office.run(viewer, text, attachment)
        return office.render(request, viewer, "message.html", title="办理结果", message=outcome.text,
                             back=_safe_back(str(form.get("back", "/"))))

    from web import routes

    routes.install(app, office)
    return app


def tune_gc() -> None:
    """After start-up: what exists now (SQLAlchemy's metadata, the templates) is never garbage, so
    the collector stops walking it, and it runs less often. A page of 1,000 sign-ups allocates tens
    of thousands of objects; with the defaults a full collection over the whole heap came every few
    requests and set the p95 (bench/web_pages.py, that page: 163 -> 46 ms on PostgreSQL, 133 -> 42 on SQLite)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


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

