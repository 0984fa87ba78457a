"""Formats unions publish that the seeds lack (issue 18), each on an example written for the purpose:
range headings under a section number, years written with a digit zero, entries that carry their own
date in a list without month headings, tables copied one cell per line or with the date after the
activity, a heading that only names the period, nested numbering under a month."""

from __future__ import annotations

import pytest

from schedules.plan_import import import_plan_text
from schedules.plan_lines import unmark


def items(text: str) -> list[tuple[list[int], str]]:
    return [(it.months, it.text) for it in import_plan_text(text).items]


@pytest.mark.parametrize("dash", ["—", "-", "~", "至", "－－"])
def test_a_range_heading_under_a_section_number(dash: str) -> None:
    text = (f"工会2027年工作安排\n一、1{dash}2月\n1、走访困难教职工\n二、3{dash}4月\n1、三八节女教工活动\n"
            f"2、召开教代会\n三、9{dash}10月\n1、庆祝教师节\n")
    assert items(text) == [([1, 2], "走访困难教职工"), ([3, 4], "三八节女教工活动"), ([3, 4], "召开教代会"),
                           ([9, 10], "庆祝教师节")]


def test_headings_with_a_year_written_with_a_digit_zero() -> None:
    text = "工作安排：\n二0xx年二月:\n1、开学教职工大会\n2、元宵节猜灯谜\n二〇二七年三月\n1、植树活动\n二零二七年四月：\n1、春季运动会\n"
    assert items(text) == [([2], "开学教职工大会"), ([2], "元宵节猜灯谜"), ([3], "植树活动"), ([4], "春季运动会")]


def test_entries_that_carry_their_own_date_in_a_list_without_headings() -> None:
    text = ("学校工会2027年工作要点\n一、加强民主管理\n二、主要活动\n(1)迎新年教职工长跑\n(2)教职工拔河比赛(五月)\n"
            "(3)做好会员信息统计\n3、20xx年4月:教职工气排球赛\n4、2027年10月：重阳节慰问离退休教师\n1、20xx年元月迎新联欢\n")
    # Undated entries in such a list are not schedule items.
    assert items(text) == [([5], "教职工拔河比赛"), ([4], "教职工气排球赛"), ([10], "重阳节慰问离退休教师"),
                           ([1], "迎新联欢")]


def test_a_dated_entry_under_a_month_heading_stays_an_entry_of_it() -> None:
    text = "九月份：\n1、羽毛球比赛（十月）\n2、工会\n工作总结\n十月份：\n1、重阳节慰问\n"
    assert items(text) == [([10], "羽毛球比赛"), ([9], "工会工作总结"), ([10], "重阳节慰问")]


@pytest.mark.parametrize("bar", ["", "|", " |"])
def test_a_table_copied_one_cell_per_line(bar: str) -> None:
    cells = ["某校工会2027年活动安排表", "月份", "内容", "备注", "3月", "三八节女教工健步走", "工会办", "4月",
             "教职工羽毛球赛", "体育组", "5月", "“五一”劳动模范表彰"]
    text = "\n".join([cells[0]] + [c + bar for c in cells[1:]])
    assert items(text) == [([3], "三八节女教工健步走"), ([4], "教职工羽毛球赛"), ([5], "“五一”劳动模范表彰")]


def test_a_table_with_the_date_after_the_activity() -> None:
    text = ("工会2027年活动安排\n| 月份 | 活动内容 | 负责部门 |\n| 3月 | 三八节慰问女教工 | 工会 |\n"
            "登山比赛 | 全体教职工 | 2027年10月16日 |\n教职工趣味运动会 | 全体教职工 | 2027年11月8日 |\n")
    got = import_plan_text(text).items
    assert [(it.months, it.date and it.date.isoformat()) for it in got] == [
        ([3], "2027-03-08"), ([10], "2027-10-16"), ([11], "2027-11-08")]
    assert "登山比赛" in got[1].text and "全体教职工" not in got[1].text


