"""Declared command arguments (handlers.args): the readers as pure functions, the one lookup step, and the
syntax line, usage reply, #帮助 and README row that come from a declaration.

Issue 25 item 2. The chat tests (test_chat, test_signups, test_proposals, test_receipts_*) run the real
declarations against a real database; these check the machinery itself, without one.
"""

from __future__ import annotations

import datetime as dt
import inspect
import types
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers import build_registry
from handlers.args import (
    COUNT_HOW,
    YEAR_HOW,
    Count,
    Field,
    Fields,
    Kind,
    Month,
    Number,
    Param,
    Problem,
    Ref,
    Text,
    When,
    Word,
    read_all,
    read_count,
    syntax_line,
    year,
)
from handlers.base import Chat, Context, Registry, Reply, Request, Role, Sender, command, reply
from handlers.command_table import render_table
from handlers.help import help_command
from handlers.style import CommandStyle
from handlers.votes import NEW_VOTE
from schedules.event_form import KNOWN_KEYS
from schedules.kv import KeyValues
from schedules.when import DATE_HOW

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2027, 3, 10, 9, 0, tzinfo=TZ)


@dataclass(frozen=True)
class Thing:
    number: int
    hidden: bool = False


THINGS = {3: Thing(3), 4: Thing(4, hidden=True)}
# A kind whose objects live in a dict: what is tested here is the lookup step, not a repository.
KIND: Kind[Thing] = Kind("东西", lambda n, ctx: THINGS.get(n), where="见 #东西列表",
                         visible=lambda t, ctx: not t.hidden)
THING = Ref("thing", "编号", kind=KIND)
EXTRA = Count("extra", "家属人数", optional=True)
NOTE = Text("note", "备注", optional=True)


def ctx_with(services: Any = None) -> Context:
    sender = Sender("wxid_li", "李老师", frozenset(), member_id=1)
    return Context(sender=sender, chat=Chat("private", "wxid_li"), now=NOW, services=services)


CTX = ctx_with()


# --- readers: pure, and never an exception -------------------------------------------------


@pytest.mark.parametrize(("text", "want"), [("+1", 1), ("＋2", 2), ("加1", 1), ("带1", 1), ("家属2", 2),
                                            ("2人", 2), ("3位", 3), ("2", 2), ("+", None), ("一", None),
                                            ("+100", None), ("1+1", None), ("", None)])
def test_count_reads_the_ways_people_write_it(text: str, want: int | None) -> None:
    assert read_count(text) == want
    got = EXTRA.read(text, CTX) if text else EXTRA.absent(CTX)
    assert got == (want if want is not None else (None if not text else Problem(COUNT_HOW)))


def test_number_year_and_month() -> None:
    days = Number("days", "天数", optional=True, low=1, high=366, unit="天")
    assert days.read("30天", CTX) == 30 and days.read("30", CTX) == 30
    assert days.read("0", CTX) == Problem("天数应是 1 到 366 之间的整数")
    assert days.read("３０", CTX) == 30  # full-width digits are decimal
    assert days.read("9" * 20, CTX) == Problem("天数应是 1 到 366 之间的整数")
    assert year().read("2027", CTX) == 2027 and year().read("27", CTX) == Problem(YEAR_HOW)
    assert Month("month", "月份").read("三月", CTX) == 3 and isinstance(Month("m", "月份").read("13", CTX), Problem)


def test_a_date_that_cannot_be_read_gets_the_one_date_sentence() -> None:
    deadline = When("deadline", "截止", default_time=dt.time(23, 59))
    assert deadline.read("3月20日 17:00", CTX) == dt.datetime(2027, 3, 20, 17, 0, tzinfo=TZ)
    assert deadline.read("3月20日", CTX) == dt.datetime(2027, 3, 20, 23, 59, tzinfo=TZ)
    bad = deadline.read("过几天", CTX)
    assert bad == Problem(f"截止“过几天”不是日期时间，{DATE_HOW}")


