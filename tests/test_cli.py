"""The `unionbot` CLI contracts, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PLAN_FIXTURE, REPO


def unionbot(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith(("UNIONBOT_", "WECHATY_"))}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd, env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[union]\nid = "cli-school"\nname = "命令行测试工会"\n'
                    '[database]\nurl = "sqlite:///var/unionbot.db"\n', encoding="utf-8")
    return path


def test_plan_import_json_dry_run_needs_no_config(tmp_path: Path) -> None:
    r = unionbot("plan", "import", str(PLAN_FIXTURE), "--year", "2027", "--dry-run", "--json",
                 cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data) == {"items"} and len(data["items"]) == 17
    first = data["items"][0]
    # Issue 28 added the importer's doubts; the fields outside scripts read stay.
    assert set(first) == {"months", "weeks", "text", "category", "holiday", "date", "rrule", "flagged", "confidence",
                          "doubts"}
    assert all(it["flagged"] == bool(it["doubts"]) and 0 < it["confidence"] <= 1 for it in data["items"])
    teachers_day = next(it for it in data["items"] if it["holiday"] == "教师节")
    assert teachers_day["date"] == "2027-09-10"
    assert not (tmp_path / "var").exists()  # --dry-run stores nothing


def test_plan_import_stores_and_exports_ics(tmp_path: Path, config: Path) -> None:
    r = unionbot("plan", "import", str(PLAN_FIXTURE), "--year", "2027", "--config", str(config),
                 cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "已保存 17 项" in r.stdout
    out = tmp_path / "union-2027.ics"
    r = unionbot("plan", "ics", "--year", "2027", "--out", str(out), cwd=tmp_path,
                 env={"UNIONBOT_CONFIG": str(config)})
    assert r.returncode == 0, r.stderr
    from icalendar import Calendar

    cal = Calendar.from_ical(out.read_bytes())
    events = cal.walk("VEVENT")
    assert len(events) == 17
    assert any(str(e["summary"]) == "庆祝教师节活动" and e.decoded("dtstart").isoformat() == "2027-09-10"
               for e in events)


def test_plan_without_arrangement_and_unreadable_file(tmp_path: Path) -> None:
    prose = tmp_path / "prose.txt"
    prose.write_text("工会工作计划\n一、指导思想\n依靠教职工办好学校。\n", encoding="utf-8")
    r = unionbot("plan", "import", str(prose), "--dry-run", "--json", cwd=tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout) == {"items": []}
    r = unionbot("plan", "import", str(tmp_path / "missing.txt"), "--dry-run", "--json", cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == "" and "无法读取" in r.stderr
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    r = unionbot("plan", "import", str(binary), "--dry-run", "--json", cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""


def test_week_plan_with_semester_start(tmp_path: Path) -> None:
    plan = tmp_path / "term.txt"
    plan.write_text("学期工作安排\n第一周：制定计划\n第2-3周：三八节慰问女教工\n", encoding="utf-8")
    r = unionbot("plan", "import", str(plan), "--year", "2027", "--semester-start", "2027-02-22", "--dry-run",
                 "--json", cwd=tmp_path)
    items = json.loads(r.stdout)["items"]
    assert [(it["weeks"], it["date"]) for it in items] == [([1], "2027-02-22"), ([2, 3], "2027-03-01")]


def test_bad_config_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[union]\nname = "x"\n', encoding="utf-8")
    r = unionbot("db", "upgrade", "--config", str(bad), cwd=tmp_path)
    assert r.returncode == 2 and "[union] id" in r.stderr
    r = unionbot("db", "upgrade", cwd=tmp_path)  # no ./config.toml
    assert r.returncode == 2 and "config.toml" in r.stderr


def test_members_import_csv_and_chat_bind(tmp_path: Path, config: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,部门,性别,退休,生日,角色\n李明,三年级组,男,否,1980-05-01,\n张芳,退休,女,是,1955/10/09,\n",
                      encoding="utf-8")
    r = unionbot("members", "import", str(roster), "--config", str(config), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "新增 2 人" in r.stdout
    r = unionbot("members", "import", str(roster), "--config", str(config), cwd=tmp_path)
    assert "更新 2 人" in r.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("名字X\n张三\n", encoding="utf-8")
    r = unionbot("members", "import", str(bad), "--config", str(config), cwd=tmp_path)
    assert r.returncode == 2 and "姓名" in r.stderr
    # Someone met in chat, and a role given by contact id: what a chair needs to fill [roles].
    config.write_text(config.read_text(encoding="utf-8") + '[roles]\nadmins = ["wxid_li"]\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "bot.cli", "chat", "--config", str(config)], cwd=tmp_path,
                       input="/as wxid_li\n/dm\n#我的信息\n", capture_output=True, text=True, timeout=120)
    assert "联系人 ID：wxid_li" in r.stdout, r.stdout + r.stderr
    r = unionbot("members", "list", "--json", "--config", str(config), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    people = {p["name"]: p for p in json.loads(r.stdout)["members"]}
    assert people["李明"]["in_roster"] and people["李明"]["contact_id"] is None
    assert people["wxid_li"]["contact_id"] == "wxid_li" and "工会管理员" in people["wxid_li"]["roles"]


def test_chat_reads_stdin_and_prints_destinations(tmp_path: Path, config: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "bot.cli", "chat", "--config", str(config), "--now", "2027-03-01 08:00"],
                       input="#帮助\n/dm\n#本月活动\n", capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "[群 全体教职工群] 工会助手：" in r.stdout
    assert "[私聊 李老师] 工会助手：本月活动（2027年3月）" in r.stdout


def test_config_example_with_every_option_uncommented_parses(tmp_path: Path) -> None:
    """The commented examples in config.example.toml must be valid when a chair uncomments them."""
    import re

    from bot.config import load_config

    text = (REPO / "config.example.toml").read_text(encoding="utf-8")
    lines = [line[2:] if re.match(r"# ?(\[\[|[a-z_]+ = )", line) else line for line in text.splitlines()]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines).replace('file = "examples/', f'file = "{REPO}/examples/'), encoding="utf-8")
    config = load_config(path)
    assert [g.audiences for g in config.groups] == [("全体",), ("退休教师",)]
    assert [t.name for t in config.welfare.types] == ["住院", "丧事"]
    assert config.proposals.departments["总务处"] == frozenset({"wxid_zongwu"})


def test_db_backup_is_a_consistent_copy_and_postgres_gets_advice(tmp_path: Path) -> None:
    import datetime as dt
    import sqlite3

    from bot.app import build_app
    from bot.clock import FakeClock
    from tests.conftest import ChatDriver, make_config

    db = tmp_path / "live.db"
    app = build_app(make_config(f"sqlite:///{db}"), FakeClock(dt.datetime(2027, 3, 1, tzinfo=dt.UTC)))
    chat = ChatDriver(app, app.clock)  # type: ignore[arg-type]
    chat.text("王主席", "#发起报名 观影 名额=3")
    chat.text("李老师", "#报名 1")
    config = tmp_path / "config.toml"
    config.write_text(f'[union]\nid = "test-school"\n[database]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    out = tmp_path / "backup.db"
    res = subprocess.run([sys.executable, "-m", "bot.cli", "db", "backup", "--out", str(out), "--config", str(config)],
                         capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr
    assert sqlite3.connect(out).execute("SELECT name FROM signup").fetchall() == [("李老师",)]
    config.write_text('[union]\nid = "x"\n[database]\nurl = "postgresql://u@127.0.0.1:1/db"\n', encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "bot.cli", "db", "backup", "--out", str(out), "--config", str(config)],
                         capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 2 and "pg_dump" in res.stderr


def test_a_child_process_imports_this_checkout(tmp_path: Path) -> None:
    """The CLI and bot subprocesses of the tests run from temp dirs: they must import the code under test,
    not another checkout that shares the virtualenv (tests/conftest.py sets PYTHONPATH)."""
    r = subprocess.run([sys.executable, "-c", "import bot, handlers, web; print(bot.__file__, handlers.__file__, "
                        "web.__file__)"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert all(Path(f).resolve().is_relative_to(REPO) for f in r.stdout.split()), (r.stdout, REPO)
