"""Categories, festival dates (lunar, solar term, fixed), workdays and 调休, recurrences."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from dateutil import rrule
from lunar_python import Solar

from schedules.categories import classify, detect_holiday
from schedules.holidays import (
    CalendarOverrides,
    day_info,
    festival_date,
    first_workday_of_month,
    official_data_available,
)
from schedules.item_dates import item_date, parse_recurrence


@pytest.mark.parametrize(("text", "expected"), [
    ("庆祝“三八”妇女节，慰问女教工", ("holiday", "三八妇女节")),
    ("重阳节老教师慰问活动", ("holiday", "重阳节")),
    ("召开工会干部例会，征求教职工的合理化建议，召开教代会", ("congress", None)),
    ("慰问生病、家庭困难的教师", ("care", None)),
    ("举行35周岁以下教师教学基本功比赛", ("study", None)),
    ("与兄弟学校进行校际羽毛球友谊赛", ("sports_culture", None)),
    ("工会账务上交", ("admin", None)),
    ("十一月份教师健美操比赛", ("sports_culture", None)),  # 十一月 is not 国庆's 十一
    # Work the seeds do not name, as other plans put it.
    ("组织女教职工“两癌”筛查", ("care", None)),
    ("为教职工送上生日祝福", ("care", None)),
    ("组织教代会代表对学校领导班子进行民主测评", ("congress", None)),
    ("审议学校绩效工资分配方案", ("congress", None)),
    ("组织教师参加说课比赛", ("study", None)),  # teaching, though a 比赛
    ("开展工会兴趣小组活动（瑜伽、书法）", ("sports_culture", None)),  # not the 工会小组 of admin
    ("收缴工会会费", ("admin", None)),
    ("迎接上级工会工作考核", ("admin", None)),
    ("教職工運動會", ("sports_culture", None)),
    # Words inside other words: 协助学校 is no 助学, 分工会 is no 分工.
    ("协助学校做好新学期开学工作", ("admin", None)),
    ("各分工会组织文体活动周", ("sports_culture", None)),
    ("组织教职工无偿献血", ("other", None)),
    # Lessons in a pastime are the pastime; other training is study (牵手工程 holds no 手工).
    ("教职工太极拳培训班", ("sports_culture", None)),
    ("组织教师参加“城乡教师牵手工程”培训活动", ("study", None)),
    ("组织工会干部业务培训", ("study", None)),
    ("就评优方案广泛听取教职工意见", ("congress", None)),
    ("推进学校事务公开透明", ("congress", None)),
    ("开展青年教师公开课活动", ("study", None)),  # 公开课 is teaching, not 公开 of school affairs
])
def test_classify(text: str, expected: tuple[str, str | None]) -> None:
    assert classify(text) == expected


def test_first_named_festival_wins() -> None:
    assert detect_holiday("庆祝“五一”劳动节和“端午节”慰问活动") == "五一劳动节"


@pytest.mark.parametrize("year", [2026, 2027, 2028])
@pytest.mark.parametrize(("name", "lunar_md"), [("春节", (1, 1)), ("元宵节", (1, 15)), ("端午节", (5, 5)),
                                               ("中秋节", (8, 15)), ("重阳节", (9, 9))])
def test_lunar_festivals_round_trip(year: int, name: str, lunar_md: tuple[int, int]) -> None:
    day = festival_date(name, year)
    assert day is not None and day.year == year
    lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()  # the reverse conversion
    assert (lunar.getMonth(), lunar.getDay()) == lunar_md


@pytest.mark.parametrize("year", [2027, 2028])
def test_qingming_is_the_solar_term(year: int) -> None:
    day = festival_date("清明节", year)
    assert day is not None
    assert Solar.fromYmd(day.year, day.month, day.day).getLunar().getJieQi() == "清明"


def test_fixed_festivals() -> None:
    assert festival_date("教师节", 2027) == dt.date(2027, 9, 10)
    assert festival_date("国庆节", 2028) == dt.date(2028, 10, 1)


def test_known_year_uses_official_tiaoxiu() -> None:
    assert official_data_available(2026)
    for day in (dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)):
        assert day_info(day).workday == chinese_calendar.is_workday(day)
    first = first_workday_of_month(2026, 10)
    assert chinese_calendar.is_workday(first)
    assert all(not chinese_calendar.is_workday(dt.date(2026, 10, d)) for d in range(1, first.day))


def test_unpublished_year_falls_back_and_says_so() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(dt.date(2027, 6, 1))
    assert not official_data_available(2027)
    info = day_info(dt.date(2027, 10, 1))
    assert (info.workday, info.official, info.holiday) == (False, False, "国庆节")
    spring = festival_date("春节", 2027)
    assert spring is not None and not day_info(spring).workday
    assert not day_info(spring - dt.timedelta(days=1)).workday  # 除夕
    assert day_info(dt.date(2027, 3, 2)).workday  # an ordinary Tuesday


def test_config_overrides_win() -> None:
    saturday = dt.date(2027, 9, 25)
    assert not day_info(saturday).workday
    overrides = CalendarOverrides(workdays=frozenset({saturday}), holidays=frozenset({dt.date(2027, 10, 4)}))
    assert day_info(saturday, overrides).workday
    assert not day_info(dt.date(2027, 10, 4), overrides).workday
    assert first_workday_of_month(2027, 10, overrides) == dt.date(2027, 10, 5)


def test_recurrence_is_a_dateutil_rule() -> None:
    rec = parse_recurrence("双周五下午4：20—5：00工会活动")
    assert rec is not None
    rule = rrule.rrulestr(rec.rule, dtstart=dt.datetime(2027, 9, 1))
    days = [d for d in rule.between(dt.datetime(2027, 9, 1), dt.datetime(2027, 10, 1))]
    assert [d.weekday() for d in days] == [4, 4]
    assert days[1] - days[0] == dt.timedelta(weeks=2)
    assert (days[0].hour, days[0].minute) == (16, 20)
    assert parse_recurrence("召开教代会") is None


def test_item_dates() -> None:
    assert item_date([10], [], "重阳节慰问", "重阳节", 2027).date == festival_date("重阳节", 2027)
    assert item_date([3], [], "3月8日慰问女教工", None, 2027).date == dt.date(2027, 3, 8)
    off = item_date([9], [], "庆祝重阳节", "重阳节", 2027)
    assert off.date is None and off.note
    week = item_date([], [3], "教代会", None, 2027, semester_start=dt.date(2027, 2, 22))
    assert week.date == dt.date(2027, 3, 8)


def test_a_leading_date_is_not_shown_twice() -> None:
    from schedules.item_dates import without_own_date

    day = dt.date(2027, 3, 5)
    assert without_own_date("3月5日 学雷锋志愿服务", day) == "学雷锋志愿服务"
    assert without_own_date("３月５号学雷锋", day) == "学雷锋"
    assert without_own_date("3月6日 学雷锋", day) == "3月6日 学雷锋"  # another day: as written
    assert without_own_date("3月5日", day) == "3月5日"  # nothing would be left
    assert without_own_date("3月5日 学雷锋", None) == "3月5日 学雷锋"


def test_relative_days_as_admins_type_them() -> None:
    from schedules.when import parse_when, relative_date

    today = dt.date(2027, 3, 2)  # a Tuesday
    assert relative_date("明天", today) == dt.date(2027, 3, 3)
    assert relative_date("周五", today) == dt.date(2027, 3, 5)
    assert relative_date("周二", today) == dt.date(2027, 3, 9)  # the next one, not today
    assert relative_date("下周三", today) == dt.date(2027, 3, 10)
    assert relative_date("本周一", today) == dt.date(2027, 3, 1)
    assert relative_date("星期天", today) == dt.date(2027, 3, 7)
    assert relative_date("15号", today) == dt.date(2027, 3, 15)
    assert relative_date("1号", today) == dt.date(2027, 4, 1)  # past this month: next month's
    assert relative_date("31号", dt.date(2027, 4, 2)) == dt.date(2027, 5, 31)  # April has no 31st
    assert relative_date("过几天", today) is None
    assert parse_when("明天", 2027) is None  # without today, relative days are not dates
    assert parse_when("下周三", 2027, today) == (dt.date(2027, 3, 10), [3])


def test_an_activity_before_a_festival_is_not_dated_on_it() -> None:
    before = item_date([1, 2], [], "春节前走访慰问退休教师和困难教职工", "春节", 2027)
    assert (before.date, before.rrule) == (None, None)
    assert item_date([9], [], "国庆前夕文艺汇演", "国庆节", 2027).date is None
    assert item_date([10], [], "重阳节慰问退休教师", "重阳节", 2027).date == dt.date(2027, 10, 8)


def test_the_importers_fold_reads_traditional_as_simplified_one_for_one() -> None:
    from schedules.kv import read_pairs
    from schedules.text_norm import fold

    text = "召開教代會（第十週）"
    assert fold(text) == "召开教代会(第十周)" and len(fold(text)) == len(text)
    assert classify("組織教職工學習") == ("study", None)
    # A member's own words in `键=值` keep their characters.
    assert read_pairs("标题=學校食堂", ["标题"]).pairs["标题"] == "學校食堂"


def test_the_model_overrules_the_rules_only_on_clearly_stronger_evidence() -> None:
    from schedules.category_model import NaiveBayes, decide

    model = NaiveBayes.train([("羽毛球比赛", "sports_culture"), ("篮球比赛", "sports_culture"), ("排球比赛", "sports_culture"),
                              ("年度工作总结", "admin"), ("工作计划", "admin"), ("无偿献血", "other"),
                              ("暑期值班", "other")] * 10)
    assert decide(model, "乒乓球比赛", "other") == "sports_culture"  # the rules found no word; the grams do
    assert decide(model, "乒乓球比赛", "other", rule_weight=10.0) == "other"  # a strong prior holds
    assert decide(model, "", "care") == "care"  # nothing to read: the rules' answer
    assert decide(model, "乒乓球比赛", "care") == "care"  # a category the model never saw: the rules' answer
    assert NaiveBayes.from_json(model.to_json()).scores("比赛") == model.scores("比赛")


def test_classify_asks_the_shipped_model_but_a_festival_stays_a_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    import schedules.categories as categories
    from schedules.category_model import NaiveBayes

    always_admin = NaiveBayes.train([("慰问教职工羽毛球", "admin")] * 50 + [("体检保险看望探视", "care")] * 50)
    monkeypatch.setattr(categories, "shipped_model", lambda: always_admin)
    assert categories.classify("慰问教职工羽毛球") == ("admin", None)
    assert categories.classify("重阳节慰问教职工") == ("holiday", "重阳节")
    monkeypatch.setattr(categories, "shipped_model", lambda: None)  # no model file: the rules alone
    assert categories.classify("慰问教职工羽毛球") == ("care", None)


def test_the_shipped_model_loads_and_is_a_rebuild_of_the_labelled_items() -> None:
    from bench.train_category_model import build
    from schedules.category_model import MODEL_FILE, shipped_model
    from tests.conftest import SEEDS

    model = shipped_model()
    assert model is not None and set(model.counts) >= {"care", "congress", "study", "admin", "other"}
    if not (SEEDS / "gold").is_dir() or not (SEEDS.parent / "plans-web" / "gold").is_dir():
        pytest.skip("needs ../shared/seeds and ../shared/plans-web to rebuild the model")
    assert MODEL_FILE.read_text(encoding="utf-8") == build(SEEDS), "run python -m bench.train_category_model"


@pytest.mark.parametrize(("text", "months", "expected"), [
    ("庆新年联欢会", [12], ("holiday", "元旦")),  # the web plans' and the seeds' gold both read 新年 as 元旦
    ("农历新年慰问", [2], ("holiday", "春节")),
    ("制定好新年工会活动计划", [1], ("admin", None)),  # the new year's plan, not its festival
    ("庆“十一”举办乒乓球比赛 分组进行", [10], ("holiday", "国庆节")),
    ("工会配合学校做好“助残日”活动", [5], ("holiday", None)),  # a commemorative day: holiday, no festival
    ("迎新活动", [12], ("holiday", "元旦")),
    ("迎新活动", [9], ("sports_culture", None)),  # in September it welcomes new staff
    ("迎新座谈总结", [12], ("admin", None)),
    ("配合学校召开德育工作会议", [7], ("other", None)),  # the school's own meeting the union helps with
    ("协助学校做好新学期开学工作", [2], ("admin", None)),
    ("筹备教工之家", [2], ("other", None)),
    ("检查验收“教工之家”", [6], ("admin", None)),
    ("工会小组乒乓赛", [4], ("sports_culture", None)),  # who organises it is not what it is
    ("办好第十届“贺岁杯”", [1], ("sports_culture", None)),
    ("组织好评省劳模材料", [4], ("admin", None)),
    ("元旦后走访慰问生病教职工", [1], ("care", None)),  # after the festival: a time, not its occasion
    ("春节前为离退休教师送年货", [1], ("holiday", "春节")),  # before it: for it, as the gold labels it
])
def test_categories_of_the_web_plans_families(text: str, months: list[int], expected: tuple[str, str | None]) -> None:
    from schedules.categories import classify_with_margin

    assert classify_with_margin(text, months=months)[:2] == expected
