"""What every `unionbot` subcommand shares: the --config option, loading the config, failing with exit 2,
and opening the services. The subcommand groups live in bot/cli_*.py; bot/cli.py puts them together."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

import click

from bot.config import Config, ConfigError, load_config, resolve_config_path

CONFIG_HELP = "配置文件路径（默认取环境变量 UNIONBOT_CONFIG，再默认 ./config.toml）"


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                        help=CONFIG_HELP)(func)


class ConfigProblem(click.ClickException):
    exit_code = 2  # like click's own usage errors: the caller must fix something


def load(config_path: str | None) -> Config:
    try:
        return load_config(resolve_config_path(config_path))
    except ConfigError as exc:
        raise ConfigProblem(f"配置错误：{exc}") from exc


def fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(2)


def parse_start(start: str, config: Config) -> dt.datetime:
    try:
        first = dt.datetime.fromisoformat(start)
    except ValueError:
        fail("--now 应写成 2027-03-01 08:00")
        raise
    return (first if first.tzinfo else first.replace(tzinfo=config.tz)).astimezone(dt.UTC)


def config_exists(config_path: str | None) -> bool:
    return resolve_config_path(config_path).is_file()


def open_services(config: Config):  # type: ignore[no-untyped-def]
    from bot.app import build_services, open_engine

    return build_services(config, open_engine(config))


def operator(services: Any, label: str) -> Any:
    """The server's operator acting through the typed actions, as a person would in chat: an explicit
    actor who holds every role (whoever runs the CLI on the server already holds the database); the
    audit log and what others are told name ``cli:<login>``."""
    import getpass

    from handlers.base import Chat, Context, Role, Sender

    contact = f"cli:{getpass.getuser()}"
    now = dt.datetime.now(dt.UTC).astimezone(services.tz)
    return Context(Sender(contact, label, frozenset(Role), None), Chat("private", contact), now, services)


def iso(value: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    return value.astimezone(tz).isoformat() if value else None
