"""签到 on the page: an admin starts a check-in (the chat's #开始签到, through handlers.actions.votes),
sees present/expected by department and the congress quorum, closes it, and prints the attendance list
(the template's print styles leave only the list)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from handlers.actions import votes as actions
from handlers.actions.core import Problems
from handlers.checkins import attendance
from handlers.notices import Person
from handlers.vote_rules import fraction_text
from schedules.audience import REPRESENTATIVES, normalize_audience
from web.forms import actor, done, one_line, refuse_problems, unbound
from web.office import NotFound, Office, Viewer
from web.routes_notices import departments
from web.routes_votes import quorum_need


def by_department(present: list[Person], absent: list[Person] | None) -> list[tuple[str, int, int]]:
    """(department, present, expected) for each department, sorted by name."""
    counts: dict[str, list[int]] = {}
    for p in present:
        counts.setdefault(p.department or "未填部门", [0, 0])[0] += 1
    for p in present + (absent or []):
        counts.setdefault(p.department or "未填部门", [0, 0])[1] += 1
    return [(d, here, of) for d, (here, of) in sorted(counts.items())]


def router(office: Office) -> APIRouter:
    services = office.services
    api = APIRouter()

    def _page(request: Request) -> Viewer:
        viewer = office.page(request, "checkins")
        request.state.section = "/checkins"
        return viewer

    @api.get("/checkins", response_class=HTMLResponse)
    def checkins(request: Request) -> HTMLResponse:
        viewer = _page(request)
        ctx = office.context(viewer)
        rows = []
        for c in services.checkins.list():
            present, absent = attendance(ctx, c)
            rows.append((c, len(present), None if absent is None else len(present) + len(absent)))
        return office.render(request, viewer, "checkins.html", title="签到", rows=rows)

    @api.get("/checkins/{number}", response_class=HTMLResponse)
    def checkin(request: Request, number: int) -> HTMLResponse:
        viewer = _page(request)
        c = services.checkins.get(number)
        if c is None:
            raise NotFound()
        present, absent = attendance(office.context(viewer), c)
        expected = None if absent is None else len(present) + len(absent)
        congress = normalize_audience(c.audience) == REPRESENTATIVES
        roll = sorted([(p, True) for p in present] + [(p, False) for p in absent or []],
                      key=lambda row: (row[0].department or "未填部门", row[0].name))
        return office.render(request, viewer, "checkin.html", title=f"签到 {c.number}", c=c, present=present,
                             absent=departments(absent or []), expected=expected, roll=roll,
                             rows=by_department(present, absent),
                             need=quorum_need(office, expected) if congress else None,
                             quorum=fraction_text(services.vote_rules.quorum))

    @api.post("/checkins/new")
    async def new_checkin(request: Request) -> Response:
        viewer, form = await office.action(request, "checkins", "开始签到")
        back = "/checkins#new"
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        started = actions.start_checkin(ctx, one_line(form.get("title"), 200, "会议名称"),
                                        one_line(form.get("audience"), 64, "对象") or None)
        if isinstance(started, Problems):
            return refuse_problems(office, viewer, back, form, started)
        c = started.row
        where = "、".join(started.groups) if started.groups else "配置中没有对应的群"
        return done(office, viewer, f"/checkins/{c.number}", f"已开始签到 {c.number}“{c.title}”，通知将发到：{where}。",
                    what="开始签到")

    @api.post("/checkins/{number}/close")
    async def close_checkin(request: Request, number: int) -> Response:
        viewer, _ = await office.action(request, "checkins", "结束签到")
        back = f"/checkins/{number}"
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        if isinstance(actions.close_checkin(ctx, number), Problems):
            raise NotFound()
        return done(office, viewer, back, "已结束签到。", what="结束签到")

    return api
