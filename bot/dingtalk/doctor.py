"""`unionbot doctor` on DingTalk: the app's credentials, the directory permission, groups not yet bound,
who holds the stream, and ``[roles]`` against the directory. Read only, like the rest of doctor (the leader
lock is only tried, and let go at once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.checks import Check
from bot.config import Config
from bot.dingtalk.api import CONSOLE_PERMISSIONS, DingTalkApi, DingTalkAuthError, DingTalkError
from bot.dingtalk.directory import last_synced
from bot.status import CONNECTED_WITHIN, HEARTBEAT_KEY
from storage.directory import LEFT_PREFIX


def unbound_groups(config: Config, settings: Any) -> list[str]:
    """Configured groups whose openConversationId the bot has not learned yet (posts for them wait)."""
    return [g.label for g in config.groups if not g.id and not (settings and settings.get(f"room:{g.topic}"))]


def bind_hint(config: Config) -> str:
    return f"在该群 @{config.bot_name} 一次即可绑定（机器人须已加入该群；群改过名请更新配置里的 topic）"


def dingtalk_checks(config: Config, settings: Any, now: dt.datetime, api: DingTalkApi | None = None) -> list[Check]:
    api = api or DingTalkApi.from_config(config)
    d = config.dingtalk
    try:
        api.check_credentials()
    except DingTalkAuthError as exc:
        return [Check("钉钉凭证", "fail", f"Client ID {d.client_id} 的凭证被拒绝",
                      f"{exc}；填入 config.toml 的 [dingtalk] client_id 和 client_secret")]
    except DingTalkError as exc:
        return [Check("钉钉凭证", "fail", f"连不上钉钉（{d.api_base}）：{exc}", "检查网络、代理和 [dingtalk] api_base")]
    checks = [Check("钉钉凭证", "ok", f"Client ID {d.client_id} 的凭证有效（机器人 {d.robot}）")]
    checks.append(_directory(api, settings))
    for label in unbound_groups(config, settings):
        checks.append(Check(f"群 {label}", "warn",
                            "还没有绑定：机器人还没在这个群里听到过消息，发往该群的帖子留在发件箱", bind_hint(config)))
    bound = [g.label for g in config.groups if g.label not in unbound_groups(config, settings)]
    if bound:
        checks.append(Check("群", "ok", f"已绑定：{'、'.join(bound)}"))
    if settings is not None:
        checks.append(_stream(settings, now))
        checks += _roles(config, settings)
    return checks


def _directory(api: DingTalkApi, settings: Any) -> Check:
    try:
        departments = api.departments()
        first = api.users(1)
    except DingTalkError as exc:
        return Check("钉钉通讯录", "fail", f"读不到通讯录：{exc}",
                     f"{CONSOLE_PERMISSIONS}（通讯录部门信息读权限、成员信息读权限）")
    synced = last_synced(settings) if settings is not None else None
    when = f"，最近同步 {synced:%Y-%m-%d %H:%M} UTC" if synced else "；还没有同步过：运行 unionbot members sync"
    status = "ok" if synced else "warn"
    return Check("钉钉通讯录", status, f"可以读取：{len(departments)} 个部门，根部门 {len(first)} 人{when}",
                 "" if synced else "运行 unionbot members sync")


def _stream(settings: Any, now: dt.datetime) -> Check:
    """DingTalk gives each message to one of the app's open connections at random, so a second process (or
    a socket never closed) silently swallows a share of them. DingTalk does not tell how many connections are
    open; what can be seen is the leader lock (only its holder opens the stream) and the heartbeat."""
    from storage.leader import LeaderLock

    beat = settings.get(HEARTBEAT_KEY) or ""
    running = bool(beat) and now - dt.datetime.fromisoformat(beat) <= CONNECTED_WITHIN
    lock = LeaderLock(settings.engine, settings.union_id)
    free = lock.try_acquire()
    if free:
        lock.release()
    if not free and running:
        return Check("钉钉连接", "ok", "机器人正在运行，持有发送锁和 Stream 连接（同一工会只有它连钉钉）")
    if not free:
        return Check("钉钉连接", "warn", "发送锁被另一个进程持有，但它没有心跳：可能是卡住的旧进程，"
                     "它若还连着钉钉会吞掉一部分消息",
                     "找到并停止那个进程（systemctl status unionbot / ps），再运行 unionbot run")
    if running:
        return Check("钉钉连接", "warn", "有心跳但没有进程持有发送锁：机器人可能正在退出", "稍后再运行 unionbot doctor")
    return Check("钉钉连接", "warn", "机器人没有在运行", "运行 unionbot run（或 systemctl start unionbot）")


def _roles(config: Config, settings: Any) -> list[Check]:
    """``[roles]`` names DingTalk userids: each should be someone the directory has."""
    from storage.members import MemberRepo

    members = MemberRepo(settings.engine, settings.union_id)
    known = {m.contact_id for m in members.all() if m.contact_id}
    if not known:
        return []  # nothing synced yet: the directory line already says so
    checks = []
    for role in ("admins", "welfare_officers", "proposal_committee", "representatives"):
        for who in sorted(getattr(config.roles, role)):
            if who in known:
                continue
            gone = LEFT_PREFIX + who in known
            checks.append(Check(f"角色 {role}", "warn" if gone else "fail",
                                f"“{who}”已不在钉钉通讯录" if gone else f"“{who}”不是通讯录里任何人的 userid",
                                "从 [roles] 中删去" if gone else
                                "运行 unionbot members list 查 userid；角色只按 userid 认，不按姓名"))
    if not checks:
        checks.append(Check("角色", "ok", "配置里的角色都对应到了通讯录里的人"))
    return checks
