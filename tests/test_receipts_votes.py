"""Who has not answered: receipts for notices, the missing list for sign-ups, secret ballots with the
congress quorum, and attendance, through the terminal transport; the counts under concurrency and
the secrecy of an anonymous vote on both databases."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import inspect, text

from bot.app import App, build_app, build_services
from bot.clock import FakeClock
from handlers.vote_rules import VoteRules, decide
from storage import migrate
from storage.db import make_engine, session_scope
from storage.members import RosterRow
from storage.models import Member
from storage.votes import NewVote
from tests.conftest import REPO, ChatDriver, make_config

STAFF = [  # name (= console contact id), department, gender, roster role
    ("李老师", "语文组", "女", "代表"), ("王老师", "语文组", "男", "代表"), ("张老师", "数学组", "女", "代表"),
    ("刘老师", "数学组", "男", "代表"), ("陈老师", "英语组", "女", "代表"), ("杨老师", "英语组", "男", "代表"),
    ("周老师", "总务处", "女", ""), ("吴老师", "总务处", "男", ""),
]
REPS = [s[0] for s in STAFF if s[3]]


def with_roster(app: App) -> None:
    app.services.members.import_roster([RosterRow(n, department=d, gender=g, role=r, contact_id=n)
                                        for n, d, g, r in STAFF])


@pytest.fixture
def staff(chat: ChatDriver) -> ChatDriver:
    with_roster(chat.app)
    return chat


def private_only(out: list) -> bool:
    return all(o.room_id is None for o in out)


# --- receipts ------------------------------------------------------------------------


def test_notice_with_receipts_counted_against_the_roster(staff: ChatDriver, app: App) -> None:
    ack = staff.text("王主席", "#发送通知 需回执 请各位老师周五前提交教学计划")
    assert "通知 1 已排队" in ack
    posted = [o for o in staff.pump() if o.room_id]
    assert len(posted) == 1 and "【工会通知 1】" in posted[0].text and "#收到 1" in posted[0].text
    out = staff.say("李老师", "#收到")  # in the group: answered privately, the group hears nothing
    assert private_only(out) and out[0].contact_id == "李老师" and "已确认收到通知 1" in out[0].text
    assert staff.say("李老师", "#收到 1") == [] and staff.say("李老师", "#收到", private=True) == []
    assert "已确认" in staff.text("张老师", "#收到 1", private=True)
    report = staff.text("王主席", "#回执 1", private=True)
    assert "已收到 2/8" in report and "语文组（1）：王老师" in report and "总务处（2）：周老师、吴老师" in report.replace("吴老师、周老师", "周老师、吴老师")
    assert "李老师" not in report.split("未回执")[1]
    assert "仅限" in staff.text("李老师", "#回执 1")
    # A reminder goes only to those still missing when it is sent.
    assert "已安排私聊提醒 6 人" in staff.text("王主席", "#催办 1", private=True)
    staff.text("王老师", "#收到", private=True)
    nudged = sorted(o.contact_id for o in staff.pump() if "需要回执" in o.text)
    assert nudged == sorted(["刘老师", "吴老师", "周老师", "陈老师", "杨老师"])
    assert staff.pump() == []  # once per 催办
    assert "已收到 3/8" in staff.text("王主席", "#回执 1", private=True)


def test_receipts_for_an_audience_and_bad_input(staff: ChatDriver, app: App) -> None:
    staff.text("王主席", "#发送通知 对象=女教工 需回执 三八节活动安排")
    staff.pump()
    assert "已收到 0/4" in staff.text("王主席", "#回执 1", private=True)
    assert "不需要您回执" in staff.text("王老师", "#收到 1", private=True)  # a man: not in 女教工
    assert "没有编号为 9 的回执通知" in staff.text("李老师", "#收到 9", private=True)
    assert "没有编号为 9" in staff.text("王主席", "#回执 9", private=True)
    assert "格式：#回执 通知编号" in staff.text("王主席", "#回执 abc", private=True)
    staff.text("王主席", "#发送通知 普通通知不要回执")
    assert "没有编号为 2 的回执通知" in staff.text("李老师", "#收到 2", private=True)
    assert app.services.notices.acknowledged(app.services.notices.get(1)) == []


def test_without_a_roster_receipts_count_the_group_members(chat: ChatDriver, app: App) -> None:
    for who in ("李老师", "王老师", "张老师"):
        chat.text(who, "#帮助")  # the terminal's group members are whoever spoke there
    chat.text("王主席", "#发送通知 需回执 明天下午开会")
    chat.pump()
    chat.say("王老师", "#收到")
    report = chat.text("王主席", "#回执 1", private=True)
    # The chair sent the notice: not one of those missing (issue 27).
    assert "按群成员统计" in report and "已收到 1/3" in report and "李老师" in report and "张老师" in report


# --- sign-ups: who has not signed up ------------------------------------------------------


def test_missing_signups_and_reminders_before_the_deadline(staff: ChatDriver, app: App, clock: FakeClock) -> None:
    staff.text("王主席", "#发起报名 女教工瑜伽课 对象=女教工 截止=2027-03-05 17:00")
    staff.pump()
    staff.text("李老师", "#报名 1")
    missing = staff.text("王主席", "#未报名 1", private=True)
    assert "还有 3 人未报名" in missing and "数学组（1）：张老师" in missing and "王老师" not in missing
    assert "已安排私聊提醒 3 人" in staff.text("王主席", "#提醒报名 1", private=True)
    staff.text("张老师", "#报名 1")
    reminded = sorted(o.contact_id for o in staff.pump() if "正在报名" in o.text)
    assert reminded == ["周老师", "陈老师"]
    clock.set(dt.datetime(2027, 3, 6, 1, 0, tzinfo=dt.UTC))
    assert "已截止" in staff.text("王主席", "#提醒报名 1", private=True)


# --- votes -----------------------------------------------------------------------------


def test_vote_rules() -> None:
    rules = VoteRules()
    motion = ["赞成", "反对", "弃权"]
    few = decide(motion, [3, 0, 0], 3, 6, True, rules)
    assert not few.valid and "不足全体代表 6 人的三分之二" in few.rule
    half = decide(motion, [3, 1, 0], 4, 6, True, rules)
    assert half.valid and half.passed is False and "全体代表 6 人" in half.rule
    assert decide(motion, [3, 1, 0], 4, 6, True, VoteRules(half_passes=True)).passed is True
    assert decide(motion, [4, 0, 0], 4, 6, True, rules).passed is True
    assert decide(motion, [2, 1, 0], 3, None, False, rules).passed is True  # not the congress: of ballots cast
    election = decide(["张三", "李四", "王五"], [5, 4, 2], 6, 6, True, rules)
    assert election.elected == ("张三", "李四") and election.passed is None
    assert decide(motion, [3, 0, 0], 3, 4, True, VoteRules(quorum=Fraction(3, 4))).valid is True


def test_secret_vote_of_representatives_with_the_quorum(staff: ChatDriver, app: App, clock: FakeClock) -> None:
    out = staff.text("王主席", "#发起投票 关于修订绩效方案的决议 对象=代表 截止=2027-03-01 18:00")
    assert "已发起投票【1】" in out
    posted = [o.text for o in staff.pump() if o.room_id]
    assert posted and "#投票 1 赞成" in posted[0] and "无记名" in posted[0]
    group = staff.text("李老师", "#投票 1 赞成")
    assert "请私聊" in group and "赞成" not in group
    assert "已收到您对投票 1" in staff.text("李老师", "#投票 1 赞成", private=True)
    assert "只能投一次" in staff.text("李老师", "#投票 1 反对", private=True)
    assert "不在投票范围" in staff.text("周老师", "#投票 1 赞成", private=True)
    assert "请写上选项" in staff.text("王老师", "#投票 1 同意", private=True)
    for who, choice in (("王老师", "1"), ("张老师", "反对"), ("刘老师", "赞成")):
        assert "已收到" in staff.text(who, f"#投票 1 {choice}", private=True)
    during = staff.text("王主席", "#投票结果 1", private=True)
    assert "已投 4/6 人" in during and "不显示票数" in during
    assert not re.search(r"(赞成|反对|弃权)\s*\d", during)  # a secret ballot's counts: never before it closes
    assert "进行中" in staff.text("李老师", "#投票结果 1", private=True)
    clock.set(dt.datetime(2027, 3, 1, 10, 1, tzinfo=dt.UTC))  # 18:01: past the deadline
    assert "已结束" in staff.text("陈老师", "#投票 1 赞成", private=True)
    result = staff.text("李老师", "#投票结果 1", private=True)
    assert "投票 4 人，应投 6 人" in result and "赞成 3 票  反对 1 票  弃权 0 票" in result
    assert "未超过全体代表 6 人的半数，未通过" in result


def test_a_vote_short_of_the_quorum_is_invalid_and_an_election_elects(staff: ChatDriver, app: App) -> None:
    staff.text("王主席", "#发起投票 工会委员选举 选项=张三|李四|王五 多选=2 对象=代表")
    assert "最多选 2 项" in staff.text("李老师", "#投票 1 1 2 3", private=True)
    for who in ("李老师", "王老师", "张老师"):
        staff.text(who, "#投票 1 张三 李四", private=True)
    closed = staff.text("王主席", "#结束投票 1", private=True)
    assert "不足全体代表 6 人的三分之二" in closed and "表决无效" in closed
    staff.text("王主席", "#发起投票 工会委员选举（第二轮） 选项=张三|李四|王五 多选=2 对象=代表")
    for who, pick in (("李老师", "1 2"), ("王老师", "1 2"), ("张老师", "1 3"), ("刘老师", "1 2")):
        staff.text(who, f"#投票 2 {pick}", private=True)
    assert "当选：张三" in staff.text("王主席", "#结束投票 2", private=True)


def test_bad_vote_commands_change_nothing(staff: ChatDriver, app: App) -> None:
    for bad in ("#发起投票", "#发起投票 决议 选项=赞成", "#发起投票 决议 截止=昨天", "#发起投票 决议 多选=9",
                "#发起投票 决议 匿名=也许", "#发起投票 决议 颜色=红"):
        assert "格式：#发起投票" in staff.text("王主席", bad, private=True), bad
    assert app.services.votes.list() == []
    assert "仅限工会管理员" in staff.text("李老师", "#发起投票 决议")
    assert "没有编号为 5 的投票" in staff.text("李老师", "#投票 5 赞成", private=True)


def table_rows(app: App, *tables: str) -> list:
    with session_scope(app.engine) as s:
        return [sorted(tuple(r) for r in s.execute(text(f"SELECT * FROM {t}")).all()) for t in tables]


def cast_all(url: str, choices: dict[str, int]) -> App:
    clock = FakeClock(dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.UTC))
    app = build_app(make_config(url), clock)
    with_roster(app)
    v = app.services.votes.create(NewVote("决议", ["赞成", "反对", "弃权"], "代表"), "王主席", clock())
    for name in REPS:  # the same order of voters each time: only who chose what differs
        member = app.services.members.get_by_contact(name)
        assert member is not None and app.services.votes.cast(v, member, [choices[name]], clock()) == "ok"
    return app


def test_an_anonymous_vote_cannot_be_joined_back_to_voters(db_url: str, tmp_path: Path) -> None:
    """Two runs with the same voters and the same counts, but who chose what swapped: every row of the
    vote's tables is the same, so nothing stored tells the two apart."""
    one = dict(zip(REPS, [0, 0, 0, 1, 1, 2], strict=True))
    two = dict(zip(REPS, [2, 1, 0, 0, 1, 0], strict=True))
    a = cast_all(db_url, one)
    rows_a = table_rows(a, "vote_voter", "vote_tally", "vote_ballot")
    a.engine.dispose()
    if db_url.startswith("sqlite"):
        other = f"sqlite:///{tmp_path}/second.db"
    else:
        engine = make_engine(db_url)
        with engine.begin() as c:
            for t in ("vote_voter", "vote_tally", "vote_ballot", "vote"):
                c.execute(text(f"DELETE FROM {t}"))
            for t in ("vote_voter", "vote_ballot"):  # the same ids again, as on a fresh database
                c.execute(text(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), 1, false)"))
            c.execute(text("SELECT setval(pg_get_serial_sequence('vote', 'id'), 1, false)"))
        engine.dispose()
        other = db_url
    b = cast_all(other, two)
    assert table_rows(b, "vote_voter", "vote_tally", "vote_ballot") == rows_a
    assert rows_a[2] == []  # no ballot rows at all
    insp = inspect(b.engine)  # no column that could hold a choice, a time or an order beside a voter
    assert {c["name"] for c in insp.get_columns("vote_voter")} == {"id", "union_id", "vote_id", "member_id"}
    assert {c["name"] for c in insp.get_columns("vote_tally")} == {"vote_id", "option", "union_id", "count"}