def test_a_line_that_only_names_the_period_is_no_item() -> None:
    text = "活动安排：\n三月份\n1、三八妇女节庆祝活动\n(3月8日—12日)\n2、春季教职工运动会\n暑 假\n3、组织教职工疗休养\n"
    assert items(text) == [([3], "三八妇女节庆祝活动(3月8日—12日)"), ([3], "春季教职工运动会"),
                           ([7, 8], "组织教职工疗休养")]


def test_nested_numbering_and_numbering_across_months() -> None:
    text = ("活动安排：\n八月份\n1、暑期疗休养\n九月份\n二、举办教职工运动会\n1、田径项目\n2、趣味项目\n4、庆祝教师节\n"
            "十月份\n5、重阳节慰问\n")
    assert items(text) == [([8], "暑期疗休养"), ([9], "举办教职工运动会"), ([9], "田径项目"), ([9], "趣味项目"),
                           ([9], "庆祝教师节"), ([10], "重阳节慰问")]


def test_chinese_numbered_entries_under_months_and_the_next_section_still_ends_it() -> None:
    text = "工作安排\n三月份：\n一、三八节慰问女教工\n二、植树活动\n四月份：\n一、春游\n二、羽毛球赛\n二、加强自身建设\n1、学习\n"
    assert items(text) == [([3], "三八节慰问女教工"), ([3], "植树活动"), ([4], "春游"), ([4], "羽毛球赛")]


def test_a_plan_in_traditional_characters() -> None:
    # Week and month headings, categories and festivals read as in simplified; the text stays as written.
    text = ("學校工會2027學年第一學期工作計劃\n二、工作安排\n第一週：制定工會工作計劃\n第二至三週：\n1、教師節慶祝活動\n"
            "2、慰問退休教職工\n第十週：教職工氣排球比賽\n第十一至十二週：召開教代會，徵集提案\n")
    got = [(it.weeks, it.text, it.category, it.holiday) for it in import_plan_text(text).items]
    assert got == [([1], "制定工會工作計劃", "admin", None), ([2, 3], "教師節慶祝活動", "holiday", "教师节"),
                   ([2, 3], "慰問退休教職工", "care", None), ([10], "教職工氣排球比賽", "sports_culture", None),
                   ([11, 12], "召開教代會，徵集提案", "congress", None)]


def test_quarter_headings_that_repeat_their_months_in_brackets() -> None:
    text = ("二、重点工作\n（一）第一季度（1—3月）\n1.开展新春送温暖活动\n（二）第二季度（4-6月）\n1.组织气排球比赛\n"
            "（四）第四季度（10～12月）\n1.做好年度工作总结\n")
    assert items(text) == [([1, 2, 3], "开展新春送温暖活动"), ([4, 5, 6], "组织气排球比赛"),
                           ([10, 11, 12], "做好年度工作总结")]


def test_the_next_section_after_the_arrangement_ends_it() -> None:
    # Months with their entries on the heading line, under a numbered 三、; 四、 is the plan's next part.
    text = ("一、指导思想\n服务教职工。\n三、全年主要工作安排\n11月：开展心理健康讲座；组织秋季登山。\n"
            "12月：举办迎新年文艺汇演；做好年度工作总结。\n四、加强工会自身建设\n继续做好工会干部培训。\n")
    assert items(text) == [([11], "开展心理健康讲座"), ([11], "组织秋季登山"), ([12], "举办迎新年文艺汇演"),
                           ([12], "做好年度工作总结")]
    table = "二、具体活动安排\n月份\t活动内容\t负责人\n11月\t教职工乒乓球比赛\t体育组\n12月\t年终工作总结\t工会\n三、工作要求\n各工会小组要认真落实。\n"
    assert items(table) == [([11], "教职工乒乓球比赛"), ([12], "年终工作总结")]


