"""The office page's server time on PostgreSQL and SQLite (issues 25 and 26, goal p95 < 100 ms each):
the 提案 register with 2,000 proposals (page 1, page 10 and a keyword search), the statistics
charts, the receipts page of a notice sent to 1,000 members, an event with 1,000 sign-ups, and
the year's table.

Each page is requested through the ASGI app in process (Starlette's test client: routing,
session check, the queries, the template; no network), logged in as an admin who is also on
the committee, so every control on the page is rendered. p50 and p95 over 200 requests, after
a few to warm up, with the garbage-collector settings `unionbot web` uses (``tune_gc``).
``python -m bench.web_pages signup,stats`` measures only those pages; ``--profile PAGE [sqlite|postgresql]``
prints where one page's time goes instead, with its SQL statement count.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import pstats
import re
import statistics
import sys
import threading
import time
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, update

from bench.databases import each_database
from bot.app import open_engine
from bot.clock import FakeClock
from bot.config import parse_config
from storage.members import RosterRow
from storage.models import Proposal, ProposalCosign, ProposalEvent
from storage.proposals import EVALUATIONS, NewProposal
from storage.schedule_repo import NewItem
from storage.signups import NewEvent

ROUNDS = 200
NOW = dt.datetime(2027, 3, 1, 1, 0, tzinfo=dt.UTC)
MEMBERS, PROPOSALS, RECEIPTS = 1000, 2000, 600
DEPTS = ["语文组", "数学组", "英语组", "总务处", "教务处"]
# The register's life after a congress: most proposals moved on, a few still collecting.
LIFE = ["征集中", "待审查", "立案", "不予立案", "已交办", "已交办", "已答复", "已评价", "办结", "办结"]
SEARCH = "食堂"  # in one proposal of ten: a page of matches and a count
LABELS = {"proposals": "提案 register, 2,000 proposals", "proposals_p10": "提案 register, page 10",
          "search": "提案 register, keyword search", "stats": "提案 statistics charts",
          "receipts": "receipts of a notice to 1,000", "signup": "event with 1,000 sign-ups",
          "schedule": "the year's table"}


CATEGORIES = ("教育教学", "学校管理", "教师发展", "福利待遇", "后勤保障", "其他")  # the config's default list


def _proposals(engine: Any, services: Any, people: list[Any]) -> None:
    """2,000 proposals through the repository, then moved along their life in bulk (a bench's setup,
    not the workflow under test): statuses, 承办部门, 满意度, co-signers and 交办 events."""
    for i in range(PROPOSALS):
        topic = SEARCH if i % 10 == 0 else "教研"
        category = CATEGORIES[i % len(CATEGORIES)] if i % 7 else ""  # one in seven 未分类
        services.proposals.submit(NewProposal(f"关于改进{topic}第{i}项工作的建议", "案由" * 40, "建议" * 40, category),
                                  people[i % len(people)], 2027, 0, NOW)
    with engine.begin() as c:
        rows = c.execute(Proposal.__table__.select().order_by(Proposal.__table__.c.seq)).fetchall()
        cosigns, events = [], []
        for i, p in enumerate(rows):
            status = LIFE[i % len(LIFE)]
            handed = status in ("已交办", "已答复", "已评价", "办结")
            c.execute(update(Proposal).where(Proposal.id == p.id).values(
                status=status, department=DEPTS[i % 5] if handed else "",
                evaluation=EVALUATIONS[i % 3] if status in ("已评价", "办结") else ""))
            for k in range(1, 1 + i % 4):
                m = people[(i + k * 7) % len(people)]
                cosigns.append({"union_id": "bench-web", "proposal_id": p.id, "member_id": m.id, "name": m.name,
                                "contact_id": m.contact_id, "created_at": NOW})
            if handed:
                events.append({"union_id": "bench-web", "proposal_id": p.id, "at": NOW - dt.timedelta(days=i % 40),
                               "actor": "wx-0", "actor_name": "教师0000", "action": "交办", "status": "已交办",
                               "note": DEPTS[i % 5]})
        c.execute(insert(ProposalCosign), cosigns)
        c.execute(insert(ProposalEvent), events)


def setup(url: str) -> tuple[Any, Any, dict[str, str]]:
    """The populated page, a logged-in client and the pages to measure (name -> path)."""
    from fastapi.testclient import TestClient

    from bot.web_root import build_web

    config = parse_config({
        "union": {"id": "bench-web", "name": "基准小学工会", "timezone": "Asia/Shanghai"},
        "database": {"url": url}, "roles": {"admins": ["wx-0"], "proposal_committee": ["wx-0"]},
        "groups": [{"topic": "全体教职工群"}],
    })
    engine = open_engine(config)
    app = build_web(config, FakeClock(NOW), engine=engine)
    services = app.state.office.services
    services.members.import_roster([RosterRow(name=f"教师{i:04d}", department=DEPTS[i % 5],
                                              gender="女" if i % 2 else "男", contact_id=f"wx-{i}")
                                    for i in range(MEMBERS)])
    people = services.members.roster()
    _proposals(engine, services, people)
    event = services.signups.create_event(NewEvent("教职工运动会", capacity=800), by="wx-0")
    for m in people:
        services.signups.sign_up(event.number, m, 0, m.contact_id or "", NOW)
    notice = services.notices.create("请各位老师周五前提交体检表。", "全体", True, "wx-0", NOW)
    for m in people[1:RECEIPTS + 1]:
        services.notices.acknowledge(notice, m, NOW)
    for i in range(60):
        services.schedule.add(NewItem(year=2027, months=[i % 12 + 1], weeks=[], text=f"第{i}项活动：教职工活动安排"))
    token = services.web_logins.issue(people[0].id, NOW)
    client = TestClient(app)
    page = client.get(f"/login/{token}")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert client.post(f"/login/{token}", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    paths = {"proposals": "/proposals?year=2027", "proposals_p10": "/proposals?year=2027&page=10",
             "search": f"/proposals?year=2027&q={SEARCH}", "category": f"/proposals?year=2027&cat={CATEGORIES[0]}",
             "stats": "/proposals/stats?year=2027",
             "receipts": f"/notices/{notice.number}", "signup": f"/signups/{event.number}",
             "schedule": "/schedule?year=2027"}
    return engine, client, paths


def _check(client: Any, name: str, path: str) -> None:
    """The page is the one meant: found, and (for the register) holding what was asked."""
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    if name == "proposals_p10":
        assert "2027-451" in r.text and "2027-450" not in r.text, path  # 50 a page, by number
    if name == "search":
        assert SEARCH in r.text and "教研第1项" not in r.text, path


def measure(client: Any, paths: dict[str, str], rounds: int = ROUNDS) -> dict[str, dict[str, float]]:
    from web.app import tune_gc

    tune_gc()  # as `unionbot web` does after start-up
    timings = {}
    for name, path in paths.items():
        _check(client, name, path)
        for _ in range(5):
            assert client.get(path).status_code == 200
        samples = []
        cpu = time.process_time()
        for _ in range(rounds):
            start = time.perf_counter()
            r = client.get(path)
            samples.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200
        cpu = time.process_time() - cpu
        samples.sort()
        # CPU ms per request (this process: client and page; not PostgreSQL's): steadier than the wall
        # clock when other work shares the machine, so a change can be compared across runs.
        timings[name] = {"p50": round(statistics.median(samples), 1),
                         "p95": round(samples[int(len(samples) * 0.95) - 1], 1),
                         "cpu": round(cpu / rounds * 1000, 1)}
    return timings


def profile(engine: Any, client: Any, path: str, rounds: int = 30) -> None:
    """Where one page's time goes: statements per request, then cProfile's top functions."""
    statements: list[str] = []
    sa_event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    client.get(path)
    statements.clear()
    client.get(path)
    print(f"{path}: {len(statements)} SQL statements per request")
    for s in statements:
        print("   ", " ".join(s.split())[:160])
    # The page runs in the test client's worker threads: each new thread starts its own profiler.
    profiles: list[cProfile.Profile] = []

    def start(*_: Any) -> None:
        profiles.append(cProfile.Profile())
        profiles[-1].enable()

    threading.setprofile(start)
    try:
        for _ in range(rounds):
            client.get(path)
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
    stats = pstats.Stats(profiles[0])
    for p in profiles[1:]:
        stats.add(p)
    stats.sort_stats("cumulative").print_stats(45)


def run(pages: list[str] | None = None) -> dict:
    out = {}
    for db, url in each_database("web"):
        engine, client, paths = setup(url)
        try:
            out[db] = measure(client, {k: v for k, v in paths.items() if not pages or k in pages})
        finally:
            engine.dispose()
    return out


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--profile":
        wanted, only = sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else ""
        for db, url in each_database("web"):
            if only and db != only:
                continue
            engine, client, paths = setup(url)
            print(f"== {db}")
            profile(engine, client, paths[wanted])
            engine.dispose()
        sys.exit(0)
    for db, pages in run(sys.argv[1].split(",") if len(sys.argv) > 1 else None).items():
        for name, t in pages.items():
            print(f"{db:10} {name:14} p50 {t['p50']:6.1f} ms  p95 {t['p95']:6.1f} ms  CPU {t['cpu']:5.1f} ms")
