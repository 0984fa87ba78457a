"""提案: co-signing, and the committee's and departments' steps (立案, 不予立案, 合并, 交办, 答复, 评价, 办结,
and 改类别, which moves no status).

Which status a step moves from is the repository's rule (storage.proposals.TRANSITIONS); who may take
it is the access rule's. Every change tells the proposer and co-signers privately (not whoever made it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.actions.core import Problems, Tell, allowed, too_long
from handlers.actions.filing import category_problem
from handlers.base import Attachment, Context
from handlers.proposal_views import proposals_workbook
from handlers.storage_problems import wrong_status
from storage.models import Proposal
from storage.proposal_register import UNCATEGORISED
from storage.proposals import EVALUATIONS, NOT_FOUND, RECATEGORISED, SAME, UNCHANGED, WRONG_STATUS

REASON_MAX = 480  # review_note holds 500, with "不予立案，转为意见建议：" before the reason
DEPARTMENT_MAX = 64
EVALUATION_NOTE_MAX = 500


def notify_tells(p: Proposal, ctx: Context, text: str, cosigner_text: str | None = None) -> list[Tell]:
    """The proposer and every co-signer, once each (not whoever made the change); ``cosigner_text``
    when co-signers are to read it differently ("您附议的提案")."""
    contacts = [(p.proposer_contact, text)] + [
        (c.contact_id, cosigner_text or text) for c in ctx.services.proposals.cosigners(p.id)]
    seen = {ctx.sender.contact_id}
    out = []
    for c, words in contacts:
        if c and c not in seen:
            seen.add(c)
            out.append(Tell(c, words))
    return out


@dataclass
class Cosigned:
    proposal: Proposal
    count: int  # co-signers now
    tells: list[Tell] = field(default_factory=list)


def cosign(ctx: Context, year: int, seq: int) -> Cosigned | Problems:
    if not allowed(ctx, "附议"):
        return Problems.of("", "not_allowed")
    member = ctx.services.members.get_by_contact(ctx.sender.contact_id)
    assert member is not None  # the pipeline registers every sender; the page acts as a bound one
    outcome, p = ctx.services.proposals.cosign(year, seq, member, ctx.services.proposal_rules.min_cosigners, ctx.now)
    if p is None:
        return Problems.of("code", "proposal_missing", value=f"{year}-{seq:03d}")
    match outcome:
        case "own":
            return Problems.of("", "cosign_own")
        case "twice":
            return Problems.of("", "cosign_twice", value=p.code)
        case "closed":
            return Problems.of("", "cosign_closed", value=p.code, state=p.status)
    count = len(ctx.services.proposals.cosigners(p.id))
    done = Cosigned(p, count)
    if p.proposer_contact and p.proposer_contact != ctx.sender.contact_id:
        done.tells.append(Tell(p.proposer_contact, f"{ctx.sender.name} 附议了您的提案 {p.code}《{p.title}》，"
                                                   f"现有附议 {count} 人，状态：{p.status}。"))
    return done


@dataclass
class Changed:
    proposal: Proposal
    action: str  # the step taken: 立案, 交办…
    note: str = ""  # what it said (a reason, an answer, a verdict)
    tells: list[Tell] = field(default_factory=list)


def _change(ctx: Context, p: Proposal, action: str, note: str = "", **fields: str) -> Changed | Problems:
    change = ctx.services.proposals.transition(p.year, p.seq, action, ctx.sender.contact_id, ctx.sender.name,
                                               ctx.now, note, **fields)
    if change.problem == WRONG_STATUS and change.proposal is not None:
        return Problems().add_text("", wrong_status(change.proposal, action))
    if change.problem:
        return Problems.of("text", "proposal_missing", value=p.code)
    q = change.proposal
    assert q is not None
    extra = f"：{note}" if note else ""
    words = f"{q.code}《{q.title}》{action}{extra}（{ctx.sender.name}）。当前状态：{q.status}。"
    return Changed(q, action, note, notify_tells(q, ctx, f"您的提案 {words}", f"您附议的提案 {words}"))


def register(ctx: Context, p: Proposal) -> Changed | Problems:
    """立案: the review passed."""
    if not allowed(ctx, "立案"):
        return Problems.of("", "not_allowed")
    if p.status == "征集中":
        return Problems.of("", "cosigners_short", value=p.code, need=ctx.services.proposal_rules.min_cosigners)
    return _change(ctx, p, "立案")


def reject(ctx: Context, p: Proposal, reason: str) -> Changed | Problems:
    """不予立案: turned into an opinion, with the reason."""
    if not allowed(ctx, "不予立案"):
        return Problems.of("", "not_allowed")
    reason = reason.strip()
    if not reason:
        return Problems.of("text", "required", label="理由")
    if problem := too_long("text", "理由", reason, REASON_MAX):
        return problem
    return _change(ctx, p, "不予立案", reason, review_note=f"不予立案，转为意见建议：{reason}")


@dataclass
class Merged:
    kept: Proposal
    absorbed: Proposal
    tells: list[Tell] = field(default_factory=list)


def merge(ctx: Context, keep: tuple[int, int], absorb: tuple[int, int]) -> Merged | Problems:
    """``absorb`` becomes part of ``keep``: its proposer and co-signers co-sign ``keep``."""
    if not allowed(ctx, "合并"):
        return Problems.of("", "not_allowed")
    kept, absorbed = ctx.services.proposals.merge(keep, absorb, ctx.sender.contact_id, ctx.sender.name, ctx.now)
    for c, code in ((kept, keep), (absorbed, absorb)):
        if c.problem == NOT_FOUND or c.proposal is None:
            return Problems.of("text", "proposal_missing", value=f"{code[0]}-{code[1]:03d}")
        if c.problem == SAME:
            return Problems.of("", "merge_self")
        if c.problem:
            return Problems().add_text("", wrong_status(c.proposal, "并入其他提案" if c is kept else "合并"))
    a, b = kept.proposal, absorbed.proposal
    assert a is not None and b is not None
    tells = notify_tells(b, ctx, f"提案 {b.code}《{b.title}》已与内容相近的 {a.code}《{a.title}》合并办理，"
                                 f"您成为 {a.code} 的附议人。")
    return Merged(a, b, tells)


def hand_over(ctx: Context, p: Proposal, department: str) -> Changed | Problems:
    """交办: to a 承办部门, whose officers are told how to answer."""
    if not allowed(ctx, "交办"):
        return Problems.of("", "not_allowed")
    department = department.strip()
    if not department:
        return Problems.of("text", "required", label="承办部门")
    if problem := too_long("text", "承办部门", department, DEPARTMENT_MAX):
        return problem
    done = _change(ctx, p, "交办", f"交{department}办理", department=department)
    if isinstance(done, Changed):
        done.tells += [Tell(o, f"提案 {p.code}《{p.title}》已交{department}办理。答复请发送 #答复 {p.code} 答复内容。")
                       for o in ctx.services.access.department_officers(department) if o != ctx.sender.contact_id]
    return done


def answer(ctx: Context, p: Proposal, text: str) -> Changed | Problems:
    """答复 (may come more than once); the proposer is asked to rate it."""
    if not allowed(ctx, "答复"):
        return Problems.of("", "not_allowed")
    text = text.strip()  # kept whole (a Text column)
    if not text:
        return Problems.of("text", "required", label="答复内容")
    if not ctx.services.access.may(ctx.sender, "answer", p):
        return Problems.of("", "answer_not_yours", value=p.code)
    stamp = f"{ctx.now:%m-%d} {ctx.sender.name}：{text}"
    done = _change(ctx, p, "答复", text, answer=f"{p.answer}\n{stamp}" if p.answer else stamp)
    if isinstance(done, Changed) and p.proposer_contact:
        done.tells.append(Tell(p.proposer_contact, f"请对提案 {p.code} 的办理情况作出评价："
                                                   f"#评价 {p.code} 满意|基本满意|不满意 [意见]"))
    return done


def evaluate(ctx: Context, p: Proposal, verdict: str, note: str = "") -> Changed | Problems:
    """评价: only the proposer rates the answer."""
    if not ctx.services.access.may(ctx.sender, "evaluate", p):
        return Problems.of("", "evaluate_not_yours")
    if verdict not in EVALUATIONS:
        return Problems.of("verdict", "verdict_unknown", choices="、".join(EVALUATIONS))
    if problem := too_long("note", "评价说明", note, EVALUATION_NOTE_MAX):
        return problem
    return _change(ctx, p, "评价", verdict + (f"，{note}" if note else ""), evaluation=verdict, evaluation_note=note)


def close(ctx: Context, p: Proposal) -> Changed | Problems:
    """办结."""
    if not allowed(ctx, "办结"):
        return Problems.of("", "not_allowed")
    return _change(ctx, p, "办结")


def set_category(ctx: Context, p: Proposal, category: str) -> Changed | Problems:
    """改类别: the committee files a proposal under another of ``[proposals] categories``, or under none
    ('' = 未分类), at any status: a 类别 sorts the register and the statistics, it moves no step. Kept in
    the history (from what to what); the proposer and co-signers are told, as of every change."""
    if not allowed(ctx, "提案类别"):
        return Problems.of("", "not_allowed")
    category = category.strip()
    if category and category not in ctx.services.proposal_rules.categories:
        return Problems().add_text("category", category_problem(ctx))
    change = ctx.services.proposals.set_category(p.year, p.seq, category, ctx.sender.contact_id, ctx.sender.name,
                                                 ctx.now)
    if change.problem == UNCHANGED:
        return Problems.of("category", "category_same", value=p.code, category=category or UNCATEGORISED)
    if change.problem or change.proposal is None:
        return Problems.of("", "proposal_missing", value=p.code)
    q = change.proposal
    note = f"{p.category or UNCATEGORISED} → {q.category or UNCATEGORISED}"
    words = f"{q.code}《{q.title}》{RECATEGORISED}：{note}（{ctx.sender.name}）。当前状态：{q.status}。"
    return Changed(q, RECATEGORISED, note, notify_tells(q, ctx, f"您的提案 {words}", f"您附议的提案 {words}"))


def export_register(ctx: Context, year: int) -> tuple[Attachment, int] | Problems:
    """The year's register as a workbook, and how many proposals it holds."""
    if not allowed(ctx, "导出提案"):
        return Problems.of("", "not_allowed")
    name = f"{year}年提案汇总表.xlsx"
    return Attachment(name, proposals_workbook(ctx.services.proposals, year)), len(ctx.services.proposals.list(year))


def awaiting(ctx: Context, rows: list[Proposal]) -> list[tuple[Proposal, str]]:
    """The proposals waiting for the sender, with what they wait for: review by the committee, an answer
    by the department's officers, a rating by the proposer. The access rule says whose turn it is."""
    access, sender = ctx.services.access, ctx.sender
    out: list[tuple[Proposal, str]] = []
    for p in rows:
        if p.status == "待审查" and allowed(ctx, "立案"):
            out.append((p, "待审查"))
        elif p.status == "已交办" and access.may(sender, "answer", obj=p):
            out.append((p, f"待答复，{p.department}"))
        elif p.status == "已答复" and access.may(sender, "evaluate", obj=p):
            out.append((p, "请评价答复"))
    return out
