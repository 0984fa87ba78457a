"""The bot on DingTalk, end to end: `unionbot run` against the fake DingTalk (real dingtalk-stream SDK, real
HTTP client): group @-messages, private commands, the monthly digest, a sign-up and its Excel export."""

from __future__ import annotations

import io
import sqlite3
import time
from pathlib import Path

import openpyxl

from tests.e2e.botproc import REPO
from tests.e2e.dingtalk_bot import DingTalkBot, fake_fixture, texts_to, write_config  # noqa: F401 - the fake fixture
from tests.fake_dingtalk import FakeDingTalk

GROUP = "全体教职工群"


def started(fake: FakeDingTalk, tmp_path: Path, now: str | None = None, extra: str | None = None) -> DingTalkBot:
    kwargs = {} if extra is None else {"extra": extra}
    config = write_config(tmp_path / "config.toml", fake, f"sqlite:///{tmp_path}/bot.db", **kwargs)
    bot = DingTalkBot(config, tmp_path, now=now).start()
    bot.wait_ready(fake)
    return bot


def test_group_at_message_and_private_command_are_answered(fake: FakeDingTalk, tmp_path: Path) -> None:
    cid = fake.add_group(GROUP)
    bot = started(fake, tmp_path)
    # '@工会助手 #帮助' arrives as ' #帮助': the @name cut out, the space after it kept.
    fake.say("t-li", "#帮助", group=cid)
    reply = fake.wait_sent(lambda s: s["to"] == cid)
    assert reply["via"] == "webhook" and "可用命令" in reply["text"]
    # Without '#' (DingTalk only delivers @-mentions in a group, so it is addressed) and as richText.
    before = len(fake.sent())
    fake.say("t-li", "本月活动", group=cid)
    fake.say("t-wang", "#帮助", group=cid, msgtype="richText")
    fake.wait_sent(lambda s: s["to"] == cid and "活动" in s["text"], after=before)
    fake.wait_sent(lambda s: s["to"] == cid and "可用命令" in s["text"], after=before + 1)
    # Private: every message reaches the robot, a bare command word works.
    before = len(fake.sent())
    fake.say("t-li", "帮助")
    private = fake.wait_sent(lambda s: s["to"] == "private:t-li", after=before)
    assert "可用命令" in private["text"]
    # The group was learned from its first message and kept (posts to it go by its id).
    db = sqlite3.connect(tmp_path / "bot.db")
    assert db.execute("SELECT value FROM setting WHERE key = ?", (f"room:{GROUP}",)).fetchone() == (cid,)
    # The directory was read at start: members with their department, by userid.
    assert db.execute("SELECT name, department FROM member WHERE contact_id = 't-01'").fetchall() == [("老师01", "语文组")]
    bot.stop()
    assert bot.proc is not None and bot.proc.returncode == 0, bot.output()


def test_replayed_message_picture_and_failed_webhook(fake: FakeDingTalk, tmp_path: Path) -> None:
    bot = started(fake, tmp_path)
    data = fake.say("t-li", "#帮助")
    fake.wait_sent(lambda s: s["to"] == "private:t-li" and "可用命令" in s["text"])
    fake.replay(data)  # DingTalk pushes a message again when it saw no ack: answered once
    fake.say("t-li", "", msgtype="picture")  # not text: the polite answer WeChat gives
    fake.wait_sent(lambda s: s["to"] == "private:t-li" and "您好，我是工会助手" in s["text"])
    time.sleep(1.5)
    assert len(texts_to(fake, "private:t-li", "工会助手可用命令：")) == 1
    # A sessionWebhook that fails (expired on DingTalk's side): the reply goes by the robot API instead.
    fake.fail_next("/robot/sendBySession", 200, {"errcode": 300001, "errmsg": "session 已过期"})
    before = len(fake.sent())
    fake.say("t-wang", "#帮助")
    sent = fake.wait_sent(lambda s: "可用命令" in s["text"], after=before)
    assert sent["via"] == "users" and sent["to"] == ["t-wang"]
    bot.stop()


def test_monthly_digest_is_posted_to_the_group_once(fake: FakeDingTalk, tmp_path: Path) -> None:
    """2027-03-01 is a Monday: the March digest is due at 08:00 (the bot's clock, --now; the config has no quiet
    hours, so the hour the suite runs at does not matter)."""
    cid = fake.add_group(GROUP)
    extra = f'[schedule]\nfile = "{REPO}/examples/schedule.example.toml"\n' + \
        "[reminders]\ntick_seconds = 1\n[sending]\nmin_interval_seconds = 0.1\nmax_interval_seconds = 0.15\n"
    begun = time.monotonic()  # the bot's clock reads at most 07:59:40 + (now - begun)
    bot = started(fake, tmp_path, now="2027-03-01 07:59:40", extra=extra)
    fake.say("t-li", "#帮助", group=cid)  # the group is heard from: its id is known
    fake.wait_sent(lambda s: s["to"] == cid and "可用命令" in s["text"])
    early = texts_to(fake, cid, "【3月工会活动】")
    if time.monotonic() - begun < 20:  # still before 08:00 on the bot's clock (a loaded machine may be later:
        assert not early  # then sent_at >= due_at below is what says it was not sent early)
    post = fake.wait_sent(lambda s: s["to"] == cid and "【3月工会活动】" in s["text"], timeout=120)
    assert post["via"] == "group" and post["msgKey"] == "sampleText" and "三八" in post["text"]
    time.sleep(3)
    assert len(texts_to(fake, cid, "【3月工会活动】")) == 1
    rows = sqlite3.connect(tmp_path / "bot.db").execute(
        "SELECT status, sent_at >= due_at FROM outbox WHERE kind = 'digest'").fetchall()
    assert rows == [("sent", 1)]
    bot.stop()