def test_a_line_that_only_names_the_term_is_no_item() -> None:
    text = "三、活动安排\n春季学期：\n3月：三八节活动\n4月：教职工运动会\n秋季学期：\n9月：教师节表彰\n"
    assert items(text) == [([3], "三八节活动"), ([4], "教职工运动会"), ([9], "教师节表彰")]


def test_long_dash_bullets_and_the_signature_at_the_foot() -> None:
    text = ("三、月份活动安排\n三月：\n——召开教代会\n——三八节女教职工活动\n十一月：\n——教职工棋类比赛\n"
            "XX学校工会\n2027年1月\n相关推荐：\n学校工会工作总结范文\n")
    assert items(text) == [([3], "召开教代会"), ([3], "三八节女教职工活动"), ([11], "教职工棋类比赛")]
    # A year-month heading with entries under it is no signature's date.
    assert items("2027年3月\n召开工会委员会\n2027年4月\n春游\n") == [([3], "召开工会委员会"), ([4], "春游")]


def test_a_plan_in_markdown_as_writing_tools_put_it() -> None:
    text = ("# 某校工会2027年度工作计划\n## 二、全年活动安排\n### 1月\n- **送温暖**：走访慰问困难教职工\n"
            "### 3月\n1. **三八节**女教职工插花\n2. 召开教代会\n## 三、保障措施\n加强组织领导。\n")
    assert items(text) == [([1], "送温暖：走访慰问困难教职工"), ([3], "三八节女教职工插花"), ([3], "召开教代会")]
    assert unmark("20__年__月__日") == "20__年__月__日"  # blanks to fill in are no markdown


def test_a_month_in_round_brackets_heads_its_entries() -> None:
    text = "二、活动安排\n（三月份）\n①三八节女教职工登山\n②工会委员会议\n(四月)\n①教职工篮球赛\n"
    assert items(text) == [([3], "三八节女教职工登山"), ([3], "工会委员会议"), ([4], "教职工篮球赛")]


def test_stages_that_give_their_months_and_a_month_s_theme_after_a_colon() -> None:
    text = ("活动安排\n第一阶段（2—3月）\n1、制定计划\n2、三八节活动\n（二）第二阶段（4-6月）：\n1、春季运动会\n"
            "第三阶段\n1、总结\n")
    # A stage without months is no heading: its entry is nobody's.
    assert items(text) == [([2, 3], "制定计划"), ([2, 3], "三八节活动"), ([4, 5, 6], "春季运动会")]
    themed = "安排\n三月：“学雷锋”活动月\n1、志愿服务\n四月：召开教代会\n五月：读书月\n"
    # A theme heads its numbered entries; with none under it, it is the month's item.
    assert items(themed) == [([3], "志愿服务"), ([4], "召开教代会"), ([5], "读书月")]


def test_a_week_counted_from_the_start_of_term() -> None:
    text = "本学期工会行事历\n开学第一周：慰问教职工\n第2-3周：制定工会计划\n"
    assert [(it.weeks, it.text) for it in import_plan_text(text).items] == [([1], "慰问教职工"), ([2, 3], "制定工会计划")]


def test_a_term_calendar_keyed_by_bare_week_numbers() -> None:
    text = "学期工会行事历\n周次\t工作内容\t负责人\n1\t制定工会计划\t工会主席\n5-6\t教职工运动会\t体育组\n"
    assert [(it.weeks, it.text) for it in import_plan_text(text).items] == [([1], "制定工会计划"),
                                                                           ([5, 6], "教职工运动会")]


def test_a_table_keyed_by_dates_in_digits() -> None:
    text = "活动计划\n时间\t活动\n2027.03\t三八节女教工活动\n2027-04-18\t教职工踏青\n2027/12\t迎新年联欢\n"
    got = import_plan_text(text).items
    assert [(it.months, it.text, it.date and it.date.isoformat()) for it in got] == [
        ([3], "三八节女教工活动", "2027-03-08"), ([4], "教职工踏青", "2027-04-18"), ([12], "迎新年联欢", None)]


