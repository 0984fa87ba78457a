"""The office page in a real browser: `unionbot web` as its own process, Debian's chromium driven
by Playwright (``executable_path``; nothing downloads a browser), the data made by the terminal
chat on the same SQLite file, as a school would run the bot and the page side by side.

Also writes a screenshot of each page at 1280 px and 375 px to ``var/screenshots`` (or
``$UNIONBOT_SCREENSHOTS``), to be looked at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gateway_harness import free_port

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

SEED = """/as wx-admin
#添加活动 2027-03-20 教职工羽毛球赛
#添加活动 2027-03-08 三八节慰问女教工
#添加活动 4月 春季健步走
#发起报名 春季踏青 时间=3月20日 8:00 名额=30 截止=3月18日 17:00
/as wx-li
#报名 1 素食
/dm
#提案 食堂增加晚餐供应｜教师晚自习后无处就餐｜食堂周一至周五供应晚餐
确认
#申请 住院 医院=市第一人民医院 住院日期=2027-02-20 天数=9
确认
/as wx-zhang
#报名 1
"""


def chat(config: Path, script: str, now: str = "2027-03-01 09:00") -> str:
    out = subprocess.run([sys.executable, "-m", "bot.cli", "chat", "--config", str(config), "--now", now],
                         input=script, capture_output=True, text=True, cwd=config.parent, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def cli(config: Path, *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "bot.cli", *args, "--config", str(config)], capture_output=True,
                         text=True, cwd=config.parent, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    if CHROMIUM is None:
        if os.environ.get("UNIONBOT_REQUIRE_BROWSER"):
            pytest.fail("chromium not found (apt-get install chromium)")
        pytest.skip("chromium not installed")
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(f"""
[union]
id = "web-school"
name = "实验小学工会"
[database]
url = "sqlite:///{tmp_path}/office.db"
[roles]
admins = ["wx-admin"]
welfare_officers = ["wx-admin"]
proposal_committee = ["wx-admin"]
[proposals]
min_cosigners = 0
[reminders]
quiet_hours = "00:00-00:00"
[web]
port = {port}
[[groups]]
topic = "全体教职工群"
""", encoding="utf-8")
    seeded = chat(config, SEED)
    assert "已发起报名" in seeded and "已提交住院申请" in seeded, seeded
    log = open(tmp_path / "web.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "web", "--config", str(config)], cwd=tmp_path,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a loaded machine starts it slowly
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/static/style.css", timeout=1).read()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("unionbot web did not start: " + (tmp_path / "web.log").read_text())
    try:
        yield base, config
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def login(browser, config: Path, who: str, width: int = 1280):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
    page.goto(cli(config, "web", "link", who))
    page.get_by_role("button", name="确认登录").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def test_browser_flows(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, config = site
    admin = login(browser, config, "wx-admin")
    assert admin.get_by_role("link", name="会员").is_visible()

    # Edit an activity on the page; the chat's #本月活动 shows it.
    admin.goto(base + "/schedule?year=2027")
    row = admin.locator("tr", has_text="教职工羽毛球赛")
    row.locator("summary").click()
    row.locator("input[name=when]").fill("3月27日")
    row.locator("input[name=text]").fill("教职工气排球赛")
    row.get_by_role("button", name="保存").click()
    admin.wait_for_selector("text=已修改")
    month = chat(config, "/as wx-li\n#本月活动\n", now="2027-03-05 09:00")
    assert "教职工气排球赛" in month and "3月27日" in month and "羽毛球" not in month

    # A wrong date is refused next to its field, and nothing changes.
    admin.goto(base + "/schedule?year=2027")
    form = admin.locator("#add-item")
    form.locator("input[name=when]").fill("13月")
    form.locator("input[name=text]").fill("不该出现")
    form.get_by_role("button", name="添加").click()
    admin.wait_for_selector("#add-item .error")
    assert "不该出现" not in chat(config, "/as wx-li\n#活动安排\n", now="2027-03-05 09:00")

    # A committee action; its notice to the proposer waits in the outbox for the running bot.
    admin.goto(base + "/proposals")
    admin.get_by_role("link", name=re.compile(r"2027-001")).click()
    admin.locator("#proposal-act select").select_option("立案")
    admin.locator("#proposal-act").get_by_role("button", name="提交").click()
    admin.wait_for_selector("text=已立案")
    from bot.app import open_engine
    from bot.config import load_config
    from storage.outbox import OutboxRepo

    cfg = load_config(config)
    told = OutboxRepo(open_engine(cfg), cfg.union_id).list(kind="web_reply")
    assert [p.target for p in told] == ["contact:wx-li"] and "2027-001" in told[0].text

    # An .xlsx download.
    admin.goto(base + "/signups/1")
    with admin.expect_download() as dl:
        admin.get_by_role("link", name=re.compile("下载名单")).click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes())).active
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row}
    assert {"wx-li", "wx-zhang"} <= cells and "素食" in cells
    # htmx (vendored, served by the page) boosts the forms; a refusal (400) is shown, not swallowed.
    assert admin.evaluate("typeof htmx") == "object"
    admin.locator("form[action$='/proxy']").get_by_role("button", name="代报名").click()
    admin.wait_for_selector("text=请填写姓名")

    # A member has no 福利 in the menu, and the page itself is "not found".
    member = login(browser, config, "wx-li")
    assert [a.inner_text() for a in member.locator("nav a").all()] == ["首页", "我的", "活动安排", "报名", "提案"]
    response = member.goto(base + "/welfare")
    assert response is not None and response.status == 404
    assert "页面不存在，或您无权查看" in member.content()
    # An used link cannot log in again.
    link = cli(config, "web", "link", "wx-zhang")
    other = browser.new_page()
    other.goto(link)
    other.get_by_role("button", name="确认登录").click()
    third = browser.new_page()
    third.goto(link)
    assert "已经用过" in third.content()


def test_reload_after_an_error_and_logout_with_the_old_cookie(site, browser) -> None:  # type: ignore[no-untyped-def]
    """Issue 26 items 3 and 5, as a user meets them."""
    base, config = site
    admin = login(browser, config, "wx-admin")
    admin.goto(base + "/reminders")
    form = admin.locator("#notice")
    form.locator("textarea[name=text]").fill("请" * 2001)
    form.locator("input[name=receipt]").check()
    form.get_by_role("button", name="发送").click()
    admin.wait_for_selector("text=通知内容最多 2000 字")
    # What was typed is still there, the receipt box still ticked.
    assert len(admin.locator("#notice textarea[name=text]").input_value()) == 2001
    assert admin.locator("#notice input[name=receipt]").is_checked()
    # A reload is a GET of the page: no bare 405, no resubmission.
    response = admin.reload()
    assert response is not None and response.status == 200 and admin.url.startswith(base + "/reminders")
    assert "最多 2000 字" not in admin.content()
    # A form address opened directly gets the page's own Chinese page.
    response = admin.goto(base + "/schedule/add")
    assert response is not None and response.status == 405 and "请在页面上提交" in admin.content()
    # Logout ends the session on the server: the old cookie opens nothing.
    cookies = admin.context.cookies()
    admin.goto(base + "/members")
    admin.get_by_role("button", name="退出", exact=True).click()
    admin.wait_for_load_state()
    thief = browser.new_context()
    thief.add_cookies(cookies)
    page = thief.new_page()
    response = page.goto(base + "/members")
    assert response is not None and response.status == 401 and "请先登录" in page.content()
    thief.close()


def test_screenshots_of_every_page(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, config = site
    out = Path(os.environ.get("UNIONBOT_SCREENSHOTS", REPO / "var" / "screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    pages = {"home": "/", "schedule": "/schedule?year=2027", "signups": "/signups", "signup": "/signups/1",
             "proposals": "/proposals", "proposal": "/proposals/2027-001", "welfare": "/welfare?year=2027",
             "welfare_request": "/welfare/W2027-001", "reminders": "/reminders", "notices": "/notices",
             "members": "/members", "mine": "/mine", "votes": "/votes", "checkins": "/checkins"}
    for width in (1280, 375):
        page = login(browser, config, "wx-admin", width)
        for name, path in pages.items():
            response = page.goto(base + path)
            assert response is not None and response.status == 200, (name, response and response.status)
            # Nothing is wider than the screen except inside a table's own scroller.
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (name, width, overflow)
            page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
        page.close()
    assert len(list(out.glob("*-375.png"))) >= len(pages)


def test_a_teacher_files_a_proposal_and_a_request_on_the_page(site, browser) -> None:  # type: ignore[no-untyped-def]
    """Issue 26, "Teachers serve themselves": a member without roles, on 我的, at a phone's width."""
    base, config = site
    teacher = login(browser, config, "wx-zhang", 375)
    teacher.get_by_role("link", name="我的").click()
    form = teacher.locator("#proposal")
    form.locator("input[name=title]").fill("增设教师休息室")
    form.locator("textarea[name=reason]").fill("课间没有休息的地方")
    form.get_by_role("button", name="提交提案").click()
    teacher.wait_for_selector("text=请填写建议")  # the missing field named; what was typed is kept
    assert teacher.locator("#proposal input[name=title]").input_value() == "增设教师休息室"
    teacher.locator("#proposal textarea[name=suggestion]").fill("把三楼空教室改为休息室")
    teacher.locator("#proposal").get_by_role("button", name="提交提案").click()
    teacher.wait_for_selector("text=已提交提案")
    assert "/proposals/2027-" in teacher.url or "/proposals/2026-" in teacher.url
    teacher.goto(base + "/mine")
    teacher.locator("#requests select[name=kind]").select_option("住院")
    teacher.locator("#requests").get_by_role("button", name="填写申请").click()
    request = teacher.locator("#request")
    request.locator("input[name='f_医院']").fill("市中心医院")
    request.locator("input[name='f_住院日期']").fill("2026-11-20")
    request.locator("input[name='f_天数']").fill("6")
    request.get_by_role("button", name="提交申请").click()
    teacher.wait_for_selector("text=已提交住院申请")
    assert "市中心医院" in teacher.content() and "待受理" in teacher.content()
    overflow = teacher.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    # The chat sees both: the officer's #待办 lists the request.
    assert "住院" in chat(config, "/as wx-admin\n/dm\n#待办\n", now="2026-12-05 09:00")


