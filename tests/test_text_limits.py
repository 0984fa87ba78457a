"""Nothing typed is cut silently (issue 27 item 5): a glimpse of someone's text is marked with …, and the
shared 键=值 reader's helpers (kv.split_trailing, kv.clip) behave as the commands rely on."""

from __future__ import annotations

from schedules.kv import clip, split_trailing
from tests.conftest import ChatDriver
from tests.test_receipts_votes import with_roster


def test_split_trailing_and_clip() -> None:
    assert split_trailing("5 因阑尾炎手术住院", str.isdecimal) == ("5", "因阑尾炎手术住院")
    assert split_trailing("12 ab\ncd", str.isdecimal) == ("12", "ab\ncd")
    assert split_trailing("很久 以前", str.isdecimal) == ("很久 以前", "")  # nothing readable: whole, reported
    assert clip("短", 5) == "短" and clip("一二三四五六", 5) == "一二三四…"


def test_a_long_notice_in_a_private_nudge_is_marked_as_shortened(chat: ChatDriver) -> None:
    with_roster(chat.app)
    notice = "请各位老师周五前提交教学计划。" + "详" * 300
    chat.text("王主席", f"#发送通知 需回执 {notice}")
    chat.pump()
    chat.text("王主席", "#催办 1", private=True)
    nudges = [o.text for o in chat.pump() if "需要回执" in o.text]
    assert nudges and all(notice[:199] + "…" in t for t in nudges)


def test_proposal_texts_are_refused_with_their_length_or_kept_whole(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    from bot.app import build_app
    from tests.conftest import make_config

    config = make_config(f"sqlite:///{tmp_path}/p.db", proposals={"min_cosigners": 0})
    chat = ChatDriver(build_app(config, clock), clock)
    assert "标题最多 60 字，您写了 61 字" in chat.text("李老师", "#提案 " + "标" * 61 + "｜案由｜建议", private=True)
    chat.text("李老师", "#提案 食堂增加晚餐供应｜教师晚自习后无处就餐｜食堂供应晚餐", private=True)
    chat.text("李老师", "#提交", private=True)
    p = chat.app.services.proposals.find(2027, 1)
    assert p is not None
    assert "理由最多 480 字，您写了 481 字" in chat.text("钱老师", "#不予立案 2027-001 " + "理" * 481)
    assert "承办部门最多 64 字，您写了 65 字" in chat.text("钱老师", "#交办 2027-001 " + "部" * 65)
    assert chat.app.services.proposals.find(2027, 1).status == p.status  # nothing changed