def test_month_headings_spaced_out_for_layout() -> None:
    assert items("三、活动安排\n三 月 份\n1、植树\n十 月 份\n1、重阳节慰问\n") == [([3], "植树"), ([10], "重阳节慰问")]


def test_entries_numbered_with_chinese_numbers_in_brackets_and_page_numbers_between() -> None:
    text = ("二、活动安排\n三月份\n（一）三八节慰问女教工\n（二）植树活动\n- 2 -\n四月份\n（一）春游\n第 2 页 共 3 页\n"
            "（二）教代会\n三、保障措施\n1、经费\n")
    assert items(text) == [([3], "三八节慰问女教工"), ([3], "植树活动"), ([4], "春游"), ([4], "教代会")]


def test_a_month_with_nothing_planned_gives_no_item() -> None:
    text = "活动安排\n一月份：无\n二月份：（略）\n三月份：植树\n四月份\n待定\n九月份：教师活动（待定）\n"
    assert items(text) == [([3], "植树"), ([9], "教师活动（待定）")]


def test_prose_hard_wrapped_mid_sentence_under_month_headings() -> None:
    # Where the prose ends its sentences with 。, a line without one runs on; a bare list does not.
    text = ("三、工作安排\n三月份：组织女教职工开展庆祝三八妇女节\n活动，评选优秀女教职工。召开工会委员会\n议。\n"
            "四月份：举行春季教职工运动会。\n五月份\n植树活动\n教代会\n")
    got = [(it.months, it.text, it.line) for it in import_plan_text(text).items]
    assert got == [([3], "组织女教职工开展庆祝三八妇女节活动，评选优秀女教职工", 2), ([3], "召开工会委员会议", 3),
                   ([4], "举行春季教职工运动会", 5), ([5], "植树活动", 7), ([5], "教代会", 8)]


def test_a_table_in_full_width_bars_and_a_calendar_spaced_into_columns() -> None:
    bars = "活动安排表\n｜月份｜活动内容｜负责人｜\n｜3月｜三八节女教工健身活动｜女工委员｜\n｜5月｜1.教代会　2.青年教师座谈会｜工会主席｜\n"
    assert items(bars) == [([3], "三八节女教工健身活动"), ([5], "教代会"), ([5], "青年教师座谈会")]
    spaced = "2027年工会月历\n1月    寒假慰问困难教职工    工会\n3月    三八节女教职工插花    女工委\n"
    assert items(spaced) == [([1], "寒假慰问困难教职工"), ([3], "三八节女教职工插花")]  # 女工委 does the work


def test_seasons_that_give_their_months() -> None:
    text = "四、活动安排\n春季（3—5月）：\n1、教职工春季运动会\n冬季（12—2月）：\n1、春节送温暖\n"
    assert items(text) == [([3, 4, 5], "教职工春季运动会"), ([12, 1, 2], "春节送温暖")]


def test_month_numbers_fused_to_the_entry_numbers_of_a_flattened_table() -> None:
    # '月份 | 活动要点' flattened: '31、' is March entry 1, '101、' October, '7组织…' July un-numbered; an
    # autumn term wraps into January ('11、' after December).
    text = ("实验中学工会工作安排\n月份 活动要点\n31、 三八节女教工联欢\n2、 植树活动\n41、教职工乒乓球赛\n"
            "7组织暑期疗休养\n101、 重阳节慰问退休教师\n2、 工会小组长例会\n121、 工会年度总结\n11、 迎新春联欢会\n")
    assert items(text) == [([3], "三八节女教工联欢"), ([3], "植树活动"), ([4], "教职工乒乓球赛"), ([7], "组织暑期疗休养"),
                           ([10], "重阳节慰问退休教师"), ([10], "工会小组长例会"), ([12], "工会年度总结"),
                           ([1], "迎新春联欢会")]