def test_receipts_on_the_page_after_a_notice_and_three_acknowledgements(site, browser) -> None:  # type: ignore[no-untyped-def]
    """Issue 26, "Receipts on the page": the chair sends a notice with receipts from the page, three
    teachers answer 收到 in the group chat, the page counts them, lists who is missing and nudges them."""
    base, config = site
    teachers = ("孙老师", "周老师", "吴老师", "郑老师")
    chat(config, "".join(f"/as {who}\n#帮助\n" for who in teachers))  # known to the group
    admin = login(browser, config, "wx-admin")
    admin.goto(base + "/reminders")
    form = admin.locator("#notice")
    form.locator("textarea[name=text], input[name=text]").first.fill("周五下午三点在报告厅开教代会")
    form.locator("input[name=receipt]").check()
    form.get_by_role("button").first.click()
    admin.wait_for_load_state()
    chat(config, "".join(f"/as {who}\n#收到 1\n" for who in teachers[:3]))
    admin.goto(base + "/notices/1")
    count = admin.locator(".receipt-count").inner_text()
    assert "已收到 3/" in count, count
    missing = admin.locator("#missing").inner_text()
    assert "郑老师" in missing and not any(who in missing for who in teachers[:3]), missing
    admin.once("dialog", lambda d: d.accept())  # the 催办 button asks first
    admin.get_by_role("button", name=re.compile("催办")).click()
    admin.wait_for_selector("text=已安排私聊提醒")
    assert admin.url.endswith("/notices/1")
