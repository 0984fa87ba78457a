"""Welfare requests: the whole flow through the terminal transport, the group
refusal that reveals and stores nothing, the access matrix, the ledger."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from bot.app import App
from handlers.welfare_rules import DEFAULT_TYPES, check_value, find_type
from storage.db import session_scope
from storage.members import RosterRow
from storage.models import Draft, WelfareAudit, WelfareRequest
from tests.conftest import REPO, ChatDriver

OFFICER = "赵委员"
HOSPITAL = "#申请 住院 医院=市第一人民医院 住院日期=2027-02-20 天数=9"


def rows(app: App) -> list[tuple]:
    with session_scope(app.engine) as s:
        return [(r.code, r.status, r.amount, r.reject_reason) for r in s.exec(select(WelfareRequest)).scalars()]


def count(app: App, model: type) -> int:
    with session_scope(app.engine) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def submit_hospital(chat: ChatDriver, who: str = "李老师") -> str:
    chat.text(who, HOSPITAL, private=True)
    out = chat.text(who, "确认", private=True)
    assert "已提交住院申请" in out
    return out.split("编号 ")[1][:9]


def test_standards_and_values() -> None:
    hospital = find_type("住院", DEFAULT_TYPES)
    assert hospital is not None and find_type("1", DEFAULT_TYPES) is hospital and find_type("生病", DEFAULT_TYPES) is hospital
    assert [hospital.standard({"天数": d}) for d in ("3", "8", "40", "")] == [300, 500, 800, None]
    funeral = find_type("丧事", DEFAULT_TYPES)
    assert funeral is not None and funeral.standard({"亲属关系": "岳父母"}) == 800 and funeral.standard({"亲属关系": "表哥"}) is None
    today = dt.date(2027, 3, 1)
    assert check_value(hospital.fields[1], "2月20日", today) == ("2027-02-20", "")
    assert check_value(hospital.fields[2], "五天", today) == ("5", "")
    assert check_value(funeral.fields[0], "表哥", today)[0] is None


def test_guided_flow_officer_steps_and_notifications(chat: ChatDriver, app: App) -> None:
    assert "请选择申请类型" in chat.text("李老师", "#申请", private=True)
    assert "请填写医院" in chat.text("李老师", "住院", private=True)
    chat.text("李老师", "市第一人民医院", private=True)
    assert "不是日期" in chat.text("李老师", "上周", private=True)
    chat.text("李老师", "2月20日", private=True)
    summary = chat.text("李老师", "9", private=True)
    assert "本次按标准为 500 元" in summary and "只有福利委员能看到" in summary
    out = chat.say("李老师", "确认", private=True)
    assert "W2027-001" in out[0].text
    assert [(o.contact_id, "W2027-001" in o.text) for o in out[1:]] == [(OFFICER, True)]
    assert "医院" not in out[1].text  # the officer is pointed to #申请详情, not sent the details

    assert "W2027-001 住院（李老师）：待受理" in chat.text("李老师", "#我的申请", private=True)
    assert "W2027-001" in chat.text(OFFICER, "#待办", private=True)
    detail = chat.text(OFFICER, "#申请详情 W2027-001", private=True)
    assert "市第一人民医院" in detail and "天数：9" in detail
    # Officers may shorten the number as they do for proposals: '1' is this year's W…-001.
    steps = [("#受理 1", "已受理"), ("#核定 2027-1", "500 元"), ("#发放 W2027-001", "已发放")]
    for command, told in steps:
        out = chat.say(OFFICER, command, private=True)
        assert out[1].contact_id == "李老师" and told in out[1].text, command
    assert "不能发放" in chat.text(OFFICER, "#发放 W2027-001", private=True)
    assert [a.action for a in app.services.welfare.audit_log("W2027-001")] == [
        "提交", "查看", "受理", "查看", "核定", "发放", "未能发放"]  # #核定 reads the standard first


def test_report_for_a_colleague(chat: ChatDriver, app: App) -> None:
    app.services.members.import_roster([RosterRow("张三", contact_id="t-zhang")])
    chat.text("李老师", "#代报 张三 丧事 亲属关系=父母 日期=2027-02-21", private=True)
    out = chat.say("李老师", "确认", private=True)
    assert "为 张三" in out[0].text
    told = {o.contact_id: o.text for o in out[1:]}
    assert "李老师 为您提交了一项丧事慰问申请" in told["t-zhang"] and OFFICER in told
    assert "W2027-001 丧事（张三）" in chat.text("t-zhang", "#我的申请", private=True)
    # The reporter does not see it afterwards: only the member and the officers.
    assert "无权查看" in chat.text("李老师", "#申请详情 W2027-001", private=True)
    assert "没有慰问或帮扶申请" in chat.text("李老师", "#我的申请", private=True)


def test_group_refusal_reveals_and_stores_nothing(chat: ChatDriver, app: App) -> None:
    secrets = ["我父亲昨天去世了", "市第一人民医院", "抑郁"]
    group_messages = [
        "#申请 丧事 我父亲昨天去世了", "#住院 市第一人民医院 天数=3", "#代报 张三 困难帮扶 抑郁", "#困难帮扶 抑郁",
        "#我的申请", "#申请详情 W2027-001", "#待办", "#受理 W2027-001", "#核定 W2027-001 500", "#发放 W2027-001",
        "#驳回 W2027-001 抑郁", "#导出台账", "#我父亲昨天去世了", "@工会助手 我住院了 市第一人民医院",
    ]
    for text in group_messages:
        for who in ("李老师", OFFICER):
            replies = chat.say(who, text)
            assert replies, text
            for r in replies:
                assert r.room_id and not r.contact_id and r.file is None
                assert not any(s in r.text for s in secrets), (text, r.text)
                assert "私聊" in r.text, (text, r.text)
    assert count(app, WelfareRequest) == 0 and count(app, Draft) == 0 and count(app, WelfareAudit) == 0


def test_access_matrix_for_members(chat: ChatDriver, app: App) -> None:
    code = submit_hospital(chat, "李老师")
    before = rows(app)
    other_commands = ["#申请详情 {}", "#受理 {}", "#核定 {} 100", "#发放 {}", "#驳回 {} 不合规定", "#待办", "#导出台账"]
    answers: dict[str, set[str]] = {}
    for template in other_commands:
        for target in (code, "W2027-999", "W1999-001"):
            text = template.format(target)
            out = chat.say("王老师", text, private=True)
            assert len(out) == 1 and out[0].file is None and out[0].contact_id == "王老师"
            assert "市第一人民医院" not in out[0].text and "李老师" not in out[0].text
            answers.setdefault(template, set()).add(out[0].text)
    # An existing request and a missing one get the very same answer.
    assert all(len(v) == 1 for v in answers.values()), answers
    assert rows(app) == before
    refused = [a for a in app.services.welfare.audit_log() if a.actor == "王老师"]
    assert refused and all(a.action.startswith("拒绝") for a in refused)
    # Officers also cannot act on a number that does not exist, and are told so plainly.
    assert "无权查看" in chat.text(OFFICER, "#受理 W2027-999", private=True)


def test_bad_input_changes_nothing(chat: ChatDriver, app: App) -> None:
    code = submit_hospital(chat)
    before = rows(app)
    for text in ["#核定", "#核定 {} 很多", "#核定 {} 99999999", "#驳回 {}", "#受理", "#申请详情", "#导出台账 明年",
                 "#申请 住院 血型=A", "#申请 住院 天数=很久", "#申请 丧事 亲属关系=同事"]:
        out = chat.text(OFFICER, text.format(code), private=True)
        assert out and "出错" not in out, text
    chat.text(OFFICER, "#取消", private=True)
    assert rows(app) == before


def test_form_times_out(chat: ChatDriver, app: App) -> None:
    chat.text("李老师", "#申请 住院", private=True)
    chat.clock.advance(dt.timedelta(minutes=31))
    assert "超时" in chat.text("李老师", "市第一人民医院", private=True)
    assert count(app, WelfareRequest) == 0


def test_ledger_export_and_retention(chat: ChatDriver, app: App, tmp_path: Path) -> None:
    code = submit_hospital(chat)
    chat.text(OFFICER, f"#核定 {code} 600", private=True)
    chat.text(OFFICER, f"#发放 {code}", private=True)
    out = chat.say(OFFICER, "#导出台账 2027", private=True)
    assert out[0].contact_id == OFFICER and out[0].file is not None
    sheet = openpyxl.load_workbook(io.BytesIO(out[0].file.data)).active
    header, first = list(sheet.iter_rows(values_only=True))[:2]
    assert header[:4] == ("编号", "类型", "会员", "提交时间")
    assert first[0] == code and first[1] == "住院" and first[2] == "李老师" and first[7] == 600 and first[8] == "已发放"
    assert "市第一人民医院" in first[5]

    config = tmp_path / "config.toml"
    db = app.config.database_url
    config.write_text(f'[union]\nid = "test-school"\n[database]\nurl = "{db}"\n', encoding="utf-8")
    xlsx = tmp_path / "台账.xlsx"
    res = subprocess.run([sys.executable, "-m", "bot.cli", "welfare", "export", "--year", "2027", "--out", str(xlsx),
                          "--config", str(config)], capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr
    assert openpyxl.load_workbook(xlsx).active.cell(row=2, column=1).value == code
    assert any(a.actor.startswith("cli:") and a.action == "导出台账" for a in app.services.welfare.audit_log())

    # Closed requests go after the retention period (5 years by default), open ones never.
    open_code = submit_hospital(chat, "王老师")
    later = chat.clock() + dt.timedelta(days=1826)
    assert app.services.welfare.purge(later, dt.timedelta(days=1825)) == 1
    assert [r[0] for r in rows(app)] == [open_code]


@pytest.mark.parametrize("birthdays", ["list", "greeting"])
def test_scheduled_care_goes_only_to_officers(tmp_path: Path, birthdays: str) -> None:
    from bot.app import build_app
    from bot.clock import FakeClock
    from tests.conftest import make_config

    clock = FakeClock(dt.datetime(2027, 9, 1, 0, 0, tzinfo=dt.UTC))
    app = build_app(make_config(f"sqlite:///{tmp_path}/c.db", welfare={"birthdays": birthdays}), clock)
    app.services.members.import_roster([
        RosterRow("老张", retired=True, birthday=dt.date(1950, 5, 1), contact_id="r-zhang"),
        RosterRow("老王", retired=True, birthday=dt.date(1960, 10, 9)),
        RosterRow("老刘", retired=True),
        RosterRow("小李", birthday=dt.date(1990, 10, 9), contact_id="t-li"),
    ])
    chat = ChatDriver(app, clock)
    # 重阳节 2027 is 10-08; a week before is 10-01, a holiday: the list comes on the workday before, 09-30.
    posts = chat.at(dt.datetime(2027, 9, 29, 23, 59, tzinfo=dt.UTC))
    assert not [p for p in posts if "重阳节" in p.text]
    posts = chat.at(dt.datetime(2027, 9, 30, 0, 1, tzinfo=dt.UTC))  # 08:01 in Shanghai
    posts += chat.at(dt.datetime(2027, 10, 4, 0, 1, tzinfo=dt.UTC))  # the first workday of October
    posts += chat.at(dt.datetime(2027, 10, 8, 23, 0, tzinfo=dt.UTC)) + chat.at(dt.datetime(2027, 10, 9, 1, 0, tzinfo=dt.UTC))
    care = [p for p in posts if "重阳节慰问提醒" in p.text]
    assert len(care) == 1 and care[0].contact_id == OFFICER and not care[0].room_id
    assert "老张（77岁）" in care[0].text and "老王" not in care[0].text.split("无法判断")[0] and "老刘" in care[0].text
    assert all(not p.room_id for p in posts if "生日" in p.text)
    if birthdays == "greeting":
        assert [p.contact_id for p in posts if "生日快乐" in p.text] == ["t-li"]
    else:
        lists = [p for p in posts if "10月过生日的会员" in p.text]
        assert [p.contact_id for p in lists] == [OFFICER] and "9日 小李" in lists[0].text and "9日 老王" in lists[0].text


def _details(app: App) -> dict[str, str]:
    from storage.welfare import details_of

    with session_scope(app.engine) as s:
        return details_of(s.exec(select(WelfareRequest)).scalars().one())


def test_free_text_after_the_fields_keeps_them_and_goes_to_note(chat: ChatDriver, app: App) -> None:
    """Issue 27 item 4: trailing free text used to knock 天数 out and every field with it."""
    summary = chat.text("李老师", "#申请 住院 医院=市一院 住院日期=2027-03-01 天数=5 因阑尾炎手术住院", private=True)
    assert "应是数字" not in summary and "请填写医院" not in summary
    assert "医院：市一院" in summary and "天数：5" in summary and "备注：因阑尾炎手术住院" in summary
    assert "已提交住院申请" in chat.text("李老师", "确认", private=True)
    assert _details(app) == {"医院": "市一院", "住院日期": "2027-03-01", "天数": "5", "备注": "因阑尾炎手术住院"}


def test_a_bad_field_is_asked_again_alone_the_rest_kept(chat: ChatDriver, app: App) -> None:
    out = chat.text("李老师", "#申请 住院 医院=市一院 住院日期=2027-03-01 天数=很久", private=True)
    assert "天数应是数字" in out and "请填写天数" in out and "医院" not in out
    summary = chat.text("李老师", "6", private=True)
    assert "医院：市一院" in summary and "住院日期：2027-03-01" in summary and "天数：6" in summary


def test_missing_number_is_read_from_an_obvious_phrase_and_flagged(chat: ChatDriver, app: App) -> None:
    summary = chat.text("李老师", "#申请 住院 医院=市一院 住院日期=2027-03-01 阑尾炎手术住院5天", private=True)
    assert "天数：5（从“" in summary and "请核对" in summary and "备注：阑尾炎手术住院5天" in summary
    summary = chat.text("李老师", "#修改 天数 6", private=True)
    assert "天数：6" in summary and "请核对；" not in summary  # a corrected value is no longer a guess
    chat.text("李老师", "确认", private=True)
    assert _details(app)["天数"] == "6"
    # Two numbers of days: no guess, the form asks.
    assert "请填写天数" in chat.text("王主席", "#申请 住院 医院=市一院 住院日期=2027-03-01 先住3天又住2天",
                                   private=True)


def test_overlong_note_is_refused_with_its_length(chat: ChatDriver, app: App) -> None:
    out = chat.text("李老师", "#申请 住院 医院=市一院 " + "很" * 501, private=True)
    assert "请填写" not in out
    assert "备注最多 500 字，您写了 501 字" in out
    assert "最多 500 字，您写了 501 字" in chat.text("李老师", "#申请 困难帮扶 " + "难" * 501, private=True)
    assert count(app, WelfareRequest) == 0


def test_overlong_name_for_a_colleague_is_refused_not_cut(chat: ChatDriver, app: App) -> None:
    assert "姓名最多 64 字，您写了 65 字" in chat.text("李老师", "#代报 " + "张" * 65 + " 住院", private=True)
    assert count(app, Draft) == 0
