"""The year's plan imported from the page: the chat's #导入计划 form, opened on the text or file the
page read (the same parser, preview and replace/merge rules); confirmed by handlers.actions.open_forms."""

from __future__ import annotations

from handlers import plan_import
from handlers.actions.core import Problems, allowed
from handlers.actions.open_forms import OpenForm, open_form
from handlers.base import CONFIRM, Answer, Attachment, Context, Invalid
from handlers.forms import advance


def start_import(ctx: Context, text: str, attachment: Attachment | None = None) -> OpenForm | Problems:
    """Read the plan and open its preview (items numbered, the merge with the stored year) to confirm.
    A new import replaces one left open; a plan that cannot be read leaves nothing open."""
    if not ctx.sender.contact_id or not allowed(ctx, "导入计划"):
        return Problems.of("", "not_allowed")
    if not text.strip() and attachment is None:
        return Problems.of("plan", "plan_missing")
    ctx.services.drafts.clear(ctx.sender.contact_id)
    try:
        plan = plan_import.read_plan(Answer(text.strip(), attachment, {}), ctx)
    except Invalid as exc:
        return Problems().add_text("plan", str(exc).rstrip("。"))
    data = {"values": {"plan": plan}}
    advance(plan_import.PLAN_FORM, data, ctx)
    if data.get("step") != CONFIRM:
        # Several plans in one text: the chat asks which one; the page asks for that one alone.
        asked = open_form(ctx)
        ctx.services.drafts.clear(ctx.sender.contact_id)
        return Problems().add_text("plan", asked.text if asked else "")
    opened = open_form(ctx)
    assert opened is not None  # just saved
    return opened
