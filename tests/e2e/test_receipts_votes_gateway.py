"""Receipts and a secret ballot through the real gateway: a notice with receipts in a group of thirty
(counted against the room's members as the gateway reports them: no roster), and a secret vote of
twenty representatives that reaches the quorum."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.botproc import BOT, BotProcess, write_config
from tests.e2e.conftest import TEACHERS
from tests.gateway_harness import Gateway, wait_until

pytestmark = pytest.mark.gateway
FAST = "[reminders]\ntick_seconds = 1\n[sending]\nmin_interval_seconds = 0.1\nmax_interval_seconds = 0.15\nper_minute = 1000\n"
BIG_ROOM = "20009999@chatroom"
EXTRA = [(f"t-{i:02d}", f"老师{i:02d}") for i in range(21, 30)]  # with TEACHERS: 29 teachers, and the chair


def rows(db: str, sql: str) -> list:
    engine = create_engine(db)
    try:
        with engine.connect() as c:
            return list(c.execute(text(sql)).all())
    finally:
        engine.dispose()


def test_notice_with_receipts_in_a_group_of_thirty(gateway: Gateway, tmp_path: Path) -> None:
    for cid, name in EXTRA:
        gateway.send(op="contact", id=cid, name=name)
    teachers = TEACHERS + EXTRA
    gateway.send(op="room", id=BIG_ROOM, topic="工会三十人群", members=[cid for cid, _ in teachers] + ["admin-zhao", BOT])
    db = f"sqlite:///{tmp_path}/bot.db"
    config = write_config(tmp_path / "config.toml", gateway, db, extra=FAST, groups=("工会三十人群",))
    bot = BotProcess(config, tmp_path).start()
    bot.wait_ready(gateway)
    assert wait_until(lambda: rows(db, "SELECT count(*) FROM group_member")[0][0] == 30, timeout=90)
    gateway.send(op="say", **{"from": "admin-zhao"}, room=BIG_ROOM, text="#发送通知 需回执 周五前提交年度考核材料")
    posted = gateway.wait_bot_message(BOT, lambda m: m["roomId"] == BIG_ROOM and "【工会通知 1】" in m["text"])
    in_room_before = sum(1 for m in gateway.bot_messages(BOT) if m["roomId"] == BIG_ROOM)
    assert "#收到 1" in posted["text"]

    answering = teachers[:25]
    plain = ("收到", "收到1", "收到了", "已收到", "好的，收到")  # as staff type by reflex (issue 27)
    for i, (cid, _) in enumerate(answering):
        gateway.send(op="say", **{"from": cid}, room=BIG_ROOM, text="#收到" if i % 2 else plain[i // 2 % len(plain)])
    gateway.send(op="say", **{"from": teachers[26][0]}, room=BIG_ROOM, text="收到，但我周五请假")  # chatter: not one
    for cid, _ in answering[:3]:  # said twice: one record, one confirmation
        gateway.send(op="say", **{"from": cid}, room=BIG_ROOM, text="#收到 1")
    confirmed = lambda: [m for m in gateway.bot_messages(BOT) if "已确认收到通知 1" in m["text"]]  # noqa: E731
    assert wait_until(lambda: len(confirmed()) == 25, timeout=120)
    time.sleep(1.5)
    assert len(confirmed()) == 25 and all(m["roomId"] is None for m in confirmed())
    # Not one acknowledgement added a message to the group.
    assert sum(1 for m in gateway.bot_messages(BOT) if m["roomId"] == BIG_ROOM) == in_room_before

    before = len(gateway.bot_messages(BOT))
    gateway.send(op="say", **{"from": "admin-zhao"}, text="#回执 1")
    report = gateway.wait_bot_message(BOT, lambda m: m["listenerId"] == "admin-zhao", after=before)["text"]
    missing = [name for _, name in teachers[25:]]
    # The chair who sent the notice is not missing from it (issue 27): 30 in the group, 29 to answer.
    assert "已收到 25/29" in report and "按群成员统计" in report and all(n in report for n in missing)
    assert "赵主席" not in report

    gateway.send(op="say", **{"from": "admin-zhao"}, text="#催办 1")
    reminded = lambda: {m["listenerId"] for m in gateway.bot_messages(BOT) if "需要回执" in m["text"]}  # noqa: E731
    assert wait_until(lambda: len(reminded()) == 4, timeout=90)
    time.sleep(1.5)  # (a fifth would have come by now: 0.1-0.15 s between posts)
    assert reminded() == {cid for cid, _ in teachers[25:]}  # the chair who sent it is not reminded of it
    assert rows(db, "SELECT count(*) FROM notice_receipt")[0][0] == 25


def test_secret_vote_of_twenty_representatives_with_a_quorum(gateway: Gateway, tmp_path: Path) -> None:
    reps = [cid for cid, _ in TEACHERS]
    db = f"sqlite:///{tmp_path}/bot.db"
    config = write_config(tmp_path / "config.toml", gateway, db, extra=FAST).read_text(encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(config.replace('admins = ["admin-zhao"]',
                                   'admins = ["admin-zhao"]\nrepresentatives = [' + ", ".join(f'"{r}"' for r in reps) + "]"),
                    encoding="utf-8")
    bot = BotProcess(path, tmp_path).start()
    bot.wait_ready(gateway)
    gateway.send(op="say", **{"from": "admin-zhao"}, text="#发起投票 关于修订教职工绩效方案的决议 对象=代表")
    gateway.wait_bot_message(BOT, lambda m: "【投票】" in m["text"] and m["roomId"])

    ballots = ["赞成"] * 11 + ["反对"] * 3 + ["弃权"]
    start = len(gateway.bot_messages(BOT))
    for cid, choice in zip(reps, ballots, strict=False):
        gateway.send(op="say", **{"from": cid}, text=f"#投票 1 {choice}")
    gateway.send(op="say", **{"from": reps[0]}, text="#投票 1 反对")  # a second ballot
    gateway.send(op="say", **{"from": "t-li"}, text="#投票 1 赞成")  # not a representative
    gateway.send(op="say", **{"from": reps[1]}, room="20001234@chatroom", text="#投票 1 反对")  # in the group
    gateway.wait_bot_count(BOT, start + 18, timeout=120)
    answers = [m for m in gateway.bot_messages(BOT)[start:]]
    assert sum("已收到您对投票 1" in m["text"] for m in answers) == 15
    assert any("只能投一次" in m["text"] for m in answers) and any("不在投票范围" in m["text"] for m in answers)
    group_answer = next(m for m in answers if m["roomId"])
    assert "请私聊" in group_answer["text"] and "反对" not in group_answer["text"]

    before = len(gateway.bot_messages(BOT))
    gateway.send(op="say", **{"from": "admin-zhao"}, text="#投票结果 1")
    during = gateway.wait_bot_message(BOT, lambda m: m["listenerId"] == "admin-zhao", after=before)["text"]
    assert "已投 15/20 人" in during and "赞成" not in during
    before = len(gateway.bot_messages(BOT))
    gateway.send(op="say", **{"from": "admin-zhao"}, text="#结束投票 1")
    result = gateway.wait_bot_message(BOT, lambda m: m["listenerId"] == "admin-zhao", after=before)["text"]
    assert "投票 15 人，应投 20 人" in result and "赞成 11 票  反对 3 票  弃权 1 票" in result
    assert "超过全体代表 20 人的半数，通过" in result
    # Kept apart: fifteen voters without choices, three counters without voters, no ballot rows.
    assert rows(db, "SELECT count(*) FROM vote_voter")[0][0] == 15
    assert sorted(r[0] for r in rows(db, "SELECT count FROM vote_tally")) == [1, 3, 11]
    assert rows(db, "SELECT count(*) FROM vote_ballot")[0][0] == 0
