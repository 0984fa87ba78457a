"""Checks before a sign-up is published or someone is signed up for another (issue 27): an audience the
bot knows, no blind duplicate, and with a roster loaded no phantom member. Pure reads; the handlers in
``handlers.signups`` word what happens next."""

from __future__ import annotations

from handlers.base import Context
from handlers.storage_problems import name_problem
from storage.models import Member
from storage.signups import NewEvent


def audience_problem(audience: str, ctx: Context) -> str:
    """'' when ``audience`` is one the bot knows (fixed words, the roster's departments, what a staff group
    serves); else the problem, with the known ones listed."""
    known = ctx.services.access.audiences(a for g in ctx.services.reminders.groups for a in g.audiences)
    if audience in known:
        return ""
    return f"对象“{audience[:20]}”不是已知的报名对象（可写：{'、'.join(known[:20])}）"


def duplicate_warning(new: NewEvent, ctx: Context) -> str:
    """Said before the summary when an event with this title and time is already out (not cancelled)."""
    same = ctx.services.signups.same_events(new.title, new.starts_at)
    if not same:
        return ""
    which = "、".join(f"【{e.number}】" for e in same)
    return f"注意：已有同名、同时间的报名 {which}，确认后会再发一份（不需要请发送 #取消）。\n"


def named_member(name: str, ctx: Context) -> tuple[Member | None, str]:
    """Whom a 代报名 names: with a roster loaded, someone in it (never a new, phantom member); without
    one, anyone the bot knows by that name, or a new member."""
    roster = ctx.services.members.roster()
    if not roster:
        member, problem = ctx.services.members.ensure_named(name)
        return member, name_problem(problem, name)
    found = [m for m in roster if name == m.contact_id] or [m for m in roster if name == m.name] or [
        m for m in roster if name in (m.display_name, m.room_alias)]
    if len(found) > 1:
        return None, f"花名册中有多位“{name}”，请改用联系人 ID"
    return (found[0], "") if found else (None, f"花名册中没有“{name}”，请核对姓名（或先更新花名册）")
