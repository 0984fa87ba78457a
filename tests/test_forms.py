"""Forms as one mechanism, one access rule: the regressions of issue 14 (each failed before),
the form engine's own words, and the readers for dates and 键=值 tested directly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.clock import FakeClock
from handlers.access import roles_of
from handlers.base import Role
from schedules.kv import read_pairs
from schedules.when import YearRule, parse_when, read_date, read_datetime
from storage.db import session_scope
from storage.members import RosterRow
from storage.models import Draft, Proposal, WelfareRequest
from tests.conftest import ChatDriver, make_config

SH = dt.timezone(dt.timedelta(hours=8))


def count(app: App, model: type) -> int:
    with session_scope(app.engine) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def draft_kind(app: App, who: str) -> str | None:
    d = app.services.drafts.get(who, dt.datetime(2027, 3, 1, tzinfo=dt.UTC))
    return d.kind if d else None


@pytest.fixture
def reps_chat(tmp_path: Path, clock: FakeClock) -> ChatDriver:
    """Representatives are listed: 李老师 is one, 王老师 is not."""
    config = make_config(f"sqlite:///{tmp_path}/r.db", roles={
        "admins": ["王主席"], "welfare_officers": ["赵委员"], "proposal_committee": ["钱老师"],
        "representatives": ["李老师"]})
    return ChatDriver(build_app(config, clock), clock)


# --- 1. every form confirms the same way ------------------------------------------


@pytest.mark.parametrize("word", ["提交", "确认", "是", "#确认", "#提交", "确认。"])
def test_welfare_confirm_step_takes_every_confirm_word(chat: ChatDriver, app: App, word: str) -> None:
    summary = chat.text("李老师", "#申请 住院 医院=市一院 住院日期=2027-02-20 天数=5", private=True)
    assert "请核对" in summary and "确认" in summary
    out = chat.say("李老师", word, private=True)
    assert "已提交住院申请" in out[0].text, out[0].text
    assert count(app, WelfareRequest) == 1 and count(app, Draft) == 0
    assert any(o.contact_id == "赵委员" for o in out)


def test_confirm_before_the_last_step_says_what_is_missing(chat: ChatDriver, app: App) -> None:
    chat.text("李老师", "#申请 住院", private=True)
    out = chat.text("李老师", "#提交", private=True)
    assert "还没填完" in out and "医院" in out
    assert count(app, WelfareRequest) == 0


# --- 2. plain text at a step is the answer, never a command --------------------------


def test_a_title_that_looks_like_a_command_is_the_title(chat: ChatDriver, app: App) -> None:
    assert "第 1 步" in chat.text("李老师", "#提案", private=True)
    assert "第 2 步" in chat.text("李老师", "活动3次经费不足", private=True)
    assert "第 3 步" in chat.text("李老师", "报名 3 人以上的活动没有经费", private=True)
    assert "第 4 步" in chat.text("李老师", "帮助 困难教师", private=True)  # '帮助' is a command word, too
    summary = chat.text("李老师", "无", private=True)
    assert "标题：活动3次经费不足" in summary and "建议：帮助 困难教师" in summary
    # '#' words stay commands while a form is open, and the form waits.
    assert "本月活动" in chat.text("李老师", "#本月活动", private=True)
    assert "已提交提案 2027-001" in chat.text("李老师", "提交", private=True)
    assert app.services.proposals.find(2027, 1).title == "活动3次经费不足"


# --- 3. starting another form asks first; nothing is thrown away silently -----------


def test_another_form_asks_before_replacing_the_open_one(chat: ChatDriver, app: App) -> None:
    chat.text("李老师", "#提案", private=True)
    chat.text("李老师", "食堂增加晚餐", private=True)
    asked = chat.text("李老师", "#住院", private=True)
    assert "您有未完成的提案" in asked and "第 2 步" in asked and "是" in asked
    assert draft_kind(app, "李老师") == "proposal"
    # Anything else goes on with the proposal, which kept its title.
    assert "第 3 步" in chat.text("李老师", "教师晚自习后无处就餐", private=True)
    asked = chat.text("李老师", "#申请 住院 医院=市一院", private=True)
    assert "您有未完成的提案" in asked
    started = chat.text("李老师", "是", private=True)
    assert "住院日期" in started and draft_kind(app, "李老师") == "welfare"
    assert count(app, Proposal) == 0


def test_the_same_form_again_also_asks(chat: ChatDriver, app: App) -> None:
    chat.text("李老师", "#提案", private=True)
    chat.text("李老师", "食堂增加晚餐", private=True)
    assert "您有未完成的提案" in chat.text("李老师", "#提案", private=True)
    assert "第 3 步" in chat.text("李老师", "教师晚自习后无处就餐", private=True)  # 'no': the proposal goes on
    assert "已取消" in chat.text("李老师", "#取消", private=True) and draft_kind(app, "李老师") is None


def test_an_answer_that_starts_with_an_edit_word_is_an_answer(chat: ChatDriver, app: App) -> None:
    chat.text("李老师", "#提案", private=True)
    chat.text("李老师", "修订绩效方案", private=True)
    assert "第 3 步" in chat.text("李老师", "修改 绩效方案中班主任津贴偏低", private=True)
    summary = chat.text("李老师", "#修改 标题 修订绩效工资方案", private=True)
    assert "已修改标题" in summary
    chat.text("李老师", "提高班主任津贴", private=True)
    draft = chat.text("李老师", "无", private=True)
    assert "案由：修改 绩效方案中班主任津贴偏低" in draft and "标题：修订绩效工资方案" in draft


def test_cancel_and_help_always_work_in_a_form(chat: ChatDriver, app: App) -> None:
    chat.text("李老师", "#申请", private=True)
    assert "可用命令" in chat.text("李老师", "#帮助", private=True)
    assert draft_kind(app, "李老师") == "welfare"
    assert "已取消" in chat.text("李老师", "取消", private=True)
    assert draft_kind(app, "李老师") is None


def test_edit_by_label_in_any_form(chat: ChatDriver, app: App) -> None:
    chat.text("李老师", "#申请 住院 医院=市一院 住院日期=2027-02-20 天数=5", private=True)
    edited = chat.text("李老师", "#修改 天数 9", private=True)
    assert "天数：9" in edited and "500 元" in edited
    assert "天数应是数字" in chat.text("李老师", "#修改 天数 很多", private=True)
    assert "可以修改的项目" in chat.text("李老师", "#修改 颜色 红", private=True)
    assert "已提交" in chat.text("李老师", "确认", private=True)


def test_guided_signup_publishing_is_a_form(chat: ChatDriver, app: App) -> None:
    assert "每行一项" in chat.text("王主席", "#发起报名", private=True)
    bad = chat.text("王主席", "名称：羽毛球赛\n名额：很多", private=True)
    assert "名额" in bad and app.services.signups.open_events() == []
    preview = chat.text("王主席", "名称：羽毛球赛\n时间：2027-04-15 15:30\n名额：8\n截止：4月12日 17:00", private=True)
    assert "请核对" in preview and "4月15日" in preview and "名额：8 人" in preview
    assert app.services.signups.open_events() == []
    assert "已发起报名【1】羽毛球赛" in chat.text("王主席", "确认", private=True)
    assert [e.capacity for e in app.services.signups.open_events()] == [8]


def test_plan_import_is_a_form_and_keeps_its_contract_words(chat: ChatDriver, app: App) -> None:
    chat.text("王主席", "#导入计划", private=True)
    assert "没有在这段文字中找到" in chat.text("王主席", "今天天气不错", private=True)
    preview = chat.text("王主席", "三月份：\n1、三八节慰问女教工\n四月份：\n1、教职工羽毛球赛", private=True)
    assert "识别到 2 项活动" in preview and "#确认导入" in preview
    assert "已导入 2 项" in chat.text("王主席", "#确认导入", private=True)


# --- 4. one reader for dates, one for 键=值; usage from the declaration ------------------


@pytest.mark.parametrize("deadline", ["3月20日", "2027-3-20", "2027-03-20", "2027年3月20日", "3/20"])
def test_collection_deadline_takes_every_date_form(pchat_deadline: ChatDriver, deadline: str) -> None:
    out = pchat_deadline.text("钱老师", f"#征集提案 截止={deadline}")
    assert "已设置提案征集" in out and "2027-03-20" in out


@pytest.fixture
def pchat_deadline(chat: ChatDriver) -> ChatDriver:
    return chat


def test_usage_replies_come_from_the_declaration(chat: ChatDriver) -> None:
    registry = chat.app.services.registry
    for name, typed in (("代报名", "#代报名"), ("征集提案", "#征集提案 明年"), ("删除活动", "#删除活动 五")):
        spec = registry.get(name)
        who = "钱老师" if name == "征集提案" else "王主席"
        out = chat.text(who, typed)
        assert spec is not None and f"格式：{spec.syntax}" in out and spec.examples[0] in out, out


def test_read_date_forms() -> None:
    today = dt.date(2026, 11, 26)
    for text in ("2027-03-20", "2027-3-20", "2027/3/20", "2027.3.20", "2027年3月20日", "3月20日", "3月20号", "3-20",
                 "3/20", "３月２０日"):
        assert read_date(text, today) == dt.date(2027, 3, 20), text
    assert read_date("明天", today) == dt.date(2026, 11, 27)
    assert read_date("下周三", today) == dt.date(2026, 12, 2)
    assert read_date("11月20日", today, YearRule.NEAREST) == dt.date(2026, 11, 20)
    assert read_date("12月28日", dt.date(2027, 1, 3), YearRule.NEAREST) == dt.date(2026, 12, 28)
    assert read_date("3月20日", today, YearRule.THIS_YEAR, 2028) == dt.date(2028, 3, 20)
    for bad in ("2027-02-30", "明天吧", "3月", "abc", "", "13月1日"):
        assert read_date(bad, today) is None, bad
    now = dt.datetime(2027, 3, 1, 10, 0, tzinfo=SH)
    assert read_datetime("4月15日 下午3点半", now, dt.time(0, 0)) == dt.datetime(2027, 4, 15, 15, 30, tzinfo=SH)
    assert read_datetime("2027-04-15 15:30", now, dt.time(0, 0)) == dt.datetime(2027, 4, 15, 15, 30, tzinfo=SH)
    assert read_datetime("4月15日 15:30 左右", now, dt.time(0, 0)) is None
    assert parse_when("4月", 2027) == (None, [4]) and parse_when("三月", 2027) == (None, [3])
    assert parse_when("3月8日", 2027) == (dt.date(2027, 3, 8), [3]) and parse_when("15号", 2027) is None


def test_read_pairs() -> None:
    got = read_pairs("羽毛球赛 时间=4月15日 15:30 地点：体育馆\n名额＝32", ["时间", "地点", "名额"])
    assert got.head == "羽毛球赛" and got.pairs == {"时间": "4月15日 15:30", "地点": "体育馆", "名额": "32"}
    assert got.order == ["时间", "地点", "名额"] and got.unknown == []
    assert read_pairs("医院=市一院 颜色=红", ["医院"]).unknown == ["颜色"]
    assert read_pairs("没有键的文字", ["时间"]).head == "没有键的文字"
    assert read_pairs("备注：说明:内容", ["备注"]).pairs == {"备注": "说明:内容"}


# --- 5. one answer to "who is a welfare officer" ------------------------------------------


def test_a_roster_welfare_officer_is_told_of_requests_and_gets_care_lists(tmp_path: Path) -> None:
    clock = FakeClock(dt.datetime(2027, 9, 1, 0, 0, tzinfo=dt.UTC))
    app = build_app(make_config(f"sqlite:///{tmp_path}/w.db"), clock)
    app.services.members.import_roster([
        RosterRow("孙老师", role="福利委员", contact_id="t-sun"),
        RosterRow("老张", retired=True, birthday=dt.date(1950, 5, 1), contact_id="r-zhang"),
    ])
    chat = ChatDriver(app, clock)
    assert app.services.access.holders(Role.WELFARE_OFFICER) == ["t-sun", "赵委员"]
    chat.text("李老师", "#申请 住院 医院=市一院 住院日期=2027-08-20 天数=5", private=True)
    told = [o.contact_id for o in chat.say("李老师", "确认", private=True) if o.contact_id != "李老师"]
    assert sorted(told) == ["t-sun", "赵委员"]
    assert "待办申请 1 件" in chat.text("t-sun", "#待办", private=True)
    posts = chat.at(dt.datetime(2027, 9, 30, 0, 1, tzinfo=dt.UTC))
    care = sorted(p.contact_id for p in posts if "重阳节慰问提醒" in p.text)
    assert care == ["t-sun", "赵委员"]


def test_roles_from_config_and_roster_in_one_rule() -> None:
    from handlers.access import RoleRules
    rules = RoleRules(admins=frozenset({"a"}), representatives=frozenset({"r"}),
                      departments={"总务处": frozenset({"d"})})
    assert roles_of(rules, "a") == {Role.MEMBER, Role.ADMIN}
    assert roles_of(rules, "x", "福利委员、代表") == {Role.MEMBER, Role.WELFARE_OFFICER, Role.REPRESENTATIVE}
    assert Role.DEPARTMENT_OFFICER in roles_of(rules, "d")
    assert Role.REPRESENTATIVE in roles_of(RoleRules(), "anyone")  # no list: everyone may submit


# --- 6. help, hints and access agree ----------------------------------------------------


def test_a_member_who_is_not_a_representative_is_never_pointed_at_what_they_may_not_use(reps_chat: ChatDriver) -> None:
    refused = reps_chat.text("王老师", "#提案", private=True)
    assert "仅限教代会代表" in refused and "附议" not in refused
    help_text = reps_chat.text("王老师", "#帮助 教代会提案", private=True)
    assert "#附议" not in help_text
    out = reps_chat.text("王老师", "#修改 标题 新标题", private=True)
    assert "#提案" not in out
    # Everything #帮助 lists to them, they may use: none answers 仅限.
    registry = reps_chat.app.services.registry
    listed = reps_chat.text("王老师", "#帮助", private=True)
    for spec in registry.ordered:
        if f"#{spec.name} " in listed + " " or f"#{spec.name}\n" in listed:
            assert "仅限" not in reps_chat.text("王老师", f"#帮助 {spec.name}", private=True), spec.name
    assert "#附议" not in listed.split("【教代会提案】")[1].split("【")[0]
    assert "仅限教代会代表" in reps_chat.text("王老师", "#附议 2027-001", private=True)


def test_help_lists_exactly_what_the_access_rule_allows(chat: ChatDriver) -> None:
    registry = chat.app.services.registry
    access = chat.app.services.access
    for who in ("李老师", "王主席", "赵委员", "钱老师"):
        listed = chat.text(who, "#帮助", private=True)
        sender, _ = chat.app.pipeline._sender(_incoming(who))
        for spec in registry.ordered:
            shown = any(line.endswith(f"#{spec.name}") or f"#{spec.name} " in line for line in listed.splitlines())
            assert shown == access.may(sender, spec), (who, spec.name)


def _incoming(who: str):  # type: ignore[no-untyped-def]
    from bot.pipeline import Incoming
    return Incoming(message_id="", contact_id=who, contact_name=who, text="")


def test_readme_command_table_matches_the_declarations() -> None:
    """Every command #帮助 can list is in README's table, and every #command the table names exists."""
    import re as _re

    from handlers import build_registry
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    # The table is the generated block (handlers.command_table); tests/test_readme_commands.py checks it cell by cell.
    table = readme.split("<!-- commands:begin -->", 1)[1].split("<!-- commands:end -->", 1)[0]
    named = set(_re.findall(r"#([\u4e00-\u9fff]+)", table))
    registry = build_registry()
    declared = {s.name for s in registry.ordered}
    assert declared - named == set(), "missing from README's command table"
    unknown = {n for n in named if registry.get(n) is None and registry.split_glued(n) is None}
    assert unknown == set(), "README names commands that do not exist"


def test_superscript_digits_are_not_numbers(chat: ChatDriver, app: App) -> None:
    """'²'.isdigit() is True but int('²') raises: every number is read with isdecimal() (found by the fuzz)."""
    chat.text("李老师", "#申请", private=True)
    assert "没有这个类型" in chat.text("李老师", "²", private=True)
    for text in ("#收到 ²", "#投票 ² 1", "#活动 ²", "#签到 ²", "#回执 ²", "#删除活动 ²"):
        who = "王主席" if "回执" in text or "删除" in text else "李老师"
        assert "出错" not in chat.text(who, text, private=True), text
