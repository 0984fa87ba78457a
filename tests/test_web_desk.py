"""Issue 26, "Wrong today": the office page as the union's desk (plan year, post/redirect/get, kept
fields, revocable sessions, the welfare audit log and amounts, the page's own words)."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import update

from bot.clock import FakeClock
from storage.db import session_scope
from storage.models import Member, WelfareAudit
from tests.test_web import ADMIN, COMMITTEE, MEMBER, OFFICER, count, csrf_of, env, login, post, submit_proposal
from web import session as sessions
from web.wording import excerpt, page_words

__all__ = ["env"]  # the fixture, shared with tests/test_web.py


def main(html: str) -> str:
    return html.split("<main>", 1)[1]


# --- item 1: the plan year -----------------------------------------------------------------


def test_schedule_opens_on_the_plan_year_the_chat_uses_with_a_year_switcher(env, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    clock.set(dt.datetime(2027, 12, 4, 2, 0, tzinfo=dt.UTC))  # December 2027: the 2028 plan is the one in use
    chat.text(ADMIN, "#添加活动 2028-03-20 教职工羽毛球赛")
    chat.text(ADMIN, "#添加活动 2027-12-20 冬至包饺子")
    member = login(chat, web, MEMBER)
    page = member.get("/schedule").text
    assert "2028 年活动安排" in page and "教职工羽毛球赛" in page and "冬至" not in page
    # The switcher names the years with what each holds, and the calendar year is one click away.
    assert 'href="/schedule?year=2027"' in page and "2027 年（1 项）" in page and "2028 年（1 项）" in page
    assert "冬至包饺子" in member.get("/schedule?year=2027").text
    # Before October the calendar year is the plan year, as in chat.
    clock.set(dt.datetime(2028, 9, 1, 2, 0, tzinfo=dt.UTC))
    member = login(chat, web, MEMBER)
    assert "2028 年活动安排" in member.get("/schedule").text


# --- item 3: post/redirect/get and error pages ----------------------------------------------


def test_a_form_error_redirects_and_a_reload_repeats_nothing(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    admin = login(chat, web, ADMIN)
    bad = post(admin, "/schedule/add", {"year": "2027", "when": "三十二月", "text": "羽毛球赛"}, page="/schedule")
    assert bad.history and bad.history[0].status_code == 303 and bad.url.path == "/schedule"
    assert "看不懂这个日期" in bad.text
    # A reload is a GET of the page: the error was shown once, nothing is sent again.
    again = admin.get(str(bad.url))
    assert again.status_code == 200 and "看不懂这个日期" not in again.text
    # The form addresses themselves, opened directly, get a Chinese page, never a bare 405 or JSON.
    for path in ("/schedule/add", "/schedule/3/edit", "/reminders/notice", "/signups/new"):
        r = admin.get(path)
        assert r.status_code in (404, 405), path
        assert "<html" in r.text and "{" not in main(r.text).split("</pre>")[0] and "返回" in r.text, path
        assert "detail" not in r.text and "Method Not Allowed" not in r.text, path
    ok = post(admin, "/schedule/add", {"year": "2027", "when": "3月20日", "text": "教职工羽毛球赛"}, page="/schedule")
    assert ok.history[0].status_code == 303 and "已添加" in ok.text
    assert "已添加" not in admin.get(str(ok.url)).text  # the answer once; a reload adds nothing
    assert len(chat.app.services.schedule.list(2027)) == 1


def test_a_refused_event_redirects_keeps_its_fields_and_a_reload_is_clean(env) -> None:  # type: ignore[no-untyped-def]
    # /signups/new answered FastAPI's raw JSON 422 before (issue 26, item 3).
    chat, web = env
    admin = login(chat, web, ADMIN)
    typed = {"名称": "春季踏青", "时间": "三十二月", "地点": "西山森林公园", "名额": "很多", "家属": "2"}
    bad = post(admin, "/signups/new", typed, page="/signups")
    assert bad.history and bad.history[0].status_code == 303 and bad.url.path == "/signups"
    page = main(bad.text)
    assert "未提交" in page and '"detail"' not in bad.text
    for value in typed.values():
        assert f'value="{value}"' in page, value
    again = main(admin.get("/signups").text)
    assert "未提交" not in again and 'value="三十二月"' not in again
    assert chat.app.services.signups.all_events() == []


def test_a_crash_gets_a_chinese_page(env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    member = login(chat, web, MEMBER)
    client = TestClient(web, base_url="https://testserver", raise_server_exceptions=False)
    client.cookies.update(member.cookies)
    monkeypatch.setattr(chat.app.services.signups.__class__, "all_events", lambda self: 1 / 0)
    r = client.get("/signups")
    assert r.status_code == 500 and "出错了" in r.text and "Internal Server Error" not in r.text


# --- item 4: every field kept -----------------------------------------------------------------


def test_a_notice_refused_keeps_its_text_audience_and_receipt_tick(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    admin = login(chat, web, ADMIN)
    long = "请" * 2001
    r = post(admin, "/reminders/notice", {"text": long, "audience": "女教工", "receipt": "1"}, page="/reminders")
    assert "通知内容最多 2000 字，您写了 2001 字" in r.text and r.url.path == "/reminders"
    assert long in r.text and 'value="女教工"' in r.text
    assert re.search(r'name="receipt" value="1" checked', r.text)
    assert not chat.app.services.reminders.outbox.list(kind="notice")


def test_a_welfare_error_stays_on_the_request_with_what_was_typed(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    code = file_request(chat)
    officer = login(chat, web, OFFICER)
    officer.get(f"/welfare/{code}")
    r = post(officer, f"/welfare/{code}/act", {"action": "核定", "text": "99999999"}, page="/welfare")
    assert r.url.path == f"/welfare/{code}" and "未提交" in r.text and 'value="99999999"' in r.text
    assert "金额应是 1 到 100000 之间的整数" in r.text
    assert chat.app.services.welfare.audit_log(code)[-1].action == "查看"


# --- item 5: sessions end on the server ------------------------------------------------------


def test_logout_ends_the_session_for_the_old_cookie(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    admin = login(chat, web, ADMIN)
    cookie = admin.cookies[sessions.COOKIE]
    assert admin.get("/members").status_code == 200
    out = post(admin, "/logout", page="/members")
    assert out.status_code == 401 or "请先登录" in out.text
    copy = TestClient(web, base_url="https://testserver")
    copy.cookies.set(sessions.COOKIE, cookie)
    r = copy.get("/members")
    assert r.status_code == 401 and "请先登录" in r.text


def set_roster_role(chat, who: str, role: str) -> None:  # type: ignore[no-untyped-def]
    """What a roster import does to a member's 角色 (the roster's role column)."""
    chat.text(who, "#我的信息", private=True)
    member = chat.app.services.members.find(who)[0]
    with session_scope(chat.app.engine) as s:
        s.execute(update(Member).where(Member.id == member.id).values(roster_role=role))


def test_a_lost_role_and_sign_everyone_out_end_sessions(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    admin = login(chat, web, ADMIN)
    set_roster_role(chat, MEMBER, "福利委员")
    member = login(chat, web, MEMBER)
    assert member.get("/welfare").status_code == 200
    set_roster_role(chat, MEMBER, "")
    assert member.get("/").status_code == 401  # no longer an officer: logged out, not half-in
    again = login(chat, web, MEMBER)  # a new login has the roles of now
    assert again.get("/").status_code == 200 and again.get("/welfare").status_code == 404
    officer = login(chat, web, OFFICER)
    done = post(admin, "/members/signout", page="/members")
    assert "已让其他所有人退出" in done.text
    assert officer.get("/").status_code == 401 and again.get("/").status_code == 401
    assert admin.get("/members").status_code == 200  # the admin who did it stays in


# --- items 6 and 7: the welfare desk -----------------------------------------------------------


def file_request(chat) -> str:  # type: ignore[no-untyped-def]
    chat.text(MEMBER, "#申请 住院 医院=市第一人民医院 住院日期=2027-02-20 天数=9", private=True)
    out = chat.text(MEMBER, "确认", private=True)
    return re.search(r"W\d{4}-\d{3}", out).group(0)


def test_the_welfare_audit_log_holds_reads_and_changes_once_each(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    code = file_request(chat)
    officer = login(chat, web, OFFICER)
    engine = chat.app.engine
    before = count(engine, WelfareAudit)
    for path in ("/", "/welfare", "/welfare?year=2027", "/"):
        officer.get(path)
    assert count(engine, WelfareAudit) == before  # lists and counts are no reads of a request
    officer.get(f"/welfare/{code}")
    standard = chat.app.services.welfare.view  # noqa: F841  (the request's standard decides 核定 below)
    for action, text in (("受理", ""), ("核定", "1"), ("发放", "")):
        post(officer, f"/welfare/{code}/act", {"action": action, "text": text, "method": "现金"}, page="/")
    actions = [a.action for a in chat.app.services.welfare.audit_log(code)]
    assert actions == ["提交", "查看", "受理", "核定", "发放"], actions
    assert "导出台账" not in [a.action for a in chat.app.services.welfare.audit_log()]
    officer.get("/welfare/export.xlsx?year=2027")
    assert [a.action for a in chat.app.services.welfare.audit_log()].count("导出台账") == 1


def test_welfare_offers_only_next_steps_bounds_amounts_and_asks_a_reason_above_standard(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    code = file_request(chat)
    officer = login(chat, web, OFFICER)
    desk = chat.app.services.welfare
    page = officer.get(f"/welfare/{code}").text
    assert 'value="受理"' in page and 'value="发放"' not in page  # 发放 only after 核定
    huge = post(officer, f"/welfare/{code}/act", {"action": "核定", "text": "999999999999"}, page="/")
    assert "金额应是 1 到 100000 之间的整数" in huge.text and "#核定" not in main(huge.text)
    assert desk.audit_log(code)[-1].action == "查看"
    early = post(officer, f"/welfare/{code}/act", {"action": "发放"}, page="/")
    assert "不能发放" in early.text and desk.audit_log(code)[-1].action == "查看"
    req = chat.app.services.welfare.view(_actor(chat), code, chat.clock(), audit=False)
    assert req is not None and req.standard_amount is not None
    above = str(req.standard_amount + 100)
    asked = post(officer, f"/welfare/{code}/act", {"action": "核定", "text": above}, page="/")
    assert "金额高于标准" in asked.text and desk.audit_log(code)[-1].action == "查看"
    ok = post(officer, f"/welfare/{code}/act", {"action": "核定", "text": above, "reason": "住院时间长"}, page="/")
    assert "已核定" in ok.text and f"{above} 元" in ok.text
    log = [(a.action, a.detail) for a in desk.audit_log(code)]
    assert log[-2][0] == "核定" and log[-1] == ("超标准理由", "住院时间长")
    post(officer, f"/welfare/{code}/act", {"action": "发放", "method": "银行转账"}, page="/")
    done = officer.get(f"/welfare/{code}").text
    assert 'id="welfare-act"' not in done and "没有待办的步骤" in done


def _actor(chat):  # type: ignore[no-untyped-def]
    from storage.welfare import Actor

    return Actor("", "test", None, lambda action, req: True)  # may read any request (the test looks only)


# --- items 8 and 9: the page's words, small things -------------------------------------------


def test_page_words_and_excerpts() -> None:
    assert page_words("已暂停自动提醒。发送 #恢复提醒 恢复；") == "已暂停自动提醒。点“恢复提醒”按钮恢复；"
    assert "#" not in page_words("确认无误请发送 #确认导入（或回复“确认”）；")
    assert "[calendar]" not in page_words("公布后可在配置 [calendar] 中补充 holidays / workdays")
    assert excerpt("【通知】周五下午开会（地点：三楼会议室，请带笔记本）", 20) == "【通知】周五下午开会…"
    assert excerpt("短消息", 20) == "短消息"


def test_excerpts_never_end_inside_a_bracket() -> None:
    # The whole line in one bracket was cut open before (issue 26, item 9): it is closed after the ellipsis.
    assert excerpt("【关于开展2027年教职工春季健身活动的通知，请各部门组织报名】", 20) == "【关于开展2027年教职工春季健身活动…】"
    assert excerpt("（地点：三楼会议室，请带笔记本【重要】周五下午开会议程如下）", 20) == "（地点：三楼会议室，请带笔记本【重要】…）"
    assert excerpt("（地点：三楼会议室，请带笔记，【重要事项周五下午开会议程如下】）", 20) == "（地点：三楼会议室，请带笔记，…）"
    assert excerpt("周五下午开会，地点在三楼会议室，请大家带好笔记本按时参加", 20) == "周五下午开会，地点在三楼会议室，请大家带…"
    for text in ("【关于开展2027年教职工春季健身活动的通知】", "《工会法》（2021年修正）第三十九条规定的职工代表大会制度",
                 "“教师之家”建设（含活动室、阅览室、母婴室）验收通知"):
        for limit in range(2, len(text)):
            cut = excerpt(text, limit)
            depth = 0
            for ch in cut:
                depth += (ch in "【（“《(") - (ch in "】）”》)")
            assert depth == 0 and len(cut) <= limit + 1, (text, limit, cut)


def test_the_home_page_shows_coming_posts_without_an_open_bracket(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    chat.text(ADMIN, "#添加活动 2027-03-04 教职工春季健身走（地点：西山森林公园北门，请各部门于三月三日前组织报名）")
    home = login(chat, web, MEMBER).get("/").text
    posts = home.split("接下来将发到群里的消息")[1].split("</section>")[0]
    assert "→ 全体教职工群：【活动提醒】" in posts and "教职工春季健身走…" in posts
    assert "（地点" not in posts.split("【今日活动】")[0]  # the reminder's excerpt stops before the bracket


def test_reminders_page_speaks_chinese(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    chat.text(ADMIN, "#添加活动 2027-03-20 教职工羽毛球赛")
    chat.text(ADMIN, "#发起报名 春季踏青 时间=3月20日8:00 截止=3月18日17:00")
    admin = login(chat, web, ADMIN)
    paused = post(admin, "/reminders/pause", page="/reminders")
    assert "#恢复提醒" not in main(paused.text) and "恢复提醒" in paused.text
    post(admin, "/reminders/resume", page="/reminders")
    page = main(admin.get("/reminders").text)
    assert "@chatroom" not in page and "signup_" not in page and "[calendar]" not in page


def test_small_things(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    chat.text(ADMIN, "#发起报名 春季踏青 时间=3月20日8:00 截止=3月18日17:00")
    admin = login(chat, web, ADMIN)
    detail = admin.get("/signups/1").text
    assert 'href="/signups" aria-current="page"' in detail  # the menu marks the list on a detail page
    assert detail.count("return confirm(") >= 2  # 截止报名 and 取消活动 ask first
    assert "在职/退休" in admin.get("/members").text
    code = submit_proposal(chat)
    member = login(chat, web, MEMBER)
    r = post(member, f"/proposals/{code}/act", {"action": "立案"}, page="/proposals")
    assert r.status_code == 404  # the usual refusal, not a chat sentence
    committee = login(chat, web, COMMITTEE)
    assert csrf_of(committee.get(f"/proposals/{code}").text)


def test_the_family_box_is_wide_enough(env) -> None:  # type: ignore[no-untyped-def]
    # Item 9: the 家属 box was too narrow for its number. It is a numeric box the stylesheet gives 6em.
    chat, web = env
    chat.text(ADMIN, "#发起报名 春季踏青 时间=3月20日8:00 截止=3月18日17:00 家属=2")
    admin = login(chat, web, ADMIN)
    page = admin.get("/signups/1").text
    boxes = re.findall(r'<input name="extra"[^>]*>', page)
    assert len(boxes) == 2 and all('class="num"' in b and 'inputmode="numeric"' in b for b in boxes), boxes
    css = admin.get("/static/style.css").text
    width = re.search(r"input\.num \{ width: ([\d.]+)em; \}", css)
    assert width and float(width.group(1)) >= 4


def test_calendar_categories_are_chinese(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    chat.text(ADMIN, "#添加活动 2027-03-20 教职工羽毛球赛")
    member = login(chat, web, MEMBER)
    ics = member.get("/schedule/calendar.ics?year=2027").content.decode()
    categories = re.findall(r"^CATEGORIES:(.*)$", ics, re.M)
    assert categories and all(re.fullmatch(r"[\u4e00-\u9fff]+", c.strip()) for c in categories), categories


def test_imports_never_leave_a_failed_one_open_nor_show_the_preview_twice(env) -> None:  # type: ignore[no-untyped-def]
    from tests.test_web import PLAN

    chat, web = env
    admin = login(chat, web, ADMIN)
    contact = chat.app.services.members.find(ADMIN)[0].contact_id
    pdf = post(admin, "/schedule/import", files={"file": ("plan.pdf", b"%PDF-1.4 ...", "application/pdf")},
               page="/schedule")
    assert "PDF" in pdf.text or "pdf" in pdf.text
    assert chat.app.services.drafts.get(contact, chat.clock()) is None  # a failed upload leaves nothing open
    assert "未完成的" not in admin.get("/").text and "未完成的" not in admin.get("/schedule").text
    first = post(admin, "/schedule/import", {"text": PLAN}, page="/schedule")
    assert first.text.count("教职工羽毛球赛") == 1 and "#确认导入" not in first.text and "确认导入" in first.text
    assert "未完成的" not in main(admin.get("/signups").text)  # the panel is not on every page
    # An abandoned import does not block the next one: a new import replaces it.
    second = post(admin, "/schedule/import", {"text": PLAN.replace("春季健步走", "秋季登山")}, page="/schedule")
    assert "秋季登山" in second.text and "健步走" not in second.text
    post(admin, "/form", {"action": "confirm", "back": "/schedule"}, page="/schedule")
    assert any("登山" in it.text for it in chat.app.services.schedule.list(2027))


# --- Missing: receipts on the page -----------------------------------------------------------


def test_receipts_on_the_page_and_the_nudge_button(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    teachers = ("李老师", "王老师", "张老师", "孙老师")
    for who in teachers:
        chat.text(who, "#帮助")  # in the group: the gateway knows them as its members
    admin = login(chat, web, ADMIN)
    sent = post(admin, "/reminders/notice", {"text": "周五下午开教代会", "receipt": "1"}, page="/reminders")
    assert "#回执" not in main(sent.text) and "通知回执" in sent.text
    chat.pump()
    for who in teachers[:3]:
        chat.text(who, "#收到 1")
    listing = admin.get("/notices").text
    assert 'href="/notices/1"' in listing and "3/4" in listing
    page = admin.get("/notices/1").text
    assert "已收到 3/4" in page and "未回执（1 人）" in page
    missing = page.split('id="missing"')[1].split("</table>")[0]
    assert "孙老师" in missing and "李老师" not in missing
    done = post(admin, "/notices/1/nudge", page="/notices/1")
    assert done.url.path == "/notices/1" and "已安排私聊提醒 1 人" in done.text
    nudges = chat.app.services.reminders.outbox.list(kind="receipt_nudge")
    assert [p.target for p in nudges] == ["contact:孙老师"]
    member = login(chat, web, "李老师")
    assert member.get("/notices").status_code == 404 and member.get("/notices/1").status_code == 404
    assert post(member, "/notices/1/nudge", page="/").status_code == 404
    assert admin.get("/notices/99").status_code == 404
