"""The year's activities: read by everyone, edited by admins, exported as a calendar."""

from __future__ import annotations

import datetime as dt

from handlers.actions import schedule as actions
from handlers.actions.core import Problems
from handlers.actions.schedule import CATEGORY_LABELS as CATEGORY_LABELS
from handlers.actions.schedule import ItemChange
from handlers.actions.schedule import calendar_entries as calendar_entries
from handlers.actions.schedule import year_for_month as _year_for_month
from handlers.args import Month, Ref, Text
from handlers.args import year as year_param
from handlers.base import Context, Reply, Request, Role, command, reply
from handlers.refs import SCHEDULE_ITEMS
from schedules.item_dates import without_own_date
from schedules.kv import read_pairs, split_trailing
from schedules.when import date_problem, parse_when
from storage.models import ScheduleItem
from storage.schedule_repo import split_ints

SECTION = "日程"  # the heading it has in #帮助

ITEM = Ref("item", "编号", kind=SCHEDULE_ITEMS)
MONTH = Month("month", "月份", optional=True)
YEAR = year_param()
ENTRY = Text("entry", "日期或月份 内容", ask="请写上日期（或月份）和内容")
CHANGE = Text("change", "[日期或月份] [新内容]", ask="请写上新的日期（或月份）或内容")

_WEEKDAY = "一二三四五六日"
_LIST_LIMIT = 40
_DATE_KEYS = ("日期", "时间", "月份")
_TEXT_KEYS = ("内容", "名称", "活动")


def format_item(it: ScheduleItem) -> str:
    if it.date:
        when = f"{it.date.month}月{it.date.day}日（周{_WEEKDAY[it.date.weekday()]}）"
    elif it.weeks:
        when = "第" + "、".join(it.weeks.split(",")) + "周"
    else:
        when = "、".join(f"{m}月" for m in split_ints(it.months)) or "日期待定"
    repeat = "（定期）" if it.rrule else ""
    return f"【{it.number}】{when} {without_own_date(it.text, None if it.rrule else it.date)}{repeat}"


def _overview_text(it: ScheduleItem) -> str:
    """'春季运动会（4月8日）' in the year's overview, where only the month heads the line."""
    if it.date is None or it.rrule:
        return it.text
    return f"{without_own_date(it.text, it.date)}（{it.date.month}月{it.date.day}日）"


def _month_reply(ctx: Context, year: int, month: int, title: str) -> list[Reply]:
    items = ctx.services.schedule.in_month(year, month)
    if not items:
        return reply(f"{title}（{year}年{month}月）暂无安排的活动。")
    lines = [f"{title}（{year}年{month}月）："] + [format_item(it) for it in items]
    lines.append("发送 #活动 编号 查看详情")
    return reply("\n".join(lines))


@command("本月活动", args=(), help="查看本月的工会活动")
def this_month(req: Request, ctx: Context) -> list[Reply]:
    return _month_reply(ctx, ctx.now.year, ctx.now.month, "本月活动")


@command("下月活动", args=(), help="查看下个月的工会活动")
def next_month(req: Request, ctx: Context) -> list[Reply]:
    nxt = (ctx.now.replace(day=1) + dt.timedelta(days=32)).date()
    return _month_reply(ctx, nxt.year, nxt.month, "下月活动")


@command("活动安排", aliases=("全年活动",), args=(MONTH,),
         help="查看全年或某月的活动安排", examples=("#活动安排", "#活动安排 3"))
def overview(req: Request, ctx: Context) -> list[Reply]:
    if month := req.get(MONTH):
        return _month_reply(ctx, _year_for_month(ctx, month), month, "活动安排")
    repo = ctx.services.schedule
    years = [ctx.now.year, ctx.now.year + 1]
    year = next((y for y in years if repo.count(y)), ctx.now.year)
    items = repo.list(year)
    if not items:
        return reply("还没有导入活动安排。管理员可私聊我发送 #导入计划。")
    by_month: dict[int, list[ScheduleItem]] = {}
    for it in items:
        key = it.date.month if it.date else (split_ints(it.months) or [0])[0]
        by_month.setdefault(key, []).append(it)
    lines = [f"{year}年活动安排（共 {len(items)} 项）："]
    shown = 0
    for month in sorted(by_month):
        label = f"{month}月" if month else "按周安排"
        texts = [f"{it.number}.{_overview_text(it)}" for it in by_month[month]]
        lines.append(f"{label}：" + "；".join(texts))
        shown += len(texts)
        if shown >= _LIST_LIMIT:
            lines.append("……（发送 #活动安排 月份 查看某月全部）")
            break
    return reply("\n".join(lines))


