"""The `unionbot` command line. Every subcommand takes --config PATH
(else $UNIONBOT_CONFIG, else ./config.toml). Exit codes: 0 ok, 2 bad input or config.

This module is the root: the top-level commands (chat, run, gateway, doctor, status) and the groups
from bot/cli_web.py, bot/cli_data.py, bot/cli_plan.py and bot/cli_records.py, put together below."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys

import click

from bot import cli_data, cli_plan, cli_records, cli_web
from bot.cli_common import ConfigProblem, config_option, fail, load, parse_start
from bot.config import ConfigError, load_config, resolve_config_path

__all__ = ["ConfigProblem", "main"]


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

    config = load(config_path)
    clock = FakeClock(parse_start(start, config) if start else dt.datetime.now(dt.UTC))
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
    config = load(config_path)
    from bot.clock import OffsetClock, SystemClock

    clock = OffsetClock(parse_start(start, config)) if start else SystemClock()
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
            fail(f"{exc}，填入 config.toml 的 [dingtalk] client_id 和 client_secret")
        return
    from bot.gateway import GatewayError, connection
    from bot.transports.wechaty_transport import run_wechaty

    try:
        endpoint, token = connection(config)
    except GatewayError as exc:
        fail(str(exc))
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

    config = load(config_path)
    try:
        run_gateway(config, puppet, port or config.gateway_port)
    except GatewayError as exc:
        fail(str(exc))
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


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def status(config_path: str | None, as_json: bool) -> None:
    """运行状态：连接、最近消息、发件队列、接下来的提醒、数据库版本。"""
    from bot.app import build_services
    from bot.status import collect, render
    from storage import migrate
    from storage.db import make_engine

    config = load(config_path)
    # Read only: status never migrates (that is `unionbot db upgrade`, or the bot's start).
    engine = make_engine(config.database_url)
    if migrate.current_revision(engine) != migrate.head_revision():
        fail(f"数据库结构版本为 {migrate.current_revision(engine) or '空'}，最新为 {migrate.head_revision()}；"
              "请先运行 unionbot db upgrade 或启动机器人")
    st = collect(config, build_services(config, engine), dt.datetime.now(dt.UTC))
    click.echo(json.dumps(st, ensure_ascii=False, indent=2) if as_json else render(st))


for _group in (cli_web.web, cli_data.db, cli_data.members, cli_plan.plan, cli_plan.signup, cli_records.proposals,
               cli_records.notices, cli_records.votes, cli_records.welfare):
    main.add_command(_group)


if __name__ == "__main__":
    main()
