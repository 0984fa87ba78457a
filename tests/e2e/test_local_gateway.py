"""The shipped gateway (`unionbot gateway`, gateway/serve.mjs) with the mock puppet: endpoint = "local"
end to end, doctor on a good and a broken setup, a bot restarted against the running gateway, port
5000 taken, a renamed group, logout and login; and wechat4u failing with a clear message offline."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.botproc import BOT, REPO, BotProcess, with_quiet_hours
from tests.e2e.conftest import ROOM, populate, require_gateway
from tests.gateway_harness import Gateway, free_port, wait_until

pytestmark = pytest.mark.gateway
FAST = "[reminders]\ntick_seconds = 1\n[sending]\nmin_interval_seconds = 0.1\nmax_interval_seconds = 0.15\n"


def local_config(home: Path, port: int, extra: str = "", groups: tuple[str, ...] = ("全体教职工群",)) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    group_tables = "".join(f'[[groups]]\ntopic = "{g}"\n' for g in groups)
    path.write_text(f"""
[union]
id = "local-school"
name = "测试小学工会"
[database]
url = "sqlite:///{home}/bot.db"
[wechaty]
endpoint = "local"
[gateway]
port = {port}
[roles]
admins = ["admin-zhao"]
{group_tables}
{with_quiet_hours(FAST + extra, "00:00-00:00")}
""", encoding="utf-8")
    return path


def start_local(home: Path, extra: str = "", groups: tuple[str, ...] = ("全体教职工群",),
                staff: Callable[[Gateway], object] = populate) -> tuple[Gateway, Path]:
    require_gateway()
    port = free_port()
    config = local_config(home, port, extra, groups)
    gw = Gateway(port, command=[sys.executable, "-m", "bot.cli", "gateway", "--puppet", "mock",
                                "--config", str(config)])
    gw.start()
    staff(gw)
    return gw, config


def staff_with_group_aliases(gw: Gateway) -> None:
    """Friends (李老师, 赵主席) and group members who never talk in private: 王老师, and two 张老师 who share
    a nickname and a group alias."""
    people = [("t-li", "李老师"), ("admin-zhao", "赵主席"), ("t-wang", "王老师"), ("t-z1", "张老师"), ("t-z2", "张老师")]
    for cid, name in people:
        gw.send(op="contact", id=cid, name=name)
    gw.send(op="login", id=BOT, name="工会助手")
    gw.send(op="room", id=ROOM, topic="全体教职工群", members=[cid for cid, _ in people] + [BOT])
    for cid, alias in (("t-wang", "语文组·王老师"), ("t-z1", "数学组·张老师"), ("t-z2", "数学组·张老师")):
        gw.send(op="roomalias", room=ROOM, id=cid, alias=alias)


def cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHATY_", "UNIONBOT_"))}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args, "--config", str(config)], capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=60)


def test_local_endpoint_end_to_end_and_doctor(tmp_path: Path) -> None:
    gw, config = start_local(tmp_path / "school")
    token = tmp_path / "school" / "var" / "gateway.token"
    assert token.exists() and stat.S_IMODE(token.stat().st_mode) == 0o600 and len(token.read_text().strip()) >= 24
    bot = BotProcess(config, tmp_path).start()
    bot.wait_ready(gw)
    before = len(gw.bot_messages(BOT))
    gw.send(op="say", **{"from": "admin-zhao"}, room=ROOM, text="#发送通知 本地网关测试")
    gw.wait_bot_message(BOT, lambda m: "本地网关测试" in m["text"] and m["roomId"] == ROOM, after=before)

    report = cli(config, "doctor", "--json")
    checks = {c["name"]: c for c in json.loads(report.stdout)["checks"]}
    assert report.returncode == 0, report.stdout
    assert checks["网关"]["status"] == "ok" and checks["微信登录"]["status"] == "ok"
    assert checks["群 全体教职工群"]["status"] == "ok" and "24 人" in checks["群 全体教职工群"]["detail"]
    assert checks["角色"]["status"] == "ok"
    assert all(set(c) == {"name", "status", "detail", "fix"} for c in checks.values())
    status = json.loads(cli(config, "status", "--json").stdout)
    assert status["login"]["state"] == "logged_in" and "bot-wxid" in status["login"]["detail"]


def test_doctor_on_a_broken_setup(tmp_path: Path) -> None:
    gw, config = start_local(tmp_path / "school", groups=("全体教职工群", "不存在的群"))
    text = config.read_text(encoding="utf-8").replace('admins = ["admin-zhao"]', 'admins = ["admin-zhao", "王主席"]')
    config.write_text(text, encoding="utf-8")
    report = cli(config, "doctor", "--json")
    checks = {c["name"]: c for c in json.loads(report.stdout)["checks"]}
    assert report.returncode == 1
    assert checks["群 不存在的群"]["status"] == "fail" and checks["群 不存在的群"]["fix"]
    assert checks["群 全体教职工群"]["status"] == "ok"
    assert checks["角色 admins"]["status"] == "fail" and "王主席" in checks["角色 admins"]["detail"]
    token = tmp_path / "school" / "var" / "gateway.token"
    token.write_text("not-the-token\n", encoding="utf-8")  # as if copied from another machine
    report = cli(config, "doctor", "--json")
    checks = {c["name"]: c for c in json.loads(report.stdout)["checks"]}
    assert report.returncode == 1 and checks["网关"]["status"] == "fail" and "令牌" in checks["网关"]["fix"]
    gw.stop()
    report = cli(config, "doctor")
    assert report.returncode == 1 and "无人监听" in report.stdout and "Traceback" not in report.stdout + report.stderr


def test_a_bot_killed_and_restarted_against_the_running_gateway_answers_on_its_first_connection(
        tmp_path: Path) -> None:
    """A gateway whose puppet does not replay the login to a new client (wechaty-puppet 1.21.x) leaves a restarted
    bot deaf until its watchdog reconnects (20 s without a login): on a quiet machine it answers within ten
    seconds here. What load cannot fake is how: on its first connection, with no reconnect for want of a login."""
    gw, config = start_local(tmp_path / "school")
    bot = BotProcess(config, tmp_path).start()
    bot.wait_ready(gw)
    bot.kill()
    earlier = len(bot.output())  # the same log file: read only what the second bot writes
    again = BotProcess(config, tmp_path).start()
    again.wait_ready(gw, timeout=120)
    log = again.output()[earlier:]
    assert "can't call self_id" not in log
    assert "still no login event on this connection" not in log, log  # the watchdog never had to reconnect


def test_something_on_port_5000_does_not_break_the_login(tmp_path: Path) -> None:
    held = socket.socket()
    try:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        held.bind(("127.0.0.1", 5000))
        held.listen()
    except OSError:
        held.close()
        held = None  # someone else listens there already: the same situation
    try:
        gw, config = start_local(tmp_path / "school")
        bot = BotProcess(config, tmp_path).start()
        bot.wait_ready(gw)
        assert "local port<5000> is in use" not in bot.output()
    finally:
        if held:
            held.close()


def test_a_renamed_group_keeps_its_posts_and_logout_holds_them_until_login(tmp_path: Path) -> None:
    gw, config = start_local(tmp_path / "school", extra=f'[schedule]\nfile = "{REPO}/examples/schedule.example.toml"\n')
    # 2027-03-01 is a Monday: the March digest is due at 08:00; the group is renamed before it (on a quiet
    # machine: a loaded one may be ready later, and the digest then goes to the group before its new name).
    bot = BotProcess(config, tmp_path, now="2027-03-01 07:59:40").start()
    bot.wait_ready(gw)
    ready = time.time()  # the bot's clock ran by now: it reads at least 07:59:40 + (now - ready)
    gw.send(op="rename", id=ROOM, topic="全体教职工群（2027）", by="admin-zhao")
    digest = gw.wait_bot_message(BOT, lambda m: "【3月工会活动】" in m["text"], timeout=120)
    assert digest["roomId"] == ROOM
    before = len(gw.bot_messages(BOT))
    gw.send(op="say", **{"from": "admin-zhao"}, text="#发送通知 改名后的通知")
    gw.wait_bot_message(BOT, lambda m: "改名后的通知" in m["text"] and m["roomId"] == ROOM, after=before)

    gw.send(op="logout")
    assert wait_until(lambda: "logged out" in bot.output(), timeout=90)
    status = json.loads(cli(config, "status", "--json").stdout)
    assert status["login"]["state"] == "waiting"
    # Queued while logged out (the CLI path the chair has when the bot cannot hear): it waits.
    from bot.app import build_app
    from bot.clock import SystemClock
    from bot.config import load_config

    app = build_app(load_config(config), SystemClock())
    import datetime as dt

    # On the bot's clock (--now 2027-03-01 07:59:40 +08:00, running since it started): due now at the latest.
    rehearsed = dt.datetime(2027, 2, 28, 23, 59, 40, tzinfo=dt.UTC) + dt.timedelta(seconds=time.time() - ready)
    app.services.reminders.announce("【工会通知】退出登录期间的通知", "全体", rehearsed)
    time.sleep(3)
    assert not [m for m in gw.bot_messages(BOT) if "退出登录期间的通知" in m["text"]]
    gw.send(op="login", id=BOT, name="工会助手")
    # The login comes on a new connection: the bot reconnects when none has come for 20 s.
    assert wait_until(lambda: len([m for m in gw.bot_messages(BOT) if "退出登录期间的通知" in m["text"]]) == 1,
                      timeout=120)
    time.sleep(2)
    assert len([m for m in gw.bot_messages(BOT) if "退出登录期间的通知" in m["text"]]) == 1


def test_wechat4u_offline_fails_with_a_clear_message(tmp_path: Path) -> None:
    require_gateway()
    config = local_config(tmp_path / "school", free_port())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHATY_", "UNIONBOT_"))}
    env["UNIONBOT_GATEWAY_LOGIN_WAIT_MS"] = "8000"
    r = subprocess.run([sys.executable, "-m", "bot.cli", "gateway", "--puppet", "wechat4u", "--config", str(config)],
                       capture_output=True, text=True, cwd=REPO, env=env, timeout=90)
    assert r.returncode == 1
    assert "无法连接微信服务器" in r.stderr and "wx.qq.com" in r.stderr
    assert "    at " not in r.stderr and "Traceback" not in r.stderr


def test_local_endpoint_errors_are_clear(tmp_path: Path) -> None:
    config = local_config(tmp_path / "school", free_port())
    r = cli(config, "run")
    assert r.returncode == 2 and "unionbot gateway" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "school" / "var").mkdir()
    (tmp_path / "school" / "var" / "gateway.token").write_text("abc\n", encoding="utf-8")
    r = cli(config, "run")
    assert r.returncode == 2 and "没有在运行" in r.stderr
    empty = config.read_text(encoding="utf-8").replace('endpoint = "local"', 'endpoint = "127.0.0.1:9"\ntoken = ""')
    config.write_text(empty, encoding="utf-8")
    r = cli(config, "run")
    assert r.returncode == 2 and "不能为空" in r.stderr


def test_new_ids_at_the_next_login_keep_members_their_records_and_admins_their_role(tmp_path: Path) -> None:
    """wechat4u gives every contact and room a new id at each login; WeChat keeps the remarks the bot's
    account set. The same member keeps their sign-up, an admin named by code stays an admin, and a
    newcomer who calls themselves by the admin's name gets nothing."""
    home = tmp_path / "school"
    gw, config = start_local(home, staff=staff_with_group_aliases)
    bot = BotProcess(config, tmp_path).start()
    bot.wait_ready(gw, asker="t-li")
    gw.send(op="say", **{"from": "admin-zhao"}, room=ROOM, text="#发起报名 羽毛球赛 名额=5")
    gw.wait_bot_message(BOT, lambda m: "【报名通知】羽毛球赛" in m["text"])
    gw.send(op="say", **{"from": "t-li"}, text="#报名 1")
    gw.wait_bot_message(BOT, lambda m: m["listenerId"] == "t-li" and "报名成功" in m["text"])
    for cid in ("t-wang", "t-z1", "t-z2"):  # group members who never talk in private: no remark
        gw.send(op="say", **{"from": cid}, room=ROOM, text="#报名 1")
    gw.wait_bot_count(BOT, len(gw.bot_messages(BOT)) + 3, timeout=90)
    gw.send(op="say", **{"from": "admin-zhao"}, text="#我的信息")
    gw.wait_bot_message(BOT, lambda m: m["listenerId"] == "admin-zhao" and "会员编号" in m["text"])
    codes: dict[str, str] = {}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not {"t-li", "admin-zhao"} <= set(codes):
        try:
            event = gw.wait_event(lambda e: e.get("event") == "alias", timeout=1)
        except TimeoutError:
            continue
        codes[event["id"]] = event["alias"]
    assert set(codes) >= {"t-li", "admin-zhao"} and all(c.startswith("UB") for c in codes.values())
    # The chair names the admin by code, as README says, so the role survives new ids.
    config.write_text(config.read_text(encoding="utf-8").replace(
        'admins = ["admin-zhao"]', f'admins = ["{codes["admin-zhao"]}"]'), encoding="utf-8")
    bot.stop()
    gw.stop()

    gw2 = Gateway(gw.port, command=gw.command)
    gw2.start()
    gw2.send(op="contact", id="t-li-v2", name="李老师", alias=codes["t-li"])
    gw2.send(op="contact", id="admin-v2", name="赵主席", alias=codes["admin-zhao"])
    gw2.send(op="contact", id="x-impostor", name="赵主席")  # a newcomer using the admin's name
    gw2.send(op="contact", id="t-wang-v2", name="王老师")
    gw2.send(op="contact", id="t-z-v2", name="张老师")
    gw2.send(op="login", id=BOT, name="工会助手")
    room2 = "20005678@chatroom"
    gw2.send(op="room", id=room2, topic="全体教职工群",
             members=["t-li-v2", "admin-v2", "x-impostor", "t-wang-v2", "t-z-v2", BOT])
    gw2.send(op="roomalias", room=room2, id="t-wang-v2", alias="语文组·王老师")
    gw2.send(op="roomalias", room=room2, id="t-z-v2", alias="数学组·张老师")
    bot = BotProcess(config, tmp_path).start()
    bot.wait_ready(gw2, asker="t-li-v2")

    def ask(who: str, text: str) -> str:
        before = len(gw2.bot_messages(BOT))
        gw2.send(op="say", **{"from": who}, text=text)
        return gw2.wait_bot_message(BOT, lambda m: m["listenerId"] == who, after=before)["text"]

    assert "羽毛球赛" in ask("t-li-v2", "#我的报名")
    assert "通知已排队" in ask("admin-v2", "#发送通知 换号以后的通知")
    assert "仅限工会管理员" in ask("x-impostor", "#发送通知 冒充的通知")
    assert "没有报名" in ask("x-impostor", "#我的报名")
    members = json.loads(cli(config, "members", "list", "--json").stdout)["members"]
    li = [m for m in members if m["code"] == codes["t-li"]]
    assert len(li) == 1 and li[0]["contact_id"] == "t-li-v2"

    def in_group(who: str, text: str) -> str:
        before = len(gw2.bot_messages(BOT))
        gw2.send(op="say", **{"from": who}, room=room2, text=text)
        return gw2.wait_bot_message(BOT, lambda m: m["roomId"] == room2, after=before)["text"]

    # Not a friend: nickname and group alias re-link group-level records, for exactly one candidate.
    assert "羽毛球赛" in in_group("t-wang-v2", "#我的报名")
    # Two candidates: nothing is merged, and the admin is told privately.
    assert "没有报名" in in_group("t-z-v2", "#我的报名")
    told = gw2.wait_bot_message(BOT, lambda m: m["listenerId"] == "admin-v2" and "未自动关联" in m["text"])
    assert "张老师" in told["text"] and told["roomId"] is None
