"""The guided proposal form (``PROPOSAL_FORM``): its steps, the summary shown before 提交, and what
submitting does.

Split from ``handlers.proposals``; the ``#提案`` command that opens it stays there.
"""

from __future__ import annotations

from handlers.actions.core import Problems, told
from handlers.actions.filing import category_problem, pick_category, submit_proposal
from handlers.base import (
    Answer,
    Context,
    Form,
    Invalid,
    Reply,
    Role,
    Step,
    read_optional_list,
)
from handlers.proposal_common import FIELD_KEYS, FORM, PROMPTS

# --- drafting -------------------------------------------------------------------


def _limited(label: str, limit: int) -> Step:
    return Step(FIELD_KEYS[label], label, PROMPTS[FIELD_KEYS[label]], limit=limit)


STEPS = (
    _limited("标题", 60),
    _limited("案由", 1500),
    _limited("建议", 1500),
    Step("cosigners", "附议人", PROMPTS["cosigners"], read=read_optional_list, limit=200),
)



def _read_category(answer: Answer, ctx: Context) -> str:
    """A 类别 by name or number in the list; 无/不选 leave it to the committee (未分类)."""
    picked = pick_category(answer.text, ctx)
    if picked is None:
        raise Invalid(category_problem(ctx) + "，可回复名称或序号。")
    return picked


# 类别 is optional and not one of the four numbered steps: the form opens with it empty (UNASKED), so it is
# never asked in turn; the summary offers it and #修改 类别 sets it. A draft from before it existed is asked.
CATEGORY = Step("category", "类别", "请回复提案类别（名称或序号），不确定请发送“无”，由提案委员会归类。",
                read=_read_category, limit=16)
UNASKED = {"category": ""}


def _steps(data: dict, ctx: Context) -> tuple[Step, ...]:
    return (*STEPS, CATEGORY) if ctx.services.proposal_rules.categories else STEPS


def _summary(data: dict, ctx: Context) -> str:
    v = data["values"]
    names = ctx.services.proposal_rules.categories
    listed = "、".join(f"{i}.{n}" for i, n in enumerate(names, 1))
    category = [f"类别：{v.get('category') or f'未选（可选 {listed}；发送 #修改 类别 序号或名称）'}"] if names else []
    return "\n".join([
        "请核对提案：",
        f"标题：{v.get('title', '')}",
        *category,
        f"案由：{v.get('reason', '')}",
        f"建议：{v.get('suggestion', '')}",
        f"附议人：{v.get('cosigners') or '无'}",
    ])


def _finish(data: dict, ctx: Context) -> list[Reply]:
    done = submit_proposal(ctx, data["values"])
    if isinstance(done, Problems):
        raise Invalid(done.text() + ("" if done.text().endswith("。") else "。"))
    p = done.proposal
    need = "已进入审查。"
    if done.need:
        need = f"还需 {done.need} 位代表附议（发送 #附议 {p.code}）后进入审查。"
    out = [Reply(f"已提交提案 {p.code}《{p.title}》。{need}发送 #提案 {p.code} 可查看进度。"), *told(done.tells)]
    if done.unreached:
        out[0] = Reply(out[0].text + f"\n未能通知：{'、'.join(done.unreached)}（请他们直接发送 #附议 {p.code}）。")
    return out


PROPOSAL_FORM = Form(kind=FORM, noun="提案", steps=_steps, summary=_summary, finish=_finish,
                     role=Role.REPRESENTATIVE, intro="开始填写提案。",
                     confirm_hint="确认无误请回复“提交”（或“确认”）；修改请发送 #修改 标题/案由/建议/附议人 新内容；"
                                  "放弃请发送 #取消。")
