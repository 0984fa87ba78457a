"""The plan importer as pure functions: one test per format in the seeds and the ones like them."""

from __future__ import annotations

import json

import pytest

from bench.plan_import_eval import evaluate, match
from schedules.plan_import import import_plan_text
from schedules.plan_parser import parse_months, parse_plan, parse_weeks, split_inline_numbered
from tests.conftest import SEEDS, needs_seeds


def items(text: str) -> list[tuple[list[int], list[int], str]]:
    return [(it.months, it.weeks, it.text) for it in parse_plan(text).items]


@pytest.mark.parametrize(("expr", "months"), [
    ("七、八", [7, 8]), ("七至八", [7, 8]), ("七月-----八", [7, 8]), ("3-11", list(range(3, 12))),
    ("一二", [1, 2]), ("十二", [12]), ("十一", [11]), ("元", [1]), ("3—4", [3, 4]),
])
def test_parse_months(expr: str, months: list[int]) -> None:
    assert parse_months(expr.replace("—", "-")) == months


@pytest.mark.parametrize(("expr", "weeks"), [("2-3", [2, 3]), ("一", [1]), ("十八", [18]), ("1、2", [1, 2])])
def test_parse_weeks(expr: str, weeks: list[int]) -> None:
    assert parse_weeks(expr) == weeks


def test_month_heading_then_numbered_items() -> None:
    text = "四、主要活动安排：\n一月份：\n1、庆元旦活动\n2、慰问70周岁以上退休老教师。\n二月份：\n1、重新整理会员资料。\n"
    assert items(text) == [([1], [], "庆元旦活动"), ([1], [], "慰问70周岁以上退休老教师"), ([2], [], "重新整理会员资料")]


def test_items_numbered_inline_on_the_heading_line() -> None:
    text = "一月份:1、春节送温暖活动2、完成年度经费预算3、慰问退休教师\n二月份：1、制定计划\n"
    assert [t for _, _, t in items(text)] == ["春节送温暖活动", "完成年度经费预算", "慰问退休教师", "制定计划"]
    assert split_inline_numbered("1、慰问35周岁以下教师2、活动") == ["慰问35周岁以下教师", "活动"]


def test_numbered_heading_then_prose_split_on_sentence_marks_only() -> None:
    text = "四、活动安排：\n1.一、二月\n开展送温暖活动，慰问教职工;建立工会会员档案。召开会议，明确目标。\n2.三月\n庆祝“三·八”妇女节。\n"
    got = items(text)
    assert got[:3] == [([1, 2], [], "开展送温暖活动，慰问教职工"), ([1, 2], [], "建立工会会员档案"),
                       ([1, 2], [], "召开会议，明确目标")]
    assert got[3] == ([3], [], "庆祝“三·八”妇女节")


@pytest.mark.parametrize(("heading", "months"), [
    ("七、八月份：", [7, 8]), ("七至八月", [7, 8]), ("七月-----八月份", [7, 8]), ("寒假", [1, 2]),
    ("暑假：", [7, 8]), ("20xx年元月份：", [1]), ("七八月份：", [7, 8]), ("3-4月：", [3, 4]),
])
def test_multi_month_and_vacation_headings(heading: str, months: list[int]) -> None:
    text = f"三月份：\n1、植树活动\n{heading}\n1、组织教师培训\n"
    assert items(text)[-1] == (months, [], "组织教师培训")


def test_theme_title_is_not_an_item() -> None:
    text = "2月新学期新面貌\n\n1. 开展读书学习活动；\n2. 参加青年教师论坛；\n\n3月争创活动\n\n1. 开展“三八”节庆祝活动\n"
    assert items(text) == [([2], [], "开展读书学习活动"), ([2], [], "参加青年教师论坛"),
                           ([3], [], "开展“三八”节庆祝活动")]


def test_month_in_passing_in_prose_is_ignored() -> None:
    text = ("一、指导思想\n3月份组织教职工参加区门球赛，丰富业余生活，增进交流。\n"
            "二、工作重点\n1、关心教职工生活，5月份开展体检。\n")
    assert items(text) == []


