"""What the proposal commands share: the form's field names, the collection window and congress year,
reading a proposal's code (telling its proposer and co-signers is ``handlers.actions.proposals``).

Split from ``handlers.proposals``, which re-exports the names callers import from it.
"""

from __future__ import annotations

import datetime as dt
import re

from handlers.base import (
    Context,
    Role,
)
from storage.proposals import parse_code

FORM = "proposal"
FIELD_KEYS = {"标题": "title", "案由": "reason", "建议": "suggestion", "附议人": "cosigners"}
PROMPTS = {
    "title": "第 1 步（共 4 步）：请发送提案标题（不超过 60 字）。随时发送 #取消 放弃。",
    "reason": "第 2 步：请写案由，即存在的问题和原因。",
    "suggestion": "第 3 步：请写建议，即具体的解决办法。",
    "cosigners": "第 4 步：如已约好附议人，请发送他们的姓名（用顿号或空格分开）；没有请发送“无”。",
}
COMMITTEE = Role.PROPOSAL_COMMITTEE
_SPLIT = re.compile(r"\s*[|｜]\s*")

# --- rules --------------------------------------------------------------------


def collection_window(ctx: Context) -> tuple[dt.date | None, dt.date | None]:
    """(start, deadline): what the committee set in chat, else the config."""
    rules, settings = ctx.services.proposal_rules, ctx.services.settings
    start = settings.get("proposals:start")
    deadline = settings.get("proposals:deadline")
    return (dt.date.fromisoformat(start) if start else rules.start,
            dt.date.fromisoformat(deadline) if deadline else rules.deadline)


def congress_year(ctx: Context) -> int:
    rules = ctx.services.proposal_rules
    if rules.year:
        return rules.year
    _, deadline = collection_window(ctx)
    return deadline.year if deadline else ctx.now.year


def window_problem(ctx: Context) -> str:
    start, deadline = collection_window(ctx)
    today = ctx.now.date()
    if start and today < start:
        return f"提案征集将于 {start:%Y-%m-%d} 开始，届时再提交。"
    if deadline and today > deadline:
        return f"本届提案征集已于 {deadline:%Y-%m-%d} 截止。意见建议可直接联系工会。"
    return ""


def _code(arg: str, ctx: Context) -> tuple[int, int] | None:
    return parse_code(arg, congress_year(ctx)) if arg else None


