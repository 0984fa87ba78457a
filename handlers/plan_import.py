"""#导入计划: an admin pastes (or sends) the year's plan, checks a preview, confirms."""

from __future__ import annotations

import dataclasses
import datetime as dt

from handlers.base import Answer, Context, Form, Invalid, Reply, Request, Role, Scope, Step, command, reply
from handlers.forms import begin
from schedules.plan_import import ImportedItem, PlanReadError, import_plan_text, read_plan_bytes
from storage.schedule_repo import NewItem

SECTION = "日程"  # the heading it has in #帮助

FORM = "plan_import"
MAX_PLAN_CHARS = 100_000
_PREVIEW_PER_MONTH = 3
PROMPT = ("请把年度工作计划的全文粘贴发给我（也可以发送 .docx 或 .txt 文件）。\n"
          "我会找出其中按月份的活动安排，先给您预览。发送 #取消 放弃。")


def _read_plan(answer: Answer, ctx: Context) -> dict:
    """The plan (pasted or a file) -> the items to preview; nothing found is a problem to say."""
    try:
        text = read_plan_bytes(answer.attachment.data, answer.attachment.name) if answer.attachment else answer.text
    except PlanReadError as exc:
        raise Invalid(f"{exc}。请重新发送，或发送 #取消 放弃。") from exc
    if len(text) > MAX_PLAN_CHARS:
        raise Invalid(f"计划过长（超过 {MAX_PLAN_CHARS} 字），请只发送活动安排部分。")
    result = import_plan_text(text, today=ctx.now.date())
    if not result.items:
        raise Invalid("没有在这段文字中找到按月份（或按周）的活动安排。\n"
                      "请确认包含类似“三月份：1、……”的部分后重新发送，或发送 #取消 放弃。")
    return {"year": result.year, "items": [_dump(it) for it in result.items], "warnings": result.warnings}


def _summary(data: dict, ctx: Context) -> str:
    plan = data["values"]["plan"]
    return render_preview(plan["year"], [_load(d) for d in plan["items"]], plan["warnings"])


def _finish(data: dict, ctx: Context) -> list[Reply]:
    plan = data["values"]["plan"]
    items = [_load(d) for d in plan["items"]]
    rows = ctx.services.schedule.replace_imported(int(plan["year"]), new_items(items), source="plan",
                                                  by=ctx.sender.contact_id)
    first, last = rows[0].number, rows[-1].number
    return reply(f"已导入 {len(rows)} 项活动（编号 {first}–{last}）。发送 #活动安排 查看全年安排。")


PLAN_FORM = Form(
    kind=FORM, noun="计划导入", role=Role.ADMIN, editable=False, summary=_summary, finish=_finish,
    steps=lambda data, ctx: (Step("plan", "计划", PROMPT, read=_read_plan, limit=MAX_PLAN_CHARS, takes_file=True),),
    confirm_hint="确认无误请发送 #确认导入（或回复“确认”）；发送 #取消 放弃。",
)


@command("导入计划", syntax="#导入计划 [计划全文]", role=Role.ADMIN, scope=Scope.PRIVATE, max_chars=MAX_PLAN_CHARS,
         help="导入年度工作计划中的活动安排（粘贴全文或发送文件，预览后确认）")
def start_import(req: Request, ctx: Context) -> list[Reply]:
    if not (req.attachment or req.args.strip()):
        return begin(PLAN_FORM, req, ctx)
    try:
        plan = _read_plan(Answer(req.args, req.attachment, {}), ctx)
    except Invalid as exc:
        # Nothing read: wait for the plan as if #导入计划 had come alone.
        out = begin(PLAN_FORM, req, ctx)
        return out if req.draft is not None else reply(str(exc))
    return begin(PLAN_FORM, req, ctx, {"values": {"plan": plan}})


def render_preview(year: int, items: list[ImportedItem], warnings: list[str]) -> str:
    lines = [f"识别到 {len(items)} 项活动（{year}年）："]
    groups: dict[str, list[ImportedItem]] = {}
    for it in items:
        key = "第" + "、".join(map(str, it.weeks)) + "周" if it.weeks else "、".join(f"{m}月" for m in it.months)
        groups.setdefault(key, []).append(it)
    for key, group in groups.items():
        shown = "；".join(it.text for it in group[:_PREVIEW_PER_MONTH])
        more = f" 等{len(group)}项" if len(group) > _PREVIEW_PER_MONTH else ""
        lines.append(f"{key}（{len(group)}项）：{shown}{more}")
    unsure = [f"· {it.text[:20]}：{it.note}" for it in items if it.note]
    if unsure:
        lines.append("需要您留意：")
        lines.extend(unsure[:8])
    lines.extend(f"提示：{w}" for w in warnings)
    return "\n".join(lines)


def new_items(items: list[ImportedItem]) -> list[NewItem]:
    """Imported items as rows to store (the CLI, start-up and chat imports share this)."""
    return [
        NewItem(year=it.year, months=it.months, weeks=it.weeks, text=it.text, category=it.category,
                holiday=it.holiday, date=it.date, rrule=it.rrule)
        for it in items
    ]


def _dump(it: ImportedItem) -> dict:
    d = dataclasses.asdict(it)
    d["date"] = it.date.isoformat() if it.date else None
    return d


def _load(d: dict) -> ImportedItem:
    d = dict(d)
    d["date"] = dt.date.fromisoformat(d["date"]) if d.get("date") else None
    return ImportedItem(**d)