def test_fields_fold_aliases_and_list_the_keys_they_take() -> None:
    got = NEW_VOTE.read("工会委员选举 范围=代表 截止时间=3月20日 选项=张三|李四", CTX)
    assert not isinstance(got, Problem)
    assert got.head == "工会委员选举"
    assert got.pairs == {"对象": "代表", "截止": "3月20日", "选项": "张三|李四"}
    assert NEW_VOTE.read("选举 颜色=红", CTX) == Problem("不认识“颜色”这一项（可写：选项、对象、截止、匿名、多选）")
    # The event form's '可写：…' and #发起报名's declaration are one list.
    assert build_registry().get("发起报名").keys() == KNOWN_KEYS  # type: ignore[union-attr]


def test_text_and_word_refuse_what_is_too_long_instead_of_cutting_it() -> None:
    reason = Text("reason", "理由", limit=5)
    assert reason.read("五个字以内", CTX) == "五个字以内"
    too_long = reason.read("这个理由超过五个字", CTX)
    assert isinstance(too_long, Problem) and "9" in too_long.text and not too_long.usage
    assert Word("dept", "承办部门", ask="请写上承办部门").absent(CTX) == Problem("请写上承办部门")


# Each reader and the type of what it gives when the text is readable.
READERS: list[tuple[Param[Any], type]] = [
    (EXTRA, int), (NOTE, str), (year(), int), (Month("month", "月份"), int), (When("when", "时间"), dt.datetime),
    (NEW_VOTE, KeyValues), (Number("n", "数", low=1, high=10, unit="天"), int), (Word("w", "词", limit=8), str),
    (THING, Thing), (Ref("thing", "编号", optional=True, kind=KIND, default=lambda ctx: THINGS[3]), Thing)]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_garbled_text_gives_a_value_or_a_problem(text: str) -> None:
    for param, kind in READERS:
        got = param.read(text, CTX) if text.strip() else param.absent(CTX)
        assert got is None or isinstance(got, Problem | kind), (param.key, text, got)
        if isinstance(got, Problem):
            assert got.text.strip() and not got.text.endswith("。")  # the reply adds its own full stop
    out = read_all((THING, EXTRA, NOTE), text, CTX)
    assert isinstance(out, Problem) or (out["thing"] in THINGS.values() and set(out) == {"thing", "extra", "note"})


# --- the lookup step ----------------------------------------------------------------------


def test_a_ref_is_looked_up_once_and_says_why_not() -> None:
    assert THING.read("3", CTX) == THINGS[3]
    assert THING.read("#3", CTX) == THINGS[3]
    assert THING.read("9", CTX) == Problem("没有编号为 9 的东西", usage=False)
    # Not visible to the sender: the same words as none at all, so a number tells nothing.
    assert THING.read("4", CTX) == Problem("没有编号为 4 的东西", usage=False)
    assert THING.read("三", CTX) == Problem("请写上东西编号（见 #东西列表）")
    assert THING.absent(CTX) == Problem("请写上东西编号（见 #东西列表）")


def test_read_all_takes_words_in_order_and_leaves_an_optional_one_out() -> None:
    assert read_all((THING, EXTRA, NOTE), "3 +1 素食", CTX) == {"thing": THINGS[3], "extra": 1, "note": "素食"}
    # '素食' is no count: the optional +N is left out and the words go to the note.
    assert read_all((THING, EXTRA, NOTE), "3 素食", CTX) == {"thing": THINGS[3], "extra": None, "note": "素食"}
    assert read_all((THING, EXTRA, NOTE), "3 +x", CTX) == Problem(COUNT_HOW)
    assert read_all((THING,), "3 还有别的", CTX) == Problem("看不懂“还有别的”")


# --- one declaration: syntax, usage, #帮助, the README row ----------------------------------


@command("试试", args=(THING, EXTRA, NOTE), role=Role.ADMIN, help="试一试", examples=("#试试 3 +1",))
def try_it(req: Request, ctx: Context) -> list[Reply]:
    thing, extra = req.get(THING), req.get(EXTRA)
    return reply(f"东西 {thing.number}，家属 {extra or 0} 人，备注：{req.get(NOTE) or '无'}")


@command("列表", args=(), help="看全部")
def listing(req: Request, ctx: Context) -> list[Reply]:
    return reply("全部")


class AllowAll:
    def may(self, sender: Sender, what: object) -> bool:
        return True


def demo_registry() -> Registry:
    return Registry.from_modules([types.SimpleNamespace(SECTION="测试", try_it=try_it, listing=listing)])


