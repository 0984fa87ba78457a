"""A proposal's 类别 (issue 26: the register's columns are 类别, 附议数 and date): an optional field of the
#提案 form in chat and on the 我的 page, from ``[proposals] categories`` (a default list when unset); the
register shows and filters it, the statistics chart it. Runs on SQLite and PostgreSQL (``env``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.app import build_app
from bot.clock import FakeClock
from bot.config import ConfigError
from handlers.rules import DEFAULT_CATEGORIES
from storage.models import Proposal
from storage.proposals import NewProposal
from tests.conftest import ChatDriver, make_config
from tests.test_web import COMMITTEE, MEMBER, count, env, login, plain, post
from tests.test_web_mine import PROPOSAL, main
from tests.test_web_register import codes_on

__all__ = ["env"]

ONE_MESSAGE = "#提案 食堂增加晚餐供应｜教师晚自习后无处就餐｜食堂周一至周五供应晚餐"


def test_the_chat_form_offers_the_category_in_its_summary_and_files_it(env) -> None:  # type: ignore[no-untyped-def]
    chat, _ = env
    summary = chat.text(MEMBER, ONE_MESSAGE, private=True)
    assert "类别：未选" in summary and "1.教育教学" in summary and "#修改 类别" in summary
    refused = chat.text(MEMBER, "#修改 类别 食堂", private=True)
    assert "类别请从教育教学、学校管理" in refused and "序号" in refused
    assert "类别：后勤保障" in chat.text(MEMBER, "#修改 类别 5", private=True)
    code = re.search(r"\d{4}-\d{3}", chat.text(MEMBER, "确认", private=True)).group(0)  # type: ignore[union-attr]
    year, seq = map(int, code.split("-"))
    assert chat.app.services.proposals.find(year, seq).category == "后勤保障"
    assert "类别：后勤保障" in chat.text(MEMBER, f"#提案 {code}", private=True)


def test_the_step_by_step_chat_form_keeps_its_four_steps_and_files_no_category(env) -> None:  # type: ignore[no-untyped-def]
    chat, _ = env
    assert "第 1 步（共 4 步）" in chat.text(MEMBER, "#提案", private=True)
    chat.text(MEMBER, "食堂增加晚餐供应", private=True)
    chat.text(MEMBER, "教师晚自习后无处就餐", private=True)
    assert "第 4 步" in chat.text(MEMBER, "食堂周一至周五供应晚餐", private=True)
    assert "类别：未选" in chat.text(MEMBER, "无", private=True)
    assert "已提交提案" in chat.text(MEMBER, "提交", private=True)
    assert chat.app.services.proposals.find(2027, 1).category == ""
    assert "类别" not in chat.text(MEMBER, "#提案 2027-001", private=True)  # nothing to say


def test_a_teacher_picks_a_category_on_the_page_and_a_forged_one_files_nothing(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    teacher = login(chat, web, MEMBER)
    form = main(teacher.get("/mine").text)
    assert '<select name="category">' in form
    assert all(f"<option>{c}</option>" in form for c in DEFAULT_CATEGORIES)
    forged = post(teacher, "/mine/proposal", {**PROPOSAL, "category": "吃喝玩乐"}, page="/mine")
    page = main(forged.text)
    assert "未提交" in page and "类别请从教育教学" in page and "课间没有休息的地方" in page
    assert count(chat.app.engine, Proposal) == 0
    done = post(teacher, "/mine/proposal", {**PROPOSAL, "category": "福利待遇"}, page="/mine")
    code = done.url.path.rsplit("/", 1)[1]
    assert "类别：福利待遇" in done.text
    assert "<td>福利待遇</td>" in plain(teacher.get("/mine").text)
    sheet = teacher.get(f"/proposals/{code}/print").text
    assert "<th>类别</th><td colspan=\"3\">福利待遇</td>" in sheet


def test_the_register_shows_filters_and_charts_by_category(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    services = chat.app.services
    chat.text(MEMBER, "#我的信息", private=True)
    member = services.members.find(MEMBER)[0]
    for i, category in enumerate(("教育教学", "教育教学", "后勤保障", "")):
        services.proposals.submit(NewProposal(f"提案{i}", "案由", "建议", category), member, 2027, 0, chat.clock())
    office = login(chat, web, COMMITTEE)
    register = plain(office.get("/proposals").text)
    assert "<th>类别</th>" in register and register.count("<td>教育教学</td>") == 2
    assert "<td>未分类</td>" in register
    assert '<select name="cat">' in register and "<option>未分类</option>" in register
    assert codes_on(office.get("/proposals", params={"cat": "教育教学"}).text) == ["2027-001", "2027-002"]
    assert codes_on(office.get("/proposals", params={"cat": "未分类"}).text) == ["2027-004"]
    assert codes_on(office.get("/proposals", params={"cat": "科研"}).text) == []  # not a category: nothing
    stats = office.get("/proposals/stats?year=2027").text
    assert "<title>按类别</title>" in stats
    assert re.search(r">教育教学</text><rect[^>]*></rect><text[^>]*>2</text>", stats)
    assert re.search(r">未分类</text><rect[^>]*></rect><text[^>]*>1</text>", stats)


def test_page_links_keep_the_category_filter(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    services = chat.app.services
    chat.text(MEMBER, "#我的信息", private=True)
    member = services.members.find(MEMBER)[0]
    for i in range(51):
        services.proposals.submit(NewProposal(f"提案{i}", "案由", "建议", "教师发展"), member, 2027, 0, chat.clock())
    html = login(chat, web, MEMBER).get("/proposals", params={"cat": "教师发展"}).text
    assert "cat=%E6%95%99%E5%B8%88%E5%8F%91%E5%B1%95&amp;page=2" in html  # 教师发展, page 2


def test_a_union_names_its_own_categories_or_none(tmp_path: Path, clock: FakeClock) -> None:
    own = make_config(f"sqlite:///{tmp_path}/own.db", proposals={"categories": ["教学", "后勤"]})
    assert own.proposals.categories == ("教学", "后勤")
    chat = ChatDriver(build_app(own, clock), clock)
    assert "1.教学、2.后勤" in chat.text(MEMBER, ONE_MESSAGE, private=True)
    assert "类别：教学" in chat.text(MEMBER, "#修改 类别 教学", private=True)
    none = make_config(f"sqlite:///{tmp_path}/none.db", proposals={"categories": []})
    chat = ChatDriver(build_app(none, clock), clock)
    summary = chat.text(MEMBER, ONE_MESSAGE, private=True)
    assert "请核对提案" in summary and "类别" not in summary
    for bad in (["教学", "教学"], ["未分类"], ["教学 后勤"], ["很" * 17], "教学"):
        with pytest.raises(ConfigError, match="categories"):
            make_config(f"sqlite:///{tmp_path}/bad.db", proposals={"categories": bad})
