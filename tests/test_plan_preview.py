"""The import preview helps the chair catch what the importer got wrong: it flags what it is unsure of,
lets an item be fixed or dropped before confirming, asks which plan when several are pasted, and
answers files it cannot read with what to send instead. The importer never raises on any text."""

from __future__ import annotations

import datetime as dt
import io
import random
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from handlers.base import Attachment
from schedules.plan_import import (
    ImportedItem,
    PlanReadError,
    import_plan_text,
    read_plan_bytes,
    split_plans,
    unsure_notes,
)
from tests.conftest import REPO, SEEDS, ChatDriver

PLAN = "三月份：\n1、三八节慰问女教工\n2、教职工羽毛球比赛\n四月份：\n1、春季趣味运动会\n2、组织教职工参加（市总工会\n"
TWO_PLANS = ("实验小学工会工作计划篇一\n三月份：\n1、三八节慰问女教工\n四月份：\n1、春游\n"
             "中心小学工会工作计划篇二\n五月份：\n1、拔河比赛\n2、五四青年教师座谈\n")


def items(app: App) -> list[tuple[str, list[int]]]:
    return [(it.text, [int(m) for m in it.months.split(",") if m]) for it in app.services.schedule.list()]


def test_preview_numbers_every_item_and_flags_the_unsure(chat: ChatDriver) -> None:
    chat.text("王主席", "#导入计划", private=True)
    preview = chat.text("王主席", PLAN, private=True)
    assert "3月：1.三八节慰问女教工；2.教职工羽毛球比赛" in preview and "4月：3.春季趣味运动会；4.组织教职工参加（市总工会" in preview
    assert "需要您核对" in preview and "4.组织教职工参加（市总工会：文字可能不完整" in preview
    assert "改 序号 月份 内容" in preview and "删 序号" in preview


def test_preview_marks_the_items_the_importer_is_least_sure_of(chat: ChatDriver) -> None:
    # A cell holding two activities split at a space: the preview marks both '？' and says why; the chair's
    # own edit clears the mark.
    plan = "| 月份 | 活动内容 | 负责人 |\n| 3月 | 三八节慰问女教工 | 工会主席 |\n| 4月 | 教职工插花 青年教师座谈会 | 女工委员 |\n"
    chat.text("王主席", "#导入计划", private=True)
    preview = chat.text("王主席", plan, private=True)
    assert "3月：1.三八节慰问女教工；" not in preview and "1.三八节慰问女教工\n" in preview  # sure: no mark
    assert "4月：2.教职工插花？；3.青年教师座谈会？" in preview
    assert "· 2.教职工插花：由同一格里空格隔开的几项拆出" in preview
    fixed = chat.text("王主席", "改 2 4月 教职工插花活动", private=True)
    assert "2.教职工插花活动；" in fixed and "3.青年教师座谈会？" in fixed


def test_fix_and_drop_items_before_confirming(chat: ChatDriver, app: App) -> None:
    chat.text("王主席", "#导入计划", private=True)
    chat.text("王主席", PLAN, private=True)
    fixed = chat.text("王主席", "改 2 5月 教职工羽毛球赛", private=True)
    assert "5月：2.教职工羽毛球赛" in fixed
    dropped = chat.text("王主席", "删 4", private=True)
    assert "识别到 3 项活动" in dropped and "市总工会" not in dropped
    assert "序号" in chat.text("王主席", "删 9", private=True)
    assert "月份或内容至少写一样" in chat.text("王主席", "改 1", private=True)
    assert app.services.schedule.list() == []  # nothing stored before confirming
    assert "已导入 3 项" in chat.text("王主席", "#确认导入", private=True)
    assert ("教职工羽毛球赛", [5]) in items(app) and all("市总工会" not in t for t, _ in items(app))


def test_several_plans_pasted_together_ask_which_one(chat: ChatDriver, app: App) -> None:
    assert [t for t, _ in split_plans(TWO_PLANS)] == ["实验小学工会工作计划篇一", "中心小学工会工作计划篇二"]
    assert split_plans(PLAN) == []
    chat.text("王主席", "#导入计划", private=True)
    ask = chat.text("王主席", TWO_PLANS, private=True)
    assert "有 2 篇计划" in ask and "2. 中心小学工会工作计划篇二" in ask
    assert "1 到 2" in chat.text("王主席", "3", private=True)
    preview = chat.text("王主席", "2", private=True)
    assert "识别到 2 项活动" in preview and "拔河比赛" in preview and "春游" not in preview
    chat.text("王主席", "确认", private=True)
    assert sorted(t for t, _ in items(app)) == ["五四青年教师座谈", "拔河比赛"]


def _docx_without_text() -> bytes:
    d = docx.Document()
    d.add_paragraph("")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "data", "says"), [
    ("plan.txt", b"", "文件是空的"),
    ("plan.txt", b"  \n\n ", "文件是空的"),
    ("plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "另存为” .docx"),
    ("plan.pdf", b"%PDF-1.7\n%...", "PDF"),
    ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "图片"),
    ("scan.docx", _docx_without_text(), "没有文字（可能是扫描的图片）"),
])
def test_files_that_are_not_a_plan_get_what_to_send_instead(chat: ChatDriver, app: App, name: str, data: bytes,
                                                            says: str) -> None:
    with pytest.raises(PlanReadError, match=says.replace("(", r"\(").replace(")", r"\)")):
        read_plan_bytes(data, name)
    chat.text("王主席", "#导入计划", private=True)
    chat.console.speaker_id = chat.console.speaker_name = "王主席"
    chat.console.private = True
    out = chat.console.say("", Attachment(name, data))
    assert says in out[0].text and ".docx" in out[0].text
    assert app.services.schedule.list() == []


