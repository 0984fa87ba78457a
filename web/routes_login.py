"""Login by one-time link, logout, and the viewer's open chat form (a plan import's preview)."""

from __future__ import annotations

import datetime as dt
import logging

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from handlers.actions import open_forms as forms
from handlers.actions.core import Problems
from web import session as sessions
from web.forms import actor, done, refuse_problems, unbound
from web.office import Office, _safe_back, upload, within

log = logging.getLogger("unionbot.web")


def install(app: FastAPI, office: Office) -> None:
    services, settings, clock = office.services, office.settings, office.clock

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
        member = services.members.by_id(state.member_id or 0) if not state.problem else None
        if state.problem or member is None:
            log.info("web login refused: %s link", state.problem)
            return _link_problem(request, state.problem or "unknown")
        now = clock()
        session = sessions.new_session(member.id or 0, now.timestamp())
        office.sessions.open(session.sid, member.id or 0, office.roles_text(member), now,
                             dt.datetime.fromtimestamp(session.expires, dt.UTC))
        log.info("web login: member %s", member.id)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(sessions.COOKIE, sessions.encode(office.secret, session), max_age=sessions.SESSION_SECONDS,
                            httponly=True, samesite="lax", secure=settings.secure_cookie)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        viewer = office.viewer(request)
        await office.checked_form(request, viewer)
        office.sessions.revoke(clock(), sid=viewer.sid)  # the cookie is worthless from now on, copied or not
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

    @app.post("/form")
    async def form_step(request: Request) -> Response:
        """Answer, confirm or cancel the viewer's open form: the words the chat would take."""
        viewer = office.viewer(request)
        form = await office.checked_form(request, viewer)
        action = str(form.get("action", ""))
        back = _safe_back(str(form.get("back", "/")))
        attachment = await upload(form.get("file"))
        if isinstance(attachment, str):
            return office.redirect(viewer, back, title="未提交", message=attachment,
                                   errors={"_form": attachment}, values={"text": str(form.get("text", ""))})
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        # The buttons are actions on the open form; the text box carries the member's own words ('删 3').
        if action == "confirm":
            answered = forms.confirm_form(ctx)
        elif action == "cancel":
            answered = forms.cancel_form(ctx)
        else:
            answered = forms.answer_form(ctx, within(str(form.get("text", "")), forms.ANSWER_LIMIT, "内容"), attachment)
        if isinstance(answered, Problems):
            return refuse_problems(office, viewer, back, form, answered, {"text": "_form"})
        # The open form's panel shows the preview itself: the answer is not repeated above it.
        if office.open_form(viewer) is not None:
            return office.redirect(viewer, back, title="办理结果", message="")
        return done(office, viewer, back, answered.text, answered.tells, what="表单")
