"""The sections of config.toml as frozen dataclasses, and the readers that check one key each and name
it in the error (``[union] id``). bot/config.py puts them together into a Config."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from bot.dingtalk.config import DEFAULT_QUOTA, DingTalkConfig
from handlers.rules import WelfareRules as Welfare
from handlers.vote_rules import VoteRules
from handlers.welfare_rules import DEFAULT_TYPES, FormField, WelfareType
from schedules.audience import EVERYONE


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
