"""活动安排: the year's plan, opened on the plan year the chat uses; edits by the typed actions
(handlers.actions.schedule), the plan import by handlers.actions.plans (the chat's form, opened on the page's text)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from handlers.actions import plans
from handlers.actions import schedule as actions
from handlers.actions.core import Problems
from handlers.actions.schedule import ItemChange, read_when
from handlers.schedule import format_item
from schedules.plan_import import default_plan_year
from storage.schedule_repo import split_ints
from web.forms import actor, done, one_line, refuse, refuse_problems, to_int, unbound
from web.office import NotFound, Office, download, upload

PLAN_TYPES = (".txt", ".docx", ".doc", ".pdf")


def router(office: Office) -> APIRouter:
    services = office.services
    api = APIRouter()

    def plan_year() -> int:
        """The chat's plan year: from October on, the coming year's plan is the one being worked on."""
        return default_plan_year(office.now().date())

    def year_choices(year: int) -> list[tuple[int, int]]:
        """The switcher: the years around now and the chosen one, each with how many items it holds."""
        now = office.now().year
        years = sorted({now - 1, now, now + 1, plan_year(), year})
        return [(y, services.schedule.count(y)) for y in years]

    @api.get("/schedule", response_class=HTMLResponse)
    def schedule(request: Request, year: str = "") -> HTMLResponse:
        viewer = office.page(request, "schedule")
        chosen = to_int(year, plan_year())
        months: OrderedDict[str, list[Any]] = OrderedDict((f"{m}月", []) for m in range(1, 13))
        months["日期待定"] = []
        for it in services.schedule.list(chosen):
            first = it.date.month if it.date else (split_ints(it.months) or [0])[0]
            months[f"{first}月" if first else "日期待定"].append(it)
        return office.render(request, viewer, "schedule.html", title="活动安排", year=chosen,
                             years=year_choices(chosen), months=[(k, v) for k, v in months.items() if v],
                             plan_form=office.open_form(viewer))

    @api.post("/schedule/add")
    async def schedule_add(request: Request) -> Response:
        viewer, form = await office.action(request, "schedule", "添加活动")
        year = to_int(form.get("year"), plan_year())
        back = f"/schedule?year={year}"
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        # Each field is a value: the text is never read for '日期=' again, whatever it holds.
        when = read_when(one_line(form.get("when"), 40, "日期"), year, ctx)
        text = one_line(form.get("text"), 2000, "活动内容")
        change = ItemChange(None if isinstance(when, Problems) else when, text)
        row = actions.add_item(ctx, change, source="web")
        if isinstance(when, Problems) or isinstance(row, Problems):
            problems = when if isinstance(when, Problems) else Problems()
            if isinstance(row, Problems):
                problems.fields = {**row.fields, **problems.fields}
            return refuse_problems(office, viewer, back + "#add-item", form, problems)
        return done(office, viewer, back, f"已添加：{format_item(row)}", what="添加活动")

    def _item(number: int) -> Any:
        item = services.schedule.get(number)
        if item is None:
            raise NotFound()
        return item

    @api.post("/schedule/{number}/edit")
    async def schedule_edit(request: Request, number: int) -> Response:
        viewer, form = await office.action(request, "schedule", "修改活动")
        item = _item(number)
        back = f"/schedule?year={item.year}"
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        names = {"when": f"when{number}", "text": f"text{number}", "number": f"text{number}"}
        typed_when = one_line(form.get("when"), 40, "日期")
        when = read_when(typed_when, item.year, ctx) if typed_when else None
        if isinstance(when, Problems):
            return refuse_problems(office, viewer, back, form, when, names, editing=number)
        row = actions.edit_item(ctx, number, ItemChange(when, one_line(form.get("text"), 2000, "活动内容")))
        if isinstance(row, Problems):
            return refuse_problems(office, viewer, back, form, row, names, editing=number)
        return done(office, viewer, back, f"已修改：{format_item(row)}", what="修改活动")

    @api.post("/schedule/{number}/delete")
    async def schedule_delete(request: Request, number: int) -> Response:
        viewer, _ = await office.action(request, "schedule", "删除活动")
        item = _item(number)
        back = f"/schedule?year={item.year}"
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        gone = actions.delete_item(ctx, number)
        if isinstance(gone, Problems):
            raise NotFound()
        return done(office, viewer, back, f"已删除：{format_item(gone)}", what="删除活动")

    @api.post("/schedule/import")
    async def schedule_import(request: Request) -> Response:
        viewer, form = await office.action(request, "schedule", "导入计划")
        back = "/schedule"
        attachment = await upload(form.get("file"))
        text = str(form.get("text", "")).strip()
        problem = ""
        if isinstance(attachment, str):
            problem = attachment
        elif attachment is not None and not attachment.name.lower().endswith(PLAN_TYPES):
            problem = "请上传年度计划（.txt 或 .docx 文件）"
        if problem:
            return refuse(office, viewer, back + "#import", form, {"plan": problem})
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        # The plan as read from the field or the file, never as chat text: the action opens the preview.
        opened = plans.start_import(ctx, text, attachment)
        if isinstance(opened, Problems):
            return refuse_problems(office, viewer, back + "#import", form, opened)
        # The preview is shown once, in the import panel with its buttons.
        return office.redirect(viewer, back + "#import", title="请核对识别结果")

    @api.get("/schedule/calendar.ics")
    def schedule_ics(request: Request, year: str = "") -> Response:
        viewer = office.page(request, "schedule")
        chosen = to_int(year, plan_year())
        file = actions.calendar_file(office.context(viewer), chosen)
        if isinstance(file, Problems):
            return office.redirect(viewer, f"/schedule?year={chosen}", title="日历", message=file.text() + "。")
        return download(file)

    return api
