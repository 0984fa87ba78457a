"""报名: events, the roster, and the actions the chat has (报名, 代报名, 截止, 取消活动…), called as
typed actions (handlers.actions.signups) with the form's fields as values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from handlers.actions import signups as actions
from handlers.actions.core import Problems, Tell
from handlers.base import Context, Reply
from handlers.signup_publish import ask_to_publish
from handlers.signup_views import _outcome_replies, reminded_text, signed_up_replies
from handlers.signups import NOTE_MAX, not_signed_up
from web.forms import actor, done, for_viewer, one_line, refuse_problems, unbound
from web.member_list import pinyin_key
from web.office import NotFound, Office, download

# The page's event fields, by the action's keys (the page has no 备注 field).
EVENT_LABELS = {k: v for k, v in actions.EVENT_LABELS.items() if k != "note"}
SIGNUP_ACTIONS = {"join": "", "leave": "", "close": "截止报名", "remind": "提醒报名", "cancel": "取消活动",
                  "proxy": "代报名"}  # a button -> the command whose role it needs ('' : anyone in the audience)


def router(office: Office) -> APIRouter:
    services = office.services
    api = APIRouter()

    @api.get("/signups", response_class=HTMLResponse)
    def signups(request: Request, all: str = "") -> HTMLResponse:
        viewer = office.page(request, "signups")
        events = [e for e in services.signups.all_events() if for_viewer(office, viewer, e)]
        show_all = all == "1"
        hidden = 0
        if not show_all:
            # By default the desk shows what is still to come: cancelled and past events behind a toggle.
            now = office.clock()
            current = [e for e in events if e.status != "cancelled" and not _past(e.starts_at, now)]
            hidden, events = len(events) - len(current), current
        mine = {e.number: s.status for e, s in services.signups.of_member(viewer.member.id or 0)}
        return office.render(request, viewer, "signups.html", title="报名", events=events, mine=mine,
                             show_all=show_all, hidden=hidden)

    @api.get("/signups/{number}/sheet", response_class=HTMLResponse)
    def signup_sheet(request: Request, number: int) -> HTMLResponse:
        """The 签到表 to print: the confirmed, by department then name, with an empty column to sign.
        For whoever organises events (the 发起报名 role); a member sees the list on the event's page."""
        viewer = office.page(request, "signups")
        roster = services.signups.roster(number)
        if roster is None or not office.can(viewer, "发起报名"):
            raise NotFound()
        rows = sorted(roster.confirmed, key=lambda r: (not r.department, pinyin_key(r.department),
                                                        pinyin_key(r.name)))
        return office.render(request, viewer, "signup_sheet.html", title=f"签到表 {roster.event.title}",
                             event=roster.event, rows=rows, seats=sum(r.seats for r in rows))

    @api.get("/signups/{number}", response_class=HTMLResponse)
    def signup_detail(request: Request, number: int) -> HTMLResponse:
        viewer = office.page(request, "signups")
        roster = services.signups.roster(number)
        if roster is None or not for_viewer(office, viewer, roster.event):
            raise NotFound()
        missing = not_signed_up(office.context(viewer), roster.event) if office.can(viewer, "未报名") else None
        # The viewer's own sign-up (its state, 家属 and 备注, which the page lets them change).
        own = {e.number: s for e, s in services.signups.of_member(viewer.member.id or 0)}.get(number)
        return office.render(request, viewer, "signup.html", title=roster.event.title, roster=roster,
                             event=roster.event, missing=missing, mine=own.status if own else None, own=own)

    @api.post("/signups/new")
    async def signup_new(request: Request) -> Response:
        viewer, form = await office.action(request, "signups", "发起报名")
        back = "/signups"
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        # Each field is one value of the event, never text to be read for '键=值' again.
        values = {key: one_line(form.get(label), 200, label) for key, label in EVENT_LABELS.items() if label in form}
        new = actions.read_event(ctx, values)
        if not isinstance(new, Problems) and services.signups.same_events(new.title, new.starts_at):
            # The same title at the same time again: asked first, in the chat's own form (确认 publishes it).
            return office.redirect(viewer, back, title="请确认", message=ask_to_publish(new, ctx))
        done_ = actions.publish_event(ctx, new) if not isinstance(new, Problems) else new
        if isinstance(done_, Problems):
            return refuse_problems(office, viewer, back + "#new-event", form, done_, EVENT_LABELS)
        where = "、".join(done_.groups) if done_.groups else "（配置中没有对应的群，请手动转发）"
        event = done_.event
        return done(office, viewer, back, f"已发起报名【{event.number}】{event.title}。报名通知将发到：{where}。",
                    what="发起报名")

    @api.post("/signups/{number}/{action}")
    async def signup_action(request: Request, number: int, action: str) -> Response:
        viewer = office.page(request, "signups")
        form = await office.checked_form(request, viewer)
        roster = services.signups.roster(number)
        if roster is None or not for_viewer(office, viewer, roster.event):
            raise NotFound()
        back = f"/signups/{number}"
        if action not in SIGNUP_ACTIONS or (SIGNUP_ACTIONS[action] and not office.can(viewer, SIGNUP_ACTIONS[action])):
            raise NotFound()
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        result = _act(ctx, action, number, form)
        if isinstance(result, Problems):
            names = {"name": "proxy_name", "extra": "proxy_extra"} if action == "proxy" else {}
            return refuse_problems(office, viewer, back, form, result, names, form_action=action)
        message, tells = result
        return done(office, viewer, back, message, tells, what=action)

    def _count(form: dict[str, Any]) -> int | Problems:
        extra = one_line(form.get("extra"), 3, "家属人数")
        if extra and not extra.isdecimal():
            return Problems.of("extra", "count_not_number", label="家属人数")
        return int(extra) if extra else 0

    def _act(ctx: Context, action: str, number: int, form: dict[str, Any]) -> tuple[str, list[Tell]] | Problems:
        """One button's action, and what the page says when it is done."""
        if action == "join":
            note = one_line(form.get("note"), NOTE_MAX, "备注")
            extra = _count(form)
            if isinstance(extra, Problems):
                return extra
            signed = actions.sign_up(ctx, number, extra, note, extra_given=bool(form.get("extra")))
            return _said(signed_up_replies(signed, ctx)), signed.tells
        if action == "leave":
            left = actions.cancel_signup(ctx, number)
            out = left.outcome
            if out.event is None or out.status != "cancelled":
                title = out.event.title if out.event else ""
                return f"您没有报名“{title}”，无需取消。", []
            return f"已取消 {ctx.sender.name} 的报名：{out.event.title}。", left.tells
        if action == "close":
            closed = actions.close_event(ctx, number)
            if isinstance(closed, Problems):
                return closed
            return f"已截止“{closed.event.title}”的报名：确认 {closed.confirmed} 人，候补 {closed.waitlist} 人。", []
        if action == "remind":
            reminded = actions.remind_missing(ctx, number)
            return reminded if isinstance(reminded, Problems) else (reminded_text(reminded, ctx), [])
        if action == "cancel":
            reason = one_line(form.get("reason"), 200, "取消原因")
            if not reason:
                return Problems.of("reason", "reason_missing", label="取消活动")
            cancelled = actions.cancel_event(ctx, number, reason)
            if isinstance(cancelled, Problems):
                return cancelled
            return f"已取消“{cancelled.event.title}”，已私聊通知 {len(cancelled.tells)} 位报名者。", cancelled.tells
        # proxy
        extra = _count(form)
        if isinstance(extra, Problems):
            return extra
        proxied = actions.proxy_sign_up(ctx, number, one_line(form.get("name"), 64, "姓名").replace(" ", ""), extra)
        if isinstance(proxied, Problems):
            return proxied
        return _said(_outcome_replies(proxied.outcome, proxied.member.name, ctx)), proxied.tells

    @api.get("/signups/{number}/export.xlsx")
    def signup_export(request: Request, number: int) -> Response:
        viewer = office.page(request, "signups")
        if services.signups.get(number) is None or not office.can(viewer, "导出名单"):
            raise NotFound()
        file = actions.export_roster(office.context(viewer), number)
        if isinstance(file, Problems):
            raise NotFound()
        return download(file)

    return api


def _said(replies: list[Reply]) -> str:
    """What the chat would answer the member (the same outcome, the same words)."""
    return "\n\n".join(r.text for r in replies if r.text and r.to_contact is None)


def _past(starts_at: dt.datetime | None, now: dt.datetime) -> bool:
    if starts_at is None:
        return False
    return (starts_at if starts_at.tzinfo else starts_at.replace(tzinfo=dt.UTC)) < now
