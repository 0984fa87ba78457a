"""Load and validate config.toml.

Errors name the offending key (``[union] id``) so a chair editing the file by
hand can find the mistake; nothing half-valid is ever returned.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.dingtalk.config import DEFAULT_QUOTA, DingTalkConfig
from handlers.access import RoleRules
from handlers.rules import ProposalRules as Proposals
from handlers.rules import WelfareRules as Welfare
from handlers.vote_rules import VoteRules
from handlers.welfare_rules import DEFAULT_TYPES, FormField, WelfareType
from schedules.audience import EVERYONE, parse_audiences
from schedules.holidays import CalendarOverrides

ENV_CONFIG = "UNIONBOT_CONFIG"
ENV_DATABASE = "UNIONBOT_DATABASE_URL"
ENV_ENDPOINT = "WECHATY_PUPPET_SERVICE_ENDPOINT"
ENV_TOKEN = "WECHATY_PUPPET_SERVICE_TOKEN"


class ConfigError(Exception):
    """A config problem, worded for the person editing the file."""


@dataclass(frozen=True)
class Group:
    topic: str = ""
    id: str = ""
    audiences: tuple[str, ...] = (EVERYONE,)

    @property
    def label(self) -> str:
        return self.topic or self.id


@dataclass(frozen=True)
class Limits:
    max_message_chars: int = 2000
    form_timeout_minutes: int = 30


@dataclass(frozen=True)
class Reminders:
    """``[reminders]``: when scheduled posts go out (times in the union's timezone)."""

    enabled: bool = True
    digest_time: dt.time = dt.time(8, 0)
    eve_time: dt.time = dt.time(16, 0)
    morning_time: dt.time = dt.time(8, 0)
    quiet_start: dt.time = dt.time(21, 30)
    quiet_end: dt.time = dt.time(7, 30)
    grace_minutes: int = 120
    tick_seconds: int = 30  # how often the scheduler looks for posts falling due


@dataclass(frozen=True)
class Sending:
    """``[sending]``: the pace of outbound posts, so a big fan-out does not get the account limited."""

    min_interval_seconds: float = 2.0
    max_interval_seconds: float = 4.0
    per_minute: int = 20


@dataclass(frozen=True)
class Signups:
    list_interval_minutes: int = 10  # the full list is posted to a group at most this often


@dataclass(frozen=True)
class Web:
    """[web]: where `unionbot web` listens, and the address login links start with."""

    host: str = "127.0.0.1"
    port: int = 8080
    base_url: str = ""  # what staff can reach; defaults to http://host:port

    @property
    def link_base(self) -> str:
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")


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


def _dingtalk(t: dict) -> DingTalkConfig:
    d = DingTalkConfig(**{k: _str(t, "dingtalk", k) or getattr(DingTalkConfig, k)
                          for k in ("client_id", "client_secret", "robot_code", "api_base", "oapi_base")},
                       monthly_quota=_int(t, "dingtalk", "monthly_quota", DEFAULT_QUOTA, minimum=1))
    if d.client_id and not d.client_secret:
        raise ConfigError("配置项 [dingtalk] 填了 client_id 但没有 client_secret（见 钉钉开发者后台 → 凭证与基础信息）")
    for key in ("api_base", "oapi_base"):
        if not getattr(d, key).startswith(("https://", "http://")):
            raise ConfigError(f"配置项 [dingtalk] {key} 应以 https:// 开头")
    return d


def default_config() -> Config:
    """Used only where a command can work without any config (plan import --dry-run)."""
    return parse_config({"union": {"id": "default"}, "database": {"url": "sqlite://"}})


def _absolute_sqlite_url(url: str, base_dir: Path) -> str:
    # A relative SQLite path is read relative to the config file, not to
    # wherever the bot happened to be started from.
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        rel = url[len(prefix):]
        return prefix + str((base_dir / rel).resolve())
    return url


def _table(raw: dict, name: str) -> dict:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"配置项 [{name}] 应是一个表")
    return value


def _str(table: dict, section: str, key: str, *, required: bool = False, default: str = "") -> str:
    value = table.get(key)
    if value is None:
        if required:
            raise ConfigError(f"缺少配置项 [{section}] {key}")
        return default
    if not isinstance(value, str):
        raise ConfigError(f"配置项 [{section}] {key} 应是字符串")
    value = value.strip()
    if required and not value:
        raise ConfigError(f"配置项 [{section}] {key} 不能为空")
    return value


def _str_list(table: dict, section: str, key: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"配置项 [{section}] {key} 应是字符串列表，例如 [\"wxid_abc\"]")
    return [v.strip() for v in value if v.strip()]


def _date_list(table: dict, section: str, key: str) -> list[dt.date]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"配置项 [{section}] {key} 应是日期列表，例如 [2027-10-01]")
    dates = []
    for v in value:
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            dates.append(v)
            continue
        try:
            dates.append(dt.date.fromisoformat(str(v)))
        except ValueError as exc:
            raise ConfigError(f"配置项 [{section}] {key} 中的 {v!r} 不是日期（应写成 2027-10-01）") from exc
    return dates