def test_a_long_numbered_list_is_not_read_as_fused_months() -> None:
    # Entry 11 after entry 10 and 21 after 20 are the list going on, not November and February.
    text = "三月份：\n" + "".join(f"{n}、活动{n}\n" for n in range(1, 23)) + "四月份：\n1、春游\n"
    assert [m for m, _ in items(text)] == [[3]] * 22 + [[4]]


def test_several_months_on_one_line_and_a_plan_flattened_onto_one_line() -> None:
    text = ("二、主要活动\n三月份：三八节女教工插花；春季讲座。四月份：踏青采风。五月份：会员信息更新六月份：端午节慰问\n"
            "九月份：教师节联欢会\n")
    assert items(text) == [([3], "三八节女教工插花"), ([3], "春季讲座"), ([4], "踏青采风"), ([5], "会员信息更新"),
                           ([6], "端午节慰问"), ([9], "教师节联欢会")]
    flat = ("南湖小学工会2027年工作计划 现将工作安排如下：一月份：1、走访困难教职工 2、年度总结 三月份：1、三八节登山 "
            "2、读书月启动 十二月份：1、元旦长跑 2、经费决算 四、保障措施 1、加强领导 南湖小学工会 2027年1月")
    assert items(flat) == [([1], "走访困难教职工"), ([1], "年度总结"), ([3], "三八节登山"), ([3], "读书月启动"),
                           ([12], "元旦长跑"), ([12], "经费决算")]


def test_a_table_copied_one_cell_per_line_with_the_date_column_last() -> None:
    cells = ["表3 文体活动安排", "活动形式 |", "活动主题 |", "参加人员 |", "完成时间 |",
             "分 |", "教职工环湖健步走 |", "后勤处 |", "2027年4月12日 |",
             "统 |", "气排球友谊赛 |", "图书馆、信息中心 |", "2027年5月30 |",
             "请各部门按时报送活动照片。"]
    got = import_plan_text("\n".join(cells)).items
    # The form column ('分', '统') says how, the people column who: neither is the activity. The prose after
    # the table is not part of its last row.
    assert [(it.months, it.text, it.date and it.date.day) for it in got] == [
        ([4], "教职工环湖健步走", 12), ([5], "气排球友谊赛", 30)]


def test_the_rules_and_details_under_an_activity_are_not_activities() -> None:
    text = ("二、工作安排\n四月份：\n1、教职工排球赛\n排球赛竞赛规程：\n1. 参赛队伍：每个年级组一队。\n"
            "2. 计分办法：每球得分制。\n3. 比赛时间：4月下旬。\n2、师德演讲比赛\n比赛地点：学术报告厅\n"
            "五月份：\n1、工会财务审计\n（1）参加人员：工会委员\n2、会员信息更新\n")
    assert items(text) == [([4], "教职工排球赛"), ([4], "师德演讲比赛"), ([5], "工会财务审计"), ([5], "会员信息更新")]


def test_two_activities_in_one_cell_split_at_a_space_but_an_activity_and_its_details_stay_one() -> None:
    text = ("活动安排表\n| 月份 | 活动内容 | 负责人 |\n| 4月 | 教职工插花 青年教师座谈会 | 女工委员 |\n"
            "| 5月 | 春季趣味运动会 每个年级组一支队伍 | 文体委员 |\n| 10月 | 拔河比赛 地点：学校操场 | 文体委员 |\n")
    got = import_plan_text(text).items
    assert [(it.months, it.text) for it in got] == [
        ([4], "教职工插花"), ([4], "青年教师座谈会"), ([5], "春季趣味运动会 每个年级组一支队伍"),
        ([10], "拔河比赛 地点：学校操场")]
    assert [bool(it.flags) for it in got] == [True, True, False, False]  # a split cell is flagged for checking
    # A gap of two spaces inside a cell of a table spaced into columns: the columns still line up from the right.
    spaced = "时间      活动内容                  负责\n6月      端午节慰问  工会会员每人一份      工会主席\n"
    assert items(spaced) == [([6], "端午节慰问  工会会员每人一份")]


