"""回执 on the page: for each notice that asks for receipts, 已收到 N/M, who is missing by department,
and a 催办 button that does what the chat's #催办 does (private reminders through the outbox)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from handlers.actions.core import Problems
from handlers.actions.notices import nudge_receipts
from handlers.notices import Person, nudged_text, receipt_status
from web.forms import actor, done, unbound
from web.office import NotFound, Office, Viewer

RECENT = 20  # the receipts table on the page: the latest notices; older ones open by number


def departments(people: list[Person]) -> list[tuple[str, list[Person]]]:
    groups: dict[str, list[Person]] = {}
    for p in people:
        groups.setdefault(p.department or "未填部门", []).append(p)
    return sorted(groups.items())


def router(office: Office) -> APIRouter:
    services = office.services
    api = APIRouter()

    def _page(request: Request) -> Viewer:
        viewer = office.page(request, "reminders")
        if not office.can(viewer, "回执"):
            raise NotFound()
        request.state.section = "/reminders"  # the menu marks 提醒, where notices are sent
        return viewer

    @api.get("/notices", response_class=HTMLResponse)
    def notices(request: Request) -> HTMLResponse:
        viewer = _page(request)
        rows = []
        for notice in services.notices.list(receipts_only=True)[:RECENT]:
            st = receipt_status(services, notice)
            rows.append((notice, len(st.acknowledged), len(st.acknowledged) + len(st.missing)))
        return office.render(request, viewer, "notices.html", title="通知回执", rows=rows)

    @api.get("/notices/{number}", response_class=HTMLResponse)
    def notice_detail(request: Request, number: int) -> HTMLResponse:
        viewer = _page(request)
        notice = services.notices.get(number)
        if notice is None or not notice.needs_receipt:
            raise NotFound()
        st = receipt_status(services, notice)
        return office.render(request, viewer, "notice.html", title=f"通知 {notice.number} 回执",
                             notice=notice, receipts=st, missing=departments(st.missing),
                             total=len(st.acknowledged) + len(st.missing))

    @api.post("/notices/{number}/nudge")
    async def notice_nudge(request: Request, number: int) -> Response:
        viewer, _ = await office.action(request, "reminders", "催办")
        back = f"/notices/{number}"
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        nudged = nudge_receipts(ctx, number)
        if isinstance(nudged, Problems):
            raise NotFound()
        return done(office, viewer, back, nudged_text(nudged, ctx), what="催办")

    return api
