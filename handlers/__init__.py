"""Chat capabilities, one module each. Handlers take a parsed request and the
services they need and return replies; they know nothing of transports or SQL."""

from __future__ import annotations

from handlers import (
    checkins,
    forms,
    help,
    members,
    notices,
    plan_import,
    proposals,
    reminders,
    schedule,
    signups,
    votes,
    welfare,
)
from handlers.base import Registry

MODULES = (help, schedule, signups, proposals, welfare, reminders, notices, votes, checkins, plan_import, members,
           forms)


def build_registry() -> Registry:
    return Registry.from_modules(MODULES)