@pytest.mark.parametrize(("content", "says"), [(b"", "文件是空的"), (b"%PDF-1.4 ...", "PDF")])
def test_cli_exits_2_on_a_file_that_is_not_a_plan(tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / ("plan.pdf" if content else "empty.txt")
    path.write_bytes(content)
    r = subprocess.run([sys.executable, "-m", "bot.cli", "plan", "import", str(path), "--dry-run", "--json"],
                       capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 2 and says in r.stderr and r.stdout == ""


def test_guessed_months_are_flagged() -> None:
    sectioned = import_plan_text("工作安排\n一、二月份\n1、慰问困难教职工\n2、迎新春联欢\n").items
    assert [it.months for it in sectioned] == [[1, 2], [1, 2]]
    assert all(any("月份是推测的" in n for n in unsure_notes(it)) for it in sectioned)
    trailing = import_plan_text("重点工作\n1、慰问困难职工1月份\n2、三八节活动3月份\n3、春游4月份\n").items
    assert [it.months for it in trailing] == [[1], [3], [4]]
    assert all("月份取自条目末尾" in unsure_notes(it) for it in trailing)
    assert unsure_notes(import_plan_text("三月份：\n1、植树活动\n").items[0]) == []


def test_unsure_notes() -> None:
    def item(text: str, months: list[int]) -> ImportedItem:
        return ImportedItem(months, [], text, "other", None, None, None, 2027, 1)

    assert unsure_notes(item("教职工羽毛球比赛", [4])) == []
    assert unsure_notes(item("慰问", [])) == ["没有找到月份"]
    assert "文字可能不完整" in unsure_notes(item("组织教职工参加（市总", [4]))
    assert "文字可能不完整" in unsure_notes(item("开展读书、", [4]))
    assert "很长，可能是几项连在一起" in unsure_notes(item("开展" * 70, [4]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=600))
def test_the_importer_never_raises_on_any_text(text: str) -> None:
    result = import_plan_text(text)
    assert all(isinstance(it.text, str) for it in result.items)


# Pieces of every format the importer knows, to be put together in any order: random text rarely makes a
# heading, a table or a dated line, so it never reaches the code that reads them.
_FORMAT_PIECES = [
    "\n", "\t", "|", "、", "。", "；", "：", "1、", "(1)", "（一）", "一、", "①", "——", "★", "### ", "**", "- 2 -\n",
    "三月份", "三 月 份", "（三月份）", "◎三月◎", "【四月】", "七、八月", "二、3—4月", "二〇二七年三月", "寒假",
    "第一季度（1—3月）", "第一阶段（2—3月）", "第三阶段", "第十週", "开学第一周：", "第2-3周", "秋季学期：",
    "周次\t内容\n", "1\t", "2027.03\t", "2027-02-30\t", "3月5日（周五）", "2月30日 ", "三十一日 ", "4月8日—12日 ",
    "(五月)", "20xx年4月:", "XX学校工会\n2027年1月\n", "相关推荐", "无", "三月：读书月", "召开教代会", "活动，",
    "｜", "春季（3—5月）：", "冬季（12—2月）", "    ", "女工委",
]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(st.sampled_from(_FORMAT_PIECES), max_size=60))
def test_the_importer_never_raises_on_its_own_formats_put_together_at_random(pieces: list[str]) -> None:
    result = import_plan_text("".join(pieces))
    assert all(it.text.strip() for it in result.items)


def _seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))] if SEEDS.exists() else []


@pytest.mark.skipif(not _seed_texts(), reason="needs ../shared/seeds")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**9))
def test_the_importer_never_raises_on_mangled_seed_plans(seed: int) -> None:
    rng = random.Random(seed)
    lines = rng.choice(_seed_texts()).splitlines()
    for _ in range(rng.randint(1, 40)):  # drop, swap, cut and splice lines
        if not lines:
            break
        i = rng.randrange(len(lines))
        match rng.randint(0, 3):
            case 0:
                del lines[i]
            case 1:
                j = rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
            case 2:
                lines[i] = lines[i][: rng.randint(0, len(lines[i]))]
            case _:
                lines.insert(i, "".join(rng.choice("一二三四五六七八九十月份、.:：（）()篇第周年—-~至 \t0123456789")
                                        for _ in range(rng.randint(1, 12))))
    import_plan_text("\n".join(lines))


def test_the_example_plan_shipped_for_the_readme_imports() -> None:
    """README's terminal example imports examples/plan.example.txt (written for the purpose, no seed text)."""
    items = import_plan_text((REPO / "examples" / "plan.example.txt").read_text(encoding="utf-8")).items
    assert len(items) == 15 and {m for it in items for m in it.months} == {1, 3, 4, 5, 6, 9, 10, 12}
    assert next(it for it in items if "健步走" in it.text).category == "sports_culture"
    assert next(it for it in items if "重阳节" in it.text).date.isoformat() == "2027-10-08"


def test_a_day_the_plan_gives_is_shown_and_kept_through_a_fix(chat: ChatDriver, app: App) -> None:
    chat.text("王主席", "#导入计划", private=True)
    preview = chat.text("王主席", "2027年工会行事历\n3月5日 学雷锋志愿服务\n4月20日（周二） 教代会提案征集\n", private=True)
    assert "3月：1.学雷锋志愿服务（3月5日）" in preview and "4月：2.教代会提案征集（4月20日）" in preview
    assert "2.教代会提案截止（4月20日）" in chat.text("王主席", "改 2 教代会提案截止", private=True)
    assert "已导入 2 项" in chat.text("王主席", "#确认导入", private=True)
    dates = {it.text: it.date for it in app.services.schedule.list()}
    assert dates == {"学雷锋志愿服务": dt.date(2027, 3, 5), "教代会提案截止": dt.date(2027, 4, 20)}
