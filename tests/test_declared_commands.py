"""The eight commands that once read their own words, now read by their declarations (issue 25 item 2),
through the terminal transport on a real database: the words people write in any order still mean what
they meant, and what the declaration cannot read is answered with its 格式 line and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.clock import FakeClock
from tests.conftest import ChatDriver, make_config


def test_sign_up_words_in_any_order(chat: ChatDriver, app: App) -> None:
    chat.text("王主席", "#发起报名 春季踏青 名额=5 家属=1")
    assert "报名成功" in chat.text("李老师", "#报名 需要接送 +1 1")  # the number last, '+1' in the middle
    roster = app.services.signups.roster(1)
    assert roster is not None
    assert [(s.name, s.extra, s.note) for s in roster.confirmed] == [("李老师", 1, "需要接送")]
    # '#报名1+1' glued: the number and the count.
    assert "报名成功" in chat.text("赵老师", "#报名1+1")
    assert [(s.name, s.extra) for s in app.services.signups.roster(1).confirmed][1] == ("赵老师", 1)  # type: ignore[union-attr]


def test_proxy_sign_up_asks_for_what_is_missing_and_changes_nothing(chat: ChatDriver, app: App) -> None:
    chat.text("王主席", "#发起报名 体检 名额=5 家属=1")
    syntax = app.services.registry.get("代报名").syntax  # type: ignore[union-attr]
    out = chat.text("王主席", "#代报名 1")
    assert out.startswith("请写上姓名。") and f"格式：{syntax}" in out
    out = chat.text("王主席", "#代报名 1 张三 +1 " + "很长" * 30)
    assert "备注最多 50 字，您写了 60 字，未报名。" in out
    assert "没有这个报名编号" in chat.text("王主席", "#代报名 9 张三")
    assert app.services.signups.roster(1).confirmed == []  # type: ignore[union-attr]
    assert "张三 +1 报名成功" in chat.text("王主席", "#代报名 1 张三 素食 +1")
    assert [(s.name, s.extra, s.note) for s in app.services.signups.roster(1).confirmed] == [  # type: ignore[union-attr]
        ("张三", 1, "素食")]


def test_cancel_by_title_or_the_only_one(chat: ChatDriver, app: App) -> None:
    chat.text("王主席", "#发起报名 春季踏青 名额=5")
    chat.text("王主席", "#发起报名 观影 名额=5")
    chat.text("李老师", "#报名 1")
    assert "已取消 李老师 的报名：春季踏青" in chat.text("李老师", "#取消报名")  # the only one
    assert app.services.signups.roster(1).confirmed == []  # type: ignore[union-attr]
    chat.text("李老师", "#报名 1")
    chat.text("李老师", "#报名 2")
    assert "请写上报名编号（发送 #我的报名 查看）" in chat.text("李老师", "#取消报名")
    assert "已取消" in chat.text("李老师", "#取消报名 观影")
    assert chat.text("李老师", "#取消报名 9") == "没有这个报名编号，发送 #我的报名 查看您的报名。"


def test_a_notice_takes_its_audience_and_receipt_words_anywhere(chat: ChatDriver, app: App) -> None:
    out = chat.text("王主席", "#发送通知 周五下午开会 对象=代表 需回执")
    assert "已开启回执" in out
    notice = app.services.notices.list()[-1]
    assert (notice.text, notice.audience, notice.needs_receipt) == ("周五下午开会", "代表", True)
    syntax = app.services.registry.get("发送通知").syntax  # type: ignore[union-attr]
    assert chat.text("王主席", "#发送通知 需回执").startswith(f"请写上通知内容。格式：{syntax}")
    assert len(app.services.notices.list()) == 1


@pytest.fixture
def pchat(tmp_path: Path, clock: FakeClock) -> ChatDriver:
    return ChatDriver(build_app(make_config(f"sqlite:///{tmp_path}/p.db"), clock), clock)


def test_a_proposal_in_one_message_needs_its_three_parts(pchat: ChatDriver) -> None:
    syntax = pchat.app.services.registry.get("提案").syntax  # type: ignore[union-attr]
    assert syntax == "#提案 | #提案 标题｜案由｜建议 | #提案 编号"
    out = pchat.text("李老师", "#提案 食堂增加晚餐供应｜教师晚自习后无处就餐", private=True)
    assert "标题、案由、建议" in out and f"格式：{syntax}" in out
    assert pchat.app.services.drafts.get("李老师", pchat.clock()) is None  # no form was opened
    assert "没有编号为 2027-009 的提案" in pchat.text("李老师", "#提案 2027-009", private=True)
    assert "请核对提案" in pchat.text("李老师", "#提案 午餐｜没有晚餐｜供应晚餐", private=True)


def test_edit_without_an_open_form_says_so_whatever_its_words(chat: ChatDriver) -> None:
    assert chat.text("李老师", "#修改", private=True) == "当前没有正在填写的内容。"
    assert chat.text("李老师", "#修改 标题 新标题", private=True) == "当前没有正在填写的内容。"
    assert chat.text("李老师", "#修改") == "请在私聊中修改正在填写的内容。"