# --- attendance -------------------------------------------------------------------------


def test_checkin_for_the_congress_counts_the_quorum(staff: ChatDriver, app: App) -> None:
    assert "已开始签到【1】" in staff.text("王主席", "#开始签到 第五届教代会第二次会议 对象=代表")
    staff.pump()
    for who in ("李老师", "王老师", "张老师"):
        out = staff.say(who, "#签到")
        assert private_only(out) and "已签到" in out[0].text
    assert "无需重复" in staff.text("李老师", "#签到", private=True)
    assert "不需要签到" in staff.text("周老师", "#签到 1", private=True)
    status = staff.text("王主席", "#签到情况", private=True)
    assert "已签到 3/6 人" in status and "未达到法定人数（需 4 人，还差 1 人）" in status and "英语组（2）" in status
    staff.text("刘老师", "#签到", private=True)
    assert "已达到法定人数" in staff.text("王主席", "#签到情况 1", private=True)
    out = staff.say("王主席", "#结束签到", private=True)
    sheet = openpyxl.load_workbook(io.BytesIO(out[1].file.data)).active
    assert [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)].count("已签到") == 4
    assert "已结束" in staff.text("杨老师", "#签到 1", private=True)


# --- exact counts under concurrency -----------------------------------------------------------


def test_three_hundred_at_once_give_exact_totals(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    config = make_config(db_url)
    services = build_services(config, engine)
    services.members.import_roster([RosterRow(f"教师{i:03d}", contact_id=f"t{i:03d}") for i in range(300)])
    members = [services.members.get_by_contact(f"t{i:03d}") for i in range(300)]
    now = dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.UTC)
    vote = services.votes.create(NewVote("决议", ["赞成", "反对", "弃权"]), "admin", now)
    notice = services.notices.create("开会", "全体", True, "admin", now)

    def act(i: int) -> tuple[str, str, bool]:
        m: Member = members[i % 300]  # every member twice: the second ballot and receipt are refused
        return services.votes.cast(vote, m, [i % 3], now), "", services.notices.acknowledge(notice, m, now)

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(act, range(600)))
    assert sum(1 for r in results if r[0] == "ok") == 300 and sum(1 for r in results if r[0] == "twice") == 300
    assert sum(services.votes.tally(vote)) == 300 and len(services.votes.voter_ids(vote)) == 300
    assert sum(1 for r in results if r[2]) == 300 and len(services.notices.acknowledged(notice)) == 300
    engine.dispose()


