"""`unionbot web`: the office page's application: the Office, error pages, login and one router per page."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from handlers.services import Services
from storage.web_sessions import WebSessions
from web import session as sessions
from web.look import LabelCells, badge
from web.office import HERE, NotFound, NotLoggedIn, Office, TooLong, Viewer, _int_or_none, _parent, _referer, log
from web.settings import PageSettings
from web.wording import excerpt, page_words


def create_app(services: Services, clock: Callable[[], dt.datetime], settings: PageSettings,
               web_sessions: WebSessions) -> FastAPI:
    """The page, given its wiring by the composition root (`bot.web_root.build_web`)."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    # Table cells labelled by their column when a template loads: rows become cards on a phone.
    templates.env.add_extension(LabelCells)
    templates.env.filters["local"] = lambda v, fmt="%Y-%m-%d %H:%M": (
        v.astimezone(services.tz).strftime(fmt) if isinstance(v, dt.datetime) else (v or ""))
    templates.env.filters["page"] = page_words
    templates.env.filters["excerpt"] = excerpt
    templates.env.filters["badge"] = badge
    office = Office(settings, services, clock, services.web_logins.session_secret(services.settings), templates,
                    web_sessions)

    app = FastAPI(title="工会办公", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.office = office
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def _viewer_or_none(request: Request) -> Viewer | None:
        try:
            return office.viewer(request)
        except NotLoggedIn:
            return None

    def error_page(request: Request, status: int, title: str, message: str, back: str = "") -> HTMLResponse:
        return office.render(request, _viewer_or_none(request), "message.html", status=status, title=title,
                             message=message, back=back or _parent(request.url.path), error=True)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> HTMLResponse:
        # The same page for "not there" and "not yours": nothing in it may depend on the path.
        request.state.section = "/"
        return error_page(request, 404, "没有找到", "页面不存在，或您无权查看。", back="/")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return await not_found(request, NotFound())
        if exc.status_code == 405 and request.method == "GET":
            # A form's address opened directly (a reload, a bookmark): back to the page it lives on.
            return error_page(request, 405, "请在页面上提交", "这个地址只接受页面上的表单提交，请返回页面重新操作。")
        return error_page(request, exc.status_code, "无法处理", "这个请求无法处理，请返回页面重新操作。")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> HTMLResponse:
        # A path that is not a number where one is expected (/signups/new on a reload) is "not there".
        if request.method == "GET":
            return await not_found(request, NotFound())
        return error_page(request, 422, "无法处理", "提交的内容不完整，请返回页面重新填写。")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> HTMLResponse:
        log.exception("web: %s %s failed", request.method, request.url.path)
        return error_page(request, 500, "出错了", "处理时出了错。"
                          "请稍后再试，或联系工会管理员。")

    @app.exception_handler(TooLong)
    async def too_long(request: Request, exc: TooLong) -> Response:
        viewer = _viewer_or_none(request)
        message = f"{exc}，请精简后重新提交（未做任何修改）。"
        if viewer is None:
            return error_page(request, 400, "未提交", message)
        values = {k: v for k, v in (getattr(request.state, "form", None) or {}).items()
                  if k != "csrf" and isinstance(v, str)}
        anchor = {"add": "#add-item", "import": "#import"}.get(request.url.path.rsplit("/", 1)[-1], "")
        back = (_referer(request) or _parent(request.url.path)).partition("#")[0] + anchor
        return office.redirect(viewer, back, message=message,
                               title="未提交", errors={"_form": message}, values=values,
                               editing=_int_or_none(values.get("editing")))

    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, exc: NotLoggedIn) -> HTMLResponse:
        response = office.render(request, None, "message.html", status=401, title="请先登录", message=(
            "请在微信里私聊工会助手，发送 #后台，打开它回复的链接登录（链接 10 分钟内有效）。"))
        if sessions.COOKIE in request.cookies:
            response.delete_cookie(sessions.COOKIE)
        return response

    from web import routes, routes_login

    routes_login.install(app, office)

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
