"""`python -m web.screenshots [OUT]`: every page of the office page, as the chair, the welfare officer and a
teacher see it, at 1280 and 375 px, on a small realistic school (a roster, a plan, sign-ups, proposals,
welfare requests, a notice with receipts), photographed into ``var/screenshots/`` and measured at 375 px:
no sideways scroll, no text cell narrower than 4 characters, no short word (已报名) broken over lines.

Debian's chromium is driven by Playwright through ``executable_path``: nothing downloads a browser.
The same code is the browser test tests/e2e/test_web_look.py. Pages are found from each role's menu and
the first detail link of each kind on them, so a page added to the menu is photographed and measured
without being listed here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
WIDTHS = (1280, 375)
# Who looks: the chair (admin and proposal committee), the welfare officer, a teacher.
ROLES = {"chair": "wx-wang", "welfare": "wx-zhao", "teacher": "wx-li"}
# Pages a role's menu reaches only with a year (the data is 2027's whatever the day the script runs).
EXTRA = ("/schedule?year=2027", "/welfare?year=2027", "/proposals?year=2027")
NOW = "2027-03-01 09:00"
# The subprocesses run from a scratch folder: this checkout's code, not whatever `pip -e` points at.
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))}

ROSTER = """姓名,部门,性别,退休,生日,微信ID
王建国,校长室,男,否,1970-05-02,wx-wang
赵敏,办公室,女,否,1982-09-14,wx-zhao
李晓梅,语文组,女,否,1988-03-08,wx-li
张伟,数学组,男,否,1985-11-20,wx-zhang
陈静,英语组,女,否,1990-06-01,wx-chen
刘洋,综合组,男,否,1992-01-15,wx-liu
杨帆,数学组,男,否,1987-07-07,wx-yang
黄丽,语文组,女,否,1979-12-30,wx-huang
周强,体育组,男,否,1983-04-18,
吴芳,退休教师,女,是,1958-02-11,wx-wu
孙磊,信息技术组,男,否,1991-10-10,wx-sun
马琳,英语组,女,否,1986-08-25,
"""

SEED = """/as wx-wang
#添加活动 2027-03-08 三八节慰问女教工，为每位女教职工发放节日慰问品
#添加活动 2027-03-20 教职工羽毛球赛（体育馆，按年级组报名）
#添加活动 4月 春季健步走
#添加活动 2027-05-01 劳动节慰问一线后勤职工
#添加活动 6月 教职工子女六一亲子活动
#发起报名 春季踏青 时间=3月20日 8:00 地点=西山森林公园 名额=30 截止=3月18日 17:00 家属=2
#发起报名 教职工羽毛球赛 时间=3月27日 15:30 地点=学校体育馆 名额=16 截止=3月25日 17:00
#发起报名 读书分享会 时间=4月8日 16:00 地点=图书馆 截止=4月6日 17:00
#取消活动 3 场地冲突，另行通知
#发送通知 周五下午三点在报告厅召开教代会预备会议，请各位代表准时参加 需回执
/as wx-li
#报名 1 +1 素食
#报名 2
#收到 1
/as wx-zhang
#报名 1
#收到 1
/as wx-chen
#报名 1 +2
#收到 1
/as wx-li
/dm
#提案 食堂增加晚餐供应｜教师晚自习后无处就餐，外出就餐耽误时间｜食堂周一至周五供应晚餐，按成本收费
确认
#提案 改善教学楼饮水设施｜三楼以上没有热水，冬季饮水不便｜每层增设一台直饮机并定期检测水质
确认
#申请 住院 医院=市第一人民医院 住院日期=2027-02-20 天数=9
确认
/as wx-zhang
/dm
#申请 结婚 日期=2027-02-14 配偶=王芳
确认
/as wx-wang
#立案 2027-001
#交办 2027-001 总务处
/as wx-zhao
/dm
#受理 W2027-001
#核定 W2027-001
"""

MEASURE = """() => {
  const problems = [];
  const sw = document.scrollingElement.scrollWidth;
  if (sw > innerWidth) problems.push(`sideways scroll: ${sw} > ${innerWidth}`);
  const menu = [...document.querySelectorAll('body > nav a')].map(a => Math.round(a.getBoundingClientRect().top));
  if (new Set(menu).size > 1) problems.push('the menu takes more than one line');
  let cells = 0, narrowest = Infinity;
  const seen = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') return false;
    const head = el.closest('thead');
    return !(head && head.getBoundingClientRect().width <= 2);   // a card table's hidden headings
  };
  const lines = (el) => {   // lines of visible text: glyph boxes that overlap vertically are one line
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), rects = [];
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (!n.textContent.trim() || !n.parentElement.checkVisibility()) continue;
      const range = document.createRange(); range.selectNodeContents(n);
      rects.push(...[...range.getClientRects()].filter(r => r.width > 0));
    }
    rects.sort((a, b) => a.top - b.top);
    let count = 0, bottom = -Infinity;
    for (const r of rects) {
      if (r.top >= bottom - r.height / 2) { count += 1; bottom = r.bottom; } else bottom = Math.max(bottom, r.bottom);
    }
    return count;
  };
  for (const el of document.querySelectorAll('td, th, td label, td input, td textarea, td select')) {
    if (!seen(el)) continue;
    const text = (el.matches('input, textarea, select') ? (el.value || el.placeholder || 'x') : el.innerText).trim();
    if (!text || el.matches('input[type=hidden], input[type=checkbox]')) continue;
    const cs = getComputedStyle(el), fs = parseFloat(cs.fontSize);
    const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const chars = room / fs;
    cells += 1; narrowest = Math.min(narrowest, chars);
    const what = `${el.tagName.toLowerCase()} "${text.slice(0, 12)}"`;
    if (chars < 4) problems.push(`${what}: ${chars.toFixed(1)} characters wide`);
    if (el.matches('td, th') && text.length <= 6 && !/\\s/.test(text) && lines(el) > 1)
      problems.push(`${what}: broken over ${lines(el)} lines`);
  }
  return {problems, cells, narrowest: cells ? Math.round(narrowest * 10) / 10 : null,
          scrollWidth: sw, innerWidth};
}"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _cli(config: Path, *args: str, script: str | None = None) -> str:
    out = subprocess.run([sys.executable, "-m", "bot.cli", *args, "--config", str(config)], input=script,
                         capture_output=True, text=True, cwd=config.parent, timeout=120, env=ENV)
    if out.returncode != 0:
        raise RuntimeError(f"unionbot {' '.join(args)} failed: {out.stderr[-2000:]}")
    return out.stdout


