"""会员: binding a chat contact to its roster entry (an admin's step)."""

from __future__ import annotations

from handlers.actions.core import Problems, allowed
from handlers.base import Context
from handlers.storage_problems import name_problem
from storage.models import Member


def bind_contact(ctx: Context, contact: str, roster_name: str) -> Member | Problems:
    """The roster entry absorbs the contact: one member, one id, its history kept."""
    if not allowed(ctx, "绑定"):
        return Problems.of("", "not_allowed")
    contact, roster_name = contact.strip(), roster_name.strip()
    if not contact or not roster_name:
        return Problems.of("bind", "bind_missing")
    member, problem = ctx.services.members.bind(contact, roster_name)
    return member if member is not None else Problems().add_text("bind", name_problem(problem, roster_name, contact))
