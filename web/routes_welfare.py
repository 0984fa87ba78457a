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

from handlers.actions import welfare as actions
from handlers.actions.core import Problems
from handlers.actions.welfare import MAX_AMOUNT, actor_of
from handlers.welfare import handled_text
from storage.welfare import TRANSITIONS, details_of
from storage.welfare import parse_code as welfare_code
from storage.welfare_files import WelfareFiles
from web.charts import ledger_summary
from web.forms import done, one_line, refuse, refuse_problems, to_int, unbound
from web.office import NotFound, Office, download, stored_file

log = logging.getLogger("unionbot.web")
WELFARE_ACTIONS = OrderedDict([  # action -> (command, what the text field holds, required)
    ("受理", ("受理", "", False)),
    ("核定", ("核定", "金额（元，可留空按标准）", False)),
    ("发放", ("发放", "", False)),
    ("驳回", ("驳回", "理由", True)),
])
# the action's field -> the form's (驳回's reason is its text)
FIELD_OF = {"amount": "text", "reason": "reason", "method": "method"}


def next_steps(status: str) -> list[str]:
    """The actions valid from ``status`` (the desk's own transitions), in the order they come."""
    return [a for a in WELFARE_ACTIONS if status in TRANSITIONS[a][0]]


def router(office: Office) -> APIRouter:
    services = office.services
    files = WelfareFiles(services.welfare.engine, office.settings.union_id)
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
        departments = {m.id: m.department for m in services.members.all()}
        return office.render(request, viewer, "welfare.html", title="福利", queue=queue, ledger=ledger,
                             year=chosen, audit=audit, departments=departments,
                             summary=ledger_summary(ledger, office.tz))

    @api.get("/welfare/{code}/print", response_class=HTMLResponse)
    def welfare_print(request: Request, code: str) -> HTMLResponse:
        """The 审批表 to sign and file: one sheet; opening it is a read of the request (logged once)."""
        viewer = office.page(request, "welfare")
        ctx = office.context(viewer)
        if welfare_code(code, ctx.now.year) is None:
            raise NotFound()
        req = services.welfare.view(actor_of(ctx), code, ctx.now, audit=True)
        if req is None:
            raise NotFound()
        member = services.members.by_id(req.member_id)
        return office.render(request, viewer, "welfare_print.html", title=f"审批表 {req.code}", req=req,
                             details=details_of(req), department=member.department if member else "")

    @api.get("/welfare/export.xlsx")
    def welfare_export(request: Request, year: str = "") -> Response:
        viewer = office.page(request, "welfare")
        exported = actions.export_ledger(office.context(viewer), to_int(year, office.now().year))
        if isinstance(exported, Problems):
            raise NotFound()
        return download(exported[0])

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
                             audit=services.welfare.audit_log(req.code), max_amount=MAX_AMOUNT,
                             methods=actions.PAY_METHODS, files=files.of(req))

    @api.get("/welfare/{code}/files/{file_id}")
    def welfare_file(request: Request, code: str, file_id: int) -> Response:
        """An attachment, opened from the desk: officers only (the page and the desk's ``view`` decide),
        each opening one 查看附件 row in the audit log (the request's page itself is not read again)."""
        viewer = office.page(request, "welfare")
        ctx = office.context(viewer)
        if welfare_code(code, ctx.now.year) is None:
            raise NotFound()
        req = services.welfare.view(actor_of(ctx), code, ctx.now, audit=False)
        f = files.get(req, file_id) if req is not None else None
        if req is None or f is None:
            raise NotFound()
        services.welfare.note_read(actor_of(ctx), req.code, "查看附件", f.name, ctx.now)
        return stored_file(f.name, f.media, f.data)

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
        if not viewer.member.contact_id:
            return unbound(office, viewer, back)
        _, label, _ = WELFARE_ACTIONS[action]
        text = one_line(form.get("text"), 500, label)
        reason = one_line(form.get("reason"), 200, "超标准理由")
        if action not in next_steps(req.status):
            # Only the next valid steps are offered; a stale button changes nothing (and is no attempt).
            return refuse(office, viewer, back + "#welfare-act", form,
                          {"action": f"申请当前状态为“{req.status}”，不能{action}"})
        if action == "发放" and not form.get("method"):
            # The ledger records how it was paid; the page asks every time (the chat may leave it out).
            return refuse(office, viewer, back + "#welfare-act", form, {"method": "请选择发放方式"})
        if action == "受理":
            handled = actions.accept_request(ctx, code)
        elif action == "发放":
            handled = actions.pay_out(ctx, code, str(form.get("method", ""))[:16])
        elif action == "驳回":
            handled = actions.reject_request(ctx, code, text)
        else:
            amount = actions.read_amount(text)
            handled = amount if isinstance(amount, Problems) else actions.approve_request(ctx, code, amount, reason)
        if isinstance(handled, Problems):
            if "code" in handled.fields:
                raise NotFound()
            names = {"reason": "text"} if action == "驳回" else FIELD_OF
            return refuse_problems(office, viewer, back + "#welfare-act", form, handled, names)
        return done(office, viewer, back, handled_text(handled), handled.tells, what=action)

    return api
