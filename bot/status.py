"""`unionbot status`: what an operator checks first, from another process.

Read only from the database: the running bot records its heartbeat there,
handled message ids carry their time, and the outbox is the queue itself.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from bot.config import Config
from handlers.services import Services
from storage import migrate
from storage.db import session_scope
from storage.models import SeenMessage

HEARTBEAT_KEY = "status:heartbeat"
LOGIN_KEY = "status:login"  # {"state": "logged_in" | "waiting", "detail", "at"}, written by the running bot
CONNECTED_WITHIN = dt.timedelta(seconds=20)  # heartbeats are every 5 s


def collect(config: Config, services: Services, now: dt.datetime) -> dict[str, Any]:
    engine = services.schedule.engine
    settings = services.settings
    beat = settings.get(HEARTBEAT_KEY) or ""
    heartbeat = dt.datetime.fromisoformat(beat) if beat else None
    with session_scope(engine) as s:
        last = s.exec(select(func.max(SeenMessage.seen_at)).where(SeenMessage.union_id == config.union_id)).one()
    counts = services.reminders.outbox.counts()
    dropped = counts.get("dropped", 0) + counts.get("skipped", 0)
    login = json.loads(settings.get(LOGIN_KEY) or "null")
    missing = [g.label for g in config.groups if not g.id and not settings.get(f"room:{g.topic}")]
    upcoming = services.reminders.preview(now, 7)[:5]
    tz = config.tz
    return {
        "union": config.union_id,
        "connected": bool(heartbeat and now - heartbeat <= CONNECTED_WITHIN),
        "last_heartbeat": heartbeat.astimezone(tz).isoformat() if heartbeat else None,
        "last_message": last.astimezone(tz).isoformat() if last else None,
        "login": login,
        "groups_not_found": missing,
        # "skipped" is the old name of "dropped" (kept for scripts that read it): the same count.
        "outbox": {**{k: counts.get(k, 0) for k in ("pending", "sending", "sent", "failed", "missed")},
                   "skipped": dropped, "dropped": dropped},
        "dropped_reasons": services.reminders.outbox.drop_reasons(),
        "reminders_paused": services.reminders.paused,
        "next_posts": [{"due_at": p.due_at.astimezone(tz).isoformat(), "kind": p.kind, "target": p.target,
                        "text": p.text.splitlines()[0][:60]} for p in upcoming],
        "database": engine.dialect.name,
        "schema": migrate.current_revision(engine),
        "schema_head": migrate.head_revision(),
        "platform": "dingtalk" if config.dingtalk.enabled else "wechat",
        **({"dingtalk": _dingtalk(config, settings, now)} if config.dingtalk.enabled else {}),
    }


def _dingtalk(config: Config, settings: Any, now: dt.datetime) -> dict[str, Any]:
    """The month's metered calls (robot sends, uploads) against the quota, and the directory's last sync."""
    from bot.dingtalk.directory import last_synced
    from bot.dingtalk.meter import QUOTA_TZ, MonthlyMeter

    synced = last_synced(settings)
    return {"month": f"{now.astimezone(QUOTA_TZ):%Y-%m}", "metered_calls": MonthlyMeter(settings).used(now),
            "monthly_quota": config.dingtalk.monthly_quota, "bot_name": config.bot_name,
            "directory_synced_at": synced.astimezone(config.tz).isoformat() if synced else None}


def _reasons(reasons: dict[str, int]) -> str:
    return "（" + "，".join(f"{r or '未注明'} {n}" for r, n in reasons.items()) + "）" if reasons else ""


def render(st: dict[str, Any]) -> str:
    ob = st["outbox"]
    upgrade = "" if st["schema"] == st["schema_head"] else f"（最新为 {st['schema_head']}，请运行 unionbot db upgrade）"
    lines = [
        f"工会：{st['union']}",
        f"微信连接：{'已连接' if st['connected'] else '未连接'}（最近心跳 {st['last_heartbeat'] or '无'}）",
        f"最近处理的消息：{st['last_message'] or '无'}",
        "微信登录：" + (("已登录 " if st["login"]["state"] == "logged_in" else "未登录：") + st["login"]["detail"]
                    if st["login"] else "（机器人还没有连接过网关）"),
        f"发件队列：待发 {ob['pending']}，发送中 {ob['sending']}，失败 {ob['failed']}，"
        f"错过 {ob['missed']}，已发 {ob['sent']}，不再发送 {ob['dropped']}"
        + _reasons(st.get("dropped_reasons") or {}),
        f"自动提醒：{'已暂停' if st['reminders_paused'] else '开启'}",
        f"数据库：{st['database']}，结构版本 {st['schema']}" + upgrade,
    ]
    if st.get("platform") == "dingtalk":
        d = st["dingtalk"]
        lines[1] = lines[1].replace("微信连接", "钉钉连接")
        lines[3] = lines[3].replace("微信登录：已登录 ", "钉钉：").replace("微信登录：", "钉钉：")
        lines.insert(4, f"钉钉本月计量调用：{d['metered_calls']}/{d['monthly_quota']}"
                        f"（{d['month']}，机器人发消息和上传文件计入）")
        lines.append(f"钉钉通讯录最近同步：{d['directory_synced_at'] or '从未（运行 unionbot members sync）'}")
    if st["groups_not_found"] and st.get("platform") == "dingtalk":
        lines.append(f"还没绑定的群（帖子留在发件箱，绑定后发出）：{'、'.join(st['groups_not_found'])}"
                     f"——在该群 @{st['dingtalk']['bot_name']} 一次即可绑定")
    elif st["groups_not_found"]:
        lines.append(f"没找到的群（帖子留在发件箱，找到后发出）：{'、'.join(st['groups_not_found'])}"
                     "——请确认机器人在群里，并把群“保存到通讯录”")
    if st["next_posts"]:
        lines.append("接下来 7 天的提醒：")
        lines += [f"  {p['due_at'][:16].replace('T', ' ')} {p['kind']} → {p['target']}：{p['text']}"
                  for p in st["next_posts"]]
    return "\n".join(lines)
