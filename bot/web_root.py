"""The composition root of the office page: builds what `web/` needs from the configuration and
hands it in (issue 25): the services, the clock, the page's settings and its session store. The page
imports nothing of `bot/`; it changes data through the typed actions only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from bot.app import build_services, open_engine
from bot.clock import SystemClock
from bot.config import Config
from storage.web_sessions import WebSessions
from web.app import create_app
from web.settings import PageSettings


def page_settings(config: Config) -> PageSettings:
    return PageSettings(union_id=config.union_id, groups=tuple((g.id, g.topic) for g in config.groups),
                        link_base=config.web.link_base)


def build_web(config: Config, clock: Callable[[], dt.datetime] | None = None,
              engine: Engine | None = None) -> FastAPI:
    """The page's application, wired."""
    clock = clock or SystemClock()
    engine = engine or open_engine(config)
    services = build_services(config, engine)
    services.schedule.cache_seconds = 0  # the bot caches a year for seconds; the desk reads it as it is
    return create_app(services, clock, page_settings(config), WebSessions(engine, config.union_id))
