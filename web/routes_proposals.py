"""提案: the register and one proposal, acted on by the chat's commands (立案, 交办, 答复…)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from handlers.proposals import detail_text, stats_text
from storage.proposals import STATUSES, parse_code
from web.forms import one_line, refuse, result, to_int
from web.office import NotFound, Office, Viewer

PROPOSAL_ACTIONS = OrderedDict([  # action -> (command, what the text field holds, required)
    ("立案", ("立案", "", False)),
    ("不予立案", ("不予立案", "理由", True)),
    ("合并", ("合并", "并入本件的提案编号", True)),
    ("交办", ("交办", "承办部门", True)),
    ("答复", ("答复", "答复内容", True)),
    ("办结", ("办结", "", False)),
])


def router(office: Office) -> APIRouter:
    services = office.services
    api = APIRouter()

    @api.get("/proposals", response_class=HTMLResponse)
    def proposals(request: Request, year: str = "", status: str = "", dept: str = "") -> HTMLResponse:
        viewer = office.page(request, "proposals")
        years = services.proposals.years() or [office.now().year]
        chosen = to_int(year, years[-1])
        rows = services.proposals.list(chosen, status if status in STATUSES else None)
        departments = sorted({p.department for p in rows if p.department})
        if dept:
            rows = [p for p in rows if p.department == dept]
        return office.render(request, viewer, "proposals.html", title="提案", rows=rows, year=chosen, years=years,
                             chosen_status=status, dept=dept, statuses=STATUSES, departments=departments,
                             stats=stats_text(services.proposals.list(chosen), chosen))

    def _proposal(code: str) -> Any:
        parsed = parse_code(code, office.now().year)
        p = services.proposals.find(*parsed) if parsed else None
        if p is None:
            raise NotFound()
        return p

    def _actions(viewer: Viewer, p: Any) -> list[str]:
        return [a for a, (cmd, _, _) in PROPOSAL_ACTIONS.items()
                if office.can(viewer, cmd) and (a != "答复" or services.access.may(viewer.sender, "answer", obj=p))]

    def _may_cosign(viewer: Viewer, p: Any) -> bool:
        """Offered to a representative who has not co-signed yet (the button goes once used)."""
        if not services.access.may(viewer.sender, "cosign", obj=p):
            return False
        return all(c.member_id != viewer.member.id for c in services.proposals.cosigners(p.id))

    @api.get("/proposals/export.xlsx")
    def proposals_export(request: Request, year: str = "") -> Response:
        viewer = office.page(request, "proposals")
        if not office.can(viewer, "导出提案"):
            raise NotFound()
        return result(office, viewer, office.run(viewer, f"#导出提案 {to_int(year, office.now().year)}"), "/proposals")

    @api.get("/proposals/{code}", response_class=HTMLResponse)
    def proposal_detail(request: Request, code: str) -> HTMLResponse:
        viewer = office.page(request, "proposals")
        p = _proposal(code)
        return office.render(request, viewer, "proposal.html", title=f"提案 {p.code}", p=p,
                             history=services.proposals.history(p.id), cosigners=services.proposals.cosigners(p.id),
                             actions=_actions(viewer, p), labels=PROPOSAL_ACTIONS,
                             detail=detail_text(p, services.proposals, services.tz), may_cosign=_may_cosign(viewer, p))

    @api.post("/proposals/{code}/act")
    async def proposal_act(request: Request, code: str) -> Response:
        viewer = office.page(request, "proposals")
        form = await office.checked_form(request, viewer)
        p = _proposal(code)
        action = str(form.get("action", ""))
        back = f"/proposals/{p.code}"
        if action == "附议" and _may_cosign(viewer, p):
            return result(office, viewer, office.run(viewer, f"#附议 {p.code}"), back)
        # An action this viewer is not offered is refused like any page they may not use.
        if action not in _actions(viewer, p):
            raise NotFound()
        command, label, required = PROPOSAL_ACTIONS[action]
        text = one_line(form.get("text"), 2000, label)
        if required and not text:
            return refuse(office, viewer, back + "#proposal-act", form, {"text": f"请填写{label}"})
        return result(office, viewer, office.run(viewer, f"#{command} {p.code} {text}".strip()), back)

    return api
