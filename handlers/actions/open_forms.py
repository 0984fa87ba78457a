"""The actor's open form (a plan import's preview, a duplicate sign-up's question), as actions: show
it, confirm it, cancel it, or hand it the member's own words ('删 3'). The page calls these instead
of sending '#确认' through the chat; the form machinery (handlers.forms) does the rest, as in chat."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from handlers import forms
from handlers.actions.core import Problems, Tell
from handlers.base import CONFIRM, Attachment, Context, Form, Reply
from schedules.text_norm import normalize_message
from storage.drafts import DraftState

log = logging.getLogger("unionbot.actions")
ANSWER_LIMIT = 2000  # a word to the form ('改 5 4月 羽毛球赛'): never a plan, which comes by the import


@dataclass(frozen=True)
class OpenForm:
    noun: str  # 计划导入
    text: str  # what the member was last asked: the preview with its words, or the step's prompt
    confirm: bool  # at the confirm step


@dataclass
class FormAnswer:
    """What the form answered the actor (``texts``), what it tells others, and whether it is still open."""

    texts: list[str] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)
    tells: list[Tell] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(t for t in self.texts if t)


def _open(ctx: Context) -> tuple[Form, DraftState] | Problems:
    if not ctx.sender.contact_id:
        return Problems.of("", "not_allowed")
    draft = ctx.services.drafts.get(ctx.sender.contact_id, ctx.now)
    form = ctx.services.registry.forms.get(draft.kind) if draft is not None else None
    if draft is None or form is None:
        return Problems.of("", "form_none")
    if draft.expired:
        ctx.services.drafts.clear(ctx.sender.contact_id)
        return Problems.of("", "form_expired")
    return form, draft


def open_form(ctx: Context) -> OpenForm | None:
    """The actor's unfinished form, said again without changing anything; None when there is none
    (or it expired: the chat says so to the next answer)."""
    if not ctx.sender.contact_id:
        return None
    draft = ctx.services.drafts.get(ctx.sender.contact_id, ctx.now)
    form = ctx.services.registry.forms.get(draft.kind) if draft is not None and not draft.expired else None
    if draft is None or form is None:
        return None
    try:
        text = forms.current_text(form, draft.data, ctx)
    except Exception:  # a draft left by an older version: the chat starts it again
        log.exception("cannot show the open form %s", draft.kind)
        return None
    return OpenForm(form.noun, text, draft.data.get("step") == CONFIRM)


def confirm_form(ctx: Context) -> FormAnswer | Problems:
    found = _open(ctx)
    if isinstance(found, Problems):
        return found
    return _answer(ctx, forms.confirm(*found, ctx))


def cancel_form(ctx: Context) -> FormAnswer:
    return _answer(ctx, forms.cancel_open(ctx))


def answer_form(ctx: Context, text: str, attachment: Attachment | None = None) -> FormAnswer | Problems:
    """The member's own words to the open form, read as the chat reads them ('删 3', a step's answer)."""
    found = _open(ctx)
    if isinstance(found, Problems):
        return found
    text = text.strip()
    if not text and attachment is None:
        return Problems.of("text", "required", label="内容")
    routed = forms.check_update(forms.Message(normalize_message(text), text, text, attachment), ctx, ANSWER_LIMIT)
    if routed.replies is None:
        # A command: the page answers the open form only, never runs chat commands.
        return Problems.of("text", "form_command")
    return _answer(ctx, routed.replies)


def _answer(ctx: Context, replies: list[Reply]) -> FormAnswer:
    me = ctx.sender.contact_id
    out = FormAnswer()
    for r in replies:
        if r.to_contact and r.to_contact != me:
            out.tells.append(Tell(r.to_contact, r.text))
            continue
        if r.text:
            out.texts.append(r.text)
        if r.file is not None:
            out.files.append(r.file)
    return out
