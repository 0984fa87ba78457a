"""The office page through its HTTP interface: login by one-time link, the one access rule,
CSRF, and each page's changes going through the chat's commands (so chat sees them).

The bot (terminal transport) and the page share one database, as `unionbot run` and
`unionbot web` do in production.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.app import build_app
from bot.clock import FakeClock
from bot.web_root import build_web
from storage.db import session_scope
from storage.models import OutboxPost, Proposal, ScheduleItem, WebLogin, WelfareAudit
from tests.conftest import ChatDriver, make_config
from web import session as sessions

ADMIN, OFFICER, COMMITTEE, MEMBER = "王主席", "赵委员", "钱老师", "李老师"


@pytest.fixture
def env(tmp_path: Path, db_url: str, clock: FakeClock):  # type: ignore[no-untyped-def]
    config = make_config(db_url, web={"base_url": "https://gh.example.edu.cn/"},
                         proposals={"min_cosigners": 0, "departments": {"总务处": ["officer-zong"]}})
    app = build_app(config, clock)
    # The bot caches a year's schedule for up to 10 s (README): here the page's edit must show at once.
    app.services.schedule.cache_seconds = 0
    chat = ChatDriver(app, clock)
    web = build_web(config, clock, engine=app.engine)
    return chat, web


def link_for(chat: ChatDriver, who: str) -> str:
    out = chat.text(who, "#后台", private=True)
    m = re.search(r"https://gh\.example\.edu\.cn/login/(\S+)", out)
    assert m, out
    return "/login/" + m.group(1)


def login(chat: ChatDriver, web, who: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(web, base_url="https://testserver")
    path = link_for(chat, who)
    page = client.get(path)
    assert page.status_code == 200 and "确认登录" in page.text
    done = client.post(path, data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303 and sessions.COOKIE in done.cookies
    return client


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert m, html[:500]
    return m.group(1)


def post(client: TestClient, path: str, data: dict | None = None, files: dict | None = None, page: str = "/"):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get(page).text)
    return client.post(path, data={"csrf": token, **(data or {})}, files=files)


def nav(html: str) -> list[str]:
    block = re.search(r"<nav>(.*?)</nav>", html, re.S)
    return re.findall(r">([^<]+)</a>", block.group(1)) if block else []


def plain(html: str) -> str:
    """The page without the column labels each cell carries for phones (web/look.py), to compare cells."""
    return re.sub(r' data-label="[^"]*"', "", html)


def count(engine, model, *where) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


# --- login ------------------------------------------------------------------------------


def test_login_link_is_one_time_hashed_and_expires(env, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    client = TestClient(web, base_url="https://testserver")
    path = link_for(chat, MEMBER)
    token = path.rsplit("/", 1)[1]
    engine = chat.app.engine
    with session_scope(engine) as s:
        stored = [r.token_hash for r in s.exec(select(WebLogin)).scalars()]
    assert token not in stored and len(stored) == 1  # only the hash is kept
    # A link preview (GET) does not use the link up; the page asks for a click.
    assert "确认登录" in client.get(path).text and "确认登录" in client.get(path).text
    assert client.get("/").status_code == 401  # no session yet
    page = client.get(path)
    # The POST needs the page's token: a cross-site form cannot log someone in.
    assert client.post(path, data={"csrf": "0" * 64}).status_code == 400
    done = client.post(path, data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" in cookie
    assert MEMBER in client.get("/").text
    # Used: a second tab gets a clear page and no session.
    other = TestClient(web, base_url="https://testserver")
    again = other.post(path, data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert again.status_code == 400 and "已经用过" in again.text and sessions.COOKIE not in again.cookies
    # Expired: 10 minutes.
    late = link_for(chat, MEMBER)
    clock.advance(dt.timedelta(minutes=11))
    assert "已过期" in other.get(late).text
    assert other.post(late, data={"csrf": csrf_of(page.text)}).status_code == 400
    # Forged or garbled.
    assert "无效" in other.get("/login/" + "A" * 43).text
    assert other.get("/login/" + "x" * 500).status_code == 400
    # The session ends after 8 hours.
    clock.advance(dt.timedelta(hours=8, minutes=1))
    assert client.get("/").status_code == 401


def test_forged_or_tampered_cookie_is_no_session(env, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    client = login(chat, web, MEMBER)
    value = client.cookies[sessions.COOKIE]
    body, mac = value.rsplit(".", 1)
    forged = TestClient(web, base_url="https://testserver")
    forged.cookies.set(sessions.COOKIE, body[:-2] + "xx." + mac)
    assert forged.get("/").status_code == 401
    # A well-formed session for the admin, signed with any key but the union's, is no session either.
    chat.text(ADMIN, "#我的信息", private=True)
    admin = chat.app.services.members.find(ADMIN)[0]
    fake = sessions.new_session(admin.id, clock().timestamp())  # unexpired by the page's clock
    forged.cookies.set(sessions.COOKIE, sessions.encode(b"k" * 32, fake))
    assert forged.get("/").status_code == 401
    secret = chat.app.services.web_logins.session_secret(chat.app.services.settings)
    forged.cookies.set(sessions.COOKIE, sessions.encode(secret, fake))
    # Even with the union's key: a session the server never opened (no row) is no session.
    assert forged.get("/").status_code == 401


def test_session_functions() -> None:
    secret = b"k" * 32
    s = sessions.new_session(7, 1000.0)
    value = sessions.encode(secret, s)
    assert sessions.decode(secret, value, 1001.0) == s
    assert sessions.decode(b"other" * 8, value, 1001.0) is None
    assert sessions.decode(secret, value, 1000.0 + sessions.SESSION_SECONDS + 1) is None
    assert sessions.decode(secret, "garbage", 1001.0) is None and sessions.decode(secret, None, 1.0) is None
    assert sessions.csrf_ok(secret, s.sid, sessions.csrf_token(secret, s.sid))
    assert not sessions.csrf_ok(secret, s.sid, sessions.csrf_token(secret, "other"))
    assert not sessions.csrf_ok(secret, s.sid, "")


def test_web_link_in_a_group_is_refused(env) -> None:  # type: ignore[no-untyped-def]
    chat, _ = env
    out = chat.text(MEMBER, "#后台")
    assert "请私聊" in out and "/login/" not in out


# --- the one access rule ----------------------------------------------------------------


def test_navigation_and_pages_follow_the_access_rule(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    member, admin, officer = (login(chat, web, w) for w in (MEMBER, ADMIN, OFFICER))
    assert nav(member.get("/").text) == ["首页", "我的", "活动安排", "报名", "提案"]
    assert nav(admin.get("/").text) == ["首页", "我的", "活动安排", "报名", "提案", "提醒", "投票", "签到", "会员"]
    assert nav(officer.get("/").text) == ["首页", "我的", "活动安排", "报名", "提案", "福利"]
    # Not allowed looks exactly like not there.
    refused = member.get("/welfare")
    missing = member.get("/no-such-page")
    assert refused.status_code == missing.status_code == 404
    assert refused.text == missing.text
    for path in ("/members", "/reminders", "/welfare/W2027-001", "/signups/99", "/proposals/2027-999"):
        assert member.get(path).status_code == 404, path
    # Buttons too: a member gets no edit controls, and a forged POST changes nothing.
    assert "添加活动" not in member.get("/schedule").text and "添加活动" in admin.get("/schedule").text
    before = count(chat.app.engine, ScheduleItem)
    r = post(member, "/schedule/add", {"when": "4月", "text": "不该出现的活动"}, page="/schedule")
    assert r.status_code == 404 and count(chat.app.engine, ScheduleItem) == before


def test_posts_without_the_csrf_token_change_nothing(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    admin = login(chat, web, ADMIN)
    before = count(chat.app.engine, ScheduleItem)
    assert admin.post("/schedule/add", data={"when": "4月", "text": "羽毛球赛"}).status_code == 404
    assert admin.post("/schedule/add", data={"csrf": "f" * 64, "when": "4月", "text": "羽毛球赛"}).status_code == 404
    assert count(chat.app.engine, ScheduleItem) == before


# --- 活动安排 ------------------------------------------------------------------------------


def test_schedule_edits_go_through_the_chat_commands(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    admin = login(chat, web, ADMIN)
    engine = chat.app.engine
    bad = post(admin, "/schedule/add", {"year": "2027", "when": "三十二月", "text": "羽毛球赛"}, page="/schedule")
    assert "看不懂这个日期" in bad.text and 'aria-invalid="true"' in bad.text
    assert "请填写活动内容" in post(admin, "/schedule/add", {"when": "4月", "text": ""}, page="/schedule").text
    assert count(engine, ScheduleItem) == 0
    ok = post(admin, "/schedule/add", {"year": "2027", "when": "3月20日", "text": "教职工羽毛球赛"}, page="/schedule")
    assert "已添加" in ok.text
    assert "教职工羽毛球赛" in chat.text(MEMBER, "#本月活动")  # the clock is in March 2027
    number = chat.app.services.schedule.list(2027)[0].number
    assert "3月20日" in admin.get("/schedule?year=2027").text
    edited = post(admin, f"/schedule/{number}/edit", {"when": "3月27日", "text": "教职工气排球赛"}, page="/schedule")
    assert "已修改" in edited.text
    month = chat.text(MEMBER, "#本月活动")
    assert "气排球" in month and "3月27日" in month and "羽毛球" not in month
    wrong = post(admin, f"/schedule/{number}/edit", {"when": "99月", "text": ""}, page="/schedule")
    assert "看不懂这个日期" in wrong.text
    assert chat.app.services.schedule.get(number).text == "教职工气排球赛"
    assert post(admin, "/schedule/999/delete", page="/schedule").status_code == 404
    assert "已删除" in post(admin, f"/schedule/{number}/delete", page="/schedule").text
    assert count(engine, ScheduleItem) == 0


PLAN = """某某学校工会2027年工作计划
三、具体安排
三月份：
1、三八节慰问女教工
2、教职工羽毛球赛
四月份：
1、春季健步走
"""


def test_plan_import_uses_the_chat_form_preview_and_confirm(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    admin = login(chat, web, ADMIN)
    empty = post(admin, "/schedule/import", {"text": ""}, page="/schedule")
    assert "请粘贴计划全文" in empty.text
    preview = post(admin, "/schedule/import", {"text": PLAN}, page="/schedule")
    assert "羽毛球" in preview.text and chat.app.services.schedule.count(2027) == 0
    # The open form is on every page, with the chat's words (删 N) and 确认.
    page = admin.get("/schedule")
    assert "未完成的" in page.text and "确认导入" in page.text
    assert page.text.count("教职工羽毛球赛") == 1  # the preview once, in its panel (issue 26 item 2)
    assert "/schedule#import" in admin.get("/").text  # other pages point to it instead of repeating it
    fixed = post(admin, "/form", {"action": "answer", "text": "删 3", "back": "/schedule"}, page="/schedule")
    assert "健步走" not in fixed.text and "羽毛球" in fixed.text  # the preview again, without item 3
    done = post(admin, "/form", {"action": "confirm"}, page="/schedule")
    assert "导入" in done.text
    texts = [it.text for it in chat.app.services.schedule.list(2027)]
    assert any("三八" in t for t in texts) and any("羽毛球" in t for t in texts) and not any("健步走" in t for t in texts)
    assert "未完成的" not in admin.get("/schedule").text
    # A file: .docx and .txt go the same way; a .pdf gets the chat's reply; 5 MB is the limit.
    up = post(admin, "/schedule/import", files={"file": ("plan.txt", PLAN.encode(), "text/plain")}, page="/schedule")
    assert "羽毛球" in up.text
    post(admin, "/form", {"action": "cancel"}, page="/schedule")
    pdf = post(admin, "/schedule/import", files={"file": ("plan.pdf", b"%PDF-1.4 ...", "application/pdf")}, page="/schedule")
    assert "PDF" in pdf.text or "pdf" in pdf.text
    big = post(admin, "/schedule/import", files={"file": ("plan.txt", b"x" * (5 * 1024 * 1024 + 1), "text/plain")},
               page="/schedule")
    assert "5 MB" in big.text
    roster = post(admin, "/schedule/import", files={"file": ("roster.xlsx", b"PK..", "application/zip")}, page="/schedule")
    assert ".txt 或 .docx" in roster.text


def test_calendar_download(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    chat.text(ADMIN, "#添加活动 2027-03-20 教职工羽毛球赛")
    member = login(chat, web, MEMBER)
    ics = member.get("/schedule/calendar.ics?year=2027")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in ics.content and "羽毛球".encode() in ics.content


# --- 报名 ------------------------------------------------------------------------------


def test_signup_page_publish_manage_and_export(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    admin, member = login(chat, web, ADMIN), login(chat, web, MEMBER)
    engine = chat.app.engine
    bad = post(admin, "/signups/new", {"名称": "春季踏青", "名额": "很多", "截止": "下下下周八"}, page="/signups")
    assert "名额“很多”应是正整数" in bad.text and "不是日期时间" in bad.text
    assert chat.app.services.signups.get(1) is None
    past = post(admin, "/signups/new", {"名称": "春季踏青", "截止": "2027-02-01 17:00"}, page="/signups")
    assert "已经过去" in past.text and chat.app.services.signups.get(1) is None
    # As '#发起报名 春季踏青 时间=… 名额=…' in chat: published at once, the notice queued for the groups.
    done = post(admin, "/signups/new", {"名称": "春季踏青", "时间": "3月20日 8:00", "名额": "2", "截止": "3月18日 17:00"},
                page="/signups")
    assert "已发起报名【1】春季踏青" in done.text
    assert count(engine, OutboxPost, OutboxPost.kind == "signup_notice") == 1
    # The member signs up on the page; a colleague in chat; the admin for someone else.
    assert "报名成功" in post(member, "/signups/1/join", {"note": "素食"}, page="/signups/1").text
    chat.text("张老师", "#报名 1")
    assert "孙老师 已进入候补第 1 位" in post(admin, "/signups/1/proxy", {"name": "孙老师"}, page="/signups/1").text
    detail = admin.get("/signups/1").text
    assert "李老师" in detail and "素食" in detail and "候补（1 人）" in detail
    assert "孙老师" in chat.text(MEMBER, "#名单 1")
    assert "请填写姓名" in post(admin, "/signups/1/proxy", {"name": ""}, page="/signups/1").text
    assert post(member, "/signups/1/close", page="/signups/1").status_code == 404  # not an admin
    xlsx = admin.get("/signups/1/export.xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    names = {row[1] for row in sheet.iter_rows(values_only=True)} | {row[0] for row in sheet.iter_rows(values_only=True)}
    assert "李老师" in names
    assert member.get("/signups/1/export.xlsx").status_code == 404
    assert "请写明原因" in post(admin, "/signups/1/cancel", {"reason": ""}, page="/signups/1").text
    assert "已截止“春季踏青”的报名" in post(admin, "/signups/1/close", page="/signups/1").text
    assert chat.app.services.signups.get(1).status == "closed"


# --- 提案 ------------------------------------------------------------------------------


def submit_proposal(chat: ChatDriver, who: str = MEMBER) -> str:
    chat.text(who, "#提案 食堂增加晚餐供应｜教师晚自习后无处就餐｜食堂周一至周五供应晚餐", private=True)
    out = chat.text(who, "确认", private=True)
    m = re.search(r"\d{4}-\d{3}", out)
    assert m, out
    return m.group(0)


def test_committee_acts_on_the_page_and_the_proposer_is_told_through_the_outbox(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    code = submit_proposal(chat)
    committee, member = login(chat, web, COMMITTEE), login(chat, web, MEMBER)
    register = member.get("/proposals").text
    assert code in register and "食堂增加晚餐供应" in register
    detail = member.get(f"/proposals/{code}").text
    assert "教师晚自习后无处就餐" in detail and 'id="proposal-act"' not in detail
    assert 'id="proposal-act"' in committee.get(f"/proposals/{code}").text
    assert "请填写理由" in post(committee, f"/proposals/{code}/act", {"action": "不予立案", "text": ""}, page="/proposals").text
    out = post(committee, f"/proposals/{code}/act", {"action": "立案"}, page="/proposals")
    assert "立案" in out.text
    p = chat.app.services.proposals.find(*map(int, code.split("-")))
    assert p is not None and p.status == "立案"
    proposer = chat.app.services.members.find(MEMBER)[0].contact_id
    told = chat.app.services.reminders.outbox.list(kind="web_reply")
    assert [t.target for t in told] == [f"contact:{proposer}"] and code in told[0].text
    # The running bot sends it: the member gets it in private chat.
    sent = chat.pump()
    assert any(code in o.text and o.contact_id == proposer for o in sent)
    # Hand over, then the department officer (not the committee member) answers on the page.
    post(committee, f"/proposals/{code}/act", {"action": "交办", "text": "总务处"}, page="/proposals")
    chat.text("officer-zong", "#我的信息", private=True)
    officer = login(chat, web, "officer-zong")
    assert 'id="proposal-act"' in officer.get(f"/proposals/{code}").text
    post(officer, f"/proposals/{code}/act", {"action": "答复", "text": "四月起供应晚餐"}, page="/proposals")
    assert p.id is not None and chat.app.services.proposals.find(p.year, p.seq).status == "已答复"
    # A member's forged action changes nothing, and is refused like a page they may not open.
    assert post(member, f"/proposals/{code}/act", {"action": "办结"}, page="/proposals").status_code == 404
    assert chat.app.services.proposals.find(p.year, p.seq).status == "已答复"
    garbled = member.get("/proposals?year=abc&status=<script>&dept=<b>")
    assert garbled.status_code == 200 and "<script>" not in garbled.text and "<b>" not in garbled.text
    xlsx = committee.get("/proposals/export.xlsx?year=2027")
    assert xlsx.status_code == 200 and openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.max_row >= 2
    assert member.get("/proposals/export.xlsx?year=2027").status_code == 404


# --- 福利 ------------------------------------------------------------------------------


def test_welfare_page_is_for_officers_audited_and_private(env, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    caplog.set_level(logging.INFO)
    chat.text(MEMBER, "#申请 住院 医院=市第一人民医院 住院日期=2027-02-20 天数=9", private=True)
    out = chat.text(MEMBER, "确认", private=True)
    code = re.search(r"W\d{4}-\d{3}", out).group(0)
    officer, member = login(chat, web, OFFICER), login(chat, web, MEMBER)
    engine = chat.app.engine
    audits = count(engine, WelfareAudit)
    queue = officer.get("/welfare")
    assert code in queue.text
    officer.get("/")
    assert count(engine, WelfareAudit) == audits  # a list and a count are not reads of a request (item 6)
    detail = officer.get(f"/welfare/{code}")
    assert "市第一人民医院" in detail.text
    assert count(engine, WelfareAudit, WelfareAudit.action == "查看", WelfareAudit.request_code == code) == 1
    # Nobody else: the member who asked gets the same not-found as anyone.
    assert member.get(f"/welfare/{code}").status_code == 404
    assert member.get("/welfare").status_code == 404
    assert "请填写理由" in post(officer, f"/welfare/{code}/act", {"action": "驳回", "text": ""}, page="/welfare").text
    assert "金额应是 1 到 100000 之间的整数" in post(officer, f"/welfare/{code}/act", {"action": "核定", "text": "五百"}, page="/welfare").text
    post(officer, f"/welfare/{code}/act", {"action": "受理"}, page="/welfare")
    post(officer, f"/welfare/{code}/act", {"action": "核定", "text": "500"}, page="/welfare")
    assert chat.app.services.welfare.audit_log(code)[-1].action == "核定"
    xlsx = officer.get("/welfare/export.xlsx?year=2027")
    assert xlsx.status_code == 200 and openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.max_row >= 2
    # The content is never in a URL, a title or a log line.
    assert "医院" not in detail.text.split("<title>")[1].split("</title>")[0]
    assert not [r for r in caplog.records if "医院" in r.getMessage()]


# --- 提醒 and 会员 -------------------------------------------------------------------------


def test_reminders_page_pause_and_notice(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    chat.text(ADMIN, "#添加活动 2027-03-20 教职工羽毛球赛")
    admin = login(chat, web, ADMIN)
    page = admin.get("/reminders").text
    assert "羽毛球" in page and "全体教职工群" in page
    assert "请填写通知内容" in post(admin, "/reminders/notice", {"text": " "}, page="/reminders").text
    post(admin, "/reminders/notice", {"text": "周五下午开教代会", "receipt": "1"}, page="/reminders")
    notices = chat.app.services.reminders.outbox.list(kind="notice")
    assert notices and "周五下午开教代会" in notices[0].text
    post(admin, "/reminders/pause", page="/reminders")
    assert chat.app.services.reminders.paused and "提醒已暂停" in admin.get("/reminders").text
    post(admin, "/reminders/resume", page="/reminders")
    assert not chat.app.services.reminders.paused


def test_members_page_roster_upload_and_bind(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    admin = login(chat, web, ADMIN)
    csv = "姓名,部门,性别,角色\n李明,语文组,男,\n周红,数学组,女,福利委员\n".encode()
    ok = post(admin, "/members/import", files={"file": ("花名册.csv", csv, "text/csv")}, page="/members")
    assert "新增 2 人" in ok.text
    page = admin.get("/members").text
    assert "周红" in page and "福利委员" in page
    assert "应是 .xlsx 或 .csv" in post(admin, "/members/import", files={"file": ("a.txt", b"x", "text/plain")},
                                       page="/members").text
    assert "请选择花名册文件" in post(admin, "/members/import", page="/members").text
    assert "请填写联系人" in post(admin, "/members/bind", {"contact": "", "name": "李明"}, page="/members").text
    chat.text(MEMBER, "#我的信息", private=True)  # a contact the bot has met
    out = post(admin, "/members/bind", {"contact": MEMBER, "name": "李明"}, page="/members")
    assert "已绑定" in out.text
    assert chat.app.services.members.find(MEMBER)[0].in_roster


def test_unionbot_web_link_cli(tmp_path: Path) -> None:
    import subprocess
    import sys

    db = tmp_path / "w.db"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[union]\nid = "t"\nname = "测试"\n[database]\nurl = "sqlite:///{db}"\n'
                   '[web]\nbase_url = "http://office.example"\n', encoding="utf-8")
    run = [sys.executable, "-m", "bot.cli", "web", "link"]
    missing = subprocess.run([*run, "无此人", "--config", str(cfg)], capture_output=True, text=True)
    assert missing.returncode == 2 and "没有找到" in missing.stderr
    from bot.config import load_config
    from storage.members import MemberRepo

    config = load_config(cfg)
    from bot.app import open_engine

    MemberRepo(open_engine(config), "t").touch("wxid_li", "李老师")
    ok = subprocess.run([*run, "李老师", "--config", str(cfg)], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("http://office.example/login/")


def test_proposal_rows_are_untouched_by_reads(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    code = submit_proposal(chat)
    member = login(chat, web, MEMBER)
    with session_scope(chat.app.engine) as s:
        before = [(p.status, p.updated_at) for p in s.exec(select(Proposal)).scalars()]
    for path in ("/", "/proposals", f"/proposals/{code}", "/signups", "/schedule"):
        assert member.get(path).status_code == 200, path
    with session_scope(chat.app.engine) as s:
        assert [(p.status, p.updated_at) for p in s.exec(select(Proposal)).scalars()] == before


def test_long_text_on_the_page_is_refused_with_its_length_or_kept_whole(env) -> None:  # type: ignore[no-untyped-def]
    """Issue 27 item 5: the page cut activity text at 200, titles and places at 200, notices at 1,500 and
    备注 at 50 without a word."""
    chat, web = env
    admin, member = login(chat, web, ADMIN), login(chat, web, MEMBER)
    long_text = "教职工" + "趣" * 297  # 300 characters: the schedule keeps text whole
    assert "已添加" in post(admin, "/schedule/add", {"year": "2027", "when": "3月20日", "text": long_text},
                         page="/schedule").text
    assert chat.app.services.schedule.list(2027)[0].text == long_text
    title = post(admin, "/signups/new", {"名称": "踏" * 250, "时间": "3月20日 8:00"}, page="/signups")
    assert "名称最多 200 字，您写了 250 字" in title.text and chat.app.services.signups.get(1) is None
    place = post(admin, "/signups/new", {"名称": "春季踏青", "地点": "园" * 201}, page="/signups")
    assert "地点最多 200 字，您写了 201 字" in place.text and chat.app.services.signups.get(1) is None
    post(admin, "/signups/new", {"名称": "春季踏青", "时间": "3月20日 8:00"}, page="/signups")
    note = post(member, "/signups/1/join", {"note": "素" * 60}, page="/signups/1")
    assert "备注最多 50 字，您写了 60 字" in note.text and not chat.app.services.signups.roster(1).confirmed
    notice = "周五开会。" + "请" * 1600  # over the old 1,500 cut, within a chat message: sent whole
    post(admin, "/reminders/notice", {"text": notice}, page="/reminders")
    assert any(notice in p.text for p in chat.app.services.reminders.outbox.list(kind="notice"))
    refused = post(admin, "/reminders/notice", {"text": "请" * 2001}, page="/reminders")
    assert "通知内容最多 2000 字，您写了 2001 字" in refused.text