def test_a_dated_entry_whose_text_follows_its_date_directly() -> None:
    text = ("学院工会文体活动计划\n1、20xx年元月迎新舞会。\n2、20xx年3月:教职工毽球赛\n3、教职工书画比赛。\n"
            "4、2027年6月进行棋牌类比赛。\n")
    assert items(text) == [([1], "迎新舞会"), ([3], "教职工毽球赛"), ([6], "进行棋牌类比赛")]


def test_a_date_in_brackets_after_the_full_stop_and_an_attachment_name_at_the_end() -> None:
    text = ("文体活动安排\n11月\n举办教职工乒乓球单项赛。(11月5日—20日)\n12月\n组织庆元旦教职工长跑。\n"
            "校工会2027年文体工作计划(表).doc\n")
    assert items(text) == [([11], "举办教职工乒乓球单项赛。(11月5日—20日)"), ([12], "组织庆元旦教职工长跑")]


def test_a_prose_line_ending_in_a_comma_runs_on_into_the_next() -> None:
    text = ("具体活动安排\n1~2月:\n召开教代会,联欢会,送温暖慰问,\n福利品发放等工作(已做).\n3月:\n1. 组织职工长跑比赛\n")
    assert items(text) == [([1, 2], "召开教代会,联欢会,送温暖慰问,福利品发放等工作(已做)."), ([3], "组织职工长跑比赛")]


def test_a_month_key_then_a_space_then_an_entry_with_its_details() -> None:
    text = "三、每月活动安排\n五月份 教职工跳绳比赛\n六月份 游艺活动 时间: 六月末 [学生退校后]\n七月份 教师旅游\n"
    assert items(text) == [([5], "教职工跳绳比赛"), ([6], "游艺活动 时间: 六月末 [学生退校后]"), ([7], "教师旅游")]


def test_rules_under_an_activity_on_the_heading_line() -> None:
    text = ("二、活动安排\n四月份：教职工篮球赛\n比赛规程：\n1. 参赛队伍：每个年级组一队。\n2. 比赛时间：4月下旬。\n"
            "五月份：教职工体检\n体检地点：市人民医院\n六月份：端午节慰问\n")
    assert items(text) == [([4], "教职工篮球赛"), ([5], "教职工体检"), ([6], "端午节慰问")]


def test_each_month_s_only_entry_glued_to_its_number_under_a_month_header() -> None:
    text = "活动安排\n月份 活动内容\n3三八节女教工活动\n4春季运动会\n5教代会\n9教师节慰问\n"
    assert items(text) == [([3], "三八节女教工活动"), ([4], "春季运动会"), ([5], "教代会"), ([9], "教师节慰问")]
    # Without the 月份 header, or out of order, numbers glued to text are left alone.
    assert items("活动安排\n3人一组\n4春季运动会\n5教代会\n") == []


def test_a_plan_on_one_line_whose_months_have_no_colons() -> None:
    text = "工会2027年工作计划 二、活动安排 三月份 植树活动 四月份 春游 五月份 教职工体检 三、保障措施 落实经费"
    assert items(text) == [([3], "植树活动"), ([4], "春游"), ([5], "教职工体检")]


def test_a_calendar_spaced_into_columns_without_a_header_keeps_an_activity_with_its_details() -> None:
    text = ("2027年工会月历\n3月　　三八节插花　　健步走比赛　　女工委员\n4月　　春季运动会　　每个年级组一支队伍　　文体委员\n"
            "5月　　教职工体检　　工会\n")
    assert items(text) == [([3], "三八节插花"), ([3], "健步走比赛"), ([4], "春季运动会  每个年级组一支队伍"),
                           ([5], "教职工体检")]
