"""Load and validate config.toml.

Errors name the offending key (``[union] id``) so a chair editing the file by
hand can find the mistake; nothing half-valid is ever returned.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config_sections import (  # the sections are re-exported: `from bot.config import Web` keeps working
    ConfigError,
    Group,
    Limits,
    Reminders,
    Sending,
    Signups,
    Web,
    _absolute_sqlite_url,
    _date_list,
    _dingtalk,
    _float,
    _gateway_port,
    _int,
    _str,
    _str_list,
    _table,
    _time,
    _votes,
    _web,
    _welfare,
)
from bot.dingtalk.config import DingTalkConfig
from handlers.access import RoleRules
from handlers.rules import DEFAULT_CATEGORIES
from handlers.rules import ProposalRules as Proposals
from handlers.rules import WelfareRules as Welfare
from handlers.vote_rules import VoteRules
from schedules.audience import EVERYONE, parse_audiences
from schedules.holidays import CalendarOverrides

__all__ = ["ENV_CONFIG", "ENV_DATABASE", "ENV_ENDPOINT", "ENV_TOKEN", "Config",
           "ConfigError", "Group", "Limits", "Reminders", "Sending", "Signups", "Web",
           "default_config", "load_config", "parse_config", "resolve_config_path"]

ENV_CONFIG = "UNIONBOT_CONFIG"
ENV_DATABASE = "UNIONBOT_DATABASE_URL"
ENV_ENDPOINT = "WECHATY_PUPPET_SERVICE_ENDPOINT"
ENV_TOKEN = "WECHATY_PUPPET_SERVICE_TOKEN"


@dataclass(frozen=True)
class Config:
    union_id: str
    union_name: str
    timezone: str
    database_url: str
    wechaty_endpoint: str = ""
    wechaty_token: str = ""
    roles: RoleRules = field(default_factory=RoleRules)
    groups: tuple[Group, ...] = ()
    schedule_file: Path | None = None
    calendar: CalendarOverrides = field(default_factory=CalendarOverrides)
    limits: Limits = field(default_factory=Limits)
    reminders: Reminders = field(default_factory=Reminders)
    sending: Sending = field(default_factory=Sending)
    signups: Signups = field(default_factory=Signups)
    proposals: Proposals = field(default_factory=Proposals)
    welfare: Welfare = field(default_factory=Welfare)
    votes: VoteRules = field(default_factory=VoteRules)
    bot_name: str = "工会助手"
    path: Path | None = None
    gateway_port: int = 8788  # [gateway] port: where `unionbot gateway` listens on 127.0.0.1
    var_dir: Path = Path("var")  # beside the config: the gateway's token, login QR code and session
    web: Web = field(default_factory=Web)
    dingtalk: DingTalkConfig = field(default_factory=DingTalkConfig)  # [dingtalk]: client_id set = on DingTalk

    @property
    def local_gateway(self) -> bool:
        """``[wechaty] endpoint = "local"``: the gateway `unionbot gateway` runs on this machine."""
        return self.wechaty_endpoint.strip().lower() == "local"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def resolve_config_path(option: str | None) -> Path:
    """--config, else $UNIONBOT_CONFIG, else ./config.toml."""
    return Path(option or os.environ.get(ENV_CONFIG) or "config.toml")


def load_config(path: Path, env: dict[str, str] | None = None) -> Config:
    env = dict(os.environ) if env is None else env
    if not path.is_file():
        raise ConfigError(f"找不到配置文件 {path}（可复制 config.example.toml 为 config.toml 再修改）")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"配置文件 {path} 不是有效的 TOML：{exc}") from exc
    return parse_config(raw, base_dir=path.parent, env=env, path=path)


def parse_config(
    raw: dict, base_dir: Path = Path("."), env: dict[str, str] | None = None, path: Path | None = None
) -> Config:
    env = {} if env is None else env
    union = _table(raw, "union")
    union_id = _str(union, "union", "id", required=True)
    if not union_id.replace("-", "").replace("_", "").isalnum() or len(union_id) > 64:
        raise ConfigError("配置项 [union] id 只能包含字母、数字、- 和 _，且不超过 64 个字符")
    timezone = _str(union, "union", "timezone", default="Asia/Shanghai")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"配置项 [union] timezone 不是有效的时区：{timezone!r}") from exc

    database = _table(raw, "database")
    db_url = env.get(ENV_DATABASE) or _str(database, "database", "url", default="sqlite:///var/unionbot.db")
    db_url = _absolute_sqlite_url(db_url, base_dir)

    wechaty = _table(raw, "wechaty")
    roles_raw = _table(raw, "roles")
    role_ids = {
        name: frozenset(_str_list(roles_raw, "roles", name))
        for name in ("admins", "welfare_officers", "proposal_committee", "representatives")
    }

    groups_raw = raw.get("groups", [])
    if not isinstance(groups_raw, list):
        raise ConfigError("配置项 [[groups]] 应写成若干个 [[groups]] 表")
    groups = []
    for i, g in enumerate(groups_raw):
        if not isinstance(g, dict):
            raise ConfigError(f"配置项 [[groups]] 第 {i + 1} 项应是表")
        audience = g.get("audience", [EVERYONE])
        if isinstance(audience, str):
            audience = [audience]
        if not isinstance(audience, list) or not all(isinstance(a, str) for a in audience):
            raise ConfigError(f"配置项 [[groups]] 第 {i + 1} 项的 audience 应是字符串或字符串列表，例如 [\"退休教师\"]")
        group = Group(topic=_str(g, f"groups[{i}]", "topic"), id=_str(g, f"groups[{i}]", "id"),
                      audiences=parse_audiences(audience))
        if not group.label:
            raise ConfigError(f"配置项 [[groups]] 第 {i + 1} 项需要 topic 或 id")
        groups.append(group)

    schedule = _table(raw, "schedule")
    schedule_file = _str(schedule, "schedule", "file")

    calendar = _table(raw, "calendar")
    overrides = CalendarOverrides(
        holidays=frozenset(_date_list(calendar, "calendar", "holidays")),
        workdays=frozenset(_date_list(calendar, "calendar", "workdays")),
    )

    limits_raw = _table(raw, "limits")
    limits = Limits(
        max_message_chars=_int(limits_raw, "limits", "max_message_chars", 2000, minimum=50),
        form_timeout_minutes=_int(limits_raw, "limits", "form_timeout_minutes", 30, minimum=1),
    )

    rem = _table(raw, "reminders")
    quiet = _str(rem, "reminders", "quiet_hours", default="21:30-07:30")
    quiet_parts = quiet.replace("–", "-").split("-")
    if len(quiet_parts) != 2:
        raise ConfigError("配置项 [reminders] quiet_hours 应写成 \"21:30-07:30\"")
    enabled = rem.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError("配置项 [reminders] enabled 应是 true 或 false")
    reminders = Reminders(
        enabled=enabled,
        digest_time=_time(rem, "digest_time", "08:00"),
        eve_time=_time(rem, "eve_time", "16:00"),
        morning_time=_time(rem, "morning_time", "08:00"),
        quiet_start=_time({"quiet_hours": quiet_parts[0]}, "quiet_hours", ""),
        quiet_end=_time({"quiet_hours": quiet_parts[1]}, "quiet_hours", ""),
        grace_minutes=_int(rem, "reminders", "grace_minutes", 120, minimum=0),
        tick_seconds=_int(rem, "reminders", "tick_seconds", 30, minimum=1),
    )
    snd = _table(raw, "sending")
    sending = Sending(
        min_interval_seconds=_float(snd, "sending", "min_interval_seconds", 2.0),
        max_interval_seconds=_float(snd, "sending", "max_interval_seconds", 4.0),
        per_minute=_int(snd, "sending", "per_minute", 20, minimum=1),
    )
    if sending.max_interval_seconds < sending.min_interval_seconds:
        raise ConfigError("配置项 [sending] max_interval_seconds 不能小于 min_interval_seconds")
    sig = _table(raw, "signups")
    signups = Signups(list_interval_minutes=_int(sig, "signups", "list_interval_minutes", 10, minimum=1))

    prop = _table(raw, "proposals")
    depts = prop.get("departments", {})
    if not isinstance(depts, dict):
        raise ConfigError("配置项 [proposals] departments 应是表，例如 departments = { \"总务处\" = [\"wxid_abc\"] }")
    year = prop.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100):
        raise ConfigError("配置项 [proposals] year 应是年份，例如 2027")
    dates = {k: _date_list({k: [prop[k]]}, "proposals", k)[0] if k in prop else None for k in ("start", "deadline")}
    proposals = Proposals(
        min_cosigners=_int(prop, "proposals", "min_cosigners", 2, minimum=0),
        year=year, start=dates["start"], deadline=dates["deadline"],
        departments={str(k): frozenset(_str_list(depts, "proposals.departments", k)) for k in depts},
        answer_days=_int(prop, "proposals", "answer_days", 30, minimum=1),
        department_answer_days=_answer_days(prop),
        categories=_categories(prop),
    )

    welfare = _welfare(_table(raw, "welfare"))
    votes = _votes(_table(raw, "votes"))
    dingtalk = _dingtalk(_table(raw, "dingtalk"))
    wechaty_endpoint = env.get(ENV_ENDPOINT) or _str(wechaty, "wechaty", "endpoint")
    if dingtalk.enabled and wechaty_endpoint:
        where = f"环境变量 {ENV_ENDPOINT}" if env.get(ENV_ENDPOINT) else "[wechaty] endpoint"
        raise ConfigError(f"同时配置了 [dingtalk] client_id 和 {where}：一个进程只连一个平台，请删去其中一个")

    return Config(
        union_id=union_id,
        union_name=_str(union, "union", "name", default=union_id),
        timezone=timezone,
        database_url=db_url,
        wechaty_endpoint=wechaty_endpoint,
        wechaty_token=env.get(ENV_TOKEN) or _str(wechaty, "wechaty", "token"),
        roles=RoleRules(**role_ids, departments=proposals.departments),
        groups=tuple(groups),
        schedule_file=(base_dir / schedule_file) if schedule_file else None,
        calendar=overrides,
        limits=limits,
        reminders=reminders,
        sending=sending,
        signups=signups,
        proposals=proposals,
        welfare=welfare,
        votes=votes,
        bot_name=_str(union, "union", "bot_name", default="工会助手"),
        path=path,
        gateway_port=_gateway_port(_table(raw, "gateway")),
        web=_web(_table(raw, "web")),
        var_dir=(base_dir / "var").resolve(),
        dingtalk=dingtalk,
    )


def default_config() -> Config:
    """Used only where a command can work without any config (plan import --dry-run)."""
    return parse_config({"union": {"id": "default"}, "database": {"url": "sqlite://"}})


def _answer_days(prop: dict) -> dict[str, int]:
    """``[proposals] department_answer_days = { "总务处" = 15 }``: a 承办部门's own answer deadline."""
    table = prop.get("department_answer_days", {})
    if not isinstance(table, dict):
        raise ConfigError("配置项 [proposals] department_answer_days 应是表，例如 { \"总务处\" = 15 }")
    return {str(k): _int(table, "proposals.department_answer_days", k, 30, minimum=1) for k in table}


def _categories(prop: dict) -> tuple[str, ...]:
    """``[proposals] categories = ["教育教学", "后勤保障"]``: the 类别 a proposal may be filed under."""
    if "categories" not in prop:
        return DEFAULT_CATEGORIES
    names = _str_list(prop, "proposals", "categories")
    bad = [n for n in names if len(n) > 16 or n == "未分类" or any(c in n for c in "｜|、， ")]
    if bad or len(set(names)) != len(names):
        raise ConfigError("配置项 [proposals] categories 应是不重复的类别名称（每个不超过 16 字，不含空格、顿号、竖线，"
                          "不用“未分类”），例如 [\"教育教学\", \"后勤保障\"]")
    return tuple(names)