def test_trailing_month_list() -> None:
    text = ("三、主要工作安排：\n1、慰问困难职工，离退休教师1月份\n2、经审委审计工会经费2 月份\n"
            "3、组织开展系列活动3—4月份\n4、完成上级工会布置的各类工作待定\n")
    assert items(text) == [([1], [], "慰问困难职工，离退休教师"), ([2], [], "经审委审计工会经费"),
                           ([3, 4], [], "组织开展系列活动")]


def test_week_headings_in_a_term_plan() -> None:
    text = "学期工作行事历\n第一周：制定工会工作计划\n第2-3周\n1、三八节慰问女教工\n1—2周：教代会筹备\n"
    assert items(text) == [([], [1], "制定工会工作计划"), ([], [2, 3], "三八节慰问女教工"), ([], [1, 2], "教代会筹备")]


def test_entry_with_its_own_month_and_wrapped_line() -> None:
    text = "九月份：\n1、羽毛球比赛（十月）\n2、工会\n工作总结\n十月份：\n1、重阳节慰问\n"
    assert items(text) == [([10], [], "羽毛球比赛"), ([9], [], "工会工作总结"), ([10], [], "重阳节慰问")]


def test_arrangement_ends_at_next_section_and_teaser() -> None:
    text = "十二月份：\n1、年度总结。\n五、保障措施\n1、加强领导。\n"
    assert items(text) == [([12], [], "年度总结")]
    text = "十一月：\n1、拔河比赛\n十二月：\n1、总结\n年度工作计划相关文章：\n"
    assert items(text)[-1] == ([12], [], "总结")


def test_recurring_line_is_an_item() -> None:
    text = "九月：\n1、开学工作\n2、双周五下午4：20—5：00工会活动\n十月：\n1、国庆\n"
    assert ([9], [], "双周五下午4：20—5：00工会活动") in items(text)


def test_no_arrangement_gives_no_items() -> None:
    assert items("工会工作计划\n一、指导思想\n全心全意依靠教职工办好学校。\n") == []


def test_autumn_term_wraps_into_next_year() -> None:
    plan = parse_plan("九月份：\n1、庆祝教师节\n十二月份：\n1、迎新\n元月份：\n1、庆祝元旦\n")
    assert [("next_year" in it.notes) for it in plan.items] == [False, False, True]


@needs_seeds
@pytest.mark.parametrize("gold_file", sorted(p.name for p in (SEEDS / "gold").glob("*.json")))
def test_each_seed_file_matches_its_gold(gold_file: str) -> None:
    gold = json.loads((SEEDS / "gold" / gold_file).read_text(encoding="utf-8"))
    lines = (SEEDS / gold["file"]).read_text(encoding="utf-8").splitlines()
    for plan in gold["plans"]:
        text = "\n".join(lines[plan["title_line"] - 1: plan["end_line"]])
        score, _, missed, extra = match(parse_plan(text, plan["title_line"]).items, plan["items"])
        assert score.f1 >= 0.9, (plan["id"], missed, extra)


@needs_seeds
def test_overall_f1_on_seeds() -> None:
    report = evaluate(SEEDS)
    assert report["overall"]["f1"] >= 0.95


def test_numbered_entry_starting_with_a_season_is_an_entry() -> None:
    text = "六月份\n1、端午节慰问\n七、八月份\n1、组织教职工暑期体检\n2、暑期疗休养\n九月份\n1、庆祝教师节\n"
    assert items(text)[1:3] == [([7, 8], [], "组织教职工暑期体检"), ([7, 8], [], "暑期疗休养")]


def test_schedule_table_with_bars_header_and_people_column() -> None:
    text = ("2027年工会行事历\n| 月份 | 工作内容 | 负责人 |\n|---|---|---|\n"
            "| 3月 | 三八节女教工插花活动；教代会提案征集 | 女工委员 |\n| 4月 | 教职工篮球赛 | 文体委员 |\n")
    assert items(text) == [([3], [], "三八节女教工插花活动"), ([3], [], "教代会提案征集"), ([4], [], "教职工篮球赛")]