def test_sign_up_three_people_and_export_arrives_as_xlsx(fake: FakeDingTalk, tmp_path: Path) -> None:
    cid = fake.add_group(GROUP)
    bot = started(fake, tmp_path)
    fake.say("admin-zhao", "#发起报名 教职工羽毛球赛 时间=2099-04-15 15:30 地点=体育馆 名额=15", group=cid)
    fake.wait_sent(lambda s: s["to"] == cid and "已发起报名【1】" in s["text"])
    fake.wait_sent(lambda s: s["to"] == cid and "【报名通知】教职工羽毛球赛" in s["text"])
    # '@工会助手 报名 1' with or without '#'.
    for userid, text in (("t-li", "#报名 1"), ("t-wang", "报名 1"), ("t-01", "#报名1")):
        fake.say(userid, text, group=cid)
    assert _wait(lambda: len(texts_to(fake, cid, "报名成功")) == 3), fake.sent()[-5:]

    before = len(fake.sent())
    fake.say("admin-zhao", "#导出名单 1")
    sent = fake.wait_sent(lambda s: s["msgKey"] == "sampleFile", after=before)
    assert sent["via"] == "users" and sent["to"] == ["admin-zhao"]
    assert sent["param"]["fileName"].endswith(".xlsx") and sent["param"]["fileType"] == "xlsx"
    name, data = fake.media[sent["param"]["mediaId"]]
    assert name.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"李老师", "王老师", "老师01"}
    fake.wait_sent(lambda s: s["to"] == "private:admin-zhao" and "报名名单已发送" in s["text"], after=before)
    bot.stop()


def _wait(pred, timeout: float = 90) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_wrong_credentials_exit_2_naming_the_console_page(fake: FakeDingTalk, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", fake, f"sqlite:///{tmp_path}/bot.db", secret="wrong-secret")
    bot = DingTalkBot(config, tmp_path).start()
    assert bot.proc is not None
    assert bot.proc.wait(timeout=90) == 2
    assert "凭证与基础信息" in bot.output() and "client_secret" in bot.output()
    assert fake.open_connections() == 0


def test_post_for_a_group_not_heard_from_waits_until_someone_ats_the_robot_there(fake: FakeDingTalk,
                                                                                   tmp_path: Path) -> None:
    cid = fake.add_group(GROUP)
    bot = started(fake, tmp_path)
    fake.say("admin-zhao", "#发送通知 周三下午教工篮球赛")
    fake.wait_sent(lambda s: s["to"] == "private:admin-zhao" and "通知" in s["text"])
    db = sqlite3.connect(tmp_path / "bot.db")

    def row() -> list:
        return db.execute("SELECT status, attempts, last_error FROM outbox WHERE text LIKE '%篮球赛%'").fetchall()

    assert _wait(lambda: bool(row()) and row()[0][2].startswith("group not found yet"), timeout=90), row()
    time.sleep(1)
    assert not texts_to(fake, cid, "篮球赛") and row()[0][:2] == ("pending", 0)
    held_until = db.execute("SELECT due_at FROM outbox WHERE text LIKE '%篮球赛%'").fetchone()[0]
    # Someone @s the robot in the group: its id is learned, and the post that waited goes out at once.
    fake.say("t-li", "#帮助", group=cid)
    post = fake.wait_sent(lambda s: s["to"] == cid and "篮球赛" in s["text"], timeout=90)
    assert post["via"] == "group"
    time.sleep(1.5)
    assert len(texts_to(fake, cid, "篮球赛")) == 1 and row()[0][0] == "sent"
    # At once, on the bot's clock (load cannot move it): released when the group was found, not when the hold
    # (a minute) ran out.
    sent_at = db.execute("SELECT sent_at FROM outbox WHERE text LIKE '%篮球赛%'").fetchone()[0]
    assert sent_at < held_until, (sent_at, held_until)
    bot.stop()


def test_notice_with_receipts_answered_by_at_mention_and_in_private(fake: FakeDingTalk, tmp_path: Path) -> None:
    """The notice says how to answer on DingTalk ('@工会助手 收到 1', or '收到 1' in private); each receipt is
    recorded once and confirmed privately, and none adds a message to the group."""
    cid = fake.add_group(GROUP)
    bot = started(fake, tmp_path)
    fake.say("admin-zhao", "#发送通知 需回执 周五前提交年度考核材料", group=cid)
    posted = fake.wait_sent(lambda s: s["to"] == cid and "【工会通知 1】" in s["text"])
    assert "@工会助手 收到 1" in posted["text"] and "#收到" not in posted["text"]
    in_group = len([s for s in fake.sent() if s["to"] == cid])
    answers = [("t-li", "收到", cid), ("t-wang", "收到 1", cid), ("t-01", "收到 1", None), ("t-li", "收到 1", cid)]
    for userid, text, group in answers:
        fake.say(userid, text, group=group)
    db = sqlite3.connect(tmp_path / "bot.db")
    assert _wait(lambda: db.execute("SELECT count(*) FROM notice_receipt").fetchone() == (3,)), fake.sent()[-5:]
    confirmed = lambda: [s for s in fake.sent() if "已确认收到通知 1" in s["text"]]  # noqa: E731
    assert _wait(lambda: len(confirmed()) == 3)  # said twice: recorded and confirmed once
    time.sleep(1.5)
    assert len(confirmed()) == 3 and all(s["to"] != cid for s in confirmed())  # told privately
    assert len([s for s in fake.sent() if s["to"] == cid]) == in_group
    bot.stop()
