"""教代会 proposals: the lifecycle through the terminal transport, role checks,
bad input changing nothing, and numbering under concurrency on both databases."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest

from bot.app import App, build_app, build_services
from bot.clock import FakeClock
from storage import migrate
from storage.db import make_engine
from storage.proposals import NewProposal, parse_code
from tests.conftest import REPO, ChatDriver, make_config

ONE_MESSAGE = "#提案 食堂增加晚餐供应｜教师晚自习后无处就餐，只能吃泡面｜食堂周一至周五供应晚餐"


@pytest.fixture
def pchat(tmp_path: Path, clock: FakeClock) -> ChatDriver:
    config = make_config(f"sqlite:///{tmp_path}/p.db",
                         proposals={"min_cosigners": 2, "departments": {"总务处": ["officer-zong"]}})
    return ChatDriver(build_app(config, clock), clock)


def snapshot(app: App) -> list:
    return [(p.code, p.status, p.answer, p.evaluation, len(app.services.proposals.cosigners(p.id)),
             len(app.services.proposals.history(p.id))) for p in app.services.proposals.list()]


def test_parse_code() -> None:
    assert parse_code("2027-003", 2026) == (2027, 3)
    assert parse_code("3", 2027) == (2027, 3)
    assert parse_code("2027年12号", 2026) == (2027, 12)
    assert parse_code("abc", 2027) is None and parse_code("2027-", 2027) is None


def test_guided_form_then_full_lifecycle(pchat: ChatDriver) -> None:
    app = pchat.app
    assert "请私聊" in pchat.text("李老师", "#提案")
    assert "第 1 步" in pchat.text("李老师", "#提案", private=True)
    assert "第 2 步" in pchat.text("李老师", "食堂增加晚餐", private=True)
    assert "第 3 步" in pchat.text("李老师", "教师晚自习后无处就餐，只能吃泡面", private=True)
    assert "第 4 步" in pchat.text("李老师", "食堂周一至周五供应晚餐", private=True)
    pchat.text("王老师", "#帮助", private=True)  # 王老师 has talked to the bot: can be invited
    draft = pchat.text("李老师", "王老师", private=True)
    assert "请核对提案" in draft and "附议人：王老师" in draft
    assert "标题：食堂增加晚餐供应" in pchat.text("李老师", "#修改 标题 食堂增加晚餐供应", private=True)
    out = pchat.say("李老师", "#提交", private=True)
    assert "已提交提案 2027-001" in out[0].text and "还需 2 位代表附议" in out[0].text
    assert out[1].contact_id == "王老师" and "#附议 2027-001" in out[1].text
    p = app.services.proposals.find(2027, 1)
    assert p is not None and p.reason == "教师晚自习后无处就餐，只能吃泡面"  # punctuation kept as typed
    assert "没有待确认" in pchat.text("李老师", "#提交", private=True)

    assert "不能附议自己的提案" in pchat.text("李老师", "#附议 2027-001", private=True)
    assert "附议人数未达到" in pchat.text("钱老师", "#立案 2027-001", private=True)
    out = pchat.say("王老师", "#附议 1", private=True)
    assert "现有附议 1 人" in out[0].text and out[1].contact_id == "李老师"
    assert "无需重复" in pchat.text("王老师", "#附议 2027-001", private=True)
    assert "状态：待审查" in pchat.text("张老师", "#附议 2027-001")

    assert "仅限提案委员会成员" in pchat.text("李老师", "#立案 2027-001")
    out = pchat.say("钱老师", "#立案 2027-001", private=True)
    assert "已立案" in out[0].text
    assert {o.contact_id for o in out[1:]} == {"李老师", "王老师", "张老师"}
    told = {o.contact_id: o.text for o in out[1:]}
    assert told["李老师"].startswith("您的提案 2027-001") and told["张老师"].startswith("您附议的提案 2027-001")
    assert "已不再征集附议" in pchat.text("赵老师", "#附议 2027-001")
    out = pchat.say("钱老师", "#交办 2027-001 总务处", private=True)
    assert "已交办" in out[0].text and any(o.contact_id == "officer-zong" for o in out)
    assert "仅限提案委员会成员或承办部门联系人" in pchat.text("李老师", "#答复 2027-001 好的")
    out = pchat.say("officer-zong", "#答复 2027-001 已协调食堂，自四月起供应晚餐。", private=True)
    assert "已答复" in out[0].text
    assert any(o.contact_id == "李老师" and "#评价 2027-001" in o.text for o in out)
    assert "只有提案人可以评价" in pchat.text("王老师", "#评价 2027-001 满意", private=True)
    assert "请写上评价" in pchat.text("李老师", "#评价 2027-001 还行", private=True)
    assert "已评价" in pchat.text("李老师", "#评价 2027-001 基本满意 希望尽快落实", private=True)
    assert "已办结" in pchat.text("钱老师", "#办结 2027-001", private=True)

    detail = pchat.text("赵老师", "#提案 2027-001")
    assert "状态：办结" in detail and "承办部门：总务处" in detail and "评价：基本满意（希望尽快落实）" in detail
    p = app.services.proposals.find(2027, 1)
    actions = [e.action for e in app.services.proposals.history(p.id)]  # type: ignore[union-attr]
    assert actions == ["提交", "附议", "附议", "立案", "交办", "答复", "评价", "办结"]
    assert "2027-001《食堂增加晚餐供应》（附议）：办结" in pchat.text("王老师", "#我的提案")
    assert "交总务处办理的提案（1 件）" in pchat.text("officer-zong", "#提案列表 总务处", private=True)
    assert "既不是状态也不是承办部门" in pchat.text("王老师", "#提案列表 教务处")
    stats = pchat.text("赵老师", "#提案统计")
    assert "共 1 件" in stats and "按状态：办结 1" in stats and "总务处：1 件（已答复 1，办理中 0）" in stats
    assert "满意度：基本满意 1" in stats
    assert "2026 年还没有提案" in pchat.text("赵老师", "#提案统计 2026")


def test_wrong_department_and_status_order(pchat: ChatDriver) -> None:
    pchat.text("李老师", ONE_MESSAGE, private=True)
    pchat.text("李老师", "#提交", private=True)
    for who in ("王老师", "张老师"):
        pchat.text(who, "#附议 2027-001")
    pchat.text("钱老师", "#立案 2027-001")
    assert "不能答复" in pchat.text("钱老师", "#答复 2027-001 先答复", private=True)  # not handed over yet
    pchat.text("钱老师", "#交办 2027-001 教务处")
    assert "不是交给您所在部门" in pchat.text("officer-zong", "#答复 2027-001 总务处的答复")
    assert "不能立案" in pchat.text("钱老师", "#立案 2027-001")


def test_reject_merge_and_window(pchat: ChatDriver) -> None:
    app = pchat.app
    for title in ("改善教师午餐", "食堂饭菜价格", "增设教工健身房"):
        pchat.text("李老师", f"#提案 {title}｜案由{title}｜建议{title}", private=True)
        pchat.text("李老师", "#提交", private=True)
    pchat.text("王老师", "#附议 2027-002")
    assert "请写明不予立案的理由" in pchat.text("钱老师", "#不予立案 2027-003")
    out = pchat.text("钱老师", "#不予立案 2027-003 属个人建议")
    assert "已不予立案" in out
    assert app.services.proposals.find(2027, 3).review_note.startswith("不予立案，转为意见建议")  # type: ignore[union-attr]
    merged = pchat.say("钱老师", "#合并 2027-001 2027-002")
    assert "已将提案 2027-002 并入 2027-001" in merged[0].text
    assert "王老师" in [c.name for c in app.services.proposals.cosigners(app.services.proposals.find(2027, 1).id)]  # type: ignore[union-attr]
    assert "不能把提案并入它自己" in pchat.text("钱老师", "#合并 2027-001 2027-001")

    assert "已设置提案征集" in pchat.text("钱老师", "#征集提案 开始=2027-02-01 截止=2027-02-20")
    assert "已于 2027-02-20 截止" in pchat.text("李老师", ONE_MESSAGE, private=True)
    assert "未修改" in pchat.text("钱老师", "#征集提案 开始=2027-04-01 截止=2027-03-20")


def test_bad_input_changes_nothing(pchat: ChatDriver) -> None:
    app = pchat.app
    pchat.text("李老师", ONE_MESSAGE, private=True)
    pchat.text("李老师", "#提交", private=True)
    before = snapshot(app)
    for who, text in [
        ("李老师", "#附议"), ("李老师", "#附议 abc"), ("王老师", "#附议 2027-999"), ("钱老师", "#立案"),
        ("钱老师", "#立案 9999-1"), ("钱老师", "#交办 2027-001"), ("钱老师", "#合并 2027-001"),
        ("钱老师", "#答复 2027-001"), ("李老师", "#评价 2027-001 满意"), ("钱老师", "#办结 2027-001"),
        ("李老师", "#提案 只有标题｜"), ("钱老师", "#征集提案 截止=明天"), ("李老师", "#提案列表 不存在的状态"),
        ("张老师", "#立案 2027-001'; DROP TABLE proposal;--"), ("李老师", "#导出提案"),
    ]:
        answer = pchat.text(who, text)
        assert answer and "出错" not in answer, (text, answer)
    assert snapshot(app) == before


def test_representatives_only_when_listed(tmp_path: Path, clock: FakeClock) -> None:
    config = make_config(f"sqlite:///{tmp_path}/r.db", roles={"admins": [], "proposal_committee": ["钱老师"],
                                                             "representatives": ["代表甲", "代表乙"]})
    chat = ChatDriver(build_app(config, clock), clock)
    assert "仅限教代会代表" in chat.text("李老师", ONE_MESSAGE, private=True)
    chat.text("代表甲", ONE_MESSAGE, private=True)
    assert "已提交" in chat.text("代表甲", "#提交", private=True)
    assert "仅限教代会代表" in chat.text("李老师", "#附议 2027-001")
    assert "已附议" in chat.text("代表乙", "#附议 2027-001")


def test_export_and_cli_list(pchat: ChatDriver, tmp_path: Path) -> None:
    pchat.text("李老师", ONE_MESSAGE, private=True)
    pchat.text("李老师", "#提交", private=True)
    pchat.text("王老师", "#附议 2027-001")
    out = pchat.say("钱老师", "#导出提案")
    assert out[0].contact_id == "钱老师" and out[0].file is not None
    rows = list(openpyxl.load_workbook(io.BytesIO(out[0].file.data)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "标题", "提案人", "附议人", "状态")
    assert rows[1][:5] == ("2027-001", "食堂增加晚餐供应", "李老师", "王老师", "征集中")

    config = tmp_path / "config.toml"
    config.write_text(f'[union]\nid = "test-school"\n[database]\nurl = "sqlite:///{tmp_path}/p.db"\n', encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "bot.cli", "proposals", "list", "--json", "--config", str(config)],
                         capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)["proposals"]
    assert [(p["code"], p["proposer"], p["cosigners"], p["status"]) for p in data] == [
        ("2027-001", "李老师", ["王老师"], "征集中")]
    xlsx = tmp_path / "p.xlsx"
    res = subprocess.run([sys.executable, "-m", "bot.cli", "proposals", "export", "--year", "2027", "--out", str(xlsx),
                          "--config", str(config)], capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0 and openpyxl.load_workbook(xlsx).active.max_row == 2


def test_numbering_is_unique_and_gap_free_under_concurrency(db_url: str) -> None:
    config = make_config(db_url)
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    services = build_services(config, engine)
    members = [services.members.touch(f"rep{i}", f"代表{i}") for i in range(40)]
    now = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)

    def submit(i: int) -> str:
        year = 2027 if i % 4 else 2028
        return services.proposals.submit(NewProposal(f"提案{i}", "案由", "建议"), members[i], year, 2, now).code

    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(submit, range(40)))
    assert len(set(codes)) == 40
    for year, count in ((2027, 30), (2028, 10)):
        assert sorted(p.seq for p in services.proposals.list(year)) == list(range(1, count + 1))
    engine.dispose()
