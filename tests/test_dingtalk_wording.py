"""On DingTalk a group passes the robot only messages that @ it: help, notices, reminders and replies say
'@工会助手 收到 3' in a group (and '收到 3' in private). WeChat's wording is unchanged (its own tests)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.app import build_app
from bot.clock import FakeClock
from handlers.style import CommandStyle
from tests.conftest import ChatDriver, make_config

DINGTALK = {"client_id": "dingunionbottest", "client_secret": "s", "api_base": "http://127.0.0.1:9",
            "oapi_base": "http://127.0.0.1:9"}


def test_style_rewrites_group_hints_only_on_an_at_only_platform() -> None:
    wechat, ding = CommandStyle(), CommandStyle(mention="工会助手")
    text = "发送 #报名 3 报名；涉及个人的请私聊我发送 #申请。#1号楼 不是命令"
    assert wechat.for_group(text) == text
    assert ding.for_group(text) == "发送 @工会助手 报名 3 报名；涉及个人的请私聊我发送 #申请。#1号楼 不是命令"
    vote = "请私聊我投票：发送 #投票 1 A（或 #投票 1 1）。群里请勿发送选择。#签到（群里或私聊都可以）"
    assert ding.for_group(vote) == ("请私聊我投票：发送 #投票 1 A（或 #投票 1 1）。群里请勿发送选择。"
                                    "@工会助手 签到（群里或私聊都可以）")
    assert ding.group("收到", "3") == "@工会助手 收到 3" and ding.private("收到", "3") == "收到 3"
    assert wechat.group("收到", "3") == wechat.private("收到", "3") == "#收到 3"
    assert wechat.receipt_hint(3) == "收到请回复“收到”或 #收到 3（群里或私聊都可以，不会刷屏）"
    assert wechat.help_note() == ""


def test_dingtalk_group_notice_help_and_receipts(tmp_path: Path) -> None:
    clock = FakeClock(dt.datetime(2027, 3, 1, 1, 0, tzinfo=dt.UTC))  # 09:00 in Shanghai: not quiet hours
    app = build_app(make_config(f"sqlite:///{tmp_path}/d.db", dingtalk=DINGTALK), clock)
    chat = ChatDriver(app, clock)
    for who in ("李老师", "王老师"):
        chat.text(who, "#帮助")

    help_group = chat.text("李老师", "#帮助")
    assert "@工会助手 帮助 命令名" in help_group and "在群里请先 @工会助手 再写命令" in help_group
    assert "#报名" not in help_group and "【活动报名】" in help_group
    assert "#帮助" in chat.text("李老师", "#帮助", private=True)  # '#' works in private: left as typed

    chat.text("王主席", "#发送通知 需回执 明天下午开会")
    posted = [o for o in chat.pump() if o.room_id]
    assert len(posted) == 1
    assert "收到请在群里发送 @工会助手 收到 1，或私聊我发送 收到 1" in posted[0].text
    assert "#收到" not in posted[0].text

    # '@工会助手 收到' in the group, '收到' in private: recorded, and never a word in the group.
    out = chat.say("李老师", "@工会助手 收到 1")
    assert all(o.room_id is None for o in out) and "已确认收到通知 1" in out[0].text
    assert chat.say("王老师", "收到 1", private=True)[0].text.startswith("已确认收到通知 1")
    assert "已收到 2/" in chat.text("王主席", "#回执 1", private=True)

    chat.text("王主席", "#发起报名 观影 名额=3")
    signup_post = " ".join(o.text for o in chat.pump() if o.room_id)
    assert "@工会助手 报名" in signup_post and "#报名" not in signup_post


def test_the_metered_calls_docs_dingtalk_md_states_are_what_the_planner_plans(tmp_path: Path) -> None:
    """docs/dingtalk.md says how many metered calls a year of reminders costs: computed here from the reminder
    planner on config.example.toml and its example schedule, so the doc cannot drift from the code."""
    import collections

    from bot.config import load_config
    from tests.conftest import REPO

    text = (REPO / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace('file = "examples/', f'file = "{REPO}/examples/')
    text = text.replace('url = "sqlite:///var/unionbot.db"', f'url = "sqlite:///{tmp_path}/y.db"')
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    start = dt.datetime(2027, 1, 1, tzinfo=config.tz).astimezone(dt.UTC)
    posts = build_app(config, FakeClock(start)).services.reminders.preview(start, 365)
    kinds = collections.Counter(p.kind for p in posts)
    assert all(p.target.startswith("group:") for p in posts)
    doc = (REPO / "docs" / "dingtalk.md").read_text(encoding="utf-8")
    assert (f"| 1 个群（全体教职工群） | {len(posts)} 次：月度活动预告 {kinds['digest']}、节日问候 {kinds['holiday']}、"
            f"活动前一天提醒 {kinds['eve']} |") in doc