@command("活动", args=(ITEM,), help="查看一项活动的详情", examples=("#活动 5",))
def show_item(req: Request, ctx: Context) -> list[Reply]:
    it = req.get(ITEM)
    lines = [format_item(it), f"类别：{CATEGORY_LABELS.get(it.category, it.category)}"]
    if it.holiday:
        lines.append(f"节日：{it.holiday}")
    if it.rrule:
        lines.append(f"重复规则：{it.rrule}")
    return reply("\n".join(lines))


def _when_and_text(args: str, year: int, ctx: Context) -> tuple[tuple[dt.date | None, list[int]] | None, str, str]:
    """'2027-03-08 三八节慰问' or '日期=3月8日 内容=三八节慰问' -> (when, text, problem).
    ``when`` is None when no date was given; ``problem`` when one was given and cannot be read."""
    given = read_pairs(args, (*_DATE_KEYS, *_TEXT_KEYS), fold=False)
    date_word = next((k for k in _DATE_KEYS if k in given.pairs), "")
    text = next((given.pairs[k] for k in _TEXT_KEYS if k in given.pairs), "")
    words = given.head.split(maxsplit=1)
    if date_word:
        # '日期=3月8日 三八节慰问': the date is read, the words after it are the text when none is given.
        token, tail = split_trailing(given.pairs[date_word], lambda t: parse_when(t, year, ctx.now.date()) is not None)
        when = parse_when(token, year, ctx.now.date())
        if when is None:
            return None, "", date_problem("日期", token)
        return when, (text or " ".join(filter(None, [given.head, tail]))).strip(), ""  # stored whole (Text)
    when = parse_when(words[0], year, ctx.now.date()) if words else None
    if when is not None:
        words = words[1:]
    return when, (text or " ".join(words)).strip(), ""


@command("添加活动", args=(ENTRY,), role=Role.ADMIN,
         help="添加一项活动", examples=("#添加活动 2027-03-08 三八节慰问女教工", "#添加活动 4月 教职工羽毛球赛"))
def add_item(req: Request, ctx: Context) -> list[Reply]:
    when, text, problem = _when_and_text(req.get(ENTRY), ctx.now.year, ctx)
    if problem or when is None or not text:
        return req.usage(problem or "请写上日期（或月份）和内容")
    row = actions.add_item(ctx, ItemChange(when, text))
    if isinstance(row, Problems):
        return reply(row.text() + "。")
    return reply(f"已添加：{format_item(row)}")


@command("修改活动", args=(ITEM, CHANGE), role=Role.ADMIN,
         help="修改一项活动的日期或内容（也可写 日期=… 内容=…）",
         examples=("#修改活动 5 2027-03-10", "#修改活动 5 4月 春季趣味运动会", "#修改活动 5 日期=下周三"))
def edit_item(req: Request, ctx: Context) -> list[Reply]:
    it = req.get(ITEM)
    number = it.number
    when, text, problem = _when_and_text(req.get(CHANGE), it.year, ctx)
    if problem:
        return reply(problem + "。")
    row = actions.edit_item(ctx, number, ItemChange(when, text))
    if isinstance(row, Problems):
        return reply(row.text() + "。")
    return reply(f"已修改：{format_item(row)}")


@command("删除活动", args=(ITEM,), role=Role.ADMIN, help="删除一项活动", examples=("#删除活动 5",))
def delete_item(req: Request, ctx: Context) -> list[Reply]:
    it = actions.delete_item(ctx, req.get(ITEM).number)
    if isinstance(it, Problems):
        return reply(it.text() + "。")
    return reply(f"已删除：{format_item(it)}")


@command("日历", args=(YEAR,), help="获取全年活动的日历文件（.ics，可导入手机日历）",
         examples=("#日历", "#日历 2027"))
def calendar_file(req: Request, ctx: Context) -> list[Reply]:
    repo = ctx.services.schedule
    if given := req.get(YEAR):
        year = given
    else:
        year = next((y for y in (ctx.now.year, ctx.now.year + 1) if repo.count(y)), ctx.now.year)
    file = actions.calendar_file(ctx, year)
    if isinstance(file, Problems):
        return reply(file.text() + "。")
    name, items = file.name, repo.count(year)
    return [
        Reply(file=file),
        Reply(text=f"已发送日历文件 {name}（{items} 项活动）。如未收到文件，"
                   f"可请管理员在电脑上运行 unionbot plan ics --year {year} 导出。"),
    ]
