"""The whole sign-up flow through the real gateway: publish, twenty teachers
sign up in the staff room, a cancellation promotes the first on the waitlist."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.e2e.botproc import BOT, BotProcess, write_config
from tests.e2e.conftest import ROOM, TEACHERS
from tests.gateway_harness import Gateway, wait_until

pytestmark = pytest.mark.gateway


def test_publish_sign_up_cancel_promote_list(gateway: Gateway, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", gateway, f"sqlite:///{tmp_path}/bot.db",
                          extra="[reminders]\ntick_seconds = 1\n[sending]\nmin_interval_seconds = 0.1\n"
                                "max_interval_seconds = 0.2\n")
    bot = BotProcess(config, tmp_path).start()
    try:
        bot.wait_ready(gateway)
        gateway.send(op="say", **{"from": "admin-zhao"}, room=ROOM,
                     text="#发起报名 教职工羽毛球赛 时间=2099-04-15 15:30 地点=体育馆 名额=15")
        gateway.wait_bot_message(BOT, lambda m: m["roomId"] == ROOM and "已发起报名【1】" in m["text"])
        gateway.wait_bot_message(BOT, lambda m: m["roomId"] == ROOM and "【报名通知】教职工羽毛球赛" in m["text"])

        start = len(gateway.bot_messages(BOT))
        for cid, _ in TEACHERS:
            gateway.send(op="say", **{"from": cid}, room=ROOM, text="#报名 1")
        # Counted in the room: a late answer to wait_ready's #帮助 (in private) is not one of them.
        wait_until(lambda: len([m for m in gateway.bot_messages(BOT)[start:] if m["roomId"] == ROOM]) >= 20)
        replies = [m["text"] for m in gateway.bot_messages(BOT)[start:] if m["roomId"] == ROOM]
        assert sum("报名成功" in t for t in replies) == 15
        assert sum("候补" in t for t in replies) == 5

        first = next(t for t in replies if "报名成功" in t)
        quitter = re.search(r"✓ (\S+) 报名成功", first).group(1)  # type: ignore[union-attr]
        waiting = [re.search(r"，(\S+) 已进入候补第 (\d) 位", t) for t in replies if "候补" in t]
        first_waiting = next(m.group(1) for m in waiting if m and m.group(2) == "1")
        waiter_id = next(cid for cid, name in TEACHERS if name == first_waiting)
        quitter_id = next(cid for cid, name in TEACHERS if name == quitter)

        gateway.send(op="say", **{"from": quitter_id}, room=ROOM, text="#取消报名 1")
        gateway.wait_bot_message(BOT, lambda m: m["roomId"] == ROOM and "已取消" in m["text"] and first_waiting in m["text"])
        promo = gateway.wait_bot_message(BOT, lambda m: m["listenerId"] == waiter_id and "递补" in m["text"])
        assert promo["roomId"] is None  # told privately

        before = len(gateway.bot_messages(BOT))
        gateway.send(op="say", **{"from": "t-li"}, room=ROOM, text="#名单 1")
        roster = gateway.wait_bot_message(BOT, lambda m: m["roomId"] == ROOM and "已报 15/15" in m["text"], after=before)
        assert quitter not in roster["text"].split("候补")[0] and first_waiting in roster["text"]
        assert "候补 4 人" in roster["text"]
        time.sleep(1)
    finally:
        bot.stop()
