"""The DingTalk transport's pieces without a bot process: a robot message as the pipeline's Incoming, when a
sessionWebhook may carry a reply, and the stream link against the fake DingTalk with the real SDK."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import build_app
from bot.clock import FakeClock
from bot.config import load_config
from bot.pipeline import Outgoing
from bot.transports import dingtalk_stream
from bot.transports.dingtalk_stream import StreamLink
from bot.transports.dingtalk_transport import DingTalkPlatform, keep_late, reply_webhook, to_incoming
from tests.fake_dingtalk import CLIENT_ID, CLIENT_SECRET, FakeDingTalk


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeDingTalk]:
    # One fake for the module: the SDK reads its endpoint once per process, at import.
    f = FakeDingTalk(ping_interval=0.5).start()
    f.add_user("t-li", "李老师")
    yield f
    f.stop()


def test_group_text_loses_the_space_left_by_the_cut_mention(fake: FakeDingTalk) -> None:
    cid = fake.add_group("全体教职工群")
    msg = to_incoming(fake.message("t-li", "#本月活动", group=cid))
    assert msg is not None
    assert (msg.text, msg.room_id, msg.room_topic, msg.contact_id, msg.contact_name, msg.mentions_self) == \
        ("#本月活动", cid, "全体教职工群", "t-li", "李老师", True)
    replayed = to_incoming(fake.message("t-li", "#本月活动", group=cid, msg_id="msgABC"))
    assert replayed is not None and replayed.message_id == "dingtalk:msgABC"  # the pipeline's replay key


def test_private_rich_text_picture_and_outsiders(fake: FakeDingTalk) -> None:
    private = to_incoming(fake.message("t-li", "报名 1"))
    assert private is not None and private.room_id is None and private.text == "报名 1" and not private.mentions_self
    rich = to_incoming(fake.message("t-li", "报名 1", group="cid1==", msgtype="richText"))
    assert rich is not None and rich.text == "@工会助手 报名 1"  # the pipeline strips the bot's names
    picture = to_incoming(fake.message("t-li", msgtype="picture"))
    assert picture is not None and picture.text == ""
    outsider = fake.message("t-li", "#帮助")
    outsider.pop("senderStaffId")  # someone outside the organisation has no staff id
    assert to_incoming(outsider) is None


def test_webhook_only_for_the_same_conversation_while_valid(fake: FakeDingTalk) -> None:
    group = fake.message("t-li", "#帮助", group="cidG==")
    now = int(time.time() * 1000)
    assert reply_webhook(Outgoing("hi", room_id="cidG=="), group, now) == group["sessionWebhook"]
    assert reply_webhook(Outgoing("hi", room_id="cidOther=="), group, now) == ""
    assert reply_webhook(Outgoing("hi", contact_id="t-li"), group, now) == ""  # a private word: robot API
    assert reply_webhook(Outgoing("hi", room_id="cidG=="), group, group["sessionWebhookExpiredTime"]) == ""
    private = fake.message("t-li", "#帮助")
    assert reply_webhook(Outgoing("hi", contact_id="t-li"), private, now) == private["sessionWebhook"]
    assert reply_webhook(Outgoing("hi", contact_id="t-wang"), private, now) == ""
    assert reply_webhook(Outgoing("hi", room_id="cidG=="), None, now) == ""


class HeldOpen:
    """Holds the fake's /connections/open until the test releases it: the test, not a delay, decides when a slow
    DingTalk answers, so a loaded machine changes how long things take but never what the test sees."""

    def __init__(self, fake: FakeDingTalk, give_up: float = 120) -> None:
        self.fake, self.give_up = fake, give_up
        self.gate = threading.Event()
        self.held = 0  # opens waiting at the gate now
        self.gave_up = False  # an open was answered because the gate stayed shut for give_up s

    async def _hold(self) -> None:
        self.held += 1
        self.gave_up |= not await asyncio.to_thread(self.gate.wait, self.give_up)
        self.held -= 1

    def __enter__(self) -> HeldOpen:
        self.fake.before_open = self._hold
        return self

    def __exit__(self, *exc: object) -> None:
        self.gate.set()
        self.fake.before_open = None


def test_a_slow_open_never_blocks_the_event_loop(fake: FakeDingTalk) -> None:
    """The SDK's open_connection is a blocking HTTP call: it runs in a thread, and the loop that serves the
    scheduler and the outbox keeps running meanwhile. The fake answers the open only after this loop has ticked
    five times while the open was pending: were the open run on the loop, those ticks could never happen and
    the open would only be answered when the fake gives up (gave_up). No wall-clock bound: load cannot fake
    ticks, nor make a correct transport miss them."""

    async def scenario(held: HeldOpen) -> int:
        stopping = asyncio.Event()
        got: list[dict] = []

        async def on_message(data: dict) -> None:
            got.append(data)

        link = StreamLink(CLIENT_ID, CLIENT_SECRET, fake.base, on_message, stopping)
        task = asyncio.create_task(link.run())
        ticks = 0
        while not link.connected.is_set():
            await asyncio.sleep(0.02)
            if held.held:
                ticks += 1
                if ticks >= 5:
                    held.gate.set()
        fake.say("t-li", "#帮助")
        while not got:
            await asyncio.sleep(0.02)
        stopping.set()
        await asyncio.wait_for(task, 60)
        return ticks

    with HeldOpen(fake) as held:
        ticks = asyncio.run(asyncio.wait_for(scenario(held), 300))
    assert not held.gave_up and ticks >= 5, "the loop stood still while the open was pending"


def test_no_stream_without_the_leader_lock(fake: FakeDingTalk) -> None:
    async def scenario() -> int:
        stopping = asyncio.Event()

        async def on_message(data: dict) -> None:
            pass

        link = StreamLink(CLIENT_ID, CLIENT_SECRET, fake.base, on_message, stopping, may_connect=lambda: False)
        task = asyncio.create_task(link.run())
        await asyncio.sleep(1.0)
        stopping.set()
        await asyncio.wait_for(task, 10)
        return link.connections

    opened = fake.opened
    assert asyncio.run(scenario()) == 0 and fake.opened == opened


def test_stop_while_the_open_hangs_returns_at_once(fake: FakeDingTalk, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM during a connection open that does not answer (the SDK's request has no timeout) must not wait
    for it: the process ends, and the open's thread (a daemon) does not hold up its exit. The open here never
    answers until the test is over, and the transport's own open timeout is an hour: run() can only return
    by not waiting for the open."""
    monkeypatch.setattr(dingtalk_stream, "OPEN_TIMEOUT", 3600.0)

    async def scenario(held: HeldOpen) -> None:
        stopping = asyncio.Event()

        async def on_message(data: dict) -> None:
            pass

        link = StreamLink(CLIENT_ID, CLIENT_SECRET, fake.base, on_message, stopping)
        task = asyncio.create_task(link.run())
        while not held.held:  # the open reached DingTalk and hangs there
            await asyncio.sleep(0.02)
        stopping.set()
        await asyncio.wait_for(task, 60)

    with HeldOpen(fake, give_up=600) as held:
        asyncio.run(asyncio.wait_for(scenario(held), 300))
        assert held.held == 1 and not held.gave_up  # run() returned while the open still hung


