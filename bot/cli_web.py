"""`unionbot web`: the office page's server, and `web link` for a member's one-time login link."""

from __future__ import annotations

import datetime as dt
import logging

import click

from bot.cli_common import config_option, fail, load


@click.group(invoke_without_command=True)
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

    from bot.web_root import build_web
    from web.app import tune_gc

    config = load(config_path)
    port = port or config.web.port
    if port == 5000 or not 0 < port < 65536:
        # python-wechaty probes 127.0.0.1:5000 at login and fails if anything listens there.
        fail("端口应是 1–65535 之间、不是 5000 的端口")
    config = dataclasses.replace(config, web=dataclasses.replace(config.web, host=host or config.web.host, port=port))
    if logging.getLogger().level > logging.INFO:
        logging.getLogger().setLevel(logging.INFO)
    click.echo(f"工会办公网页：http://{config.web.host}:{port}（登录链接以 {config.web.link_base} 开头）")
    app = build_web(config)
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

    config = load(config_path)
    engine = open_engine(config)
    found = MemberRepo(engine, config.union_id).find(who)
    if not found:
        fail(f"没有找到“{who}”：请写花名册姓名、微信昵称或联系人 ID（unionbot members list 可查）")
    if len(found) > 1:
        names = "、".join(f"{m.name}（{m.contact_id or '未绑定'}）" for m in found[:5])
        fail(f"“{who}”对应多人：{names}，请改用联系人 ID")
    member = found[0]
    assert member.id is not None
    token = WebLogins(engine, config.union_id).issue(member.id, dt.datetime.now(dt.UTC))
    click.echo(f"{config.web.link_base}/login/{token}")
