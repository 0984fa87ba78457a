"""The office page's server time (issue 26 asks p95 under 100 ms): the 提案 register with 2,000
proposals (first page, a keyword search, page 10, a 类别 filter), its statistics charts, the receipts
page of a notice to 1,000 members (600 answered), an event with 1,000 sign-ups, and the year's table,
on PostgreSQL (and SQLite for comparison).

Each page is requested through the ASGI app in process (Starlette's test client: routing,
session check, the queries, the template; no network), logged in as an admin who is also on
the committee, so every control on the page is rendered. p50 and p95 over 200 requests, after
a few to warm up, with the garbage-collector settings `unionbot web` uses (``tune_gc``).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time

from bench.databases import each_database
from bot.app import open_engine
from bot.clock import FakeClock
from bot.config import parse_config
from storage.members import RosterRow
from storage.proposals import NewProposal
from storage.schedule_repo import NewItem
from storage.signups import NewEvent

ROUNDS = 200
NOW = dt.datetime(2027, 3, 1, 1, 0, tzinfo=dt.UTC)


def build(url: str) -> dict:
    from fastapi.testclient import TestClient

    from bot.web_root import build_web
    from web.app import tune_gc  # moved there when the page's composition root became bot/web_root.py

    config = parse_config({
        "union": {"id": "bench-web", "name": "基准小学工会", "timezone": "Asia/Shanghai"},
        "database": {"url": url}, "roles": {"admins": ["wx-0"], "proposal_committee": ["wx-0"]},
        "groups": [{"topic": "全体教职工群"}],
    })
    engine = open_engine(config)
    clock = FakeClock(NOW)
    app = build_web(config, clock, engine=engine)
    services = app.state.office.services
    depts = ["语文组", "数学组", "英语组", "总务处", "教务处"]
    services.members.import_roster([RosterRow(name=f"教师{i:04d}", department=depts[i % 5],
                                              gender="女" if i % 2 else "男", contact_id=f"wx-{i}")
                                    for i in range(1000)])
    people = services.members.roster()
    categories = config.proposals.categories
    for i in range(2000):
        services.proposals.submit(NewProposal(f"关于改进第{i}项工作的建议", "案由" * 40, "建议" * 40,
                                              categories[i % len(categories)] if i % 7 else ""),
                                  people[i % len(people)], 2027, 0, NOW)
    notice = services.notices.create("周五下午三点在报告厅召开教代会，请回复 #收到", "全体", True, "wx-0", NOW)
    for m in people[1:601]:
        services.notices.acknowledge(notice, m, NOW)
    event = services.signups.create_event(NewEvent("教职工运动会", capacity=800), by="wx-0")
    for m in people:
        services.signups.sign_up(event.number, m, 0, m.contact_id or "", NOW)
    for i in range(60):
        services.schedule.add(NewItem(year=2027, months=[i % 12 + 1], weeks=[], text=f"第{i}项活动：教职工活动安排"))
    token = services.web_logins.issue(people[0].id, NOW)
    client = TestClient(app)
    page = client.get(f"/login/{token}")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert client.post(f"/login/{token}", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    tune_gc()  # as `unionbot web` does after start-up
    timings = {}
    pages = (("proposals", "/proposals?year=2027"), ("search", "/proposals?year=2027&q=改进第1"),
             ("page 10", "/proposals?year=2027&page=10"), ("category", f"/proposals?year=2027&cat={categories[0]}"),
             ("stats", "/proposals/stats?year=2027"), ("receipts", f"/notices/{notice.number}"),
             ("signup", f"/signups/{event.number}"), ("schedule", "/schedule?year=2027"))
    for name, path in pages:
        for _ in range(5):
            assert client.get(path).status_code == 200
        samples = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            r = client.get(path)
            samples.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200
        samples.sort()
        timings[name] = {"p50": round(statistics.median(samples), 1),
                         "p95": round(samples[int(len(samples) * 0.95) - 1], 1)}
    engine.dispose()
    return timings


def run() -> dict:
    return {db: build(url) for db, url in each_database("web")}


if __name__ == "__main__":
    for db, pages in run().items():
        for name, t in pages.items():
            print(f"{db:10} {name:10} p50 {t['p50']:6.1f} ms  p95 {t['p95']:6.1f} ms")
