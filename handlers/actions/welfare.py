"""福利: an officer's steps on a request (受理, 核定, 发放, 驳回). The desk (storage.welfare) checks,
record by record, what the access rule decided the sender is, and writes the audit log; the member
is told of each step privately."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from handlers.actions.core import Problems, Tell, too_long
from handlers.args import whole_number
from handlers.base import Attachment, Context
from handlers.storage_problems import wrong_status
from handlers.welfare_rules import NOTE_LIMIT
from handlers.xlsx import workbook_bytes
from storage.models import WelfareRequest
from storage.welfare import WRONG_STATUS, Actor, details_of

MAX_AMOUNT = 100_000  # yuan: no single relief payment comes near it; a typo of extra digits does


def actor_of(ctx: Context) -> Actor:
    """The desk enforces, record by record, what the access rule decided the sender is."""
    return ctx.services.access.welfare_actor(ctx.sender)


def read_amount(text: str) -> int | Problems | None:
    """'500' / '500元' -> 500; '' -> None (the standard); anything else, or out of bounds, a problem."""
    text = text.strip().removesuffix("元")
    if not text:
        return None
    amount = whole_number(text, 1, MAX_AMOUNT)
    return Problems.of("amount", "amount_bounds", limit=MAX_AMOUNT) if amount is None else amount


@dataclass
class Handled:
    request: WelfareRequest
    action: str
    tells: list[Tell] = field(default_factory=list)


def _act(ctx: Context, code: str, action: str, told: str, **values: object) -> Handled | Problems:
    outcome = ctx.services.welfare.act(actor_of(ctx), code, action, ctx.now, **values)
    if outcome.problem == WRONG_STATUS and outcome.request is not None:
        return Problems().add_text("", wrong_status(outcome.request, action))
    if outcome.problem:  # NOT_FOUND: the same answer whether it does not exist or may not be seen
        return Problems.of("code", "request_hidden")
    r = outcome.request
    assert r is not None
    done = Handled(r, action)
    if r.member_contact and r.member_contact != ctx.sender.contact_id:
        done.tells.append(Tell(r.member_contact, f"您的{r.kind}申请 {r.code} {told}"))
    return done


def accept_request(ctx: Context, code: str) -> Handled | Problems:
    return _act(ctx, code, "受理", "已受理，福利委员会与您联系。")


def approve_request(ctx: Context, code: str, amount: int | None, reason: str | None = None) -> Handled | Problems:
    """核定: ``amount`` None is the type's standard. ``reason``: None where the front door does not ask
    for one (the chat); otherwise an amount above the standard needs one, kept in the audit log."""
    desk, actor = ctx.services.welfare, actor_of(ctx)
    if amount is not None and not 1 <= amount <= MAX_AMOUNT:
        return Problems.of("amount", "amount_bounds", limit=MAX_AMOUNT)
    if amount is None or reason is not None:
        # Reading the standard is a read of the request (logged) only when the officer left the amount out.
        r = desk.view(actor, code, ctx.now, audit=amount is None)
        if r is None:
            return Problems.of("code", "request_hidden")
        if amount is None and r.standard_amount is None:
            return Problems.of("amount", "no_standard", kind=r.kind)
        if amount is not None and r.standard_amount is not None and amount > r.standard_amount and not reason:
            return Problems.of("reason", "reason_above_standard", standard=r.standard_amount)
        amount = amount if amount is not None else r.standard_amount
    assert amount is not None
    done = _act(ctx, code, "核定", f"已核定，金额 {amount} 元。", amount=amount)
    if isinstance(done, Handled) and reason:
        desk.note(actor, done.request.code, "超标准理由", ctx.now, reason)
    return done


PAY_METHODS = ("现金", "银行转账", "工资代发", "实物")  # how 发放 was made (the ledger's 发放方式)


def pay_out(ctx: Context, code: str, method: str = "") -> Handled | Problems:
    """发放, with how it was paid: the page asks for one of PAY_METHODS; the chat may leave it out."""
    if method and method not in PAY_METHODS:
        return Problems().add_text("method", f"发放方式请选{'、'.join(PAY_METHODS)}之一")
    values = {"pay_method": method} if method else {}
    return _act(ctx, code, "发放", "慰问金已发放，请查收。工会祝您一切顺利。", **values)


def reject_request(ctx: Context, code: str, reason: str) -> Handled | Problems:
    reason = reason.strip()
    if not reason:
        return Problems.of("reason", "required", label="理由")
    if problem := too_long("reason", "驳回理由", reason, NOTE_LIMIT):
        return problem
    return _act(ctx, code, "驳回", f"未获通过：{reason}。如有疑问请与福利委员联系。", reject_reason=reason)


LEDGER_HEADERS = ["编号", "类型", "会员", "提交时间", "代报人", "内容", "标准金额", "核定金额", "状态", "经办人",
                  "办结时间"]


def ledger_workbook(rows: list[WelfareRequest], year: int, tz: dt.tzinfo) -> bytes:
    body = [
        [r.code, r.kind, r.member_name, r.created_at.astimezone(tz).strftime("%Y-%m-%d"),
         r.reported_by_name if r.reported_by != r.member_contact else "",
         "；".join(f"{k}：{v}" for k, v in details_of(r).items()), r.standard_amount, r.amount, r.status,
         r.handled_by, r.closed_at.astimezone(tz).strftime("%Y-%m-%d") if r.closed_at else ""]
        for r in rows
    ]
    return workbook_bytes(f"{year}年慰问台账", LEDGER_HEADERS, body)


def export_ledger(ctx: Context, year: int) -> tuple[Attachment, int] | Problems:
    """The year's ledger as a workbook (the file leaves: logged as 导出台账), and how many requests it holds."""
    rows = ctx.services.welfare.ledger(actor_of(ctx), year, ctx.now)
    if rows is None:
        return Problems.of("", "request_hidden")
    return Attachment(f"{year}年慰问台账.xlsx", ledger_workbook(rows, year, ctx.services.tz)), len(rows)
