"""The committee changes a proposal's 类别 after filing: one action (``actions.proposals.set_category``) behind
the chat's ``#提案类别 编号 [类别]`` and the select on the proposal's page. Who may: the committee, as for
its other steps; a name not in ``[proposals] categories`` is refused with the list; every change is kept in
the history and told to the proposer. Runs on SQLite and PostgreSQL (``env``)."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path

import openpyxl

from bot.app import App, build_app, build_services
from bot.clock import FakeClock
from handlers.rules import DEFAULT_CATEGORIES
from storage import migrate
from storage.db import make_engine
from storage.proposals import NewProposal
from tests.conftest import REPO, ChatDriver, make_config
from tests.test_web import COMMITTEE, MEMBER, env, login, post
from tests.test_web_mine import main

__all__ = ["env"]

ONE_MESSAGE = "#提案 食堂增加晚餐供应｜教师晚自习后无处就餐｜食堂周一至周五供应晚餐"
ALLOWED = "类别请从" + "、".join(DEFAULT_CATEGORIES) + "中选一个"


def filed(chat: ChatDriver) -> str:
    chat.text(MEMBER, ONE_MESSAGE, private=True)
    assert "已提交提案 2027-001" in chat.text(MEMBER, "#提交", private=True)
    return "2027-001"


def state(app: App) -> list[tuple]:
    """What a refused change must leave as it was: each proposal's 类别 and status, and its history."""
    ps = app.services.proposals
    return [(p.code, p.category, p.status, p.updated_at, [(e.action, e.note) for e in ps.history(p.id)])
            for p in ps.list()]


def test_the_committee_files_it_under_another_category_in_chat(env) -> None:  # type: ignore[no-untyped-def]
    chat, _ = env
    code = filed(chat)
    app = chat.app
    look = chat.text(COMMITTEE, f"#提案类别 {code}", private=True)
    assert "的类别：未分类" in look and "1.教育教学" in look and "6.其他" in look
    out = chat.say(COMMITTEE, f"#提案类别 {code} 后勤保障", private=True)
    assert out[0].text == f"提案 {code}《食堂增加晚餐供应》已改类别：未分类 → 后勤保障。当前状态：待审查。"
    assert [(o.contact_id, "未分类 → 后勤保障" in o.text) for o in out[1:]] == [(MEMBER, True)]
    assert app.services.proposals.find(2027, 1).category == "后勤保障"
    assert "已改类别：后勤保障 → 学校管理" in chat.text(COMMITTEE, f"#提案类别 {code} 2", private=True)  # by number
    assert "已改类别：学校管理 → 未分类" in chat.text(COMMITTEE, f"#提案类别 {code} 未分类", private=True)
    p = app.services.proposals.find(2027, 1)
    assert p.category == ""
    history = [(e.action, e.note, e.actor_name) for e in app.services.proposals.history(p.id)]
    assert history[1:] == [("改类别", "未分类 → 后勤保障", COMMITTEE), ("改类别", "后勤保障 → 学校管理", COMMITTEE),
                           ("改类别", "学校管理 → 未分类", COMMITTEE)]
    assert "类别：" not in chat.text(MEMBER, f"#提案 {code}", private=True)  # 未分类 again: no 类别 line


def test_refused_and_unknown_categories_change_nothing_in_chat(env) -> None:  # type: ignore[no-untyped-def]
    chat, _ = env
    code = filed(chat)
    chat.text(COMMITTEE, f"#提案类别 {code} 教师发展", private=True)
    before = state(chat.app)
    assert chat.text(MEMBER, f"#提案类别 {code} 福利待遇", private=True) == \
        "#提案类别 仅限提案委员会成员使用，您的消息未生效。"
    unknown = chat.text(COMMITTEE, f"#提案类别 {code} 吃喝玩乐", private=True)
    assert unknown.startswith(ALLOWED) and unknown.endswith("未修改。")
    assert chat.text(COMMITTEE, f"#提案类别 {code} 9", private=True).startswith(ALLOWED)  # no 9th category
    assert chat.text(COMMITTEE, f"#提案类别 {code} 教师发展", private=True) == \
        f"提案 {code} 的类别已是“教师发展”，未修改。"
    assert "没有编号为 2027-009 的提案" in chat.text(COMMITTEE, "#提案类别 2027-009 其他", private=True)
    assert "看不懂" in chat.text(COMMITTEE, f"#提案类别 {code} 其他 多写的", private=True)
    assert state(chat.app) == before


def test_a_union_without_categories_can_only_clear_one(tmp_path: Path, clock: FakeClock) -> None:
    chat = ChatDriver(build_app(make_config(f"sqlite:///{tmp_path}/n.db", proposals={"categories": []}), clock), clock)
    code = filed(chat)
    assert "本届提案不分类别" in chat.text(COMMITTEE, f"#提案类别 {code}", private=True)
    assert chat.text(COMMITTEE, f"#提案类别 {code} 后勤保障", private=True) == "本届提案不分类别，未修改。"
    assert chat.app.services.proposals.find(2027, 1).category == ""


