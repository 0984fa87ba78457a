"""提醒 and 会员 (admins): planned posts, notices, the roster, bindings, and ending sessions."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from handlers.actions.core import Problems
from handlers.actions.members import bind_contact
from handlers.actions.notices import pause_reminders, resume_reminders, send_notice
from handlers.base import ROLE_LABELS, Attachment, Role
from handlers.members import bound_text
from handlers.reminders import KIND_LABELS, sent_text
from schedules.roster_file import RosterError, read_roster_bytes
from web.forms import actor, done, one_line, refuse, refuse_problems, unbound
from web.member_list import SORTS, MemberQuery, MemberRow, members_workbook, pinyin_key, select_rows
from web.office import NOTICE_MAX, NotFound, Office, download, upload, within

log = logging.getLogger("unionbot.web")
# Kinds the chat's labels leave out (they are never previewed there): the page names every one.
PAGE_KIND_LABELS = {"signup_nudge": "报名提醒（私聊）", "signup_publish": "报名通知", "vote_notice": "投票通知",
                    "checkin_notice": "签到通知", "web_reply": "办理结果（私聊）", **KIND_LABELS}

ROLE_CHOICES = {r.value: ROLE_LABELS[r] for r in Role if r != Role.MEMBER}  # the 身份 filter


def router(office: Office) -> APIRouter:
    services = office.services
    api = APIRouter()

    @api.get("/reminders", response_class=HTMLResponse)
    def reminders(request: Request) -> HTMLResponse:
        viewer = office.page(request, "reminders")
        now = office.now()
        rem = services.reminders
        planned = rem.preview(now.astimezone(dt.UTC), 31)
        recent = rem.outbox.recent(("sent", "missed", "failed", "dropped", "pending"), 60)
        return office.render(request, viewer, "reminders.html", title="提醒", planned=planned[:60],
                             kinds=PAGE_KIND_LABELS, more=max(0, len(planned) - 60), recent=recent,
                             paused=rem.paused, enabled=rem.rules.enabled, target=office.target_label)

    @api.post("/reminders/{action}")
    async def reminders_action(request: Request, action: str) -> Response:
        viewer = office.page(request, "reminders")
        form = await office.checked_form(request, viewer)
        back = "/reminders"
        if action in ("pause", "resume"):
            if not office.can(viewer, "暂停提醒" if action == "pause" else "恢复提醒"):
                raise NotFound()
            ctx = actor(office, viewer)
            if ctx is None:
                return unbound(office, viewer, back)
            if action == "pause":
                changed = pause_reminders(ctx)
                message = "已暂停自动提醒。点“恢复提醒”按钮恢复；暂停期间到期的提醒不会补发。"
            else:
                changed = resume_reminders(ctx)
                message = "已恢复自动提醒。" if changed else "自动提醒没有暂停，无需恢复。"
            if isinstance(changed, Problems):
                raise NotFound()
            return done(office, viewer, back, message, what=action)
        if action != "notice" or not office.can(viewer, "发送通知"):
            raise NotFound()
        text = within(str(form.get("text", "")).strip(), NOTICE_MAX, "通知内容")
        audience = one_line(form.get("audience"), 64, "对象").replace(" ", "")
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        # The text is the notice as typed: '对象=…' or '需回执' inside it are words, never flags.
        sent = send_notice(ctx, text, bool(form.get("receipt")), audience)
        if isinstance(sent, Problems):
            return refuse_problems(office, viewer, back + "#notice", form, sent)
        return done(office, viewer, back, sent_text(sent), what="发送通知")

    def member_rows() -> list[MemberRow]:
        return [MemberRow(m, services.access.roles_of_member(m)) for m in services.members.all()]

    def _query(q: str, dept: str, role: str, sort: str) -> MemberQuery:
        return MemberQuery(q.strip()[:64], dept[:64], role if role in ROLE_CHOICES else "",
                           sort if sort in SORTS else "pinyin")

    @api.get("/members", response_class=HTMLResponse)
    def members(request: Request, q: str = "", dept: str = "", role: str = "", sort: str = "") -> HTMLResponse:
        viewer = office.page(request, "members")
        everyone = member_rows()
        query = _query(q, dept, role, sort)
        rows = select_rows(everyone, query)
        departments = sorted({r.member.department for r in everyone if r.member.department}, key=pinyin_key)
        return office.render(request, viewer, "members.html", title="会员", rows=rows, total=len(everyone),
                             query=query, departments=departments, roles=ROLE_CHOICES, sorts=SORTS,
                             export="/members/export.xlsx?" + urlencode(
                                 {k: v for k, v in (("q", query.text), ("dept", query.department),
                                                    ("role", query.role), ("sort", query.sort)) if v}))

    @api.get("/members/export.xlsx")
    def members_export(request: Request, q: str = "", dept: str = "", role: str = "", sort: str = "") -> Response:
        viewer = office.page(request, "members")
        rows = select_rows(member_rows(), _query(q, dept, role, sort))
        log.info("web: member list exported by member %s (%d rows)", viewer.member.id, len(rows))
        return download(Attachment("会员名单.xlsx", members_workbook(rows)))

    @api.post("/members/import")
    async def members_import(request: Request) -> Response:
        viewer = office.page(request, "members")
        form = await office.checked_form(request, viewer)
        attachment = await upload(form.get("file"))
        if attachment is None or isinstance(attachment, str):
            return refuse(office, viewer, "/members#import", form,
                          {"roster": attachment or "请选择花名册文件（.xlsx 或 .csv）"})
        try:
            rows = read_roster_bytes(attachment.data, attachment.name)
        except RosterError as exc:
            return refuse(office, viewer, "/members#import", form, {"roster": str(exc)})
        if not rows:
            return refuse(office, viewer, "/members#import", form,
                          {"roster": "花名册里没有读到任何人（第一行应是表头：姓名、部门…）"})
        outcome = services.members.import_roster(rows)
        log.info("web: roster imported by member %s (%d added, %d updated)", viewer.member.id, outcome.added,
                 outcome.updated)
        return office.redirect(viewer, "/members", title="花名册已导入",
                               message=f"花名册已导入：新增 {outcome.added} 人，更新 {outcome.updated} 人。")

    @api.post("/members/bind")
    async def members_bind(request: Request) -> Response:
        viewer = office.page(request, "members")
        form = await office.checked_form(request, viewer)
        contact = one_line(form.get("contact"), 128, "联系人").replace(" ", "")
        name = one_line(form.get("name"), 64, "姓名").replace(" ", "")
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, "/members")
        member = bind_contact(ctx, contact, name)
        if isinstance(member, Problems):
            if "" in member.fields:
                raise NotFound()
            return refuse_problems(office, viewer, "/members#bind", form, member)
        return done(office, viewer, "/members", bound_text(contact, member), what="绑定")

    @api.post("/members/signout")
    async def members_signout(request: Request) -> Response:
        """Sign everyone else out (a lost phone, a handover): every other session ends at once."""
        viewer = office.page(request, "members")
        await office.checked_form(request, viewer)
        ended = office.sessions.revoke(office.clock(), keep_sid=viewer.sid)
        log.info("web: member %s signed out %d sessions", viewer.member.id, ended)
        return office.redirect(viewer, "/members", title="已退出",
                               message=f"已让其他所有人退出网页登录（{ended} 个登录），他们需要重新获取登录链接。")

    return api
