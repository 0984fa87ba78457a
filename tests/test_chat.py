"""Behaviour through the terminal transport: what a teacher types, what the bot answers."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.app import App
from bot.pipeline import Incoming, split_command
from storage.models import ScheduleItem
from tests.conftest import PLAN_FIXTURE, REPO, ChatDriver


def count_items(app: App) -> int:
    return len(app.services.schedule.list())


def test_help_lists_what_the_asker_may_use(chat: ChatDriver) -> None:
    member = chat.text("李老师", "#帮助")
    admin = chat.text("王主席", "#帮助")
    assert "#本月活动" in member and "#添加活动" not in member
    assert "#添加活动" in admin and "#导入计划" in admin
    assert "仅限工会管理员" in chat.text("李老师", "#帮助 添加活动")


def test_group_chatter_is_ignored_private_text_is_handled(chat: ChatDriver) -> None:
    assert chat.say("李老师", "大家好，今天开会吗") == []
    assert chat.text("李老师", "帮助", private=True).startswith("测试小学工会")
    assert "可用命令" in chat.text("李老师", "＃帮助")  # full-width prefix
    assert "可用命令" in chat.text("李老师", "/帮助")


def test_unknown_command_suggests(chat: ChatDriver) -> None:
    out = chat.text("李老师", "#本月", private=True)
    assert "没有“本月”这个命令" in out and "#本月活动" in out
    group = chat.text("李老师", "#本月")
    assert "没有这个命令" in group and "#本月活动" in group and "“本月”" not in group


def test_admin_only_command_refused_and_nothing_changes(chat: ChatDriver, app: App) -> None:
    before = count_items(app)
    out = chat.text("李老师", "#添加活动 2027-03-08 三八节慰问女教工")
    assert "仅限工会管理员" in out
    assert count_items(app) == before
    assert "已添加" in chat.text("王主席", "#添加活动 2027-03-08 三八节慰问女教工")
    assert count_items(app) == before + 1


def test_too_long_message_gets_a_reply(chat: ChatDriver, app: App) -> None:
    out = chat.text("王主席", "#添加活动 3月 " + "很" * 3000)
    assert "消息过长" in out
    assert count_items(app) == 0


def test_self_duplicate_and_old_messages_are_not_answered(app: App, clock) -> None:  # type: ignore[no-untyped-def]
    msg = Incoming(message_id="m1", contact_id="t1", contact_name="李老师", text="#帮助", room_id="r@chatroom",
                   timestamp=clock())
    assert app.pipeline.handle(msg)
    assert app.pipeline.handle(msg) == []  # replayed id
    assert app.pipeline.handle(dataclasses.replace(msg, message_id="m2", from_self=True)) == []
    old = dataclasses.replace(msg, message_id="m3", timestamp=clock() - dt.timedelta(hours=1))
    assert app.pipeline.handle(old) == []


def test_mention_makes_a_group_message_a_command(app: App, clock) -> None:  # type: ignore[no-untyped-def]
    msg = Incoming(message_id="m9", contact_id="t1", contact_name="李老师", text="@工会助手 本月活动",
                   room_id="r@chatroom", timestamp=clock())
    out = app.pipeline.handle(msg)
    assert out and out[0].room_id == "r@chatroom" and "本月活动" in out[0].text


def test_split_command() -> None:
    assert split_command("#活动安排 3") == ("活动安排", "3")
    assert split_command("# 帮助") == ("帮助", "")
    assert split_command("#导入计划\n一月份：春节") == ("导入计划", "一月份：春节")


def test_schedule_commands(chat: ChatDriver, app: App) -> None:
    chat.say("王主席", "#添加活动 2027-03-08 三八节慰问女教工")
    chat.say("王主席", "#添加活动 4月 教职工羽毛球赛")
    assert "三八节慰问女教工" in chat.text("李老师", "#本月活动")  # the clock says March 2027
    assert "羽毛球赛" in chat.text("李老师", "#下月活动")
    assert "羽毛球赛" in chat.text("李老师", "#活动安排 4")
    assert "3月：1.三八节慰问女教工（3月8日）" in chat.text("李老师", "#活动安排")
    assert "节日：三八妇女节" in chat.text("李老师", "#活动 1")
    assert "没有编号为 99" in chat.text("李老师", "#活动 99")
    assert "格式" in chat.text("王主席", "#修改活动 abc")
    assert "3月10日" in chat.text("王主席", "#修改活动 1 2027-03-10")
    assert "已删除" in chat.text("王主席", "#删除活动 2")
    assert [it.text for it in app.services.schedule.list()] == ["三八节慰问女教工"]
    # Keys as admins write them elsewhere; a date that cannot be read changes nothing.
    assert "3月12日" in chat.text("王主席", "#修改活动 1 日期=3月12日")
    assert "不是日期时间" in chat.text("王主席", "#修改活动 1 日期=过几天 内容=改了")  # the one date sentence
    assert "三八节慰问全体女教工" in chat.text("王主席", "#修改活动 1 内容=三八节慰问全体女教工")
    item = app.services.schedule.get(1)
    assert item is not None and (item.date, item.text) == (dt.date(2027, 3, 12), "三八节慰问全体女教工")
    assert "3月5日（周五） 读书分享会" in chat.text("王主席", "#添加活动 周五 读书分享会")  # today is Tue 3月2日


def test_calendar_file_is_sent(chat: ChatDriver) -> None:
    chat.say("王主席", "#添加活动 2027-03-08 三八节慰问女教工")
    out = chat.say("李老师", "#日历", private=True)
    assert out[0].file is not None and out[0].file.name == "union-2027.ics"
    assert b"BEGIN:VCALENDAR" in out[0].file.data and "三八节".encode() in out[0].file.data
    assert "unionbot plan ics" in out[1].text  # a fallback when files fail on a gateway


def test_import_plan_preview_then_confirm(chat: ChatDriver, app: App) -> None:
    plan = PLAN_FIXTURE.read_text(encoding="utf-8")
    assert "请私聊" in chat.text("王主席", "#导入计划")  # in the group: no
    assert "仅限工会管理员" in chat.text("李老师", "#导入计划", private=True)
    assert "粘贴" in chat.text("王主席", "#导入计划", private=True)
    preview = chat.text("王主席", plan, private=True)
    assert "识别到 17 项活动" in preview and "#确认导入" in preview
    assert count_items(app) == 0  # nothing stored before confirmation
    assert "已导入 17 项" in chat.text("王主席", "#确认导入", private=True)
    assert count_items(app) == 17
    assert "没有待确认" in chat.text("王主席", "#确认导入", private=True)


def test_import_cancel_and_timeout(chat: ChatDriver, app: App, clock) -> None:  # type: ignore[no-untyped-def]
    chat.say("王主席", "#导入计划", private=True)
    assert "已取消" in chat.text("王主席", "#取消", private=True)
    assert "当前没有" in chat.text("王主席", "#取消", private=True)
    chat.say("王主席", "#导入计划 三月份：\n1、三八节慰问\n四月份：\n1、春游", private=True)
    clock.advance(dt.timedelta(hours=2))
    assert "超时" in chat.text("王主席", "#确认导入", private=True)
    assert count_items(app) == 0


def test_import_plan_from_docx_file(chat: ChatDriver, app: App, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import docx

    doc = docx.Document()
    doc.add_paragraph("2027年工会工作计划")
    doc.add_paragraph("活动安排")
    table = doc.add_table(rows=3, cols=3)
    for row, cells in enumerate((("月份", "活动内容", "负责人"), ("三月", "三八节慰问女教工", "女工委员"),
                                 ("十月", "重阳节慰问退休教师", "生活委员"))):
        for col, text in enumerate(cells):
            table.cell(row, col).text = text
    path = tmp_path / "plan.docx"
    doc.save(path)
    chat.console.speaker_id = chat.console.speaker_name = "王主席"
    chat.console.private = True
    chat.console.feed(f"/file {path}")
    assert "导入年度计划请先发送 #导入计划" in chat.out.getvalue()
    chat.say("王主席", "#导入计划", private=True)
    chat.console.feed(f"/file {path}")
    assert "识别到 2 项活动（2027年）" in chat.out.getvalue()
    chat.say("王主席", "#确认导入", private=True)
    items: list[ScheduleItem] = app.services.schedule.list(2027)
    assert [(i.text, i.holiday) for i in items] == [("三八节慰问女教工", "三八妇女节"), ("重阳节慰问退休教师", "重阳节")]


def test_console_transcript_from_stdin(app: App, clock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import io

    from bot.transports.console import ConsoleChat

    out = io.StringIO()
    console = ConsoleChat(app, clock, out=out, files_dir=tmp_path)
    script = "#帮助\n聊天\n/as 王主席\n/dm\n#添加活动 3月 春季趣味运动会\n/now 2027-03-02 09:00\n/group\n#本月活动\n/quit\n#帮助\n"
    console.run(io.StringIO(script), interactive=False)
    lines = out.getvalue()
    assert lines.count("[群 全体教职工群] 工会助手：") == 2
    assert "[私聊 王主席] 工会助手：已添加" in lines
    assert "春季趣味运动会" in lines.split("时间已设为")[1]


def test_sample_schedule_is_loaded_once(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    from bot.app import build_app
    from tests.conftest import make_config

    config = make_config(f"sqlite:///{tmp_path}/s.db", schedule={"file": str(REPO / "examples/schedule.example.toml")})
    first = build_app(config, clock)
    n = len(first.services.schedule.list())
    assert n >= 10 and first.notices
    first.services.schedule.delete(1)
    again = build_app(config, clock)  # a restart must not re-add what the chair deleted
    assert len(again.services.schedule.list()) == n - 1 and not again.notices


def test_help_is_grouped_by_capability_and_explains_a_section(chat: ChatDriver) -> None:
    member = chat.text("李老师", "#帮助")
    assert "【活动报名】#报名" in member and "【慰问帮扶】#申请" in member
    assert "#发起报名" not in member and "【提醒通知】" not in member  # admins' only
    assert member.strip().splitlines()[-2].startswith("【其他】")
    section = chat.text("李老师", "#帮助 活动报名")
    assert "#报名 编号 [+家属人数] [备注] —— 报名参加活动" in section
    assert "仅限工会管理员" not in chat.text("李老师", "#帮助 报名")


def test_two_console_sessions_on_one_database_are_both_answered(app: App, clock) -> None:  # type: ignore[no-untyped-def]
    first, second = ChatDriver(app, clock), ChatDriver(app, clock)
    assert "可用命令" in first.text("李老师", "#帮助")
    assert "可用命令" in second.text("李老师", "#帮助")  # same fake time, a new session: not a replay


def test_a_command_glued_to_its_number(chat: ChatDriver, app: App) -> None:
    from handlers import build_registry

    registry = build_registry()
    assert registry.split_glued("报名1") == ("报名", "1") and registry.split_glued("活动安排3") == ("活动安排", "3")
    assert registry.split_glued("报名列表") is None and registry.split_glued("申请住院") is None
    chat.text("王主席", "#发起报名 观影 名额=5 家属=1")
    assert "✓ 李老师 +1 报名成功" in chat.text("李老师", "#报名1+1")
    chat.text("王主席", "#添加活动 2027-03-08 三八节慰问女教工")
    assert "【1】3月8日" in chat.text("李老师", "#活动1")
    assert "请私聊" in chat.text("李老师", "#申请1")  # a private command stays private when glued


def test_contact_id_is_told_in_private_only(chat: ChatDriver) -> None:
    assert "联系人 ID：李老师" in chat.text("李老师", "#我的信息", private=True)
    assert "联系人 ID" not in chat.text("李老师", "#我的信息")


def test_add_item_keeps_long_text_whole_and_reads_a_date_key_followed_by_text(chat: ChatDriver, app: App) -> None:
    """Issue 27 items 4 and 5: '日期=3月8日 三八节慰问' was '日期看不懂'; text over 200 was cut."""
    assert "已添加" in chat.text("王主席", "#添加活动 日期=3月8日 三八节慰问女教工")
    item = app.services.schedule.get(1)
    assert item is not None and (item.date, item.text) == (dt.date(2027, 3, 8), "三八节慰问女教工")
    long_text = "教职工" + "趣" * 247
    assert "已添加" in chat.text("王主席", f"#添加活动 4月 {long_text}")
    assert app.services.schedule.get(2).text == long_text


def test_long_vote_and_checkin_titles_are_refused_with_their_length(chat: ChatDriver, app: App) -> None:
    assert "标题最多 200 字，您写了 201 字" in chat.text("王主席", "#发起投票 " + "决" * 201)
    assert app.services.votes.get(1) is None
    assert "会议名称最多 200 字，您写了 205 字" in chat.text("王主席", "#开始签到 " + "会" * 205)


def test_free_text_after_a_vote_or_checkin_field_is_named_not_misread(chat: ChatDriver, app: App) -> None:
    """Issue 27 item 4 in votes and check-ins: the words after 截止=… made it "不是日期时间"."""
    out = chat.text("王主席", "#发起投票 修订绩效方案 对象=代表 截止=2027-03-20 17:00 请各位代表按时投票")
    assert "“请各位代表按时投票”不属于任何一项" in out and "不是日期时间" not in out
    assert app.services.votes.get(1) is None
    assert "已发起投票【1】修订绩效方案" in chat.text("王主席", "#发起投票 修订绩效方案 对象=代表 截止=2027-03-20 17:00")
    assert "“请准时”不属于任何一项" in chat.text("王主席", "#开始签到 教代会 对象=代表 请准时")
