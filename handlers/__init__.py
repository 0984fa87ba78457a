"""Chat capabilities, one module each. Handlers take a parsed request and the
services they need and return replies; they know nothing of transports or SQL."""

from __future__ import annotations

from handlers import forms, help, members, plan_import, proposals, reminders, schedule, signups, welfare
from handlers.base import Registry

MODULES = (help, schedule, signups, proposals, welfare, reminders, plan_import, members, forms)


def build_registry() -> Registry:
    return Registry.from_modules(MODULES)