def prepare(folder: Path, port: int) -> Path:
    """A school's config, roster and a month of data, made by the CLI and the terminal chat."""
    config = folder / "config.toml"
    config.write_text(f"""
[union]
id = "look-school"
name = "实验小学工会"
[database]
url = "sqlite:///{folder}/office.db"
[roles]
admins = ["wx-wang"]
welfare_officers = ["wx-zhao"]
proposal_committee = ["wx-wang"]
[proposals]
min_cosigners = 0
departments = {{"总务处" = ["wx-sun"]}}
[reminders]
quiet_hours = "00:00-00:00"
[web]
port = {port}
[[groups]]
topic = "全体教职工群"
""", encoding="utf-8")
    roster = folder / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    _cli(config, "members", "import", str(roster))
    seeded = _cli(config, "chat", "--now", NOW, script=SEED)
    for expected in ("已发起报名", "已提交住院申请", "2027-002"):
        if expected not in seeded:
            raise RuntimeError(f"the seed did not do what it should ({expected}):\n{seeded[-3000:]}")
    return config


@contextmanager
def serve(config: Path, port: int) -> Iterator[str]:
    """`unionbot web` as its own process, until the block ends."""
    log_path = config.parent / "web.log"
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "web", "--config", str(config)],
                                cwd=config.parent, stdout=log, stderr=subprocess.STDOUT, env=ENV)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(base + "/static/style.css", timeout=1).read()
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("unionbot web did not start: " + log_path.read_text()) from None
                    time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            proc.wait(10)


