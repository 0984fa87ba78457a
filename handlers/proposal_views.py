"""How proposals read outside a single reply: the detail text, the statistics and the export workbook
(also used by the office page and the CLI).

Split from ``handlers.proposals``, which re-exports these names.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from handlers.xlsx import workbook_bytes
from storage.models import Proposal
from storage.proposal_register import UNCATEGORISED
from storage.proposals import EVALUATIONS, STATUSES, ProposalRepo

if TYPE_CHECKING:
    from handlers.actions.proposals import Changed, Cosigned, Merged


def detail_text(p: Proposal, repo: ProposalRepo, tz: dt.tzinfo) -> str:
    cos = repo.cosigners(p.id)
    merged = f"（并入 {p.merged_into}）" if p.merged_into else ""
    lines = [f"提案 {p.code}《{p.title}》", f"状态：{p.status}{merged}",
             f"提案人：{p.proposer_name}", f"附议人：{'、'.join(c.name for c in cos) or '暂无'}",
             f"案由：{p.reason}", f"建议：{p.suggestion}"]
    if p.category:
        lines.insert(2, f"类别：{p.category}")
    if p.review_note:
        lines.append(f"审查意见：{p.review_note}")
    if p.department:
        lines.append(f"承办部门：{p.department}")
    if p.answer:
        lines.append(f"答复：{p.answer}")
    if p.evaluation:
        lines.append(f"评价：{p.evaluation}" + (f"（{p.evaluation_note}）" if p.evaluation_note else ""))
    history = repo.history(p.id)
    if history:
        lines.append("进度：" + "；".join(
            f"{e.at.astimezone(tz):%m-%d} {e.actor_name}{e.action}" for e in history[-6:]))
    return "\n".join(lines)

def stats_text(rows: list[Proposal], year: int) -> str:
    """The 提案 statistics a congress reports: by status, by department (with how far each got), by evaluation."""
    if not rows:
        return f"{year} 年还没有提案。"

    def counts(values: list[str], order: tuple[str, ...] = ()) -> str:
        tally: dict[str, int] = {}
        for v in values:
            tally[v] = tally.get(v, 0) + 1
        keys = [k for k in order if k in tally] + sorted(k for k in tally if k not in order)
        return "、".join(f"{k} {tally[k]}" for k in keys)

    lines = [f"{year} 年提案统计（共 {len(rows)} 件）：", f"按状态：{counts([p.status for p in rows], STATUSES)}"]
    departments = sorted({p.department for p in rows if p.department})
    for d in departments:
        mine = [p for p in rows if p.department == d]
        answered = sum(1 for p in mine if p.status in ("已答复", "已评价", "办结"))
        lines.append(f"{d}：{len(mine)} 件（已答复 {answered}，办理中 {len(mine) - answered}）")
    if evaluated := [p.evaluation for p in rows if p.evaluation]:
        lines.append(f"满意度：{counts(evaluated, EVALUATIONS)}")
    return "\n".join(lines)


# Outside scripts read these columns by position: a new one goes at the end (类别, migration 0014).
PROPOSAL_HEADERS = ["编号", "标题", "提案人", "附议人", "状态", "承办部门", "案由", "建议", "审查意见", "答复", "评价",
                    "类别"]


def proposals_workbook(repo: ProposalRepo, year: int) -> bytes:
    rows = []
    for p in repo.list(year):
        cos = "、".join(c.name for c in repo.cosigners(p.id))
        evaluation = p.evaluation + (f"（{p.evaluation_note}）" if p.evaluation_note else "")
        status = p.status + (f"（并入 {p.merged_into}）" if p.merged_into else "")
        rows.append([p.code, p.title, p.proposer_name, cos, status, p.department, p.reason, p.suggestion,
                     p.review_note, p.answer, evaluation, p.category or UNCATEGORISED])
    return workbook_bytes(f"{year}年提案汇总表", PROPOSAL_HEADERS, rows)


def cosigned_text(done: Cosigned) -> str:
    p = done.proposal
    return f"已附议提案 {p.code}《{p.title}》（现有附议 {done.count} 人，状态：{p.status}）。"


def changed_text(done: Changed) -> str:
    """What whoever took a step is told (the chat and the page say the same)."""
    q, extra = done.proposal, f"：{done.note}" if done.note else ""
    return f"提案 {q.code}《{q.title}》已{done.action}{extra}。当前状态：{q.status}。"


def merged_text(done: Merged) -> str:
    a, b = done.kept, done.absorbed
    return f"已将提案 {b.code} 并入 {a.code}《{a.title}》，原提案人和附议人成为 {a.code} 的附议人。"
