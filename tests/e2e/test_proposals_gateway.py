"""A proposal through the real gateway: drafted and submitted in private,
co-signed, accepted by the committee; everyone involved told privately."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.botproc import BOT, BotProcess, write_config
from tests.e2e.conftest import ROOM
from tests.gateway_harness import Gateway

pytestmark = pytest.mark.gateway


def test_proposal_lifecycle(gateway: Gateway, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", gateway, f"sqlite:///{tmp_path}/bot.db",
                          extra='[proposals]\nmin_cosigners = 2\n')
    text = config.read_text(encoding="utf-8").replace('admins = ["admin-zhao"]',
                                                      'admins = ["admin-zhao"]\nproposal_committee = ["t-20"]')
    config.write_text(text, encoding="utf-8")
    bot = BotProcess(config, tmp_path).start()
    try:
        bot.wait_ready(gateway)

        def say(who: str, text: str, room: str | None = None) -> None:
            gateway.send(op="say", **{"from": who}, text=text, **({"room": room} if room else {}))

        def private_to(who: str, part: str) -> dict:
            return gateway.wait_bot_message(BOT, lambda m: m["listenerId"] == who and m["roomId"] is None
                                            and part in m["text"])

        before = len(gateway.bot_messages(BOT))
        say("t-01", "#提案 增设教工健身房｜教工缺少锻炼场地｜利用闲置教室建设健身房", room=ROOM)
        m = gateway.wait_bot_message(BOT, lambda m: m["roomId"] == ROOM and "请私聊" in m["text"], after=before)
        assert "健身房" not in m["text"]

        say("t-01", "#提案 增设教工健身房｜教工缺少锻炼场地｜利用闲置教室建设健身房")
        private_to("t-01", "请核对提案")
        say("t-01", "#提交")
        private_to("t-01", "已提交提案")
        submitted = next(m for m in gateway.bot_messages(BOT) if "已提交提案" in m["text"])["text"]
        code = re.search(r"\d{4}-\d{3}", submitted).group(0)  # type: ignore[union-attr]
        say("t-02", f"#附议 {code}", room=ROOM)
        private_to("t-01", "老师02 附议了您的提案")
        say("t-03", f"#附议 {code}")
        private_to("t-03", "状态：待审查")
        say("t-20", f"#立案 {code}")
        private_to("t-20", "已立案")
        private_to("t-01", f"您的提案 {code}")
        for who in ("t-02", "t-03"):
            private_to(who, f"您附议的提案 {code}")
    finally:
        bot.stop()
