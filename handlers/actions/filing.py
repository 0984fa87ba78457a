"""What a member files for themselves: a 提案 (the chat's guided #提案 form, same fields and limits) and a
慰问/帮扶 request (#申请, the types and fields ``[welfare]`` declares). The chat's forms finish through
these, and the office page's 我的 page calls them with each field as typed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handlers.actions.core import Problems, Tell
from handlers.base import NONE_WORDS, Context, Role
from handlers.proposal_common import congress_year, window_problem
from handlers.welfare_rules import NOTE_LIMIT, WelfareType, check_value, find_type
from storage.models import Member, Proposal, WelfareRequest
from storage.proposals import NewProposal

# The proposal form's fields: (field, label, limit, required), as the chat's steps declare them.
PROPOSAL_FIELDS = (("title", "标题", 60, True), ("reason", "案由", 1500, True),
                   ("suggestion", "建议", 1500, True), ("cosigners", "附议人", 200, False))


@dataclass
class Submitted:
    proposal: Proposal
    need: int  # co-signers still needed before review
    unreached: list[str]  # named co-signers nobody could be told about
    tells: list[Tell] = field(default_factory=list)


def submit_proposal(ctx: Context, values: dict[str, str]) -> Submitted | Problems:
    """``values``: title, reason, suggestion, cosigners (names, separated by 、 or spaces) and category
    (optional: one of ``[proposals] categories``, or empty for 未分类)."""
    if not ctx.services.access.may(ctx.sender, "propose"):
        return Problems.of("", "not_allowed")
    if problem := window_problem(ctx):
        return Problems().add_text("", problem.rstrip("。"))
    problems = Problems()
    for name, label, limit, required in PROPOSAL_FIELDS:
        text = (values.get(name) or "").strip()
        if required and not text:
            problems.add(name, "required", label=label)
        elif len(text) > limit:
            problems.add(name, "too_long", label=label, limit=limit, length=len(text))
    category = (values.get("category") or "").strip()
    if category and category not in ctx.services.proposal_rules.categories:
        problems.add_text("category", category_problem(ctx))
    if problems:
        return problems
    member = ctx.services.members.get_by_contact(ctx.sender.contact_id)
    if member is None:
        return Problems.of("", "not_allowed")
    rules = ctx.services.proposal_rules
    p = ctx.services.proposals.submit(NewProposal(values["title"].strip(), values["reason"].strip(),
                                                  values["suggestion"].strip(), category),
                                      member, congress_year(ctx), rules.min_cosigners, ctx.now)
    tells, unreached = [], []
    for name in re.split(r"[、，,;；\s]+", values.get("cosigners") or ""):
        if not name:
            continue
        found = [m for m in ctx.services.members.find(name) if m.contact_id and m.contact_id != ctx.sender.contact_id]
        if len(found) == 1 and found[0].contact_id:
            tells.append(Tell(found[0].contact_id, f"{ctx.sender.name} 提交了提案 {p.code}《{p.title}》，邀请您附议。"
                                                   f"同意请发送 #附议 {p.code}；发送 #提案 {p.code} 查看全文。"))
        else:
            unreached.append(name)
    return Submitted(p, rules.min_cosigners, unreached, tells)


def category_problem(ctx: Context) -> str:
    names = ctx.services.proposal_rules.categories
    return f"类别请从{'、'.join(names)}中选一个（可不选）" if names else "本届提案不分类别"


NO_CATEGORY = NONE_WORDS | {"不选", "未分类"}  # what a member or the committee writes for 未分类


def pick_category(text: str, ctx: Context) -> str | None:
    """A 类别 by its name or its number in ``[proposals] categories`` ('5', as the lists show them), '' for
    none (无, 不选, 未分类), None when it is neither (the action then refuses it with the list)."""
    names = ctx.services.proposal_rules.categories
    text = text.strip()
    if text in NO_CATEGORY:
        return ""
    if text in names:
        return text
    if text.isdecimal() and len(text) <= 2 and 1 <= int(text) <= len(names):
        return names[int(text) - 1]
    return None


@dataclass
class Filed:
    request: WelfareRequest
    tells: list[Tell] = field(default_factory=list)


def welfare_type(ctx: Context, name: str) -> WelfareType | None:
    return find_type(name.strip(), ctx.services.welfare_rules.types) if name.strip() else None


def read_request(ctx: Context, kind_name: str, values: dict[str, str],
                 note: str = "") -> tuple[WelfareType, dict[str, str]] | Problems:
    """The type and its fields, each checked as the chat checks it; nothing is filed."""
    kind = welfare_type(ctx, kind_name)
    if kind is None:
        names = "、".join(t.name for t in ctx.services.welfare_rules.types)
        return Problems().add_text("kind", f"请选择申请类型：{names}")
    problems = Problems()
    details: dict[str, str] = {}
    for f in kind.fields:
        value, problem = check_value(f, values.get(f.name) or "", ctx.now.date())
        if problem or value is None:
            problems.add_text(f.name, problem.rstrip("。"))
        else:
            details[f.name] = value
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        problems.add("note", "too_long", label="备注", limit=NOTE_LIMIT, length=len(note))
    if problems:
        return problems
    if note:
        details["备注"] = note
    return kind, details


def file_request(ctx: Context, kind_name: str, values: dict[str, str], note: str = "",
                 beneficiary: Member | None = None) -> Filed | Problems:
    """A request of ``kind_name`` (see ``read_request``) for the sender or ``beneficiary``; every welfare
    officer is told privately, nobody else."""
    me = ctx.services.members.get_by_contact(ctx.sender.contact_id)
    if me is None:
        return Problems.of("", "not_allowed")
    read = read_request(ctx, kind_name, values, note)
    if isinstance(read, Problems):
        return read
    kind, details = read
    actor = ctx.services.access.welfare_actor(ctx.sender)
    req = ctx.services.welfare.submit(actor, beneficiary or me, kind.name, details, kind.standard(details), ctx.now)
    tells = [Tell(officer, f"新的{kind.name}申请 {req.code}，请发送 #申请详情 {req.code} 查看。")
             for officer in ctx.services.access.holders(Role.WELFARE_OFFICER) if officer != ctx.sender.contact_id]
    return Filed(req, tells)


# --- attachments ---------------------------------------------------------------------

# What a request may carry: the type is read from the content, and the name's ending must agree.
KINDS = ((b"%PDF-", "application/pdf", (".pdf",)), (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
         (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")))
FILE_MAX = 5 * 1024 * 1024


def file_problem(name: str, data: bytes) -> tuple[str, str]:
    """(media type, "") for a file a request may carry; ("", why not) otherwise, in Chinese."""
    if not data:
        return "", "上传的文件是空的"
    if len(data) > FILE_MAX:
        return "", f"文件超过 5 MB（{len(data) / 1024 / 1024:.1f} MB），请压缩或拍得小一些再上传"
    ending = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for magic, media, endings in KINDS:
        if data.startswith(magic):
            if ending not in endings:
                return "", f"文件名“{name[:40]}”与内容（{endings[0][1:].upper()}）不符，请用原文件上传"
            return media, ""
    if ending in (".pdf", ".png", ".jpg", ".jpeg"):
        return "", f"“{name[:40]}”的内容不是真正的 {ending[1:].upper()} 文件，请用原文件上传"
    return "", "只能上传 PDF、JPG 或 PNG 文件"
