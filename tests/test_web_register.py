"""The 提案 register as a desk (issue 26): search, pagination, bulk 立案/交办, the answer deadline
(督办), the printable 提案表 and the statistics charts. Each runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

from bot.clock import FakeClock
from storage.proposals import NewProposal
from tests.test_web import COMMITTEE, MEMBER, env, login, post, submit_proposal

__all__ = ["env"]  # the fixture, shared with tests/test_web.py


def seed(chat, n: int, title: str = "关于改进第{i}项工作的建议", who: str = MEMBER) -> None:  # type: ignore[no-untyped-def]
    """``n`` proposals straight into storage (the register is what is tested, not the submit form)."""
    services = chat.app.services
    chat.text(who, "#我的信息", private=True)  # registers the member
    member = services.members.find(who)[0]
    for i in range(n):
        services.proposals.submit(NewProposal(title.format(i=i), f"案由{i}", f"建议{i}"), member, 2027, 0,
                                  chat.clock())


def codes_on(html: str) -> list[str]:
    return re.findall(r'<td><a href="/proposals/(\d{4}-\d{3})">', html)


def test_search_finds_by_title_content_and_proposer_and_nothing_else(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    code = submit_proposal(chat)
    seed(chat, 3, "关于操场照明的建议{i}", who=COMMITTEE)
    member = login(chat, web, MEMBER)
    assert codes_on(member.get("/proposals", params={"q": "晚餐"}).text) == [code]
    assert codes_on(member.get("/proposals", params={"q": "晚自习后"}).text) == [code]  # 案由
    assert codes_on(member.get("/proposals", params={"q": MEMBER}).text) == [code]  # 提案人
    assert len(codes_on(member.get("/proposals", params={"q": "操场"}).text)) == 3
    # Nothing matches: an empty register, and LIKE's own characters are plain text.
    for q in ("游泳馆", "%", "_"):
        page = member.get("/proposals", params={"q": q}).text
        assert codes_on(page) == [] and "没有符合条件的提案" in page
    # Columns: 附议数 and the date.
    chat.app.services.proposals.cosign(2027, int(code[-3:]), chat.app.services.members.find(COMMITTEE)[0], 0,
                                       chat.clock())
    row = re.search(rf"<tr[^>]*>.*?{code}.*?</tr>", member.get("/proposals").text, re.S)
    assert row and "<td>1</td>" in row.group(0) and "<td>2027-03-01</td>" in row.group(0)


def test_pages_of_fifty_with_links_and_bad_page_numbers(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    seed(chat, 120)
    member = login(chat, web, MEMBER)
    first = member.get("/proposals").text
    assert len(codes_on(first)) == 50 and "共 120 件，第 1 / 3 页" in first
    assert codes_on(member.get("/proposals?page=2").text)[0] == "2027-051"
    last = codes_on(member.get("/proposals?page=3").text)
    assert last[0] == "2027-101" and last[-1] == "2027-120"
    # Out of range or not a number: the nearest page, never an error or an empty page.
    assert codes_on(member.get("/proposals?page=999").text) == last
    for bad in ("0", "-1", "abc", "9" * 40):
        page = member.get(f"/proposals?page={bad}")
        assert page.status_code == 200 and codes_on(page.text)[0] in ("2027-001", "2027-101")
    # The links keep the search and filters (plain links: no JavaScript needed).
    searched = member.get("/proposals", params={"q": "工作", "page": "2"}).text
    assert "/proposals?year=2027&amp;q=%E5%B7%A5%E4%BD%9C&amp;page=3" in searched
    assert codes_on(member.get("/proposals", params={"q": "第7项"}).text) == ["2027-008"]


def test_bulk_register_and_hand_over_report_each_item(env, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    seed(chat, 3)
    services = chat.app.services
    committee, member = login(chat, web, COMMITTEE), login(chat, web, MEMBER)
    services.proposals.transition(2027, 2, "立案", "x", "x", clock())
    # A member may not take the step: the same 404 as a page they may not open, nothing changes.
    assert post(member, "/proposals/bulk", {"action": "立案", "code": ["2027-001"]}, page="/proposals").status_code == 404
    assert "批量立案" not in member.get("/proposals").text and "批量立案" in committee.get("/proposals").text
    assert services.proposals.find(2027, 1).status == "待审查"
    out = post(committee, "/proposals/bulk", {"action": "立案", "code": ["2027-001", "2027-002", "2027-999", "x"]},
               page="/proposals").text
    assert "立案 1 件：2027-001" in out and "未办理 3 件" in out
    assert "2027-002：" in out and "2027-999：没有这件提案" in out and "x：没有这件提案" in out
    assert [services.proposals.find(2027, i).status for i in (1, 2, 3)] == ["立案", "立案", "待审查"]
    # 交办 without a department changes nothing; with one, each proposal is handed over or told why not.
    out = post(committee, "/proposals/bulk", {"action": "交办", "code": ["2027-001"]}, page="/proposals").text
    assert "请填写承办部门" in out and services.proposals.find(2027, 1).status == "立案"
    assert "请先勾选提案" in post(committee, "/proposals/bulk", {"action": "立案"}, page="/proposals").text
    out = post(committee, "/proposals/bulk", {"action": "交办", "department": "总务处",
                                              "code": ["2027-001", "2027-002", "2027-003"]}, page="/proposals").text
    assert "交办 2 件：2027-001、2027-002" in out and "未办理 1 件——2027-003：" in out
    assert [services.proposals.find(2027, i).department for i in (1, 2, 3)] == ["总务处", "总务处", ""]
    # The answer deadline: 30 days from 交办 ([proposals] answer_days); past it, 督办.
    register = committee.get("/proposals").text
    assert "2027-03-31" in register and "督办" not in register
    clock.advance(dt.timedelta(days=31))
    register = login(chat, web, COMMITTEE).get("/proposals").text  # the old session has ended (8 hours)
    assert register.count("督办</strong>") == 2


def test_print_view_and_statistics(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    code = submit_proposal(chat)
    member = login(chat, web, MEMBER)
    sheet = member.get(f"/proposals/{code}/print")
    assert sheet.status_code == 200
    for label in ("案由", "提案人", "附议人", "理由", "办法", "审查意见", "承办部门", "答复", "评价"):
        assert f"<th>{label}</th>" in sheet.text
    assert "教师晚自习后无处就餐" in sheet.text and "<nav>" not in sheet.text and "@media print" in sheet.text
    assert member.get("/proposals/2027-999/print").status_code == 404
    seed(chat, 2)
    assert member.get("/proposals/stats?year=2027").text.count("暂无数据") == 2  # no department, no rating yet
    repo, now = chat.app.services.proposals, chat.clock()
    for step, fields in (("立案", {}), ("交办", {"department": "总务处"}), ("答复", {"answer": "已办"}),
                         ("评价", {"evaluation": "满意"})):
        repo.transition(2027, 2, step, "x", "x", now, "", **fields)
    stats = member.get("/proposals/stats?year=2027").text
    assert stats.count("<svg") == 4 and "暂无数据" not in stats  # by status, by department, by category, 满意度
    assert re.search(r">待审查</text><rect[^>]*></rect><text[^>]*>2</text>", stats)
    for label in (">已评价</text>", ">总务处</text>", ">满意</text>"):
        assert label in stats
    assert "<script src=\"http" not in stats
