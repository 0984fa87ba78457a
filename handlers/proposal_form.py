"""The guided proposal form (``PROPOSAL_FORM``): its steps, the summary shown before 提交, and what
submitting does.

Split from ``handlers.proposals``; the ``#提案`` command that opens it stays there.
"""

from __future__ import annotations

import re

from handlers.base import (
    Context,
    Form,
    Invalid,
    Reply,
    Role,
    Step,
    read_optional_list,
)
from handlers.proposal_common import FIELD_KEYS, FORM, PROMPTS, congress_year, window_problem
from storage.proposals import NewProposal

# --- drafting -------------------------------------------------------------------


def _limited(label: str, limit: int) -> Step:
    return Step(FIELD_KEYS[label], label, PROMPTS[FIELD_KEYS[label]], limit=limit)


STEPS = (
    _limited("标题", 60),
    _limited("案由", 1500),
    _limited("建议", 1500),
    Step("cosigners", "附议人", PROMPTS["cosigners"], read=read_optional_list, limit=200),
)


def _summary(data: dict, ctx: Context) -> str:
    v = data["values"]
    return "\n".join([
        "请核对提案：",
        f"标题：{v.get('title', '')}",
        f"案由：{v.get('reason', '')}",
        f"建议：{v.get('suggestion', '')}",
        f"附议人：{v.get('cosigners') or '无'}",
    ])


def _finish(data: dict, ctx: Context) -> list[Reply]:
    if problem := window_problem(ctx):
        raise Invalid(problem)
    v = data["values"]
    member = ctx.services.members.get_by_contact(ctx.sender.contact_id)
    assert member is not None
    rules = ctx.services.proposal_rules
    p = ctx.services.proposals.submit(NewProposal(v["title"], v["reason"], v["suggestion"]), member,
                                      congress_year(ctx), rules.min_cosigners, ctx.now)
    need = "已进入审查。"
    if rules.min_cosigners:
        need = f"还需 {rules.min_cosigners} 位代表附议（发送 #附议 {p.code}）后进入审查。"
    out = [Reply(f"已提交提案 {p.code}《{p.title}》。{need}发送 #提案 {p.code} 可查看进度。")]
    missing = []
    for name in re.split(r"[、，,;；\s]+", v.get("cosigners") or ""):
        if not name:
            continue
        found = [m for m in ctx.services.members.find(name) if m.contact_id and m.contact_id != ctx.sender.contact_id]
        if len(found) == 1:
            out.append(Reply(f"{ctx.sender.name} 提交了提案 {p.code}《{p.title}》，邀请您附议。"
                             f"同意请发送 #附议 {p.code}；发送 #提案 {p.code} 查看全文。",
                             to_contact=found[0].contact_id))
        else:
            missing.append(name)
    if missing:
        out[0] = Reply(out[0].text + f"\n未能通知：{'、'.join(missing)}（请他们直接发送 #附议 {p.code}）。")
    return out


PROPOSAL_FORM = Form(kind=FORM, noun="提案", steps=lambda data, ctx: STEPS, summary=_summary, finish=_finish,
                     role=Role.REPRESENTATIVE, intro="开始填写提案。",
                     confirm_hint="确认无误请回复“提交”（或“确认”）；修改请发送 #修改 标题/案由/建议/附议人 新内容；"
                                  "放弃请发送 #取消。")