def test_groups_are_bound_by_title_or_by_configured_id(fake: FakeDingTalk, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(f"""
[union]
id = "u"
[database]
url = "sqlite:///{tmp_path}/bot.db"
[dingtalk]
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
api_base = "{fake.base}"
oapi_base = "{fake.base}"
[[groups]]
topic = "全体教职工群"
[[groups]]
id = "cidFixed=="
""", encoding="utf-8")
    app = build_app(load_config(tmp_path / "config.toml"), FakeClock(dt.datetime(2027, 3, 2, 2, tzinfo=dt.UTC)))
    try:
        platform = DingTalkPlatform(app, api=None)
        settings = app.services.settings
        by_title = to_incoming(fake.message("t-li", "#帮助", group=fake.add_group("全体教职工群", "cidLearned==")))
        assert by_title is not None and platform.learn_group(by_title).room_topic == "全体教职工群"
        assert settings.get("room:全体教职工群") == "cidLearned=="
        assert app.sender.room_of_group("全体教职工群") == "cidLearned=="
        by_id = to_incoming(fake.message("t-li", "#帮助", group=fake.add_group("改过名的群", "cidFixed==")))
        assert by_id is not None and platform.learn_group(by_id).room_topic == "cidFixed=="  # its label
        other = to_incoming(fake.message("t-li", "#帮助", group=fake.add_group("别的群", "cidOther==")))
        assert other is not None and platform.learn_group(other).room_topic == "别的群"
        assert settings.get("room:别的群") is None
    finally:
        app.close()


def test_a_message_said_while_the_bot_was_down_is_answered_up_to_an_hour_late(fake: FakeDingTalk) -> None:
    start = dt.datetime(2027, 3, 2, 2, 0, tzinfo=dt.UTC)
    data = fake.message("t-li", "#帮助")
    data["createAt"] = int((start - dt.timedelta(minutes=10)).timestamp() * 1000)
    late = to_incoming(data)
    assert late is not None and keep_late(late, start, start + dt.timedelta(seconds=5)).timestamp is None
    data["createAt"] = int((start - dt.timedelta(hours=2)).timestamp() * 1000)
    stale = to_incoming(data)
    assert stale is not None and keep_late(stale, start, start).timestamp == stale.timestamp  # dropped as before
    data["createAt"] = int((start + dt.timedelta(seconds=3)).timestamp() * 1000)
    fresh = to_incoming(data)
    assert fresh is not None and keep_late(fresh, start, start).timestamp == fresh.timestamp
