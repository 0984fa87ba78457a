"""#导入计划: an admin pastes (or sends) the year's plan, checks a preview, confirms."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from handlers.args import Text, pick, whole_number
from handlers.base import Answer, Context, Form, Invalid, Reply, Request, Role, Scope, Step, command, reply
from handlers.forms import begin
from schedules.categories import classify
from schedules.item_dates import item_date
from schedules.plan_import import (
    ImportedItem,
    PlanReadError,
    import_plan_text,
    read_plan_bytes,
    split_plans,
    unsure_notes,
)
from schedules.plan_merge import Merge, Stored
from schedules.when import parse_when
from storage.schedule_repo import NewItem

SECTION = "日程"  # the heading it has in #帮助

FORM = "plan_import"
MAX_PLAN_CHARS = 100_000
PROMPT = ("请把年度工作计划的全文粘贴发给我（也可以发送 .docx 或 .txt 文件）。\n"
          "我会找出其中按月份的活动安排，先给您预览。发送 #取消 放弃。")


def _plan_text(answer: Answer) -> str:
    try:
        text = read_plan_bytes(answer.attachment.data, answer.attachment.name) if answer.attachment else answer.text
    except PlanReadError as exc:
        raise Invalid(f"{exc}。请重新发送，或发送 #取消 放弃。") from exc
    if len(text) > MAX_PLAN_CHARS:
        raise Invalid(f"计划过长（超过 {MAX_PLAN_CHARS} 字），请只发送活动安排部分。")
    return text


def _imported(text: str, ctx: Context) -> dict | None:
    """A plan's items as the draft keeps them; None when it has no arrangement."""
    result = import_plan_text(text, today=ctx.now.date())
    if not result.items:
        return None
    return {"year": result.year, "items": [_dump(it) for it in result.items], "warnings": result.warnings}


NOTHING_FOUND = ("没有在这段文字中找到按月份（或按周）的活动安排。\n"
                 "请确认包含类似“三月份：1、……”的部分后重新发送，或发送 #取消 放弃。")


def read_plan(answer: Answer, ctx: Context) -> dict:
    """The plan (pasted or a file) -> the items to preview; several plans in one text -> which one?"""
    text = _plan_text(answer)
    # Never merged: with several plans the chair picks one (the next step), so two years do not mix.
    found = [{"title": title, "plan": plan} for title, body in split_plans(text)
             if (plan := _imported(body, ctx)) is not None]
    if len(found) > 1:
        return {"several": found}
    plan = found[0]["plan"] if found else _imported(text, ctx)
    if plan is None:
        raise Invalid(NOTHING_FOUND)
    return plan


def _read_pick(answer: Answer, ctx: Context) -> dict:
    plans = answer.data["values"]["plan"]["several"]
    choice = answer.text.strip().lstrip("第").rstrip("篇")
    index = pick(choice, len(plans))
    if index is None:
        raise Invalid(f"请回复 1 到 {len(plans)} 之间的序号。")
    return plans[index]["plan"]


def _steps(data: dict, ctx: Context) -> list[Step]:
    steps = [Step("plan", "计划", PROMPT, read=read_plan, limit=MAX_PLAN_CHARS, takes_file=True)]
    plan = data["values"].get("plan")
    if isinstance(plan, dict) and "several" in plan:
        titles = "\n".join(f"{i}. {p['title']}" for i, p in enumerate(plan["several"], 1))
        ask = f"这段文字里有 {len(plan['several'])} 篇计划，要导入哪一篇？请回复序号：\n{titles}"
        steps.append(Step("pick", "篇目", ask, read=_read_pick, limit=10))
    return steps


def _chosen(data: dict) -> dict:
    values = data["values"]
    return values["pick"] if "pick" in values else values["plan"]


def _summary(data: dict, ctx: Context) -> str:
    plan = _chosen(data)
    items = [_load(d) for d in plan["items"]]
    preview = render_preview(plan["year"], items, plan["warnings"])
    merge, stored = ctx.services.schedule.preview_import(int(plan["year"]), new_items(items), *_choices(data))
    return preview + render_merge(merge, stored, items)


def _choices(data: dict) -> tuple[frozenset[int], frozenset[int]]:
    """The chair's words at the preview: 覆盖 N (the plan over a hand edit), 删旧 N (remove a kept row)."""
    return frozenset(data.get("overwrite", [])), frozenset(data.get("drop", []))


