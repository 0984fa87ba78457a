"""#导入计划: an admin pastes (or sends) the year's plan, checks a preview, confirms."""

from __future__ import annotations

import dataclasses
import datetime as dt

from handlers.base import Context, Reply, Request, Role, Scope, command, continuation, reply
from schedules.plan_import import ImportedItem, PlanReadError, import_plan_text, read_plan_bytes
from storage.schedule_repo import NewItem

SECTION = "日程"  # the heading it has in #帮助

WAITING = "plan_import"  # waiting for the plan text or file
CONFIRM = "plan_confirm"  # preview shown, waiting for #确认导入
MAX_PLAN_CHARS = 100_000
_PREVIEW_PER_MONTH = 3


@command("导入计划", syntax="#导入计划 [计划全文]", role=Role.ADMIN, scope=Scope.PRIVATE,
         help="导入年度工作计划中的活动安排（粘贴全文或发送文件，预览后确认）")
def start_import(req: Request, ctx: Context) -> list[Reply]:
    if req.attachment or req.args.strip():
        return _preview(req, ctx)
    ctx.services.drafts.put(ctx.sender.contact_id, WAITING, {}, ctx.now, ctx.services.form_ttl)
    return reply("请把年度工作计划的全文粘贴发给我（也可以发送 .docx 或 .txt 文件）。\n"
                 "我会找出其中按月份的活动安排，先给您预览。发送 #取消 放弃。")


@continuation(WAITING, max_chars=MAX_PLAN_CHARS)
def receive_plan(req: Request, ctx: Context) -> list[Reply]:
    return _preview(req, ctx)


def _preview(req: Request, ctx: Context) -> list[Reply]:
    try:
        text = read_plan_bytes(req.attachment.data, req.attachment.name) if req.attachment else req.args
    except PlanReadError as exc:
        return reply(f"{exc}。请重新发送，或发送 #取消 放弃。")
    if len(text) > MAX_PLAN_CHARS:
        return reply(f"计划过长（超过 {MAX_PLAN_CHARS} 字），请只发送活动安排部分。")
    result = import_plan_text(text, today=ctx.now.date())
    if not result.items:
        ctx.services.drafts.put(ctx.sender.contact_id, WAITING, {}, ctx.now, ctx.services.form_ttl)
        return reply("没有在这段文字中找到按月份（或按周）的活动安排。\n"
                     "请确认包含类似“三月份：1、……”的部分后重新发送，或发送 #取消 放弃。")
    payload = {"year": result.year, "items": [_dump(it) for it in result.items]}
    ctx.services.drafts.put(ctx.sender.contact_id, CONFIRM, payload, ctx.now, ctx.services.form_ttl)
    return reply(render_preview(result.year, result.items, result.warnings))


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
    lines.append("确认无误请发送 #确认导入；发送 #取消 放弃。")
    return "\n".join(lines)


@command("确认导入", syntax="#确认导入", role=Role.ADMIN, scope=Scope.PRIVATE,
         help="保存刚才预览的活动安排")
def confirm_import(req: Request, ctx: Context) -> list[Reply]:
    draft = ctx.services.drafts.get(ctx.sender.contact_id, ctx.now)
    if draft is None or draft.kind != CONFIRM:
        return reply("没有待确认的导入。请先发送 #导入计划。")
    if draft.expired:
        return reply("预览已超时，请重新发送 #导入计划。")
    year = int(draft.data["year"])
    items = [_load(d) for d in draft.data["items"]]
    rows = ctx.services.schedule.replace_imported(year, new_items(items), source="plan", by=ctx.sender.contact_id)
    ctx.services.drafts.clear(ctx.sender.contact_id)
    first, last = rows[0].number, rows[-1].number
    return reply(f"已导入 {len(rows)} 项活动（编号 {first}–{last}）。发送 #活动安排 查看全年安排。")


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
