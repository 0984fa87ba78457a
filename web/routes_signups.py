"""报名: events, the roster, and the actions the chat has (报名, 代报名, 截止, 取消活动…)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from handlers.signups import NOTE_MAX, not_signed_up
from schedules.event_form import parse_event_form
from web.forms import for_viewer, one_line, refuse, result
from web.office import NotFound, Office

EVENT_FIELDS = ("名称", "时间", "地点", "名额", "截止", "对象", "家属")


def router(office: Office) -> APIRouter:
    services = office.services
    api = APIRouter()

    @api.get("/signups", response_class=HTMLResponse)
    def signups(request: Request) -> HTMLResponse:
        viewer = office.page(request, "signups")
        events = [e for e in services.signups.all_events() if for_viewer(office, viewer, e)]
        mine = {e.number: s.status for e, s in services.signups.of_member(viewer.member.id or 0)}
        return office.render(request, viewer, "signups.html", title="报名", events=events, mine=mine)

    @api.get("/signups/{number}", response_class=HTMLResponse)
    def signup_detail(request: Request, number: int) -> HTMLResponse:
        viewer = office.page(request, "signups")
        roster = services.signups.roster(number)
        if roster is None or not for_viewer(office, viewer, roster.event):
            raise NotFound()
        missing = not_signed_up(office.context(viewer), roster.event) if office.can(viewer, "未报名") else None
        mine = {e.number: s.status for e, s in services.signups.of_member(viewer.member.id or 0)}
        return office.render(request, viewer, "signup.html", title=roster.event.title, roster=roster,
                             event=roster.event, missing=missing, mine=mine.get(number))

    @api.post("/signups/new")
    async def signup_new(request: Request) -> Response:
        viewer, form = await office.action(request, "signups", "发起报名")
        fields = {k: one_line(form.get(k), 200, k) for k in EVENT_FIELDS}
        errors = event_errors(fields, office.now())
        if any(errors.values()):
            return refuse(office, viewer, "/signups#new-event", form, errors)
        lines = "\n".join(f"{k}：{v}" for k, v in fields.items() if v)
        return result(office, viewer, office.run(viewer, f"#发起报名\n{lines}"), "/signups")

    @api.post("/signups/{number}/{action}")
    async def signup_action(request: Request, number: int, action: str) -> Response:
        viewer = office.page(request, "signups")
        form = await office.checked_form(request, viewer)
        roster = services.signups.roster(number)
        if roster is None or not for_viewer(office, viewer, roster.event):
            raise NotFound()
        back = f"/signups/{number}"
        errors: dict[str, str] = {}
        if action == "join":
            note = one_line(form.get("note"), NOTE_MAX, "备注")
            extra = one_line(form.get("extra"), 3, "家属人数")
            if extra and not extra.isdecimal():
                errors["extra"] = "家属人数应是数字"
            plus = f" +{int(extra)}" if extra.isdecimal() and int(extra) else ""
            text = f"#报名 {number}{plus}" + (f" {note}" if note else "")
        elif action == "leave":
            text = f"#取消报名 {number}"
        elif action == "close" and office.can(viewer, "截止报名"):
            text = f"#截止报名 {number}"
        elif action == "remind" and office.can(viewer, "提醒报名"):
            text = f"#提醒报名 {number}"
        elif action == "cancel" and office.can(viewer, "取消活动"):
            reason = one_line(form.get("reason"), 200, "取消原因")
            if not reason:
                errors["reason"] = "取消活动请写明原因"
            text = f"#取消活动 {number} {reason}"
        elif action == "proxy" and office.can(viewer, "代报名"):
            name = one_line(form.get("name"), 64, "姓名").replace(" ", "")
            extra = one_line(form.get("extra"), 3, "家属人数")
            if not name:
                errors["proxy_name"] = "请填写姓名"
            if extra and not extra.isdecimal():
                errors["proxy_extra"] = "家属人数应是数字"
            text = f"#代报名 {number} {name}" + (f" +{int(extra)}" if extra.isdecimal() and int(extra) else "")
        else:
            raise NotFound()
        if errors:
            return refuse(office, viewer, back, form, errors, form_action=action)
        return result(office, viewer, office.run(viewer, text), back)

    @api.get("/signups/{number}/export.xlsx")
    def signup_export(request: Request, number: int) -> Response:
        viewer = office.page(request, "signups")
        if services.signups.get(number) is None or not office.can(viewer, "导出名单"):
            raise NotFound()
        return result(office, viewer, office.run(viewer, f"#导出名单 {number}"), f"/signups/{number}")

    return api


def event_errors(fields: dict[str, str], now: dt.datetime) -> dict[str, str]:
    """The chat's own reader over the notice; each problem it names goes next to its field
    (its sentences start with the field's word: 名额“abc”应是正整数)."""
    errors = {k: "" for k in fields}
    parsed = parse_event_form("\n".join(f"{k}：{v}" for k, v in fields.items() if v), now)
    problems: list[Any] = list(parsed.errors)
    if not problems and parsed.deadline is not None and parsed.deadline <= now:
        problems.append("截止时间已经过去了")
    for problem in problems:
        key = next((k for k in fields if problem.startswith(k)), "名称")
        if key == "名称" and "截止" in problem:
            key = "截止"
        errors[key] = "；".join(filter(None, (errors[key], problem)))
    return errors