def render_merge(merge: Merge, stored: dict[int, Stored], items: list[ImportedItem]) -> str:
    """What a re-import does to the year already stored; nothing when the year is empty."""
    if not stored:
        return ""

    def row(number: int) -> str:
        return f"活动 {number} {_short(stored[number].text)}"

    lines = ["", "与已有安排对照（已有活动的编号不变，报名不受影响）："]
    if merge.update:
        lines.append(f"· 按新计划更新 {len(merge.update)} 项：" + "；".join(
            f"{row(n)} → {i + 1}.{_short(items[i].text)}" for i, n in sorted(merge.update.items())))
    if merge.same:
        lines.append(f"· 不变 {len(merge.same)} 项")
    if merge.held:
        lines.append(f"· 保留您手改过的 {len(merge.held)} 项：" + "；".join(row(n) for n in sorted(merge.held.values()))
                     + "（改用新计划的内容请发送 覆盖 活动编号）")
    if merge.add:
        lines.append(f"· 新增 {len(merge.add)} 项（编新号）：" + "；".join(
            f"{i + 1}.{_short(items[i].text)}" for i in merge.add))
    if merge.remove:
        lines.append(f"· 删除新计划中没有的 {len(merge.remove)} 项：" + "；".join(row(n) for n in merge.remove))
    if merge.kept:
        lines.append(f"· 新计划中没有、但有报名或您改过，保留 {len(merge.kept)} 项：" + "；".join(
            row(n) for n in merge.kept) + "（确要删除请发送 删旧 活动编号）")
    return "\n".join(lines)


def _overwrite(data: dict, args: str, ctx: Context) -> None:
    number = _row_number(args, data, ctx, lambda merge: set(merge.held.values()), "手改过的活动")
    data["overwrite"] = sorted({*data.get("overwrite", []), number})


def _drop(data: dict, args: str, ctx: Context) -> None:
    number = _row_number(args, data, ctx, lambda merge: set(merge.kept), "保留的活动")
    data["drop"] = sorted({*data.get("drop", []), number})


def _row_number(args: str, data: dict, ctx: Context, allowed: Callable[[Merge], set[int]], what: str) -> int:
    plan = _chosen(data)
    merge, _ = ctx.services.schedule.preview_import(int(plan["year"]), new_items([_load(d) for d in plan["items"]]),
                                                    *_choices(data))
    numbers = sorted(allowed(merge))
    word = args.strip().removeprefix("活动").strip()
    if whole_number(word) not in numbers:
        listed = "、".join(map(str, numbers)) or "（没有）"
        raise Invalid(f"请写上预览中{what}的活动编号：{listed}。")
    return int(word)


def _edit_item(data: dict, args: str, ctx: Context) -> None:
    """'改 12 4月 羽毛球比赛': item 12 moves to April with that text (either may be left out)."""
    plan = _chosen(data)
    number, _, rest = args.strip().partition(" ")
    index = _item_index(number, plan)
    item = _load(plan["items"][index])
    words = rest.split(maxsplit=1)
    when = parse_when(words[0], item.year, ctx.now.date()) if words else None
    if when is not None:
        words = words[1:]
    text = " ".join(words).strip() or item.text  # stored whole (a Text column)
    if when is None and text == item.text:
        raise Invalid(f"写成：改 {number} 4月 新内容（月份或内容至少写一样）。")
    date, months = when if when is not None else (None, item.months)
    category, holiday = classify(text)
    derived = item_date(months, [] if when else item.weeks, text, holiday, item.year)
    # New words only: a day the plan gave ('3月5日 学雷锋…', kept apart from the text) stays.
    kept = item.date if when is None and not (item.holiday or item.rrule) else None
    plan["items"][index] = _dump(dataclasses.replace(
        item, months=months, weeks=[] if when else item.weeks, text=text, category=category, holiday=holiday,
        date=date or derived.date or kept, rrule=derived.rrule,
        note=None if kept and not derived.date else derived.note, flags=[], confidence=1.0))  # checked by the chair


def _delete_item(data: dict, args: str, ctx: Context) -> None:
    plan = _chosen(data)
    index = _item_index(args.strip(), plan)
    if len(plan["items"]) == 1:
        raise Invalid("这是最后一项了；不导入请发送 #取消。")
    del plan["items"][index]


