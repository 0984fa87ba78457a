"""Forms route themselves (issue 25, item 4): ``handlers.forms.check_update`` is the one entry the
pipeline asks before any command, and the pipeline knows nothing of a form's states.

The form's behaviour through the chat is in test_forms.py and test_invariants_forms.py; here the entry is
driven directly, with the real services, and the pipeline's source is read for what it must not hold.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from bot.app import App
from handlers import forms
from handlers.base import Chat, Context, Sender
from tests.conftest import ChatDriver

ROOT = Path(__file__).resolve().parent.parent
# What belongs to the form machinery alone: its words, its sub-state, its drafts.
FORM_STATE = {"REPLACE", "CONFIRM_WORDS", "CANCEL_WORDS", "EDIT_WORDS", "YES_WORDS", "DraftState", "drafts",
              "feed", "confirm", "edit", "apply_word", "names_step", "cancel_open", "CONFIRM"}


def test_the_pipeline_holds_no_form_state() -> None:
    tree = ast.parse((ROOT / "bot/pipeline.py").read_text(encoding="utf-8"))
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert not used & FORM_STATE, used & FORM_STATE
    forms_used = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                  and isinstance(n.value, ast.Name) and n.value.id == "forms"}
    assert forms_used == {"check_update", "Message", "Routed"}


def _ctx(app: App, who: str, group: bool = False) -> Context:
    member = app.services.members.touch(who, who, "", None)
    sender = Sender(who, who, app.services.access.roles_of(who), member.id)
    chat = Chat("group", "room-1", "全体教职工群") if group else Chat("private", who)
    return Context(sender, chat, app.pipeline.clock().astimezone(app.services.tz), app.services)


def _msg(text: str) -> forms.Message:
    return forms.Message(text, text, text)


def test_without_an_open_form_the_message_passes_to_the_registry(app: App) -> None:
    routed = forms.check_update(_msg("#帮助"), _ctx(app, "李老师"), 500)
    assert routed == forms.Routed(text="#帮助", raw="#帮助")


def test_an_open_form_takes_answers_and_its_words_but_not_commands(chat: ChatDriver, app: App) -> None:
    chat.say("李老师", "#申请", private=True)
    ctx = _ctx(app, "李老师")
    taken = forms.check_update(_msg("住院"), ctx, 500)
    assert taken.replies and "医院" in taken.replies[0].text  # the type's first field is asked next
    passed = forms.check_update(_msg("#帮助"), ctx, 500)
    assert passed.replies is None and passed.text == "#帮助"
    assert passed.draft is not None and passed.draft.kind == "welfare"  # Request.draft for the command
    # In a group the open private form is never looked at.
    assert forms.check_update(_msg("住院"), _ctx(app, "李老师", group=True), 500).replies is None
    cancelled = forms.check_update(_msg("#取消"), ctx, 500)
    assert cancelled.replies and "已取消" in cancelled.replies[0].text
    assert app.services.drafts.get("李老师", ctx.now) is None


def test_replacement_hands_back_the_waiting_command(chat: ChatDriver, app: App) -> None:
    chat.say("李老师", "#申请", private=True)
    asked = chat.text("李老师", "#提案", private=True)
    assert "回复“是”" in asked
    routed = forms.check_update(_msg("是"), _ctx(app, "李老师"), 500)
    assert routed.replies is None and routed.raw == "#提案" and routed.draft is None
    assert app.services.drafts.get("李老师", app.pipeline.clock()) is None


def test_an_expired_form_says_so_once(chat: ChatDriver, app: App) -> None:
    chat.say("李老师", "#申请", private=True)
    chat.clock.set(chat.clock() + app.services.form_ttl + dt.timedelta(minutes=1))
    ctx = _ctx(app, "李老师")
    first = forms.check_update(_msg("住院"), ctx, 500)
    assert first.replies and "已超时取消" in first.replies[0].text
    again = forms.check_update(_msg("住院"), ctx, 500)
    assert again.replies is None and again.draft is None
