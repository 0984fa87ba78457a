"""`unionbot plan` (import, ics) and `unionbot signup` (list, export): the year's plan and its sign-ups."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from bot.cli_common import config_exists, config_option, fail, iso, load, open_services, operator
from bot.config import default_config


@click.group()
def plan() -> None:
    """年度活动安排。"""


@plan.command("import")
@config_option
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="计划年份（默认取计划标题中的年份）")
@click.option("--semester-start", default=None, help="学期开始日期，按周安排的计划需要，例如 2027-02-22")
@click.option("--dry-run", is_flag=True, help="只解析，不保存")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def plan_import(config_path: str | None, path: Path, year: int | None, semester_start: str | None,
                dry_run: bool, as_json: bool) -> None:
    """从计划文本（.txt/.docx）导入活动安排。"""
    from schedules.plan_import import PlanReadError, import_plan_text, read_plan_file

    start = None
    if semester_start:
        try:
            start = dt.date.fromisoformat(semester_start)
        except ValueError:
            fail("--semester-start 应写成 2027-02-22")
    # A dry run needs no database, so it works without a config file.
    config = default_config() if dry_run and not config_exists(config_path) else load(config_path)
    try:
        text = read_plan_file(path)
    except PlanReadError as exc:
        fail(str(exc))
        return
    today = dt.datetime.now(config.tz).date()
    result = import_plan_text(text, year=year, semester_start=start, today=today)
    if not dry_run and result.items:
        from bot.app import build_services, open_engine
        from handlers.plan_import import new_items

        services = build_services(config, open_engine(config))
        services.schedule.replace_imported(result.year, new_items(result.items), source="plan", by="cli")
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        for w in result.warnings:
            click.echo(f"提示：{w}", err=True)
        return
    from handlers.plan_import import render_preview

    if not result.items:
        click.echo("没有找到按月份（或按周）的活动安排。")
        return
    click.echo(render_preview(result.year, result.items, result.warnings).rsplit("\n", 1)[0])
    click.echo("（试运行，未保存）" if dry_run else f"已保存 {len(result.items)} 项活动。")


@plan.command("ics")
@config_option
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
def plan_ics(config_path: str | None, year: int, out_path: Path) -> None:
    """把某年的活动安排导出为日历文件（.ics）。"""
    from bot.app import build_services, open_engine
    from handlers.schedule import calendar_entries
    from schedules.ics import build_ics

    config = load(config_path)
    services = build_services(config, open_engine(config))
    items = services.schedule.list(year)
    data = build_ics(calendar_entries(items, config.union_id), f"{config.union_name}{year}", config.timezone,
                     config.calendar)
    out_path.write_bytes(data)
    click.echo(f"已导出 {len(items)} 项活动到 {out_path}")


@click.group()
def signup() -> None:
    """活动报名。"""


@signup.command("list")
@config_option
@click.argument("number", type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def signup_list(config_path: str | None, number: int, as_json: bool) -> None:
    """报名名单：{"event": {...}, "confirmed": [...], "waitlist": [...]}。"""
    config = load(config_path)
    roster = open_services(config).signups.roster(number)
    if roster is None:
        fail(f"没有编号为 {number} 的报名活动")
        return
    e, tz = roster.event, config.tz

    def person(s: Any) -> dict[str, Any]:
        return {"name": s.name, "department": s.department, "contact_id": s.contact_id, "extra": s.extra,
                "note": s.note, "signed_at": iso(s.signed_at, tz), "by": s.by}

    data = {
        "event": {"number": e.number, "title": e.title, "starts_at": iso(e.starts_at, tz), "place": e.place,
                  "capacity": e.capacity, "confirmed_seats": e.confirmed_seats, "deadline": iso(e.deadline, tz),
                  "audience": e.audience, "family_max": e.family_max, "status": e.status},
        "confirmed": [person(s) for s in roster.confirmed],
        "waitlist": [person(s) for s in roster.waitlist],
    }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"【{e.number}】{e.title}：确认 {len(roster.confirmed)} 人，候补 {len(roster.waitlist)} 人")
    for i, s in enumerate(roster.confirmed, 1):
        click.echo(f"  {i}. {s.name}" + (f" +{s.extra}" if s.extra else "") + (f"（{s.note}）" if s.note else ""))
    for i, s in enumerate(roster.waitlist, 1):
        click.echo(f"  候补{i}. {s.name}" + (f" +{s.extra}" if s.extra else "") + (f"（{s.note}）" if s.note else ""))


@signup.command("export")
@config_option
@click.argument("number", type=int)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
def signup_export(config_path: str | None, number: int, out_path: Path) -> None:
    """把报名名单导出为 .xlsx（姓名、部门、报名时间、状态、家属人数）。"""
    from handlers.actions.core import Problems
    from handlers.actions.signups import export_roster

    config = load(config_path)
    file = export_roster(operator(open_services(config), "命令行导出"), number)
    if isinstance(file, Problems):
        fail(file.text())
        return
    out_path.write_bytes(file.data)
    click.echo(f"已导出到 {out_path}")