def _int(table: dict, section: str, key: str, default: int, minimum: int) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(f"配置项 [{section}] {key} 应是不小于 {minimum} 的整数")
    return value


def _time(table: dict, key: str, default: str) -> dt.time:
    value = table.get(key, default)
    section = "reminders"
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        hour, minute = value.strip().split(":")
        return dt.time(int(hour), int(minute))
    except ValueError as exc:
        raise ConfigError(f"配置项 [{section}] {key} 应是 \"HH:MM\" 形式的时间，例如 \"08:00\"") from exc


def _float(table: dict, section: str, key: str, default: float) -> float:
    value = table.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"配置项 [{section}] {key} 应是不小于 0 的数字")
    return float(value)


def _gateway_port(raw: dict) -> int:
    port = _int(raw, "gateway", "port", 8788, minimum=1)
    if port > 65535 or port == 5000:
        # python-wechaty probes 127.0.0.1:5000 at login for a web service of its own.
        raise ConfigError("配置项 [gateway] port 应是 1–65535 之间、不是 5000 的端口")
    return port


def _web(raw: dict) -> Web:
    port = _int(raw, "web", "port", 8080, minimum=1)
    if port > 65535 or port == 5000:
        raise ConfigError("配置项 [web] port 应是 1–65535 之间、不是 5000 的端口")
    base = _str(raw, "web", "base_url")
    if base and not re.match(r"^https?://[^\s/]+", base):
        raise ConfigError("配置项 [web] base_url 应以 http:// 或 https:// 开头，例如 https://gh.example.edu.cn")
    return Web(host=_str(raw, "web", "host", default="127.0.0.1"), port=port, base_url=base)


def _votes(raw: dict) -> VoteRules:
    quorum_text = _str(raw, "votes", "quorum", default="2/3")
    try:
        quorum = Fraction(quorum_text.strip())
    except (ValueError, ZeroDivisionError):
        raise ConfigError('配置项 [votes] quorum 应写成分数，例如 "2/3"') from None
    if not 0 < quorum <= 1:
        raise ConfigError('配置项 [votes] quorum 应在 0 和 1 之间，例如 "2/3"')
    half = raw.get("half_passes", False)
    if not isinstance(half, bool):
        raise ConfigError("配置项 [votes] half_passes 应是 true 或 false")
    return VoteRules(quorum=quorum, half_passes=half)


def _welfare(raw: dict) -> Welfare:
    birthdays = _str(raw, "welfare", "birthdays", default="list")
    if birthdays not in ("list", "greeting", "off"):
        raise ConfigError("配置项 [welfare] birthdays 应是 \"list\"、\"greeting\" 或 \"off\"")
    types_raw = raw.get("types")
    types = DEFAULT_TYPES
    if types_raw is not None:
        if not isinstance(types_raw, list) or not types_raw:
            raise ConfigError("配置项 [[welfare.types]] 应写成若干个 [[welfare.types]] 表")
        types = tuple(_welfare_type(t, i) for i, t in enumerate(types_raw))
    return Welfare(
        types=types,
        retention_days=_int(raw, "welfare", "retention_days", 1825, minimum=1),
        elder_age=_int(raw, "welfare", "elder_age", 70, minimum=0),
        care_days_before=_int(raw, "welfare", "care_days_before", 7, minimum=0),
        birthdays=birthdays,
    )


def _welfare_type(t: object, i: int) -> WelfareType:
    where = f"welfare.types[{i}]"
    if not isinstance(t, dict):
        raise ConfigError(f"配置项 [[welfare.types]] 第 {i + 1} 项应是表")
    name = _str(t, where, "name", required=True)
    fields = []
    for j, f in enumerate(t.get("fields", [])):
        if isinstance(f, str):
            f = {"name": f}
        if not isinstance(f, dict):
            raise ConfigError(f"配置项 [{where}] fields 第 {j + 1} 项应是字段名或表")
        kind = _str(f, where, "kind", default="text")
        if kind not in ("text", "date", "number", "choice"):
            raise ConfigError(f"配置项 [{where}] 字段 kind 应是 text、date、number 或 choice")
        fields.append(FormField(_str(f, where, "name", required=True), kind, tuple(_str_list(f, where, "choices"))))
    tiers = t.get("tiers", [])
    if not isinstance(tiers, list) or not all(isinstance(x, list) and len(x) == 2
                                              and all(isinstance(v, int) for v in x) for x in tiers):
        raise ConfigError(f"配置项 [{where}] tiers 应写成 [[起始值, 金额], …]，例如 [[1, 300], [8, 500]]")
    table = t.get("table", {})
    if not isinstance(table, dict) or not all(isinstance(v, int) for v in table.values()):
        raise ConfigError(f"配置项 [{where}] table 应是 {{ \"选项\" = 金额 }}")
    amount = t.get("amount")
    if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool) or amount < 0):
        raise ConfigError(f"配置项 [{where}] amount 应是金额（整数，元）")
    return WelfareType(name, tuple(fields) or (FormField("情况说明"),), tuple(_str_list(t, where, "aliases")),
                       amount, _str(t, where, "tiers_field"), tuple((a, b) for a, b in tiers),
                       _str(t, where, "table_field"), {str(k): v for k, v in table.items()})