def _item_index(number: str, plan: dict) -> int:
    index = pick(number, len(plan["items"]))
    if index is None:
        raise Invalid(f"请写上预览中的序号（1 到 {len(plan['items'])}），例如：改 3 4月 教职工羽毛球赛，或 删 3。")
    return index


def _finish(data: dict, ctx: Context) -> list[Reply]:
    plan = _chosen(data)
    items = [_load(d) for d in plan["items"]]
    done = ctx.services.schedule.replace_imported(int(plan["year"]), new_items(items), source="plan",
                                                  by=ctx.sender.contact_id, overwrite=_choices(data)[0],
                                                  drop=_choices(data)[1])
    m, rows = done.merge, done.rows
    if len(m.add) == len(rows) and not (m.remove or m.kept):
        numbers = f"编号 {rows[0].number}–{rows[-1].number}"
    else:
        numbers = (f"更新 {len(m.update)} 项，不变 {len(m.same)} 项，保留手改 {len(m.held)} 项，新增 {len(m.add)} 项，"
                   f"删除 {len(m.remove)} 项，保留计划外 {len(m.kept)} 项；已有活动编号不变")
    return reply(f"已导入 {len(rows)} 项活动（{numbers}）。发送 #活动安排 查看全年安排。")


PLAN_FORM = Form(
    kind=FORM, noun="计划导入", role=Role.ADMIN, editable=False, summary=_summary, finish=_finish, steps=_steps,
    words={"改": _edit_item, "删": _delete_item, "删除": _delete_item, "覆盖": _overwrite, "删旧": _drop},
    confirm_hint="确认无误请发送 #确认导入（或回复“确认”）；改一项：改 序号 月份 内容（如 改 3 4月 羽毛球赛）；"
                 "删一项：删 序号；放弃请发送 #取消。",
)


PLAN_TEXT = Text("plan", "计划全文", optional=True)  # none (or a file): the form waits for it


@command("导入计划", args=(PLAN_TEXT,), role=Role.ADMIN, scope=Scope.PRIVATE, max_chars=MAX_PLAN_CHARS,
         help="导入年度工作计划中的活动安排（粘贴全文或发送文件，预览后确认）")
def start_import(req: Request, ctx: Context) -> list[Reply]:
    if not (req.attachment or req.get(PLAN_TEXT)):
        return begin(PLAN_FORM, req, ctx)
    try:
        plan = read_plan(Answer(req.get(PLAN_TEXT), req.attachment, {}), ctx)
    except Invalid as exc:
        # Nothing read: wait for the plan as if #导入计划 had come alone.
        out = begin(PLAN_FORM, req, ctx)
        return out if req.draft is not None else reply(str(exc))
    return begin(PLAN_FORM, req, ctx, {"values": {"plan": plan}})


def _own_day(item: ImportedItem) -> str:
    """'（3月5日）' for a day the plan gave; a festival's day or a rule's first day goes unsaid here."""
    if item.date is None or item.holiday or item.rrule:
        return ""
    return f"（{item.date.month}月{item.date.day}日）"


def render_preview(year: int, items: list[ImportedItem], warnings: list[str]) -> str:
    """Every item numbered (the chair fixes one by its number: 改 12 …, 删 12), by month; then what to check."""
    lines = [f"识别到 {len(items)} 项活动（{year}年）："]
    groups: dict[str, list[tuple[int, ImportedItem]]] = {}
    for i, it in enumerate(items, 1):
        key = ("第" + "、".join(map(str, it.weeks)) + "周" if it.weeks
               else "、".join(f"{m}月" for m in it.months) or "月份不明")
        groups.setdefault(key, []).append((i, it))
    for key, group in groups.items():
        # '？' after an item the importer is least sure of: the chair looks there first.
        lines.append(f"{key}：" + "；".join(f"{i}.{_short(it.text)}{_own_day(it)}{'？' if it.flags else ''}"
                                          for i, it in group))
    unsure = [f"· {i}.{_short(it.text)}：{'；'.join(notes)}" for i, it in enumerate(items, 1)
              if (notes := unsure_notes(it))]
    if unsure:
        lines.append("需要您核对：")
        lines.extend(unsure[:12])
        if len(unsure) > 12:
            lines.append(f"……另有 {len(unsure) - 12} 项")
    lines.extend(f"提示：{w}" for w in warnings)
    return "\n".join(lines)


def _short(text: str) -> str:
    return text if len(text) <= 24 else text[:23] + "…"


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
