"""The page imports a plan and answers the open form through actions, never chat text (issue 25):
no Pipeline and no chat Request is involved, bad input gets field-keyed problems and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

import bot.pipeline
import handlers.base
from handlers.actions import open_forms, plans
from handlers.actions.core import SENTENCES, Problems
from handlers.base import Attachment
from tests.test_actions import acting, env  # noqa: F401  (the fixture)
from tests.test_web import ADMIN, MEMBER, PLAN, login, post


def _no_chat(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the page went through the chat")

    monkeypatch.setattr(bot.pipeline.Pipeline, "handle", boom)
    monkeypatch.setattr(handlers.base.Request, "__init__", boom)


def test_the_page_imports_a_plan_without_any_chat_text(env, monkeypatch) -> None:  # noqa: F811
    chat, web = env
    admin = login(chat, web, ADMIN)
    _no_chat(monkeypatch)
    preview = post(admin, "/schedule/import", {"text": PLAN}, page="/schedule")
    assert "羽毛球" in preview.text and chat.app.services.schedule.count(2027) == 0
    fixed = post(admin, "/form", {"action": "answer", "text": "删 3", "back": "/schedule"}, page="/schedule")
    assert "健步走" not in fixed.text and "羽毛球" in fixed.text  # the preview again, without item 3
    command = post(admin, "/form", {"action": "answer", "text": "#报名 1", "back": "/schedule"}, page="/schedule")
    assert SENTENCES["form_command"] in command.text and "羽毛球" in command.text  # still open, unchanged
    done = post(admin, "/form", {"action": "confirm", "back": "/schedule"}, page="/schedule")
    assert "已导入 2 项活动" in done.text
    assert any("羽毛球" in it.text for it in chat.app.services.schedule.list(2027))
    assert not any("健步走" in it.text for it in chat.app.services.schedule.list(2027))
    nothing = post(admin, "/form", {"action": "confirm", "back": "/schedule"}, page="/schedule")
    assert SENTENCES["form_none"] in nothing.text


def test_bad_plans_get_field_keyed_problems_and_change_nothing(env) -> None:  # noqa: F811
    chat, _ = env
    app = chat.app
    for who in (ADMIN, MEMBER):
        chat.text(who, "#我的信息", private=True)
    admin, member = acting(app, ADMIN), acting(app, MEMBER)
    empty = plans.start_import(admin, "  ")
    assert isinstance(empty, Problems) and empty.fields == {"plan": SENTENCES["plan_missing"]}
    prose = plans.start_import(admin, "今年工会要团结全体教职工，把工作做好。")
    assert isinstance(prose, Problems) and list(prose.fields) == ["plan"] and "没有在这段文字中找到" in prose.fields["plan"]
    pdf = plans.start_import(admin, "", Attachment("plan.pdf", b"%PDF-1.4 ..."))
    assert isinstance(pdf, Problems) and list(pdf.fields) == ["plan"]
    refused = plans.start_import(member, PLAN)
    assert isinstance(refused, Problems) and refused.fields == {"": SENTENCES["not_allowed"]}
    for ctx in (admin, member):
        assert open_forms.open_form(ctx) is None  # nothing left open
    assert app.services.schedule.count(2027) == 0
    # No form open: each button says so, by field, and changes nothing.
    assert open_forms.confirm_form(admin) == Problems({"": SENTENCES["form_none"]})
    assert open_forms.answer_form(admin, "删 3") == Problems({"": SENTENCES["form_none"]})
    opened = plans.start_import(admin, PLAN)
    assert not isinstance(opened, Problems) and opened.confirm and opened.noun == "计划导入"
    blank = open_forms.answer_form(admin, " ")
    assert blank == Problems({"text": "请填写内容"})
    wrong = open_forms.answer_form(admin, "删 99")
    assert not isinstance(wrong, Problems) and "请写上预览中的序号" in wrong.text
    again = open_forms.open_form(admin)
    assert again is not None and again.text == opened.text  # the preview is as it was
    cancelled = open_forms.cancel_form(admin)
    assert "已取消" in cancelled.text and open_forms.open_form(admin) is None
    assert app.services.schedule.count(2027) == 0
