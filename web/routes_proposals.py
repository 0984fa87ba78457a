"""提案: the register and one proposal, acted on by the typed actions the chat calls too (立案, 交办, 答复…)."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from handlers.actions import proposals as actions
from handlers.actions.core import Problems
from handlers.base import Context
from handlers.proposal_views import changed_text, cosigned_text, merged_text
from handlers.proposals import detail_text
from storage.proposal_register import RegisterQuery, RegisterRow
from storage.proposals import COLLECTING, EVALUATIONS, PENDING_REVIEW, STATUSES, parse_code
from web.charts import bar_chart
from web.forms import actor, done, one_line, refuse, refuse_problems, to_int, unbound
from web.office import NotFound, Office, Viewer, download

PROPOSAL_ACTIONS = OrderedDict([  # action -> (command, what the text field holds, required)
    ("立案", ("立案", "", False)),
    ("不予立案", ("不予立案", "理由", True)),
    ("合并", ("合并", "并入本件的提案编号", True)),
    ("交办", ("交办", "承办部门", True)),
    ("答复", ("答复", "答复内容", True)),
    ("办结", ("办结", "", False)),
])

BULK_ACTIONS = ("立案", "交办")  # the steps a committee takes on many proposals at once
BULK_MAX = 200
COSIGNABLE = (COLLECTING, PENDING_REVIEW)


def router(office: Office) -> APIRouter:
    services = office.services
    api = APIRouter()

    @api.get("/proposals", response_class=HTMLResponse)
    def proposals(request: Request, year: str = "", status: str = "", dept: str = "", q: str = "",
                  page: str = "", cat: str = "") -> HTMLResponse:
        viewer = office.page(request, "proposals")
        years = services.proposals.years() or [office.now().year]
        chosen = to_int(year, years[-1])
        query = RegisterQuery(chosen, status if status in STATUSES else "", dept[:64], q.strip()[:50],
                              to_int(page, 1), category=cat[:16])
        found = services.proposals.register_page(query)
        bulk = [a for a in BULK_ACTIONS if office.can(viewer, a)]
        return office.render(request, viewer, "proposals.html", title="提案", found=found,
                             rows=[_row(r) for r in found.rows], year=chosen, years=years, query=query,
                             statuses=STATUSES, departments=list(found.departments), bulk=bulk,
                             categories=_categories(found.categories),
                             links=_page_links(query, found.pages))

    def _categories(counted: Iterable[str]) -> list[str]:
        """The configured 类别 in their order, then any in use that the config no longer lists (and 未分类)."""
        configured = list(services.proposal_rules.categories)
        return configured + sorted(c for c in counted if c not in configured)

    def _row(r: RegisterRow) -> dict[str, Any]:
        """A register row with its answer deadline: 交办 date + the department's days; 督办 once past it."""
        p = r.proposal
        due = None
        if r.handed_at is not None and p.status == "已交办":
            due = r.handed_at.astimezone(office.tz).date() + dt.timedelta(
                days=services.proposal_rules.answer_due(p.department))
        return {"p": p, "cosigners": r.cosigners, "due": due,
                "overdue": due is not None and office.now().date() > due,
                "date": p.created_at.replace(tzinfo=p.created_at.tzinfo or dt.UTC).astimezone(office.tz).date()}

    @api.get("/proposals/stats", response_class=HTMLResponse)
    def proposal_stats(request: Request, year: str = "") -> HTMLResponse:
        viewer = office.page(request, "proposals")
        years = services.proposals.years() or [office.now().year]
        chosen = to_int(year, years[-1])
        counts = services.proposals.register_counts(chosen)
        charts = [bar_chart("按状态", counts.by_status.items()),
                  bar_chart("按承办部门", counts.by_department.items()),
                  bar_chart("按类别", counts.by_category.items()),
                  bar_chart("满意度（代表评价）", counts.by_evaluation.items())]
        return office.render(request, viewer, "proposal_stats.html", title="提案统计", year=chosen, years=years,
                             counts=counts, charts=charts)

    @api.post("/proposals/bulk")
    async def proposals_bulk(request: Request) -> Response:
        viewer = office.page(request, "proposals")
        form = await office.checked_form(request, viewer)
        action = str(form.get("action", ""))
        if action not in BULK_ACTIONS or not office.can(viewer, action):
            raise NotFound()
        back = str(form.get("back", "")) or "/proposals"
        if not back.startswith("/proposals"):
            back = "/proposals"
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        codes = list(dict.fromkeys(str(c) for c in (await request.form()).getlist("code")))[:BULK_MAX]
        department = one_line(form.get("department"), 200, "承办部门")
        if not codes:
            return refuse(office, viewer, back, form, {"bulk": "请先勾选提案"})
        if action == "交办" and not department:
            return refuse(office, viewer, back, form, {"department": "请填写承办部门"})
        done_codes, problems, tells = [], [], []
        for code in codes:
            parsed = parse_code(code, office.now().year)
            p = services.proposals.find(*parsed) if parsed else None
            if p is None:
                problems.append(f"{code[:20]}：没有这件提案")
                continue
            step = actions.register(ctx, p) if action == "立案" else actions.hand_over(ctx, p, department)
            if isinstance(step, Problems):
                problems.append(f"{p.code}：{step.text()}")
            else:
                done_codes.append(p.code)
                tells.extend(step.tells)
        message = f"{action} {len(done_codes)} 件" + (f"：{'、'.join(done_codes)}" if done_codes else "") + "。"
        if problems:
            message += f"未办理 {len(problems)} 件——" + "；".join(problems) + "。"
        return done(office, viewer, back, message, tells, what=f"批量{action}")

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
        """Offered to a representative who has not co-signed yet (the button goes once used), while the
        proposal still takes co-signers (征集中, 待审查: what storage accepts)."""
        if p.status not in COSIGNABLE or not services.access.may(viewer.sender, "cosign", obj=p):
            return False
        return all(c.member_id != viewer.member.id for c in services.proposals.cosigners(p.id))

    def _may_rate(viewer: Viewer, p: Any) -> bool:
        """Offered to the proposer once an answer is there and not yet rated (评价 goes from 已答复 only)."""
        return p.status == "已答复" and services.access.may(viewer.sender, "evaluate", obj=p)

    def _category_choices(viewer: Viewer, p: Any) -> list[str] | None:
        """The 类别 a committee member may file it under (the configured ones, and the one it has if the
        config no longer lists it, so the select shows it); None to whoever may not change it."""
        if not office.can(viewer, "提案类别"):
            return None
        configured = list(services.proposal_rules.categories)
        if not configured and not p.category:
            return None  # a union without categories: nothing to choose
        return configured + ([p.category] if p.category and p.category not in configured else [])

    @api.get("/proposals/export.xlsx")
    def proposals_export(request: Request, year: str = "") -> Response:
        viewer = office.page(request, "proposals")
        if not office.can(viewer, "导出提案"):
            raise NotFound()
        exported = actions.export_register(office.context(viewer), to_int(year, office.now().year))
        if isinstance(exported, Problems):
            raise NotFound()
        return download(exported[0])

    @api.get("/proposals/{code}/print", response_class=HTMLResponse)
    def proposal_print(request: Request, code: str) -> HTMLResponse:
        """The 提案表 as congresses print it: one A4 sheet, its own template (no menu, no buttons)."""
        viewer = office.page(request, "proposals")
        p = _proposal(code)
        return office.render(request, viewer, "proposal_print.html", title=f"提案表 {p.code}", p=p,
                             cosigners=services.proposals.cosigners(p.id))

    @api.get("/proposals/{code}", response_class=HTMLResponse)
    def proposal_detail(request: Request, code: str) -> HTMLResponse:
        viewer = office.page(request, "proposals")
        p = _proposal(code)
        return office.render(request, viewer, "proposal.html", title=f"提案 {p.code}", p=p,
                             history=services.proposals.history(p.id), cosigners=services.proposals.cosigners(p.id),
                             actions=_actions(viewer, p), labels=PROPOSAL_ACTIONS,
                             detail=detail_text(p, services.proposals, services.tz), may_cosign=_may_cosign(viewer, p),
                             may_rate=_may_rate(viewer, p), verdicts=EVALUATIONS,
                             note_max=actions.EVALUATION_NOTE_MAX, categories=_category_choices(viewer, p))

    @api.post("/proposals/{code}/category")
    async def proposal_category(request: Request, code: str) -> Response:
        """改类别: the same action as the chat's #提案类别; '' (未分类) clears it."""
        viewer = office.page(request, "proposals")
        form = await office.checked_form(request, viewer)
        p = _proposal(code)
        if _category_choices(viewer, p) is None:
            raise NotFound()
        back = f"/proposals/{p.code}"
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        changed = actions.set_category(ctx, p, one_line(form.get("category"), 16, "类别"))
        if isinstance(changed, Problems):
            return refuse_problems(office, viewer, back + "#proposal-category", form, changed)
        return done(office, viewer, back, changed_text(changed), changed.tells, what="改类别")

    @api.post("/proposals/{code}/act")
    async def proposal_act(request: Request, code: str) -> Response:
        viewer = office.page(request, "proposals")
        form = await office.checked_form(request, viewer)
        p = _proposal(code)
        action = str(form.get("action", ""))
        back = f"/proposals/{p.code}"
        if action == "附议" and not _may_cosign(viewer, p):
            raise NotFound()
        if action == "评价" and not _may_rate(viewer, p):
            raise NotFound()
        # An action this viewer is not offered is refused like any page they may not use.
        if action not in ("附议", "评价") and action not in _actions(viewer, p):
            raise NotFound()
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        if action == "附议":
            cosigned = actions.cosign(ctx, p.year, p.seq)
            if isinstance(cosigned, Problems):
                return refuse_problems(office, viewer, back, form, cosigned)
            return done(office, viewer, back, cosigned_text(cosigned), cosigned.tells, what="附议")
        if action == "评价":
            rated = actions.evaluate(ctx, p, str(form.get("verdict", "")),
                                     one_line(form.get("note"), actions.EVALUATION_NOTE_MAX, "评价说明"))
            if isinstance(rated, Problems):
                return refuse_problems(office, viewer, back + "#proposal-rate", form, rated)
            return done(office, viewer, back, changed_text(rated), rated.tells, what="评价")
        _, label, _ = PROPOSAL_ACTIONS[action]
        text = one_line(form.get("text"), 2000, label)
        step = _step(ctx, action, p, text)
        if isinstance(step, Problems):
            return refuse_problems(office, viewer, back + "#proposal-act", form, step)
        message = merged_text(step) if isinstance(step, actions.Merged) else changed_text(step)
        return done(office, viewer, back, message, step.tells, what=action)

    def _step(ctx: Context, action: str, p: Any, text: str) -> actions.Changed | actions.Merged | Problems:
        """The step the button stands for, with the text field as its one value."""
        if action == "立案":
            return actions.register(ctx, p)
        if action == "不予立案":
            return actions.reject(ctx, p, text)
        if action == "合并":
            absorb = parse_code(text, p.year) if text else None
            if absorb is None:
                return Problems.of("text", "required", label="并入本件的提案编号")
            return actions.merge(ctx, (p.year, p.seq), absorb)
        if action == "交办":
            return actions.hand_over(ctx, p, text)
        if action == "答复":
            return actions.answer(ctx, p, text)
        return actions.close(ctx, p)

    return api


def _page_links(q: RegisterQuery, pages: int) -> list[tuple[int, str]]:
    """Plain links (work without JavaScript) to the first, last and nearby pages, keeping the filters."""
    keep = {"year": q.year, "status": q.status, "dept": q.department, "cat": q.category, "q": q.text}
    shown = sorted({1, pages, *range(max(1, q.page - 3), min(pages, q.page + 3) + 1)})
    return [(n, "/proposals?" + urlencode({**{k: v for k, v in keep.items() if v}, "page": n})) for n in shown]