def login(browser: Any, config: Path, who: str, width: int) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(_cli(config, "web", "link", who).strip())
    page.get_by_role("button", name="确认登录").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def _shape(path: str) -> str:
    """A page's kind: /signups/3 and /signups/1 are one kind, photographed once."""
    return re.sub(r"\d[\w-]*", "N", urlsplit(path).path)


def pages_of(page: Any, base: str) -> list[str]:
    """The role's pages: its menu, the year pages it may open, and the first page of each kind linked
    from those (two links deep: 提醒 -> 通知回执 -> one notice)."""
    menu = [h for h in (a.get_attribute("href") for a in page.locator("body > nav a").all()) if h]
    found = menu + [p for p in EXTRA if any(p.startswith(h + "?") for h in menu)]
    shapes = {_shape(p) for p in found}
    layer = list(found)
    for _depth in range(2):
        following: list[str] = []
        for path in layer:
            page.goto(base + path)
            for href in page.locator("main a[href^='/']").evaluate_all("els => els.map(a => a.getAttribute('href'))"):
                target = href.partition("#")[0]
                if (not target or re.search(r"\.(xlsx|ics|csv|pdf|docx)\b", target)
                        or target.startswith(("/static", "/logout", "/login"))):
                    continue
                if _shape(target) not in shapes:
                    shapes.add(_shape(target))
                    following.append(target)
        found += following
        layer = following
    return found


def _name(role: str, path: str) -> str:
    slug = re.sub(r"[^\w-]+", "-", path.strip("/")).strip("-") or "home"
    return f"{role}-{slug}"


def photograph(browser: Any, base: str, config: Path, out: Path) -> dict[str, dict[str, Any]]:
    """Every page of every role at each width into ``out``; the 375 px measures by page name."""
    out.mkdir(parents=True, exist_ok=True)
    measures: dict[str, dict[str, Any]] = {}
    for role, who in ROLES.items():
        for width in WIDTHS:
            page = login(browser, config, who, width)
            for path in pages_of(page, base):
                response = page.goto(base + path)
                name = _name(role, path)
                status = response.status if response is not None else 0
                page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
                result = page.evaluate(MEASURE)
                if status != 200:
                    result["problems"].append(f"status {status}")
                if width == 375:
                    measures[name] = result
                elif result["scrollWidth"] > result["innerWidth"]:
                    measures[f"{name}@{width}"] = {**result, "problems": [f"sideways scroll at {width} px"]}
                if path.startswith("/schedule") and page.locator("td details summary").count():
                    # Editing a row is where the old page squeezed text to 3 characters a line.
                    page.locator("td details summary").first.click()
                    page.screenshot(path=str(out / f"{name}-edit-{width}.png"), full_page=True)
                    if width == 375:
                        measures[name + "-edit"] = page.evaluate(MEASURE)
                    if page.locator("#add-item").count() and "year" not in path:
                        # A refused form: the red flash and the error under its field (nothing is added).
                        page.locator("#add-item").get_by_role("button").click()
                        page.wait_for_selector(".flash")
                        page.screenshot(path=str(out / f"{name}-refused-{width}.png"), full_page=True)
                        if width == 375:
                            measures[name + "-refused"] = page.evaluate(MEASURE)
            page.close()
    return measures


def run(out: Path) -> dict[str, dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium not found (apt-get install chromium)")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="unionbot-look-") as tmp:
        config = prepare(Path(tmp), port)
        with serve(config, port) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=FLAGS)
            try:
                return photograph(browser, base, config, out)
            finally:
                browser.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else REPO / "var" / "screenshots"
    measures = run(out)
    bad = 0
    for name, m in sorted(measures.items()):
        flag = "OK " if not m["problems"] else "BAD"
        bad += bool(m["problems"])
        print(f"{flag} {name}: {m['cells']} cells, narrowest {m['narrowest']} characters, "
              f"width {m['scrollWidth']}/{m['innerWidth']}")
        for problem in m["problems"]:
            print("      " + problem)
    print(f"{len(list(out.glob('*.png')))} screenshots in {out}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
