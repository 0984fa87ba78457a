"""Issue 26, "Votes and attendance": an admin starts a vote and a check-in on the page through the same
typed actions as the chat, follows turnout (never a secret vote's counts before it closes, never who
chose what), reads the result and the congress quorum, and prints the attendance list."""

from __future__ import annotations

import re

from storage.models import Checkin, Vote
from tests.test_receipts_votes import REPS, with_roster
from tests.test_web import ADMIN, MEMBER, count, env, login, nav, plain, post

__all__ = ["env"]


def main(html: str) -> str:
    return plain(html.split("<main>", 1)[1])


def test_a_secret_congress_vote_on_the_page_turnout_then_result_and_quorum(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    with_roster(chat.app)
    admin = login(chat, web, ADMIN)
    assert "投票" in nav(admin.get("/").text) and "签到" in nav(admin.get("/").text)
    made = post(admin, "/votes/new", {"title": "关于修订绩效方案的决议", "options": "", "audience": "代表",
                                      "deadline": "", "anonymous": "是", "max_choices": ""}, page="/votes")
    assert made.url.path == "/votes/1" and "已发起投票 1" in made.text
    for who, choice in zip(REPS[:3], ("赞成", "赞成", "反对"), strict=True):
        assert "已收到" in chat.text(who, f"#投票 1 {choice}", private=True)
    during = main(admin.get("/votes/1").text)
    assert "已投 3/6 人，投票率 50%" in during and "结束前不显示票数" in during
    assert 'id="tally"' not in during and "<td>赞成</td>" not in during  # no option with a count beside it
    assert "至少 4 人" in during and "还差 1 人" in during  # the quorum, two thirds of 6
    assert not any(name in during for name in REPS)  # who voted is never listed
    closed = post(admin, "/votes/1/close", page="/votes/1")
    assert "已结束投票" in closed.text
    result = main(closed.text)
    tally = re.search(r'<table id="tally">.*?</table>', result, re.S)
    assert tally and "<td>赞成</td><td>2</td>" in tally.group(0) and "<td>反对</td><td>1</td>" in tally.group(0)
    assert "表决无效" in result and "不足全体代表 6 人的三分之二" in result
    # The chat says the same.
    assert "投票 3 人，应投 6 人" in chat.text(ADMIN, "#投票结果 1", private=True)


def test_a_bad_vote_keeps_every_field_and_creates_nothing(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    admin = login(chat, web, ADMIN)
    form = {"title": "工会委员选举", "options": "张三|张三", "audience": "代表", "deadline": "三十二月",
            "anonymous": "否", "max_choices": "9"}
    bad = post(admin, "/votes/new", form, page="/votes")
    assert bad.url.path == "/votes" and "未提交" in bad.text
    page = main(bad.text)
    assert "选项应是 2 到 30 个不同的词" in page and "不是日期时间" in page, page
    for value in ("工会委员选举", "张三|张三", "三十二月", 'value="9"'):
        assert value in page, value
    assert '<option value="否" selected>' in page
    assert count(chat.app.engine, Vote) == 0


def test_a_teacher_gets_the_404_for_votes_and_checkins(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    chat.text(ADMIN, "#发起投票 年度预算 对象=全体", private=True)
    chat.text(ADMIN, "#开始签到 全体会员大会", private=True)
    teacher = login(chat, web, MEMBER)
    assert "投票" not in nav(teacher.get("/").text)
    for path in ("/votes", "/votes/1", "/checkins", "/checkins/1"):
        r = teacher.get(path)
        assert r.status_code == 404 and "页面不存在，或您无权查看" in r.text, path
    for path in ("/votes/new", "/votes/1/close", "/checkins/new", "/checkins/1/close"):
        assert post(teacher, path, {"title": "x"}).status_code == 404, path
    assert count(chat.app.engine, Vote) == 1 and count(chat.app.engine, Checkin) == 1
    assert chat.app.services.votes.get(1).status == "open"  # type: ignore[union-attr]


def test_checkin_page_by_department_quorum_close_and_print(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    with_roster(chat.app)
    admin = login(chat, web, ADMIN)
    bad = post(admin, "/checkins/new", {"title": "", "audience": "代表"}, page="/checkins")
    assert "请写上会议名称" in bad.text and 'value="代表"' in main(bad.text)
    assert count(chat.app.engine, Checkin) == 0
    made = post(admin, "/checkins/new", {"title": "第五届教代会第二次会议", "audience": "代表"}, page="/checkins")
    assert made.url.path == "/checkins/1"
    for who in REPS[:4]:  # 李 王 (语文组), 张 刘 (数学组)
        assert "已签到" in chat.text(who, "#签到", private=True)
    page = main(admin.get("/checkins/1").text)
    assert "已到 4/6 人" in page and "已达到法定人数" in page
    dept = re.search(r'<table id="by-department">.*?</table>', page, re.S)
    assert dept and "<td>英语组</td><td>0</td><td>2</td>" in dept.group(0)
    assert "<td>语文组</td><td>2</td><td>2</td>" in dept.group(0)
    roll = re.search(r'<table id="roll">.*?</table>', page, re.S)
    assert roll and roll.group(0).count("<tr>") == 7 and roll.group(0).count("未签到") == 2
    assert "@media print" in admin.get("/checkins/1").text
    assert "已结束签到" in post(admin, "/checkins/1/close", page="/checkins/1").text
    assert "已结束" in chat.text("陈老师", "#签到 1", private=True)
    listing = main(admin.get("/checkins").text)
    assert "第五届教代会第二次会议" in listing and "4/6" in listing


def test_a_named_vote_shows_its_running_counts_to_admins_only_as_the_chat_does(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    with_roster(chat.app)
    admin = login(chat, web, ADMIN)
    post(admin, "/votes/new", {"title": "春游地点", "options": "西湖|千岛湖", "audience": "全体", "anonymous": "否"},
         page="/votes")
    chat.text(REPS[0], "#投票 1 千岛湖", private=True)
    during = main(admin.get("/votes/1").text)
    assert "记名投票" in during and "<td>千岛湖</td><td>1</td>" in during and "<td>西湖</td><td>0</td>" in during
    assert REPS[0] not in during  # counts, never names beside choices
    assert "千岛湖 1 票" in chat.text(ADMIN, "#投票结果 1", private=True)


def test_the_vote_and_checkin_actions_answer_by_field_and_ask_the_access_rule(env) -> None:  # type: ignore[no-untyped-def]
    from handlers.actions import votes as actions
    from handlers.actions.core import Problems
    from tests.test_actions import acting

    chat, _ = env
    for who in (ADMIN, MEMBER):
        chat.text(who, "#我的信息", private=True)
    admin, member = acting(chat.app, ADMIN), acting(chat.app, MEMBER)
    bad = actions.start_vote(admin, " ", options="甲", deadline="2020-01-01", anonymous="也许", max_choices="0")
    assert isinstance(bad, Problems)
    assert set(bad.fields) == {"title", "options", "deadline", "anonymous", "max_choices"}
    refused = actions.start_vote(member, "决议")
    assert isinstance(refused, Problems) and refused.fields == {"": "您没有权限办理这件事"}
    assert isinstance(actions.start_checkin(member, "大会"), Problems)
    assert count(chat.app.engine, Vote) == 0 and count(chat.app.engine, Checkin) == 0
    started = actions.start_vote(admin, "决议", max_choices="2")
    assert not isinstance(started, Problems) and started.row.max_choices == 2
    assert actions.close_vote(member, 1) == Problems.of("", "not_allowed")
    assert isinstance(actions.close_vote(admin, 1), Vote) and actions.close_vote(admin, 1) is False
    assert isinstance(actions.close_vote(admin, 9), Problems)