# --- the command line --------------------------------------------------------------------------


def test_cli_notices_and_votes(tmp_path: Path, clock: FakeClock) -> None:
    db = tmp_path / "cli.db"
    config = tmp_path / "config.toml"
    config.write_text(f'[union]\nid = "test-school"\nname = "测试"\n[database]\nurl = "sqlite:///{db}"\n'
                      '[roles]\nadmins = ["王主席"]\n[[groups]]\ntopic = "全体教职工群"\n', encoding="utf-8")
    from bot.config import load_config
    app = build_app(load_config(config), clock)
    with_roster(app)
    chat = ChatDriver(app, clock)
    chat.text("王主席", "#发送通知 需回执 交计划")
    chat.text("李老师", "#收到 1")
    chat.text("王主席", "#发起投票 决议 对象=代表")
    chat.text("李老师", "#投票 1 赞成", private=True)

    def cli(*args: str) -> dict:
        r = subprocess.run([sys.executable, "-m", "bot.cli", *args, "--json", "--config", str(config)],
                           capture_output=True, text=True, cwd=REPO)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    receipts = cli("notices", "receipts", "1")
    assert receipts["notice"]["number"] == 1 and [p["name"] for p in receipts["acknowledged"]] == ["李老师"]
    assert len(receipts["missing"]) == 7 and receipts["missing"][0].keys() >= {"name", "department", "contact_id"}
    assert cli("notices", "list")["notices"][0]["acknowledged"] == 1
    result = cli("votes", "result", "1")
    assert result["voted"] == 1 and result["eligible"] == 6 and "counts" not in result  # secret, still open
    assert cli("votes", "list")["votes"][0]["status"] == "open"
    r = subprocess.run([sys.executable, "-m", "bot.cli", "votes", "result", "9", "--config", str(config)],
                       capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 2 and "没有编号为 9 的投票" in r.stderr
