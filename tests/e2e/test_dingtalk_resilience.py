"""The DingTalk stream under the faults other bots on this platform met (issue 24, "Traps"), end to end:
SYSTEM disconnect, a dropped socket, a silently dead one, a second process, SIGTERM and SIGKILL, an expired
token and throttling. Every wait is on the fake's events, never on the hour of day."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.e2e.dingtalk_bot import DingTalkBot, fake_fixture, populate, texts_to, write_config  # noqa: F401
from tests.fake_dingtalk import FakeDingTalk
from tests.gateway_harness import wait_until

GROUP = "全体教职工群"


def answered_within(fake: FakeDingTalk, asker: str, limit: float) -> float:
    """Ask in private now; how long the answer took (fails past ``limit``)."""
    before = len(fake.sent())
    start = time.monotonic()
    fake.say(asker, "#帮助")
    fake.wait_sent(lambda s: s["to"] in (f"private:{asker}", [asker]), timeout=limit, after=before)
    return time.monotonic() - start


def bot_for(fake: FakeDingTalk, tmp_path: Path, groups: tuple[str, ...] = (GROUP,),
            env: dict[str, str] | None = None) -> DingTalkBot:
    config = write_config(tmp_path / "config.toml", fake, f"sqlite:///{tmp_path}/bot.db", groups=groups)
    return DingTalkBot(config, tmp_path, env=env).start()


def test_disconnect_gets_a_new_connection_at_once(fake: FakeDingTalk, tmp_path: Path) -> None:
    bot = bot_for(fake, tmp_path)
    bot.wait_ready(fake)
    opened = fake.opened
    assert fake.disconnect(grace=60) == 1
    # The old socket gets nothing more and the fake closes it only after 60 s (DingTalk: ~10 s; longer here so
    # that a loaded machine's slow answer is never mistaken for a late one): an answer before then came on a
    # new connection, opened at once.
    assert answered_within(fake, "t-li", 55) < 55
    assert "opening a new one now" in bot.output()
    assert fake.opened == opened + 1 and fake.open_connections() == 1
    bot.stop()


def test_dropped_socket_answers_again_after_a_1_s_back_off(fake: FakeDingTalk, tmp_path: Path) -> None:
    bot = bot_for(fake, tmp_path)
    bot.wait_ready(fake)
    assert fake.drop() == 1
    answered_within(fake, "t-li", 90)
    # Within 15 s on a quiet machine; what load cannot change is the back-off the bot chose (the SDK's own
    # loop waits a fixed 10 s).
    assert "reconnecting in 1 s" in bot.output(), bot.output()
    bot.stop()


def test_silent_socket_is_replaced_by_the_idle_watchdog(fake: FakeDingTalk, tmp_path: Path) -> None:
    """A socket that stays open but carries nothing (not even the server's pings) is dead: DingTalk would
    route messages to it. The watchdog (60 s; 4 s here) opens a new connection."""
    bot = bot_for(fake, tmp_path, env={"UNIONBOT_DINGTALK_IDLE_SECONDS": "4"})
    bot.wait_ready(fake)
    opened = fake.opened
    assert fake.freeze() == 1
    answered_within(fake, "t-li", 90)
    assert fake.opened == opened + 1
    assert "not even a ping" in bot.output()
    bot.stop()


def test_sigterm_closes_the_socket_before_exit(fake: FakeDingTalk, tmp_path: Path) -> None:
    bot = bot_for(fake, tmp_path)
    bot.wait_ready(fake)
    bot.stop()
    assert bot.proc is not None and bot.proc.returncode == 0, bot.output()
    assert wait_until(lambda: fake.open_connections() == 0, timeout=30)
    assert fake.closures[-1][1] == 1000  # a close frame from the bot, not a dropped socket


def test_second_process_does_not_steal_messages(fake: FakeDingTalk, tmp_path: Path) -> None:
    first = bot_for(fake, tmp_path)
    first.wait_ready(fake)
    second = DingTalkBot(first.config, tmp_path).start()
    try:
        assert wait_until(lambda: "holds the DingTalk stream" in second.output(), timeout=90), second.output()
        assert fake.open_connections() == 1
        askers = [f"t-{i:02d}" for i in range(1, 11)]
        for asker in askers:
            fake.say(asker, "#帮助")
        # Every message reaches the one stream (a second connection would swallow about half of them).
        assert wait_until(lambda: all(texts_to(fake, f"private:{a}", "可用命令") for a in askers), timeout=90)
        assert fake.open_connections() == 1
        # The leader dies: the other takes the lock, and only then opens a stream.
        first.kill()
        second.wait_ready(fake, asker="t-li", timeout=120)
        assert fake.open_connections() == 1
    finally:
        second.stop()


def test_sigkill_mid_fan_out_then_restart_posts_each_group_once(fake: FakeDingTalk, tmp_path: Path) -> None:
    topics = tuple(f"年级组{i:02d}" for i in range(12))
    cids = {fake.add_group(t): t for t in topics}
    bot = bot_for(fake, tmp_path, groups=topics)
    bot.wait_ready(fake)
    for cid in cids:  # each group is heard from once: the bot learns its id
        fake.say("admin-zhao", "#帮助", group=cid)
    assert wait_until(lambda: all(texts_to(fake, cid, "可用命令") for cid in cids), timeout=90)

    def notices() -> Counter[str]:
        return Counter(s["to"] for s in fake.sent() if s["via"] == "group" and "全体教职工大会" in s["text"])

    fake.say("admin-zhao", "#发送通知 明天下午三点召开全体教职工大会")
    assert wait_until(lambda: sum(notices().values()) >= 4, timeout=90)
    time.sleep(0.03)  # between two paced sends
    bot.kill()
    sent_before = sum(notices().values())
    assert 4 <= sent_before < 12, "the kill should land mid fan-out"

    bot = DingTalkBot(bot.config, tmp_path).start()
    bot.wait_ready(fake)
    assert wait_until(lambda: len(notices()) == 12, timeout=120)
    time.sleep(2)
    assert notices() == Counter({cid: 1 for cid in cids})
    bot.stop()


def test_expired_token_is_fetched_again_and_the_post_sent_once(fake: FakeDingTalk, tmp_path: Path) -> None:
    cid = fake.add_group(GROUP)
    bot = bot_for(fake, tmp_path)
    bot.wait_ready(fake)
    fake.say("admin-zhao", "#帮助", group=cid)
    fake.wait_sent(lambda s: s["to"] == cid)
    fake.expire_tokens()
    tokens = sum(1 for c in fake.calls if c[1] == "/v1.0/oauth2/accessToken")
    fake.say("admin-zhao", "#发送通知 下周一升旗仪式")
    fake.wait_sent(lambda s: s["via"] == "group" and "升旗仪式" in s["text"], timeout=90)
    time.sleep(1.5)
    assert len([s for s in fake.sent() if s["via"] == "group" and "升旗仪式" in s["text"]]) == 1
    assert sum(1 for c in fake.calls if c[1] == "/v1.0/oauth2/accessToken") == tokens + 1
    db = sqlite3.connect(tmp_path / "bot.db")
    assert db.execute("SELECT status, attempts FROM outbox WHERE text LIKE '%升旗仪式%'").fetchall() == [("sent", 0)]
    bot.stop()


def test_throttled_post_waits_in_the_outbox_and_goes_once(fake: FakeDingTalk, tmp_path: Path) -> None:
    cid = fake.add_group(GROUP)
    bot = bot_for(fake, tmp_path)
    bot.wait_ready(fake)
    fake.say("admin-zhao", "#帮助", group=cid)
    fake.wait_sent(lambda s: s["to"] == cid)
    fake.throttle("/v1.0/robot/groupMessages/send", times=2)
    fake.say("admin-zhao", "#发送通知 周五下午工会小组长会议")
    db = sqlite3.connect(tmp_path / "bot.db")

    def row() -> list:
        return db.execute("SELECT status, attempts, last_error FROM outbox WHERE text LIKE '%小组长会议%'").fetchall()

    def group_calls() -> int:
        return sum(1 for c in fake.calls if c[1] == "/v1.0/robot/groupMessages/send")

    calls = group_calls()
    # Refused with 403 QpsLimit: back in the outbox, waiting (2 s, then 4 s) without using up an attempt.
    assert wait_until(lambda: group_calls() == calls + 1, timeout=90)
    assert wait_until(lambda: row() and row()[0][0] == "pending" and "throttled" in row()[0][2], timeout=5), row()
    assert not [s for s in fake.sent() if "小组长会议" in s["text"] and s["via"] == "group"]
    fake.wait_sent(lambda s: s["via"] == "group" and "小组长会议" in s["text"], timeout=90)
    time.sleep(1.5)
    assert len([s for s in fake.sent() if s["via"] == "group" and "小组长会议" in s["text"]]) == 1
    assert group_calls() == calls + 3
    assert row()[0][:2] == ("sent", 0)
    bot.stop()


def test_message_said_while_the_bot_was_down_is_answered_after_restart(fake: FakeDingTalk, tmp_path: Path) -> None:
    """DingTalk pushes a message nobody acked once a connection is back. Said more than the pipeline's start-up
    slack (30 s) before the bot starts, it is still answered, once."""
    bot = bot_for(fake, tmp_path)
    bot.wait_ready(fake)
    bot.stop()
    fake.say("t-li", "#帮助")  # no connection: the fake keeps it, as DingTalk does
    time.sleep(33)
    bot = DingTalkBot(bot.config, tmp_path).start()
    fake.wait_sent(lambda s: s["to"] == "private:t-li" and "工会助手可用命令：" in s["text"], timeout=90)
    time.sleep(1.5)
    assert len(texts_to(fake, "private:t-li", "工会助手可用命令：")) == 1
    bot.stop()


def test_status_says_connected_between_rare_pings_and_a_standby_stop_changes_nothing(tmp_path: Path) -> None:
    """`unionbot status` counts the bot connected for 20 s after a heartbeat. DingTalk's pings may be rarer;
    the live stream is reported anyway. A standby process that stops does not mark the leader disconnected."""
    slow = populate(FakeDingTalk(ping_interval=60).start())
    try:
        leader = bot_for(slow, tmp_path)
        leader.wait_ready(slow)
        standby = DingTalkBot(leader.config, tmp_path).start()
        assert wait_until(lambda: "holds the DingTalk stream" in standby.output(), timeout=90), standby.output()
        standby.stop()
        time.sleep(24)  # past the 20 s a heartbeat counts, with no ping and no message since
        out = subprocess.run([sys.executable, "-m", "bot.cli", "status", "--json", "--config", str(leader.config)],
                             cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["connected"] is True
        leader.stop()
    finally:
        slow.stop()
