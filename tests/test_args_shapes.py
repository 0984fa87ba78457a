"""The argument shapes the last hand-written commands needed (handlers.args_shapes, ``anywhere`` reading,
``Kind.take``, ``guard``): pure readers, checked without a database. The chat tests (test_signups,
test_receipts_*, test_welfare, test_proposals, test_forms) run the real declarations built from them.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.args import Count, Field, Kind, Problem, Ref, Text, read_all, syntax_line
from handlers.args_shapes import Either, Flag, Option, Parts
from handlers.base import Context, Reply, Request, command, reply
from tests.test_args import CTX, KIND, THING, THINGS

ANY_EXTRA = Count("extra", "家属人数", optional=True, anywhere=True)
NOTE = Text("note", "备注", optional=True, limit=10, refused="，未报名。")
RECEIPT = Flag("receipt", "需回执", words=("需回执", "需要回执"))
AUDIENCE = Option("audience", "对象", field=Field("对象", ("范围",), sample="女教工"))
BODY = Text("text", "内容", ask="请写上通知内容")
PARTS = Parts("parts", "标题｜案由｜建议", labels=("标题", "案由", "建议"))
WAYS = Either("ways", "提案", optional=True, options=(PARTS, THING))


def test_a_count_is_read_wherever_it_stands_but_only_with_its_mark() -> None:
    params = (THING, ANY_EXTRA, NOTE)
    want = {"thing": THINGS[3], "extra": 1, "note": "素食"}
    assert read_all(params, "3 素食 +1", CTX) == want
    assert read_all(params, "+1 3 素食", CTX) == want
    assert read_all(params, "3+1 素食", CTX) == want  # glued: '3+1' is '3 +1'
    # A bare number is no count: it stays for the next argument ('2' is not '+2').
    assert read_all(params, "3 2", CTX) == {"thing": THINGS[3], "extra": None, "note": "2"}
    assert read_all(params, "3 +1 +2", CTX) == {"thing": THINGS[3], "extra": 2, "note": ""}  # the last counts
    assert read_all(params, "3 家属1人", CTX) == {"thing": THINGS[3], "extra": 1, "note": ""}


def test_a_text_limit_says_what_did_not_happen() -> None:
    got = read_all((THING, NOTE), "3 " + "很长的备注" * 3, CTX)
    assert isinstance(got, Problem) and not got.usage and "15" in got.text
    assert Request("报名").answer(got)[0].text.endswith("，未报名。")


def test_a_flag_is_a_word_of_its_own_anywhere() -> None:
    assert RECEIPT.pull("需回执 请提交教学计划") == ("需回执", "请提交教学计划")
    assert RECEIPT.pull("周五开会 需要回执") == ("需要回执", "周五开会")
    assert RECEIPT.pull("第一行 需回执\n第二行") == ("需回执", "第一行\n第二行")  # the lines keep their breaks
    assert RECEIPT.pull("无需回执的通知") == ("", "无需回执的通知")  # inside a word it is text
    assert RECEIPT.absent(CTX) is False and RECEIPT.syntax() == "[需回执]"


def test_an_option_takes_one_word_after_its_key_anywhere() -> None:
    assert AUDIENCE.pull("对象=退休教师 重阳节茶话会改期") == ("退休教师", "重阳节茶话会改期")
    assert AUDIENCE.pull("重阳节茶话会改期 对象：退休教师") == ("退休教师", "重阳节茶话会改期")
    assert AUDIENCE.pull("范围=代表 明天开会") == ("代表", "明天开会")  # an alias
    assert AUDIENCE.pull("明天开会") == ("", "明天开会")
    assert AUDIENCE.pull("对象=代表\n周五开会\n地点：报告厅") == ("代表", "周五开会\n地点：报告厅")
    assert AUDIENCE.syntax() == "[对象=女教工]" and AUDIENCE.keys() == "对象"


def test_anywhere_arguments_are_taken_before_the_text() -> None:
    params = (AUDIENCE, BODY, RECEIPT)
    assert syntax_line("发送通知", params) == "#发送通知 [对象=女教工] 内容 [需回执]"
    assert read_all(params, "周五开会 需回执 对象=代表", CTX) == {"audience": "代表", "text": "周五开会", "receipt": True}
    assert read_all(params, "周五开会", CTX) == {"audience": "", "text": "周五开会", "receipt": False}
    assert read_all(params, "需回执", CTX) == Problem("请写上通知内容")  # the flag alone is no notice


def test_parts_split_by_a_bar_and_name_what_is_missing() -> None:
    assert PARTS.read("午餐｜没有晚餐 ｜ 供应晚餐", CTX) == ("午餐", "没有晚餐", "供应晚餐")
    assert PARTS.read("午餐|没有晚餐|供应晚餐", CTX) == ("午餐", "没有晚餐", "供应晚餐")
    missing = PARTS.read("午餐｜没有晚餐", CTX)
    assert isinstance(missing, Problem) and missing.usage and "标题、案由、建议" in missing.text
    assert isinstance(PARTS.read("午餐｜｜供应晚餐", CTX), Problem)  # an empty part is no part


def test_either_reads_the_first_way_that_understands_the_words() -> None:
    assert syntax_line("提案", (WAYS,)) == "#提案 | #提案 标题｜案由｜建议 | #提案 编号"
    assert read_all((WAYS,), "", CTX) == {"ways": None}
    assert read_all((WAYS,), "a｜b｜c", CTX) == {"ways": ("a", "b", "c")}
    assert read_all((WAYS,), "3", CTX) == {"ways": THINGS[3]}
    # The number is understood, and there is no such thing: that is the answer, not the first way's.
    assert read_all((WAYS,), "9", CTX) == Problem("没有编号为 9 的东西", usage=False)
    # Neither way understands: the first way says how to write it.
    assert read_all((WAYS,), "午餐｜没有晚餐", CTX) == PARTS.read("午餐｜没有晚餐", CTX)
    assert read_all((WAYS,), "午餐", CTX) == PARTS.read("午餐", CTX)


def test_a_kind_may_pick_its_words_from_anywhere() -> None:
    # '#报名 素食 3': the number names the object wherever it stands; the rest is left for the note.
    def number_first(text: str) -> tuple[str, str]:
        words = text.split()
        numbers = [w for w in words if w.isdigit()]
        return (numbers[0], " ".join(w for w in words if w != numbers[0])) if numbers else ("", text)

    picky: Kind[Any] = Kind("东西", KIND.find, take=number_first)
    thing = Ref("thing", "编号", kind=picky, default=lambda ctx: Problem("只有一件时才可省略", usage=False))
    assert read_all((thing, NOTE), "素食 3", CTX) == {"thing": THINGS[3], "note": "素食"}
    assert read_all((thing, NOTE), "素食", CTX) == Problem("只有一件时才可省略", usage=False)


def test_a_guard_answers_before_the_arguments_are_read() -> None:
    def closed(req: Request, ctx: Context) -> list[Reply] | None:
        return reply("当前没有正在填写的内容。") if req.draft is None else None

    @command("改改", args=(THING, NOTE), guard=closed, help="…")
    def change(req: Request, ctx: Context) -> list[Reply]:
        return reply(f"改了 {req.get(THING).number}")

    # Without the guard '#改改' would ask for a number; the guard's answer comes first, whatever the words.
    assert change(Request("改改", ""), CTX) == reply("当前没有正在填写的内容。")
    assert change(Request("改改", "9"), CTX) == reply("当前没有正在填写的内容。")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_garbled_text_gives_values_or_a_problem(text: str) -> None:
    for params in ((THING, ANY_EXTRA, NOTE), (AUDIENCE, BODY, RECEIPT), (WAYS,)):
        out = read_all(params, text, CTX)
        assert isinstance(out, Problem) or set(out) == {p.key for p in params}, (params, text, out)
        if isinstance(out, Problem):
            assert out.text.strip() and not out.text.endswith("。")
