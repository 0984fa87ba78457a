"""`unionbot doctor`: one command that says what is wrong and what to do.

Every check is ok, warn or fail, with a fix in words a school's operator can follow. It only
reads: the database is not migrated here, and the gateway is asked with unary gRPC calls
(ding, the contact and room lists), never its event stream, so a running bot is not disturbed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.checks import Check
from bot.config import Config
from bot.gateway import GatewayError, connection, listening
from bot.status import CONNECTED_WITHIN, HEARTBEAT_KEY, LOGIN_KEY
from schedules.holidays import official_data_available
from schedules.plan_import import default_plan_year

GRPC_TIMEOUT = 8.0


def run_checks(config: Config, now: dt.datetime | None = None) -> list[Check]:
    now = now or dt.datetime.now(dt.UTC)
    checks = [Check("配置", "ok", f"{config.path or '（默认配置）'}，工会 {config.union_id}")]
    settings, db_checks = _database(config)
    checks += db_checks
    if config.dingtalk.enabled:
        from bot.dingtalk.doctor import dingtalk_checks

        checks += dingtalk_checks(config, settings, now)
    else:
        checks += _gateway(config, settings, now)
    checks.append(Check("时区", "ok", f"{config.timezone}，现在 {now.astimezone(config.tz):%Y-%m-%d %H:%M}"))
    year = default_plan_year(now.astimezone(config.tz).date())
    if official_data_available(year):
        checks.append(Check("节假日数据", "ok", f"{year} 年的法定节假日和调休已收录"))
    else:
        checks.append(Check("节假日数据", "warn", f"{year} 年的法定节假日和调休尚未收录，暂按周末和节日规则推算",
                            "国务院公布放假安排后，在配置 [calendar] 中补充 holidays / workdays"
                            "（或升级 chinese-calendar）"))
    r = config.reminders
    checks.append(Check("免打扰时段", "ok", f"{r.quiet_start:%H:%M}–{r.quiet_end:%H:%M}，这段时间不发自动提醒"))
    checks.append(_disk(config))
    return checks


def _database(config: Config) -> tuple[Any, list[Check]]:
    from storage import migrate
    from storage.db import make_engine
    from storage.settings import Settings

    try:
        engine = make_engine(config.database_url)
        current = migrate.current_revision(engine)
    except Exception as exc:
        return None, [Check("数据库", "fail", f"无法连接：{str(exc).splitlines()[0][:160]}",
                            "检查 [database] url（或 UNIONBOT_DATABASE_URL）和数据库服务")]
    head = migrate.head_revision()
    if current != head:
        return None, [Check("数据库", "fail", f"{engine.dialect.name}，结构版本 {current or '空'}，代码需要 {head}",
                            "运行 unionbot db upgrade")]
    return Settings(engine, config.union_id), [Check("数据库", "ok", f"{engine.dialect.name}，结构版本 {current}")]


def _gateway(config: Config, settings: Any, now: dt.datetime) -> list[Check]:
    try:
        endpoint, token = connection(config)
    except GatewayError as exc:
        return [Check("网关", "fail", str(exc), "按提示启动网关或填写 [wechaty] endpoint 和 token")]
    host, _, port = endpoint.rpartition(":")
    if not port.isdecimal() or not listening(int(port), host or "127.0.0.1", timeout=3):
        return [Check("网关", "fail", f"{endpoint} 连接不上", "启动网关（unionbot gateway，或检查远程 puppet 服务）")]
    try:
        seen = asyncio.run(_ask_gateway(host, int(port), token))
    except Exception as exc:
        text = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        return [Check("网关", "fail", f"{endpoint} 拒绝了请求：{text}",
                      "网关和机器人须用同一个令牌：本机网关见 var/gateway.token；远程服务核对 [wechaty] token")]
    checks = [Check("网关", "ok", f"{endpoint} 可以连接，令牌被接受")]
    checks.append(_login(settings, seen, now))
    if seen.get("contacts") is None:
        return checks  # not logged in: no rooms or contacts to check
    rooms: dict[str, dict] = seen["rooms"]
    by_topic = {r["topic"]: rid for rid, r in rooms.items()}
    for g in config.groups:
        rid = g.id or by_topic.get(g.topic) or (settings.get(f"room:{g.topic}") if settings else None)
        if rid and rid in rooms:
            checks.append(Check(f"群 {g.label}", "ok", f"找到了，{len(rooms[rid]['members'])} 人"))
        else:
            checks.append(Check(f"群 {g.label}", "fail", "机器人的微信里找不到这个群",
                                "让机器人进群并把群“保存到通讯录”；群改过名请更新配置里的 topic"))
    return checks + contact_checks(config, seen["contacts"])


def contact_checks(config: Config, contacts: dict[str, str]) -> list[Check]:
    """``contacts``: id -> the remark the bot's account gave it. Every id ``[roles]`` names must be a contact
    id or a remark; a remark two contacts share is a failure: it would give both the role, and re-link
    neither across logins."""
    checks: list[Check] = []
    holders: dict[str, list[str]] = {}
    for cid, alias in contacts.items():
        if alias:
            holders.setdefault(alias, []).append(cid)
    for alias, ids in sorted(holders.items()):
        if len(ids) > 1:
            who = "、".join(sorted(ids)[:5])
            checks.append(Check(f"备注 {alias}", "fail", f"{len(ids)} 个联系人的备注都是“{alias}”（{who}）",
                                "在机器人的微信里把备注改成各不相同（例如加上部门）；相同的备注不能用来认人"))
    for role in ("admins", "welfare_officers", "proposal_committee", "representatives"):
        for who in sorted(getattr(config.roles, role)):
            if who in contacts or who in holders:  # a remark two contacts share is said above
                continue
            checks.append(Check(f"角色 {role}", "fail", f"“{who}”不是任何联系人的 ID 或备注",
                                "发送 #我的信息 给机器人（私聊）查看自己的联系人 ID，"
                                "或运行 unionbot members list；角色只按 ID 或机器人设的备注认，不按昵称"))
    if not any(c.name.startswith(("角色", "备注")) for c in checks):
        checks.append(Check("角色", "ok", "配置里的角色都对应到了联系人"))
    return checks


def _login(settings: Any, seen: dict, now: dt.datetime) -> Check:
    recorded = json.loads(settings.get(LOGIN_KEY) or "null") if settings else None
    beat = settings.get(HEARTBEAT_KEY) if settings else ""
    running = bool(beat) and now - dt.datetime.fromisoformat(beat) <= CONNECTED_WITHIN
    if seen.get("contacts") is None:
        return Check("微信登录", "fail", "网关上的微信号没有登录",
                     "看网关终端里的二维码（或 var/login-qr.png），用机器人的微信扫码；退出登录后也要重新扫码")
    who = recorded["detail"] if recorded and recorded.get("state") == "logged_in" else "（机器人还没有记录登录信息）"
    if not running:
        return Check("微信登录", "warn", f"网关已登录；机器人没有在运行（最近登录：{who}）", "运行 unionbot run")
    if recorded and recorded.get("state") == "waiting":
        return Check("微信登录", "fail", recorded.get("detail", ""), "见说明；重启网关后机器人会自动重连")
    return Check("微信登录", "ok", f"已登录：{who}")


async def _ask_gateway(host: str, port: int, token: str) -> dict:
    """ding (token check), then the rooms with their members and the contacts with their remarks;
    ``contacts`` is None when the account is not logged in."""
    from grpclib.client import Channel
    from wechaty_grpc.wechaty import PuppetStub

    channel = Channel(host=host or "127.0.0.1", port=port)
    channel._authority = token  # how python-wechaty sends its token (wechaty-puppet-service <= 1.19.9)
    stub = PuppetStub(channel)
    try:
        await asyncio.wait_for(stub.ding(data="doctor"), GRPC_TIMEOUT)
        try:
            ids = (await asyncio.wait_for(stub.contact_list(), GRPC_TIMEOUT)).ids
        except Exception:
            return {"contacts": None}
        contacts = {}
        for cid in ids[:2000]:
            payload = await asyncio.wait_for(stub.contact_payload(id=cid), GRPC_TIMEOUT)
            contacts[cid] = payload.alias
        rooms = {}
        for rid in (await asyncio.wait_for(stub.room_list(), GRPC_TIMEOUT)).ids[:500]:
            payload = await asyncio.wait_for(stub.room_payload(id=rid), GRPC_TIMEOUT)
            rooms[rid] = {"topic": payload.topic, "members": list(payload.member_ids)}
        return {"contacts": contacts, "rooms": rooms}
    finally:
        channel.close()


def _disk(config: Config) -> Check:
    where = config.var_dir if config.var_dir.exists() else Path.cwd()
    free = shutil.disk_usage(where).free
    gb = free / 1024**3
    if free < 100 * 1024**2:
        return Check("磁盘", "fail", f"{where} 所在磁盘只剩 {gb:.2f} GB", "清理磁盘：数据库和备份需要空间")
    if free < 1024**3:
        return Check("磁盘", "warn", f"{where} 所在磁盘只剩 {gb:.2f} GB", "尽快清理磁盘")
    return Check("磁盘", "ok", f"剩余 {gb:.1f} GB")


def render(checks: list[Check]) -> str:
    mark = {"ok": "✓", "warn": "!", "fail": "✗"}
    lines = []
    for c in checks:
        lines.append(f"{mark[c.status]} {c.name}：{c.detail}")
        if c.fix and c.status != "ok":
            lines.append(f"    → {c.fix}")
    return "\n".join(lines)


def as_json(checks: list[Check]) -> str:
    return json.dumps({"checks": [asdict(c) for c in checks]}, ensure_ascii=False, indent=2)
