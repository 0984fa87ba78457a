"""福利 (welfare officers only): the queue, the ledger, one request and its next steps.

The audit log holds what matters: each read of a request's content (its page, once per visit, not
again on the page that shows the result of the officer's own change), each change, and each export.
Lists and counts show codes, kinds and states only and are not logged as reads.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from handlers.welfare import actor_of
from storage.welfare import TRANSITIONS, details_of
from storage.welfare import parse_code as welfare_code
from web.forms import one_line, refuse, result, to_int
from web.office import NotFound, Office

log = logging.getLogger("unionbot.web")
MAX_AMOUNT = 100_000  # yuan: no single relief payment comes near it; a typo of extra digits does
WELFARE_ACTIONS = OrderedDict([  # action -> (command, what the text field holds, required)
    ("受理", ("受理", "", False)),
    ("核定", ("核定", "金额（元，可留空按标准）", False)),
    ("发放", ("发放", "", False)),
    ("驳回", ("驳回", "理由", True)),
])


def next_steps(status: str) -> list[str]:
    """The actions valid from ``status`` (the desk's own transitions), in the order they come."""
    return [a for a in WELFARE_ACTIONS if status in TRANSITIONS[a][0]]


def router(office: Office) -> APIRouter:
    services = office.services
    api = APIRouter()

    @api.get("/welfare", response_class=HTMLResponse)
    def welfare(request: Request, year: str = "") -> HTMLResponse:
        viewer = office.page(request, "welfare")
        ctx = office.context(viewer)
        actor = actor_of(ctx)
        chosen = to_int(year, ctx.now.year)
        queue = services.welfare.pending(actor, ctx.now, audit=False)
        ledger = services.welfare.ledger(actor, chosen, ctx.now, audit=False) or []
        audit = list(reversed(services.welfare.audit_log()[-100:]))
        return office.render(request, viewer, "welfare.html", title="福利", queue=queue, ledger=ledger,
                             year=chosen, audit=audit)

    @api.get("/welfare/export.xlsx")
    def welfare_export(request: Request, year: str = "") -> Response:
        viewer = office.page(request, "welfare")
        return result(office, viewer, office.run(viewer, f"#导出台账 {to_int(year, office.now().year)}"), "/welfare")

    @api.get("/welfare/{code}", response_class=HTMLResponse)
    def welfare_detail(request: Request, code: str) -> HTMLResponse:
        viewer = office.page(request, "welfare")
        ctx = office.context(viewer)
        if welfare_code(code, ctx.now.year) is None:
            raise NotFound()
        after_change = bool(office.flash(request, viewer))
        req = services.welfare.view(actor_of(ctx), code, ctx.now, audit=not after_change)
        if req is None:
            raise NotFound()
        return office.render(request, viewer, "welfare_request.html", title=f"申请 {req.code}", req=req,
                             details=details_of(req), actions=WELFARE_ACTIONS, steps=next_steps(req.status),
                             audit=services.welfare.audit_log(req.code), max_amount=MAX_AMOUNT)

    @api.post("/welfare/{code}/act")
    async def welfare_act(request: Request, code: str) -> Response:
        viewer = office.page(request, "welfare")
        form = await office.checked_form(request, viewer)
        ctx = office.context(viewer)
        if welfare_code(code, ctx.now.year) is None:
            raise NotFound()
        action = str(form.get("action", ""))
        if action not in WELFARE_ACTIONS:
            raise NotFound()
        back = f"/welfare/{code}"
        req = services.welfare.view(actor_of(ctx), code, ctx.now, audit=False)
        if req is None:
            raise NotFound()
        command, label, required = WELFARE_ACTIONS[action]
        text = one_line(form.get("text"), 500, label)
        reason = one_line(form.get("reason"), 200, "超标准理由")
        errors: dict[str, str] = {}
        if action not in next_steps(req.status):
            errors["action"] = f"申请当前状态为“{req.status}”，不能{action}"
        elif required and not text:
            errors["text"] = f"请填写{label}"
        elif action == "核定":
            errors.update(_amount_errors(text, reason, req.standard_amount))
        if errors:
            return refuse(office, viewer, back + "#welfare-act", form, errors)
        outcome = office.run(viewer, f"#{command} {code} {text}".strip())
        if action == "核定" and reason:
            services.welfare.note(actor_of(ctx), req.code, "超标准理由", ctx.now, reason)
        return result(office, viewer, outcome, back)

    return api


def _amount_errors(text: str, reason: str, standard: int | None) -> dict[str, str]:
    if not text:
        return {} if standard is not None else {"text": "这类申请没有标准金额，请填写金额"}
    amount = text.removesuffix("元")
    if not amount.isdecimal() or len(amount) > 7:
        return {"text": f"金额应是 1 到 {MAX_AMOUNT} 之间的整数（元）"}
    if not 1 <= int(amount) <= MAX_AMOUNT:
        return {"text": f"金额应是 1 到 {MAX_AMOUNT} 之间的整数（元）"}
    if standard is not None and int(amount) > standard and not reason:
        return {"reason": f"金额高于标准（{standard} 元），请写明理由"}
    return {}
