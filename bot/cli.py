"""The `unionbot` command line. Every subcommand takes --config PATH
(else $UNIONBOT_CONFIG, else ./config.toml). Exit codes: 0 ok, 2 bad input or config."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from bot.config import Config, ConfigError, default_config, load_config, resolve_config_path

CONFIG_HELP = "配置文件路径（默认取环境变量 UNIONBOT_CONFIG，再默认 ./config.toml）"


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                        help=CONFIG_HELP)(func)


class ConfigProblem(click.ClickException):
    exit_code = 2  # like click's own usage errors: the caller must fix something


def _load(config_path: str | None) -> Config:
    try:
        return load_config(resolve_config_path(config_path))
    except ConfigError as exc:
        raise ConfigProblem(f"配置错误：{exc}") from exc


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(2)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="输出调试日志")
def main(verbose: bool) -> None:
    """工会助手 unionbot"""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@main.command()
@config_option
@click.option("--now", "start", default=None, help="模拟时钟的起始时间，例如 '2027-03-01 08:00'")
def chat(config_path: str | None, start: str | None) -> None:
    """终端群聊（不连接微信）。"""
    from bot.app import build_app
    from bot.clock import FakeClock
    from bot.transports.console import ConsoleChat

    config = _load(config_path)
    clock = FakeClock(_parse_start(start, config) if start else dt.datetime.now(dt.UTC))
    app = build_app(config, clock)
    if not sys.stdin.isatty():
        for notice in app.notices:
            click.echo(f"（{notice}）", err=True)
    ConsoleChat(app, clock).run(sys.stdin)


@main.command()
@config_option
@click.option("--now", "start", default=None,
              help="演练：把时钟拨到该时间后照常走（例如 '2027-03-01 07:59'），提醒按此时间发送")
def run(config_path: str | None, start: str | None) -> None:
    """连接钉钉（配置了 [dingtalk] client_id 时）或 Wechaty 网关，在工作群中运行。"""
    config = _load(config_path)
    from bot.clock import OffsetClock, SystemClock

    clock = OffsetClock(_parse_start(start, config)) if start else SystemClock()
    if logging.getLogger().level > logging.INFO:
        logging.getLogger().setLevel(logging.INFO)
        # Our own INFO; APScheduler's per-run lines are noise. (python-wechaty's
        # loggers are set in bot.wechaty_compat.)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if config.dingtalk.client_id:  # a config with a Wechaty endpoint as well was refused when loaded
        from bot.dingtalk.api import DingTalkAuthError
        from bot.transports.dingtalk_transport import run_dingtalk

        try:
            run_dingtalk(config, clock)  # checks the app's credentials first
        except DingTalkAuthError as exc:  # it names the console page (凭证与基础信息)
            _fail(f"{exc}，填入 config.toml 的 [dingtalk] client_id 和 client_secret")
        return
    from bot.gateway import GatewayError, connection
    from bot.transports.wechaty_transport import run_wechaty

    try:
        endpoint, token = connection(config)
    except GatewayError as exc:
        _fail(str(exc))
        raise
    run_wechaty(config, clock, endpoint, token)


@main.command()
@config_option
@click.option("--puppet", type=click.Choice(["wechat4u", "mock"]), default="wechat4u", show_default=True,
              help="wechat4u：用微信号登录（扫码）；mock：模拟，供试用和测试")
@click.option("--port", type=int, default=None, help="监听 127.0.0.1 的端口（默认 [gateway] port，8788）")
def gateway(config_path: str | None, puppet: str, port: int | None) -> None:
    """启动本机的微信网关（Wechaty puppet-service），unionbot run 用 endpoint = "local" 连接它。"""
    from bot.gateway import GatewayError, run_gateway

    config = _load(config_path)
    try:
        run_gateway(config, puppet, port or config.gateway_port)
    except GatewayError as exc:
        _fail(str(exc))
        raise


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON：{\"checks\": [{name, status, detail, fix}]}")
def doctor(config_path: str | None, as_json: bool) -> None:
    """检查配置、数据库、网关、登录、群、角色、时区、节假日数据、磁盘，说明哪里有问题、怎么办。"""
    from bot import doctor as doc

    try:
        config = load_config(resolve_config_path(config_path))
    except ConfigError as exc:
        checks = [doc.Check("配置", "fail", str(exc), "按提示修改配置文件（参考 config.example.toml）")]
    else:
        checks = doc.run_checks(config)
    click.echo(doc.as_json(checks) if as_json else doc.render(checks))
    sys.exit(1 if any(c.status == "fail" for c in checks) else 0)


@main.group(invoke_without_command=True)
@config_option
@click.option("--host", default=None, help="监听地址（默认 [web] host，127.0.0.1）")
@click.option("--port", type=int, default=None, help="端口（默认 [web] port，8080；不能用 5000）")
@click.pass_context
def web(ctx: click.Context, config_path: str | None, host: str | None, port: int | None) -> None:
    """启动工会办公网页（与 unionbot run 共用数据库）；web link 打印登录链接。"""
    if ctx.invoked_subcommand is not None:
        return
    import dataclasses

    import uvicorn

    from web.app import create_app, tune_gc

    config = _load(config_path)
    port = port or config.web.port
    if port == 5000 or not 0 < port < 65536:
        # python-wechaty probes 127.0.0.1:5000 at login and fails if anything listens there.
        _fail("端口应是 1–65535 之间、不是 5000 的端口")
    config = dataclasses.replace(config, web=dataclasses.replace(config.web, host=host or config.web.host, port=port))
    if logging.getLogger().level > logging.INFO:
        logging.getLogger().setLevel(logging.INFO)
    click.echo(f"工会办公网页：http://{config.web.host}:{port}（登录链接以 {config.web.link_base} 开头）")
    app = create_app(config)
    tune_gc()
    uvicorn.run(app, host=config.web.host, port=port, log_level="warning")


@web.command("link")
@config_option
@click.argument("who")
def web_link(config_path: str | None, who: str) -> None:
    """打印某位会员的一次性登录链接（姓名或联系人 ID；10 分钟内有效，只能用一次）。"""
    from bot.app import open_engine
    from storage.members import MemberRepo
    from storage.web_logins import WebLogins

    config = _load(config_path)
    engine = open_engine(config)
    found = MemberRepo(engine, config.union_id).find(who)
    if not found:
        _fail(f"没有找到“{who}”：请写花名册姓名、微信昵称或联系人 ID（unionbot members list 可查）")
    if len(found) > 1:
        names = "、".join(f"{m.name}（{m.contact_id or '未绑定'}）" for m in found[:5])
        _fail(f"“{who}”对应多人：{names}，请改用联系人 ID")
    member = found[0]
    assert member.id is not None
    token = WebLogins(engine, config.union_id).issue(member.id, dt.datetime.now(dt.UTC))
    click.echo(f"{config.web.link_base}/login/{token}")


def _parse_start(start: str, config: Config) -> dt.datetime:
    try:
        first = dt.datetime.fromisoformat(start)
    except ValueError:
        _fail("--now 应写成 2027-03-01 08:00")
        raise
    return (first if first.tzinfo else first.replace(tzinfo=config.tz)).astimezone(dt.UTC)


@main.group()
def db() -> None:
    """数据库维护。"""


@db.command("upgrade")
@config_option
def db_upgrade(config_path: str | None) -> None:
    """把数据库结构升级到最新版本。"""
    from storage import migrate
    from storage.db import make_engine

    config = _load(config_path)
    rev = migrate.upgrade(make_engine(config.database_url))
    click.echo(f"数据库已是最新版本：{rev}")


@db.command("backup")
@config_option
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
def db_backup(config_path: str | None, out_path: Path) -> None:
    """备份数据库（SQLite 在线备份；PostgreSQL 请用 pg_dump）。"""
    import sqlite3

    config = _load(config_path)
    url = config.database_url
    if not url.startswith("sqlite:///") or url == "sqlite://":
        _fail("PostgreSQL 请用 pg_dump 备份，例如：pg_dump --format=custom --file=unionbot.dump 数据库连接串；"
              "恢复：pg_restore --clean --dbname=数据库连接串 unionbot.dump")
    source = Path(url.removeprefix("sqlite:///"))
    if not source.is_file():
        _fail(f"找不到数据库文件 {source}")
    # The online backup API copies a consistent snapshot while the bot keeps running.
    with sqlite3.connect(source) as src, sqlite3.connect(out_path) as dst:
        src.backup(dst)
    click.echo(f"已备份到 {out_path}（恢复：停止机器人，把该文件复制为 {source}，删除旁边的 -wal/-shm 文件，再启动）")


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def status(config_path: str | None, as_json: bool) -> None:
    """运行状态：连接、最近消息、发件队列、接下来的提醒、数据库版本。"""
    from bot.app import build_services
    from bot.status import collect, render
    from storage import migrate
    from storage.db import make_engine

    config = _load(config_path)
    # Read only: status never migrates (that is `unionbot db upgrade`, or the bot's start).
    engine = make_engine(config.database_url)
    if migrate.current_revision(engine) != migrate.head_revision():
        _fail(f"数据库结构版本为 {migrate.current_revision(engine) or '空'}，最新为 {migrate.head_revision()}；"
              "请先运行 unionbot db upgrade 或启动机器人")
    st = collect(config, build_services(config, engine), dt.datetime.now(dt.UTC))
    click.echo(json.dumps(st, ensure_ascii=False, indent=2) if as_json else render(st))


@main.group()
def members() -> None:
    """教职工花名册。"""


@members.command("import")
@config_option
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def members_import(config_path: str | None, path: Path) -> None:
    """导入花名册（.xlsx 或 .csv：姓名、部门/年级组、性别、退休、生日、角色）。"""
    from bot.app import open_engine
    from bot.roster_file import RosterError, read_roster
    from storage.members import MemberRepo

    config = _load(config_path)
    try:
        rows = read_roster(path)
    except RosterError as exc:
        _fail(str(exc))
        return
    result = MemberRepo(open_engine(config), config.union_id).import_roster(rows)
    click.echo(f"花名册已导入：新增 {result.added} 人，更新 {result.updated} 人。")
    if result.ambiguous:
        click.echo(f"以下姓名对应多人，未导入（请在花名册加一列“钉钉userid”或“微信ID”区分）：{'、'.join(result.ambiguous)}")


@members.command("sync")
@config_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def members_sync(config_path: str | None, as_json: bool) -> None:
    """从钉钉通讯录同步教职工（姓名、部门、userid）；不在通讯录的人失去角色，记录保留。"""
    from types import SimpleNamespace

    from bot.app import open_engine
    from bot.dingtalk.api import DingTalkApi, DingTalkAuthError, DingTalkError
    from bot.dingtalk.directory import sync_directory
    from storage.members import MemberRepo
    from storage.settings import Settings

    config = _load(config_path)
    if not config.dingtalk.enabled:
        _fail("没有配置 [dingtalk] client_id：members sync 从钉钉通讯录读取（见 docs/dingtalk.md）；"
              "微信请用 unionbot members import 导入花名册")
    engine = open_engine(config)
    where = SimpleNamespace(members=MemberRepo(engine, config.union_id), settings=Settings(engine, config.union_id))
    try:
        r = sync_directory(where, DingTalkApi.from_config(config), dt.datetime.now(dt.UTC))
    except DingTalkAuthError as exc:
        _fail(str(exc))
        return
    except DingTalkError as exc:
        click.echo(f"同步失败，花名册未改动：{exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps({"people": r.people, "added": list(r.added), "updated": list(r.updated),
                               "left": list(r.left), "returned": list(r.returned),
                               "ambiguous": list(r.ambiguous)}, ensure_ascii=False, indent=2))
        return
    click.echo(f"钉钉通讯录共 {r.people} 人：新增 {len(r.added)}，更新 {len(r.updated)}，"
               f"离开 {len(r.left)}，回归 {len(r.returned)}。")
    if r.left:
        click.echo(f"已不在通讯录（角色已取消，记录保留）：{'、'.join(r.left)}")
    if r.ambiguous:
        click.echo(f"花名册中有重名、未能按姓名对应：{'、'.join(r.ambiguous)}（已按 userid 新建）")


@members.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def members_list(config_path: str | None, as_json: bool) -> None:
    """列出已知的教职工及其联系人 ID 和身份（填写配置 [roles] 时用）。"""
    from bot.app import open_engine
    from handlers.access import Access
    from handlers.base import ROLE_LABELS
    from storage.directory import is_left
    from storage.members import MemberRepo, member_code

    config = _load(config_path)
    people = []
    repo = MemberRepo(open_engine(config), config.union_id)
    access = Access(config.roles, repo)  # the same rule the chat asks
    for m in repo.all():
        roles = sorted(access.roles_of(m.contact_id or "", m.roster_role, m.id, m.remark))
        people.append({"name": m.name, "contact_id": m.contact_id, "code": member_code(m.id),
                       "display_name": m.display_name,
                       "department": m.department, "in_roster": m.in_roster, "left": is_left(m.contact_id),
                       "roles": [ROLE_LABELS[r] for r in roles]})
    if as_json:
        click.echo(json.dumps({"members": people}, ensure_ascii=False, indent=2))
        return
    unbound = "未绑定钉钉" if config.dingtalk.enabled else "未绑定微信"
    for p in people:
        bound = "（已离开钉钉通讯录）" if p["left"] else "" if p["in_roster"] else "（未在花名册）"
        click.echo(f"{p['name']}{bound}\t{p['contact_id'] or unbound}\t{p['department']}\t{'、'.join(p['roles'])}")


@main.group()
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
            _fail("--semester-start 应写成 2027-02-22")
    # A dry run needs no database, so it works without a config file.
    config = default_config() if dry_run and not _config_exists(config_path) else _load(config_path)
    try:
        text = read_plan_file(path)
    except PlanReadError as exc:
        _fail(str(exc))
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


def _config_exists(config_path: str | None) -> bool:
    return resolve_config_path(config_path).is_file()


@plan.command("ics")
@config_option
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
def plan_ics(config_path: str | None, year: int, out_path: Path) -> None:
    """把某年的活动安排导出为日历文件（.ics）。"""
    from bot.app import build_services, open_engine
    from handlers.schedule import calendar_entries
    from schedules.ics import build_ics

    config = _load(config_path)
    services = build_services(config, open_engine(config))
    items = services.schedule.list(year)
    data = build_ics(calendar_entries(items, config.union_id), f"{config.union_name}{year}", config.timezone,
                     config.calendar)
    out_path.write_bytes(data)
    click.echo(f"已导出 {len(items)} 项活动到 {out_path}")


@main.group()
def signup() -> None:
    """活动报名。"""


def _services(config: Config):  # type: ignore[no-untyped-def]
    from bot.app import build_services, open_engine

    return build_services(config, open_engine(config))


def _iso(value: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    return value.astimezone(tz).isoformat() if value else None


@signup.command("list")
@config_option
@click.argument("number", type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def signup_list(config_path: str | None, number: int, as_json: bool) -> None:
    """报名名单：{"event": {...}, "confirmed": [...], "waitlist": [...]}。"""
    config = _load(config_path)
    roster = _services(config).signups.roster(number)
    if roster is None:
        _fail(f"没有编号为 {number} 的报名活动")
        return
    e, tz = roster.event, config.tz

    def person(s: Any) -> dict[str, Any]:
        return {"name": s.name, "department": s.department, "contact_id": s.contact_id, "extra": s.extra,
                "note": s.note, "signed_at": _iso(s.signed_at, tz), "by": s.by}

    data = {
        "event": {"number": e.number, "title": e.title, "starts_at": _iso(e.starts_at, tz), "place": e.place,
                  "capacity": e.capacity, "confirmed_seats": e.confirmed_seats, "deadline": _iso(e.deadline, tz),
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
    from handlers.signups import signup_workbook

    config = _load(config_path)
    services = _services(config)
    if services.signups.get(number) is None:
        _fail(f"没有编号为 {number} 的报名活动")
        return
    out_path.write_bytes(signup_workbook(services.signups.all_signups(number), config.tz))
    click.echo(f"已导出到 {out_path}")


@main.group()
def proposals() -> None:
    """教代会提案。"""


@proposals.command("list")
@config_option
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="届次年份（默认全部）")
@click.option("--status", default=None, help="只列出某个状态，例如 立案")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def proposals_list(config_path: str | None, year: int | None, status: str | None, as_json: bool) -> None:
    """提案列表：{"proposals": [...]}。"""
    from storage.proposals import STATUSES

    config = _load(config_path)
    if status and status not in STATUSES:
        _fail(f"状态应是：{'、'.join(STATUSES)}")
    repo = _services(config).proposals
    rows = repo.list(year, status)
    if not as_json:
        for p in rows:
            click.echo(f"{p.code} {p.title}（{p.proposer_name}）{p.status}")
        return
    tz = config.tz
    data = {"proposals": [{
        "code": p.code, "year": p.year, "number": p.seq, "title": p.title, "reason": p.reason,
        "suggestion": p.suggestion, "proposer": p.proposer_name,
        "cosigners": [c.name for c in repo.cosigners(p.id)], "status": p.status, "department": p.department,
        "review_note": p.review_note, "answer": p.answer, "evaluation": p.evaluation,
        "evaluation_note": p.evaluation_note, "merged_into": p.merged_into or None,
        "created_at": _iso(p.created_at, tz), "updated_at": _iso(p.updated_at, tz),
    } for p in rows]}
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@main.group()
def notices() -> None:
    """通知与回执。"""


@notices.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def notices_list(config_path: str | None, as_json: bool) -> None:
    """通知列表：{"notices": [...]}（需回执的带回执数）。"""
    from handlers.notices import notice_json, receipt_status

    config = _load(config_path)
    services = _services(config)
    rows = []
    for n in services.notices.list():
        item = notice_json(n, config.tz)
        if n.needs_receipt:
            st = receipt_status(services, n)
            item.update(acknowledged=len(st.acknowledged), expected=len(st.acknowledged) + len(st.missing))
        rows.append(item)
    if as_json:
        click.echo(json.dumps({"notices": rows}, ensure_ascii=False, indent=2))
        return
    for r in rows:
        receipt = f"（已收到 {r['acknowledged']}/{r['expected']}）" if r["needs_receipt"] else ""
        click.echo(f"{r['number']}\t{r['text'][:40]}{receipt}")


@notices.command("receipts")
@config_option
@click.argument("number", type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def notices_receipts(config_path: str | None, number: int, as_json: bool) -> None:
    """一条通知的回执：{"notice": {...}, "acknowledged": [...], "missing": [...]}。"""
    from handlers.notices import by_department, notice_json, person_json, receipt_status

    config = _load(config_path)
    services = _services(config)
    notice = services.notices.get(number)
    if notice is None or not notice.needs_receipt:
        _fail(f"没有编号为 {number} 的回执通知")
    st = receipt_status(services, notice)
    if as_json:
        click.echo(json.dumps({"notice": notice_json(notice, config.tz),
                               "acknowledged": [person_json(p, config.tz) for p in st.acknowledged],
                               "missing": [person_json(p, config.tz) for p in st.missing]},
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"通知 {number} 已收到 {len(st.acknowledged)}/{len(st.acknowledged) + len(st.missing)}")
    for line in by_department(st.missing):
        click.echo(line)


@main.group()
def votes() -> None:
    """投票与选举。"""


@votes.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def votes_list(config_path: str | None, as_json: bool) -> None:
    """投票列表：{"votes": [...]}（无记名投票结束前不含票数）。"""
    from handlers.votes import vote_json

    config = _load(config_path)
    services = _services(config)
    now = dt.datetime.now(dt.UTC)
    rows = [vote_json(services, v, now, config.tz) for v in services.votes.list()]
    if as_json:
        click.echo(json.dumps({"votes": rows}, ensure_ascii=False, indent=2))
        return
    for r in rows:
        state = "已结束" if r["status"] == "closed" else "进行中"
        click.echo(f"{r['number']}\t{r['title']}\t{state}\t投票 {r['voted']} 人")


@votes.command("result")
@config_option
@click.argument("number", type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def votes_result(config_path: str | None, number: int, as_json: bool) -> None:
    """一项投票的结果（无记名投票结束前只有投票人数）。"""
    from handlers.votes import vote_json

    config = _load(config_path)
    services = _services(config)
    v = services.votes.get(number)
    if v is None:
        _fail(f"没有编号为 {number} 的投票")
    data = vote_json(services, v, dt.datetime.now(dt.UTC), config.tz)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"{data['number']} {data['title']}：投票 {data['voted']} 人")
    if "counts" in data:
        click.echo("  ".join(f"{o} {c} 票" for o, c in zip(data["options"], data["counts"], strict=True)))
    if "rule" in data:
        click.echo(f"依据：{data['rule']}")


@proposals.command("export")
@config_option
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
def proposals_export(config_path: str | None, year: int, out_path: Path) -> None:
    """导出提案汇总表（.xlsx）。"""
    from handlers.proposals import proposals_workbook

    config = _load(config_path)
    repo = _services(config).proposals
    out_path.write_bytes(proposals_workbook(repo, year))
    click.echo(f"已导出 {len(repo.list(year))} 件提案到 {out_path}")


@main.group()
def welfare() -> None:
    """慰问与帮扶（福利委员的台账）。"""


@welfare.command("export")
@config_option
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
def welfare_export(config_path: str | None, year: int, out_path: Path) -> None:
    """导出慰问台账（.xlsx）。个人信息：请妥善保管导出的文件。"""
    import getpass

    from handlers.welfare import ledger_workbook
    from storage.welfare import Actor

    config = _load(config_path)
    desk = _services(config).welfare
    # The server's operator acts as an officer here; the audit log says who ran it.
    actor = Actor(f"cli:{getpass.getuser()}", "命令行导出", None, officer=True)
    rows = desk.ledger(actor, year, dt.datetime.now(dt.UTC)) or []
    out_path.write_bytes(ledger_workbook(rows, year, config.tz))
    click.echo(f"已导出 {len(rows)} 件到 {out_path}")


if __name__ == "__main__":
    main()
