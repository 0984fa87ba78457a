"""我的: a member serves themselves. 我的报名 (each event links to its page, where signing up, cancelling
and changing 家属/备注 already are), 我的提案 (write one with the chat form's fields, follow it, and
co-sign or rate it on its page), 我的申请 (file a 慰问/帮扶 request with the types and fields the chat's
#申请 asks for, and see its state). A request is shown to its member and the officers only: anyone
else gets the page's 404, as for a code that does not exist."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from handlers.actions.core import Problems
from handlers.actions.filing import (
    PROPOSAL_FIELDS,
    file_problem,
    file_request,
    read_request,
    submit_proposal,
    welfare_type,
)
from handlers.actions.welfare import actor_of
from handlers.proposal_common import window_problem
from handlers.welfare import detail_text
from handlers.welfare_rules import NOTE_LIMIT
from storage.models import WelfareRequest
from storage.welfare_files import MAX_FILES, WelfareFiles
from web.forms import actor, done, refuse, refuse_problems, unbound
from web.office import NotFound, Office, Viewer, stored_file, upload, within


def _names(problems: Problems) -> dict[str, str]:
    """A type's field is the form's ``f_<name>`` (its names are the config's, in Chinese)."""
    return {name: f"f_{name}" for name in problems.fields if name not in ("", "kind", "note", "file")}


async def _attachment(value: object) -> tuple[str, str, bytes] | str | None:
    """(name, media, data) of a file a request may carry; why not, in Chinese; None when none was chosen."""
    got = await upload(value)
    if got is None or isinstance(got, str):
        return got.rstrip("。") if isinstance(got, str) else None
    media, problem = file_problem(got.name, got.data)
    return problem or (got.name, media, got.data)


def router(office: Office) -> APIRouter:
    services = office.services
    files = WelfareFiles(services.welfare.engine, office.settings.union_id)
    api = APIRouter()

    def _page(request: Request) -> Viewer:
        viewer = office.page(request, "mine")
        request.state.section = "/mine"
        return viewer

    @api.get("/mine", response_class=HTMLResponse)
    def mine(request: Request) -> HTMLResponse:
        viewer = _page(request)
        ctx = office.context(viewer)
        member_id = viewer.member.id
        assert member_id is not None
        signups = services.signups.of_member(member_id)
        proposals = services.proposals.of_member(member_id)
        # Codes, types and states of the member's own requests: a list, not a read of any request's
        # content, so not in the audit log (opening one is).
        requests = services.welfare.mine(actor_of(ctx), ctx.now, audit=False) if viewer.member.contact_id else []
        may_propose = services.access.may(viewer.sender, "propose")
        return office.render(request, viewer, "mine.html", title="我的", signups=signups, proposals=proposals,
                             requests=requests, may_propose=may_propose,
                             window=window_problem(ctx) if may_propose else "", fields=PROPOSAL_FIELDS,
                             types=services.welfare_rules.types, categories=services.proposal_rules.categories)

    @api.post("/mine/proposal")
    async def new_proposal(request: Request) -> Response:
        viewer = _page(request)
        form = await office.checked_form(request, viewer)
        back = "/mine#proposal"
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        # The action checks every length, so all that is wrong is named at once.
        values = {name: str(form.get(name) or "").strip() for name, _, _, _ in PROPOSAL_FIELDS}
        values["category"] = str(form.get("category") or "").strip()  # optional; the action checks it
        submitted = submit_proposal(ctx, values)
        if isinstance(submitted, Problems):
            return refuse_problems(office, viewer, back, form, submitted)
        p = submitted.proposal
        need = f"还需 {submitted.need} 位代表附议后进入审查。" if submitted.need else "已进入审查。"
        unreached = f"未能通知：{'、'.join(submitted.unreached)}（请他们在提案页附议）。" if submitted.unreached else ""
        return done(office, viewer, f"/proposals/{p.code}", f"已提交提案 {p.code}《{p.title}》。{need}{unreached}",
                    submitted.tells, what="提交提案")

    @api.get("/mine/request", response_class=HTMLResponse)
    def request_form(request: Request, kind: str = "") -> HTMLResponse:
        viewer = _page(request)
        chosen = welfare_type(office.context(viewer), kind[:20])
        if chosen is None:
            raise NotFound()
        return office.render(request, viewer, "mine_request_form.html", title=f"{chosen.name}申请", kind=chosen)

    @api.post("/mine/request")
    async def new_request(request: Request) -> Response:
        viewer = _page(request)
        form = await office.checked_form(request, viewer)
        kind = str(form.get("kind") or "")[:20]
        back = f"/mine/request?kind={kind}#request" if welfare_type(office.context(viewer), kind) else "/mine#requests"
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        values = {k.removeprefix("f_"): within(str(v).strip(), NOTE_LIMIT, k.removeprefix("f_"))
                  for k, v in form.items() if k.startswith("f_") and isinstance(v, str)}
        attached = await _attachment(form.get("file"))
        note = within(str(form.get("note") or ""), NOTE_LIMIT, "备注")
        if isinstance(attached, str):
            # A refused file refuses the request too (the member meant them to go together): every
            # problem at once, nothing filed.
            read = read_request(ctx, kind, values, note)
            problems = read if isinstance(read, Problems) else Problems()
            problems.add_text("file", attached + "（请重新选择文件）")
            return refuse_problems(office, viewer, back, form, problems, _names(problems))
        filed = file_request(ctx, kind, values, note)
        if isinstance(filed, Problems):
            return refuse_problems(office, viewer, back, form, filed, _names(filed))
        r = filed.request
        if attached is not None:
            files.add(r, attached[0], attached[1], attached[2], viewer.member.contact_id or "", office.clock())
        return done(office, viewer, f"/mine/requests/{r.code}",
                    f"已提交{r.kind}申请，编号 {r.code}。福利委员会尽快联系您。", filed.tells, what="提交申请")

    def _request(viewer: Viewer, code: str, audit: bool = True) -> WelfareRequest:
        """The request when the viewer is its member or an officer (the desk decides and logs the read);
        the page's 404 otherwise, as for a code that does not exist."""
        if not viewer.member.contact_id:
            raise NotFound()
        ctx = office.context(viewer)
        r = services.welfare.view(actor_of(ctx), code[:20], ctx.now, audit=audit)
        if r is None:
            raise NotFound()
        return r

    @api.get("/mine/requests/{code}", response_class=HTMLResponse)
    def my_request(request: Request, code: str) -> HTMLResponse:
        viewer = _page(request)
        r = _request(viewer, code)
        return office.render(request, viewer, "mine_request.html", title=f"申请 {r.code}", r=r,
                             text=detail_text(r, office.tz), files=files.of(r), limit=MAX_FILES)

    @api.post("/mine/requests/{code}/files")
    async def attach(request: Request, code: str) -> Response:
        viewer = _page(request)
        form = await office.checked_form(request, viewer)
        r = _request(viewer, code, audit=False)
        back = f"/mine/requests/{r.code}#files"
        attached = await _attachment(form.get("file"))
        if attached is None:
            return refuse(office, viewer, back, form, {"file": "请选择要上传的文件"})
        if isinstance(attached, str):
            return refuse(office, viewer, back, form, {"file": attached})
        if files.add(r, *attached, viewer.member.contact_id or "", office.clock()) == "full":
            return refuse(office, viewer, back, form, {"file": f"每份申请最多 {MAX_FILES} 个附件"})
        services.welfare.note_read(actor_of(office.context(viewer)), r.code, "上传附件", attached[0], office.now())
        return done(office, viewer, back, f"已上传附件“{attached[0]}”。", what="上传附件")

    @api.get("/mine/requests/{code}/files/{file_id}")
    def attachment(request: Request, code: str, file_id: int) -> Response:
        viewer = _page(request)
        r = _request(viewer, code, audit=False)
        f = files.get(r, file_id)
        if f is None:
            raise NotFound()
        services.welfare.note_read(actor_of(office.context(viewer)), r.code, "查看附件", f.name, office.now())
        return stored_file(f.name, f.media, f.data)

    return api