def test_tab_separated_rows_merged_month_and_a_dated_cell() -> None:
    text = ("活动安排\n月份\t活动内容\t负责人\n3月\t三八节女教工插花活动\t女工委员\n\t教代会提案征集\t工会主席\n"
            "4月8日\t春季趣味运动会\t文体委员\n5月-6月\t教职工羽毛球赛\t体育组\n")
    assert items(text) == [([3], [], "三八节女教工插花活动"), ([3], [], "教代会提案征集"),
                           ([4], [], "春季趣味运动会"), ([5, 6], [], "教职工羽毛球赛")]


def test_table_without_header_leaves_out_who_does_it() -> None:
    text = "| 1月 | 寒假前走访慰问困难教职工 | 工会主席 |\n| 10月 | 重阳节看望退休老教师 | 生活委员 |\n"
    assert items(text) == [([1], [], "寒假前走访慰问困难教职工"), ([10], [], "重阳节看望退休老教师")]


def test_an_indented_line_is_not_a_table_row() -> None:
    text = "三月份：\n\t1、植树活动\n\t2、三八节慰问\n四月份：\n\t1、春游\n"
    assert [t for _, _, t in items(text)] == ["植树活动", "三八节慰问", "春游"]


def test_dated_lines_of_a_school_calendar() -> None:
    # The date is a key like the month: it leaves the text and becomes the item's date.
    text = ("2027年春季学期工会活动安排\n3月5日 学雷锋志愿服务活动\n3月8日（周一）庆三八女教工趣味活动\n"
            "4月上旬 教职工春季运动会\n2027年4月20日：教代会提案征集\n二月三十日 联欢\n")
    assert items(text) == [([3], [], "学雷锋志愿服务活动"), ([3], [], "庆三八女教工趣味活动"),
                           ([4], [], "教职工春季运动会"), ([4], [], "教代会提案征集"), ([2], [], "联欢")]
    got = import_plan_text(text).items
    assert [it.date and it.date.isoformat() for it in got] == ["2027-03-05", "2027-03-08", None, "2027-04-20", None]
    assert got[-1].note == "日期 2月30日 无效"


def test_an_entry_on_a_heading_line_keeps_its_punctuation() -> None:
    text = "2月：召开工会委员会议，制定全年工作计划；开展新春慰问。\n3月：召开教代会。\n"
    assert [t for _, _, t in items(text)] == ["召开工会委员会议，制定全年工作计划", "开展新春慰问", "召开教代会"]


@pytest.mark.parametrize(("first", "second", "months"), [
    ("（一）三月份", "（二）四月份", ([3], [4])), ("【三月】", "【四月】", ([3], [4])), ("★三月份", "★四月份", ([3], [4])),
    ("一、三月份", "二、四月份", ([3], [4])),  # a section number, then a month that does not follow it
    ("一、二月份", "二、三月份", ([2], [3])),  # numbered 一、二… throughout: one month each
    ("一、二月份", "三月份", ([1, 2], [3])),  # January and February
    ("第一季度（1-3月）", "第二季度（4-6月）", ([1, 2, 3], [4, 5, 6])),
])
def test_heading_styles(first: str, second: str, months: tuple[list[int], list[int]]) -> None:
    got = items(f"{first}\n1、三八节慰问女教工\n2、植树活动\n{second}\n1、春游\n")
    assert [(m, t) for m, _, t in got] == [(months[0], "三八节慰问女教工"), (months[0], "植树活动"), (months[1], "春游")]


def test_bulleted_and_circled_entries() -> None:
    for text in ("3月份：\n★三八节慰问女教工\n★植树活动\n4月份：\n★春游\n",
                 "三月：①三八节慰问女教工②植树活动\n四月：①春游\n"):
        assert items(text) == [([3], [], "三八节慰问女教工"), ([3], [], "植树活动"), ([4], [], "春游")], text


def test_table_pasted_with_spaces_for_tabs() -> None:
    text = "活动安排\n月份    工作内容    负责人\n3月    三八节女教工插花活动    女工委员\n4月    教职工篮球赛    文体委员\n"
    assert items(text) == [([3], [], "三八节女教工插花活动"), ([4], [], "教职工篮球赛")]