def test_syntax_usage_help_and_table_come_from_the_declaration() -> None:
    registry = demo_registry()
    spec = registry.get("试试")
    assert spec is not None
    assert spec.syntax == "#试试 编号 [+家属人数] [备注]" == syntax_line("试试", (THING, EXTRA, NOTE))
    assert spec.usage() == "格式：#试试 编号 [+家属人数] [备注]，例如 #试试 3 +1。"
    assert registry.get("列表").syntax == "#列表"  # type: ignore[union-attr]
    services = types.SimpleNamespace(registry=registry, access=AllowAll(), union_name="测试工会",
                                     style=CommandStyle())
    ctx = ctx_with(services)
    shown = help_command(Request("帮助", "试试"), ctx)[0].text
    assert shown.splitlines()[:2] == ["#试试 编号 [+家属人数] [备注]", "试一试"]
    assert "仅限工会管理员使用" in shown and "例如：#试试 3 +1" in shown
    assert "| `#试试 编号 [+家属人数] [备注]` | 工会管理员 |" in render_table(registry)


def test_the_handler_runs_only_with_its_arguments_read() -> None:
    spec = demo_registry().get("试试")
    assert spec is not None

    def say(args: str) -> str:
        return spec.func(Request("试试", args, spec=spec), CTX)[0].text

    assert say("3 +1 素食") == "东西 3，家属 1 人，备注：素食"
    assert say("#3") == "东西 3，家属 0 人，备注：无"
    assert say("9") == "没有编号为 9 的东西。"
    assert say("") == "请写上东西编号（见 #东西列表）。格式：#试试 编号 [+家属人数] [备注]，例如 #试试 3 +1。"


def test_private_problems_go_to_the_sender_only() -> None:
    @command("私下", args=(THING,), private_problems=True, help="…")
    def quietly(req: Request, ctx: Context) -> list[Reply]:
        return reply("好")

    out = quietly(Request("私下", "9"), ctx_with())
    assert out == [Reply("没有编号为 9 的东西。", to_contact="wxid_li")]


def test_a_declaration_cannot_hand_write_its_syntax_line() -> None:
    with pytest.raises(TypeError, match="syntax"):
        command("两样", args=(THING,), syntax="#两样 编号", help="…")  # type: ignore[call-arg]


def test_every_real_declaration_yields_its_syntax_line() -> None:
    for spec in build_registry().ordered:
        assert spec.syntax == syntax_line(spec.name, spec.params)
        assert spec.usage().startswith(f"格式：#{spec.name}")


def test_fields_syntax_brackets() -> None:
    window = Fields("w", "征集时间", optional=True, fields=(Field("开始", sample="日期", optional=True),
                                                        Field("截止", sample="日期", optional=True)))
    assert window.syntax() == "[开始=日期] [截止=日期]"
    assert NEW_VOTE.syntax() == "标题 选项=赞成|反对|弃权 对象=代表 截止=… 匿名=是 多选=1"


# The eight commands that once wrote their syntax by hand (issue 25 item 2), each with the shape it needed:
# an event by number anywhere, title or the only one, '+1' anywhere (#报名, #取消报名, #代报名); '对象=' and
# '需回执' anywhere (#发送通知); a type then a form's fields (#申请, #代报); three whole ways (#提案); a form
# step's label (#修改). Their lines are generated now, and read the same as the hand-written ones did.
ONCE_HAND_WRITTEN = {
    "报名": "#报名 编号 [+家属人数] [备注]",
    "取消报名": "#取消报名 编号",
    "代报名": "#代报名 编号 姓名 [+家属人数] [备注]",
    "发送通知": "#发送通知 [对象=女教工] 内容 [需回执]",
    "申请": "#申请 [类型] [项目=内容 …]",
    "代报": "#代报 姓名 [类型] [项目=内容 …]",
    "提案": "#提案 | #提案 标题｜案由｜建议 | #提案 编号",
    "修改": "#修改 项目 新内容",
}


def test_no_command_writes_its_syntax_by_hand() -> None:
    registry = build_registry()
    assert "syntax" not in inspect.signature(command).parameters
    for name, line in ONCE_HAND_WRITTEN.items():
        spec = registry.get(name)
        assert spec is not None and spec.params and spec.syntax == line, name