def test_the_committee_changes_it_on_the_proposal_s_page(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    code = filed(chat)
    office = login(chat, web, COMMITTEE)
    page = main(office.get(f"/proposals/{code}").text)
    assert f'action="/proposals/{code}/category"' in page
    assert '<option value="" selected>未分类</option>' in page
    assert all(f"<option>{c}</option>" in page for c in DEFAULT_CATEGORIES)
    done = post(office, f"/proposals/{code}/category", {"category": "福利待遇"}, page=f"/proposals/{code}")
    shown = html.unescape(main(done.text))
    assert done.url.path == f"/proposals/{code}" and "已改类别：未分类 → 福利待遇" in shown
    assert "<option selected>福利待遇</option>" in shown and "改类别：未分类 → 福利待遇" in shown  # the history
    assert chat.app.services.proposals.find(2027, 1).category == "福利待遇"
    told = chat.pump()  # the proposer is told through the outbox, by the running bot
    assert any(o.contact_id == MEMBER and "未分类 → 福利待遇" in o.text for o in told)
    cleared = post(office, f"/proposals/{code}/category", {"category": ""}, page=f"/proposals/{code}")
    assert "福利待遇 → 未分类" in html.unescape(cleared.text)
    assert chat.app.services.proposals.find(2027, 1).category == ""


def test_the_page_refuses_a_forged_category_and_a_plain_member(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    code = filed(chat)
    office, teacher = login(chat, web, COMMITTEE), login(chat, web, MEMBER)
    before = state(chat.app)
    forged = post(office, f"/proposals/{code}/category", {"category": "吃喝玩乐"}, page=f"/proposals/{code}")
    page = html.unescape(main(forged.text))
    assert "未提交" in page and ALLOWED in page
    assert 'class="field invalid">改为' in page  # beside its field
    assert "action=\"/proposals/2027-001/category\"" in page
    assert "/category" not in main(teacher.get(f"/proposals/{code}").text)  # not offered
    refused = post(teacher, f"/proposals/{code}/category", {"category": "福利待遇"}, page=f"/proposals/{code}")
    assert refused.status_code == 404
    assert state(chat.app) == before


def test_changes_at_once_queue_and_each_history_row_names_what_it_replaced(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    services = build_services(make_config(db_url), engine)
    now = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    p = services.proposals.submit(NewProposal("标题", "案由", "建议"), services.members.touch("rep", "代表"), 2027, 0, now)
    wanted = [DEFAULT_CATEGORIES[i % 3] for i in range(24)]
    with ThreadPoolExecutor(8) as pool:
        done = list(pool.map(lambda c: services.proposals.set_category(2027, p.seq, c, "c", "委员", now), wanted))
    notes = [e.note for e in services.proposals.history(p.id) if e.action == "改类别"]
    assert len(notes) == sum(1 for c in done if not c.problem) > 0
    chain = [n.split(" → ") for n in notes]
    assert chain[0][0] == "未分类" and all(a[1] == b[0] != b[1] for a, b in pairwise(chain))
    assert chain[-1][1] == services.proposals.find(2027, p.seq).category


# What outside scripts read today, in this order: 类别 comes after all of it.
OLD_COLUMNS = ("编号", "标题", "提案人", "附议人", "状态", "承办部门", "案由", "建议", "审查意见", "答复", "评价")
OLD_KEYS = ["code", "year", "number", "title", "reason", "suggestion", "proposer", "cosigners", "status", "department",
            "review_note", "answer", "evaluation", "evaluation_note", "merged_into", "created_at", "updated_at"]


def test_the_exports_end_with_the_category(tmp_path: Path, clock: FakeClock) -> None:
    db = tmp_path / "x.db"
    chat = ChatDriver(build_app(make_config(f"sqlite:///{db}", proposals={"min_cosigners": 0}), clock), clock)
    filed(chat)
    chat.text(MEMBER, ONE_MESSAGE.replace("食堂增加晚餐供应", "增设教工健身房"), private=True)
    chat.text(MEMBER, "#提交", private=True)
    chat.text(COMMITTEE, "#提案类别 2027-002 后勤保障", private=True)

    def sheet(data: bytes) -> list[tuple]:
        return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))

    chatted = chat.say(COMMITTEE, "#导出提案 2027", private=True)[0].file
    config = tmp_path / "config.toml"
    config.write_text(f'[union]\nid = "test-school"\n[database]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    xlsx = tmp_path / "p.xlsx"
    cli = [sys.executable, "-m", "bot.cli", "proposals"]
    res = subprocess.run([*cli, "export", "--year", "2027", "--out", str(xlsx), "--config", str(config)],
                         capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr
    for rows in (sheet(chatted.data), sheet(xlsx.read_bytes())):
        assert rows[0] == (*OLD_COLUMNS, "类别")
        assert [(r[0], r[1], r[4], r[-1]) for r in rows[1:]] == [
            ("2027-001", "食堂增加晚餐供应", "待审查", "未分类"), ("2027-002", "增设教工健身房", "待审查", "后勤保障")]
    res = subprocess.run([*cli, "list", "--json", "--config", str(config)], capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr
    listed = json.loads(res.stdout)["proposals"]
    assert [list(p) for p in listed] == [[*OLD_KEYS, "category"]] * 2
    assert [(p["code"], p["status"], p["category"]) for p in listed] == [("2027-001", "待审查", ""),
                                                                         ("2027-002", "待审查", "后勤保障")]


def test_the_page_s_export_ends_with_the_category(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    code = filed(chat)
    chat.text(COMMITTEE, f"#提案类别 {code} 教师发展", private=True)
    got = login(chat, web, COMMITTEE).get("/proposals/export.xlsx", params={"year": "2027"})
    rows = list(openpyxl.load_workbook(io.BytesIO(got.content)).active.iter_rows(values_only=True))
    assert rows[0] == (*OLD_COLUMNS, "类别") and rows[1][0] == code and rows[1][-1] == "教师发展"
