"""Sign-ups through the terminal transport, the CLI contract, and the database
deciding places under concurrency on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest

from bot.app import App, build_app, build_services
from bot.clock import FakeClock
from handlers.signups import events_titled, parse_signup_args, split_note, split_title
from schedules.event_form import parse_event_form
from schedules.when import read_datetime as parse_datetime
from storage import migrate
from storage.db import make_engine
from storage.members import RosterRow
from storage.models import Event
from storage.signups import NewEvent
from tests.conftest import REPO, ChatDriver, make_config

SH = dt.timezone(dt.timedelta(hours=8))
PUBLISH = "#发起报名 教职工羽毛球赛 时间=2027-04-15 15:30 地点=体育馆 名额=3 截止=2027-04-12 17:00 家属=1"


def test_event_form_parsing() -> None:
    now = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)
    f = parse_event_form("教职工羽毛球赛 时间=2027-04-15 15:30 地点=体育馆 名额=32 截止=4月12日 17:00 对象=女职工 家属=1", now)
    assert (f.title, f.place, f.capacity, f.family_max, f.audience) == ("教职工羽毛球赛", "体育馆", 32, 1, "女教工")
    assert f.starts_at == dt.datetime(2027, 4, 15, 15, 30, tzinfo=SH)
    assert f.deadline == dt.datetime(2027, 4, 12, 17, 0, tzinfo=SH)
    multi = parse_event_form("\n活动：春季踏青\n时间：4月10日 上午9点\n名额：四十人\n", now)
    assert (multi.title, multi.capacity, multi.errors) == ("春季踏青", 40, [])
    assert multi.starts_at == dt.datetime(2027, 4, 10, 9, 0, tzinfo=SH)
    bad = parse_event_form("观影 名额=很多 时间=明天吧", now)
    assert len(bad.errors) == 2 and bad.capacity is None
    assert parse_event_form("时间=2027-04-15", now).errors == ["缺少活动名称"]
    assert parse_datetime("1月5日 下午3点半", now, dt.time(0, 0)) == dt.datetime(2028, 1, 5, 15, 30, tzinfo=SH)
    assert parse_datetime("2027-02-30", now, dt.time(0, 0)) is None
    # Relative days, as a chair types them (now is Monday 2027-03-01).
    assert parse_datetime("明天 15:30", now, dt.time(0, 0)) == dt.datetime(2027, 3, 2, 15, 30, tzinfo=SH)
    assert parse_datetime("下周三 下午3点半", now, dt.time(0, 0)) == dt.datetime(2027, 3, 10, 15, 30, tzinfo=SH)
    assert parse_datetime("明天吧", now, dt.time(0, 0)) is None


@pytest.mark.parametrize(("args", "expected"), [
    ("3", (3, 0, "")), ("3 +1", (3, 1, "")), ("+2", (None, 2, "")), ("", (None, 0, "")),
    ("报名3 带1人", (3, 1, "")), ("3 4", (None, 0, "一次只能报名一个活动")),
])
def test_signup_args(args: str, expected: tuple) -> None:
    assert parse_signup_args(args) == expected
    assert parse_signup_args("'; DROP TABLE signup;--")[2].startswith("看不懂")


def test_a_note_follows_the_number() -> None:
    assert split_note("3 +1 素食 不吃辣") == ("3 +1", "", "素食 不吃辣")
    assert split_note("羽毛球") == ("", "羽毛球", "")
    assert split_note("备注：需要接送") == ("", "", "需要接送")
    assert split_note("3") == ("3", "", "")


def test_sign_up_with_a_note_and_change_it(chat: ChatDriver, app: App) -> None:
    chat.text("王主席", "#发起报名 春季踏青 名额=5")
    assert "报名成功" in chat.text("李老师", "#报名 1 需要接送")
    assert "李老师（需要接送）" in chat.text("赵老师", "#名单 1")
    assert "已更新 李老师 在“春季踏青”的备注：素食" in chat.text("李老师", "#报名 备注=素食")
    roster = app.services.signups.roster(1)
    assert [(s.name, s.note, s.status) for s in roster.confirmed] == [("李老师", "素食", "confirmed")]
    assert "备注最多 50 字，您写了 60 字" in chat.text("张老师", "#报名 1 " + "很长" * 30)
    assert [s.name for s in app.services.signups.roster(1).confirmed] == ["李老师"]  # nothing changed


def test_event_named_by_title_words() -> None:
    assert split_title("羽毛球 +1") == ("+1", "羽毛球") and split_title("3 +1") == ("3 +1", "")
    events = [Event(union_id="u", number=n, title=t) for n, t in enumerate(("教职工羽毛球赛", "羽毛球培训", "春季踏青"), 1)]
    assert [e.number for e in events_titled("踏青", events)] == [3]
    assert [e.number for e in events_titled("羽毛球", events)] == [1, 2]
    assert [e.number for e in events_titled("ｂａｄ", events)] == []
    assert events_titled("球", events) == []  # one character names nothing


def test_sign_up_cancel_and_list_by_title(chat: ChatDriver, app: App) -> None:
    chat.text("王主席", "#发起报名 教职工羽毛球赛 名额=5")
    assert "请写上报名编号" not in chat.text("赵老师", "#名单")  # the only open event
    chat.text("王主席", "#发起报名 春季踏青 名额=5")
    assert "请写上报名编号（见 #报名列表）" in chat.text("赵老师", "#名单")  # two open: which one?
    assert "报名成功：春季踏青" in chat.text("李老师", "#报名 踏青")
    assert "报名成功：教职工羽毛球赛" in chat.text("李老师", "#报名 羽毛球")
    assert "李老师" in chat.text("赵老师", "#名单 踏青")
    assert "没有找到名称含“游泳”的活动" in chat.text("李老师", "#报名 游泳")
    assert "已取消 李老师 的报名：春季踏青" in chat.text("李老师", "#取消报名 踏青")
    assert [e.title for e, _ in app.services.signups.of_member(app.services.members.get_by_contact("李老师").id)] \
        == ["教职工羽毛球赛"]


def test_publish_sign_up_waitlist_cancel_and_promotion(chat: ChatDriver, app: App) -> None:
    assert "仅限工会管理员" in chat.text("李老师", PUBLISH)
    assert app.services.signups.get(1) is None
    out = chat.text("王主席", PUBLISH)
    assert "已发起报名【1】" in out and "全体教职工群" in out
    notice = chat.pump()
    assert len(notice) == 1 and "【报名通知】教职工羽毛球赛" in notice[0].text and notice[0].room_id
    assert chat.pump() == []  # sent once

    assert "报名成功" in chat.text("李老师", "#报名 1")
    assert "无需重复报名" in chat.text("李老师", "#报名 1")
    assert "报名成功" in chat.text("张老师", "#报名 1 +1")  # 3 seats: 李 + 张 + family
    assert "最多可带家属 1 人" in chat.text("刘老师", "#报名 1 +2")
    assert "候补第 1 位" in chat.text("刘老师", "报名 1", private=True)
    assert "候补第 2 位" in chat.text("陈老师", "#报名")  # the only open event
    roster = chat.text("赵老师", "#名单 1")
    assert "已报 3/3" in roster and "张老师 +1" in roster and "候补1. 刘老师" in roster

    out = chat.say("张老师", "#取消报名 1")  # frees 2 seats: 刘 (1) and 陈 (1) move up
    assert "已取消" in out[0].text and "刘老师、陈老师 已递补" in out[0].text
    private = {o.contact_id: o.text for o in out[1:]}
    assert set(private) == {"刘老师", "陈老师"} and all("递补" in t for t in private.values())
    assert "无需取消" in chat.text("张老师", "#取消报名 1")
    mine = chat.text("刘老师", "#我的报名")
    assert "教职工羽毛球赛" in mine and "已报名" in mine

    # The group's list post is coalesced: one at the end of the interval, however many changes.
    chat.clock.advance(dt.timedelta(minutes=11))
    lists = [o for o in chat.pump() if "已报" in o.text]
    assert len(lists) == 1 and "刘老师" in lists[0].text and "张老师" not in lists[0].text


def test_deadline_closed_cancelled_and_audience(chat: ChatDriver, app: App) -> None:
    app.services.members.import_roster([RosterRow("李明", gender="男", contact_id="t-li"),
                                        RosterRow("王芳", gender="女", contact_id="t-wang")])
    chat.text("王主席", "#发起报名 女教工瑜伽课 对象=女教工 截止=2027-03-05 17:00")
    assert "不在报名范围内" in chat.text("t-li", "#报名 1")
    assert "报名成功" in chat.text("t-wang", "#报名 1")
    chat.clock.set(dt.datetime(2027, 3, 6, 1, 0, tzinfo=dt.UTC))
    assert "报名已于" in chat.text("t-wang2", "#报名 1")
    chat.text("王主席", "#发起报名 观影 名额=10")
    assert "已截止" in chat.text("王主席", "#截止报名 2")
    assert "报名已截止" in chat.text("李老师", "#报名 2")
    out = chat.say("王主席", "#取消活动 1 场地维修")
    assert "已私聊通知 1 位" in out[0].text
    assert out[1].contact_id == "t-wang" and "场地维修" in out[1].text
    assert "没有编号为 9 的报名活动" in chat.text("李老师", "#名单 9")
    assert "没有找到名称含“abc”的活动" in chat.text("李老师", "#名单 abc")  # not a number: read as title words
    assert "目前没有正在报名的活动" in chat.text("李老师", "#报名列表")


def test_proxy_signup_and_export(chat: ChatDriver, app: App, tmp_path: Path) -> None:
    app.services.members.import_roster([RosterRow("张三", department="初二年级组", contact_id="t-zhang")])
    chat.text("王主席", "#发起报名 体检 名额=5")
    out = chat.say("王主席", "#代报名 1 张三")
    assert "张三 报名成功" in out[0].text
    assert out[1].contact_id == "t-zhang" and "已为您报名" in out[1].text
    # With a roster loaded, a name not in it is refused: no phantom member (issue 27).
    assert "花名册中没有“新同事”" in chat.text("王主席", "#代报名 1 新同事")
    assert "仅限工会管理员" in chat.text("t-zhang", "#导出名单 1")
    out = chat.say("王主席", "#导出名单 1")
    assert out[0].file is not None and out[0].contact_id == "王主席"
    wb = openpyxl.load_workbook(io.BytesIO(out[0].file.data))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][:5] == ("序号", "姓名", "部门", "报名时间", "状态")
    assert [(r[1], r[2], r[4]) for r in rows[1:]] == [("张三", "初二年级组", "已报名")]


def test_cli_signup_list_json_and_export(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    config = tmp_path / "config.toml"
    config.write_text(f'[union]\nid = "cli-school"\n[database]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    app = build_app(make_config(f"sqlite:///{db}", union_id="cli-school"),
                    FakeClock(dt.datetime(2027, 3, 1, tzinfo=dt.UTC)))
    chat = ChatDriver(app, app.clock)  # type: ignore[arg-type]
    chat.text("王主席", "#发起报名 羽毛球赛 名额=1 时间=2027-04-15 15:30")
    chat.text("李老师", "#报名 1 素食")
    chat.text("王老师", "#报名 1")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot.cli", *args, "--config", str(config)],
                              capture_output=True, text=True, cwd=REPO)

    res = cli("signup", "list", "1", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["event"]["title"] == "羽毛球赛" and data["event"]["capacity"] == 1
    assert data["event"]["starts_at"] == "2027-04-15T15:30:00+08:00"
    assert [(p["name"], p["note"]) for p in data["confirmed"]] == [("李老师", "素食")]
    assert [p["name"] for p in data["waitlist"]] == ["王老师"]
    out = tmp_path / "名单.xlsx"
    assert cli("signup", "export", "1", "--out", str(out)).returncode == 0
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[1]][6] == "备注"
    assert [(r[1], r[6]) for r in sheet.iter_rows(min_row=2, values_only=True)] == [("李老师", "素食"), ("王老师", None)]
    missing = cli("signup", "list", "7", "--json")
    assert missing.returncode == 2 and "没有编号为 7" in missing.stderr
    # The export goes through the action (the operator as an explicit actor): its problem, worded once.
    gone = cli("signup", "export", "7", "--out", str(tmp_path / "无.xlsx"))
    assert gone.returncode == 2 and "错误：没有编号为 7 的报名活动" in gone.stderr and not (tmp_path / "无.xlsx").exists()


def _storm(db_url: str, people: int, capacity: int, workers: int) -> tuple[int, int, int]:
    config = make_config(db_url)
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    services = build_services(config, engine)
    event = services.signups.create_event(NewEvent("羽毛球赛", capacity=capacity), by="admin")
    members = [services.members.touch(f"t{i}", f"老师{i}") for i in range(people)]
    now = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    barrier = threading.Barrier(workers)

    def go(chunk: list) -> None:  # type: ignore[type-arg]
        barrier.wait()
        for m in chunk:
            services.signups.sign_up(event.number, m, 0, m.contact_id, now)
            services.signups.sign_up(event.number, m, 0, m.contact_id, now)  # a repeat changes nothing

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(go, [members[i::workers] for i in range(workers)]))
    roster = services.signups.roster(event.number)
    assert roster is not None
    ev = services.signups.get(event.number)
    assert ev is not None
    engine.dispose()
    return len(roster.confirmed), len(roster.waitlist), ev.confirmed_seats


def test_concurrent_signups_fill_exactly_the_places(db_url: str) -> None:
    people = 1000 if db_url.startswith("postgresql") else 200
    confirmed, waiting, seats = _storm(db_url, people, people // 10, workers=16)
    assert (confirmed, waiting, seats) == (people // 10, people - people // 10, people // 10)


def test_concurrent_cancellations_promote_in_order(db_url: str) -> None:
    config = make_config(db_url)
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    services = build_services(config, engine)
    ev = services.signups.create_event(NewEvent("观影", capacity=10), by="admin")
    now = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    members = [services.members.touch(f"t{i}", f"老师{i}") for i in range(30)]
    for i, m in enumerate(members):
        services.signups.sign_up(ev.number, m, 0, m.contact_id, now + dt.timedelta(seconds=i))
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda m: services.signups.cancel(ev.number, m.id, now), members[:8]))
    promoted = [p.name for r in results for p in r.promoted]
    assert sorted(promoted) == sorted(f"老师{i}" for i in range(10, 18))
    roster = services.signups.roster(ev.number)
    assert roster is not None and len(roster.confirmed) == 10 and len(roster.waitlist) == 12
    assert roster.waitlist[0].name == "老师18"
    engine.dispose()


def test_changing_the_family_count_keeps_the_place(chat: ChatDriver, app: App) -> None:
    chat.text("王主席", "#发起报名 观影 名额=3 家属=2")
    assert "报名成功" in chat.text("李老师", "#报名 1")
    assert "家属人数改为 1 人（已报 2/3）" in chat.text("李老师", "#报名 1 +1")
    assert "报名成功" in chat.text("张老师", "#报名 1")  # 3/3
    assert "候补第 1 位" in chat.text("刘老师", "#报名 1")
    assert "名额不足" in chat.text("张老师", "#报名 1 +1")  # someone is waiting: no jumping the queue
    assert "最多可带家属 2 人" in chat.text("李老师", "#报名 1 +3")
    out = chat.say("李老师", "#报名 1 +0")  # gives a seat back: 刘 moves up and is told privately
    assert "家属人数改为 0 人" in out[0].text and "刘老师 已递补" in out[0].text
    assert any(o.contact_id == "刘老师" and "递补" in o.text for o in out[1:])
    roster = app.services.signups.roster(1)
    assert [(s.name, s.extra) for s in roster.confirmed] == [("李老师", 0), ("张老师", 0), ("刘老师", 0)]
    assert roster.event.confirmed_seats == 3 and roster.waitlist == []
    assert "无需重复报名" in chat.text("李老师", "#报名 1")  # no '+N': nothing to change


def test_concurrent_family_changes_and_sign_ups_keep_the_seat_count_true(db_url: str) -> None:
    config = make_config(db_url)
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    services = build_services(config, engine)
    ev = services.signups.create_event(NewEvent("观影", capacity=20, family_max=2), by="admin")
    now = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    members = [services.members.touch(f"t{i}", f"老师{i}") for i in range(40)]
    for m in members[:10]:
        services.signups.sign_up(ev.number, m, 0, m.contact_id, now)

    def work(i: int) -> None:
        m = members[i]
        if i < 10:  # those signed up change their family count back and forth
            for extra in (2, 0, 1, 2, 0):
                services.signups.change_extra(ev.number, m.id, extra, now)
        else:  # the others sign up meanwhile
            services.signups.sign_up(ev.number, m, 0, m.contact_id, now)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(40)))
    roster = services.signups.roster(ev.number)
    assert roster is not None
    seats = sum(s.seats for s in roster.confirmed)
    assert roster.event.confirmed_seats == seats <= 20, (roster.event.confirmed_seats, seats)
    assert len(roster.confirmed) + len(roster.waitlist) == 40  # nobody lost
    engine.dispose()


def test_long_title_is_refused_with_its_length_not_cut(chat: ChatDriver, app: App) -> None:
    """Issue 27 item 5: a 250-character title was cut to 200 and the cut title went to the group."""
    out = chat.text("王主席", "#发起报名 " + "羽" * 250 + " 时间=2027-04-15 15:30")
    assert "标题最多 200 字，您写了 250 字" in out
    assert app.services.signups.get(1) is None and not app.services.reminders.outbox.list(kind="signup_notice")
    chat.text("王主席", "#发起报名 春季踏青 时间=2027-04-10 08:00")
    assert "取消原因最多 200 字，您写了 201 字" in chat.text("王主席", "#取消活动 1 " + "因" * 201)
    assert app.services.signups.get(1).status == "open"


def test_free_text_after_a_number_goes_to_the_note(chat: ChatDriver, app: App) -> None:
    """Issue 27 item 4, in the shared 键=值 reader: '名额=20 欢迎参加' was '名额应是正整数'."""
    now = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)
    f = parse_event_form("羽毛球赛 名额=20 时间=2027-04-15 15:30 欢迎大家参加", now)
    assert (f.capacity, f.starts_at, f.note, f.errors) == (20, dt.datetime(2027, 4, 15, 15, 30, tzinfo=SH),
                                                          "欢迎大家参加", [])
    assert parse_event_form("羽毛球赛 时间=明天 名额=20人 备注=自带球拍 欢迎", now).note == "自带球拍 欢迎"
    assert "已发起报名" in chat.text("王主席", "#发起报名 春季踏青 时间=2027-04-10 08:00 名额=20 欢迎带家属")
    event = app.services.signups.get(1)
    assert event is not None and (event.capacity, event.note) == (20, "欢迎带家属")
