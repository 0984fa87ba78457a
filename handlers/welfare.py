"""Welfare and care requests (住院, 结婚, 生育, 丧事, 困难帮扶), private by design.

Every command here is private-only: in a group the pipeline answers "请私聊"
before the handler runs, so nothing said there is read or stored. All reads
and changes go through ``services.welfare`` (storage.welfare.WelfareDesk),
which checks access and writes the audit log; handlers only word replies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from handlers.actions import filing
from handlers.actions import welfare as actions
from handlers.actions.core import Problems, sentence, told
from handlers.actions.welfare import LEDGER_HEADERS as LEDGER_HEADERS
from handlers.actions.welfare import actor_of as actor_of
from handlers.actions.welfare import ledger_workbook as ledger_workbook
from handlers.args import Kind, Number, Ref, Text, Word, year
from handlers.base import (
    Answer,
    Context,
    Form,
    Invalid,
    Reply,
    Request,
    Role,
    Scope,
    Step,
    command,
    reply,
)
from handlers.forms import begin
from handlers.storage_problems import name_problem
from handlers.welfare_rules import NOTE_LIMIT, FormField, WelfareType, check_value, find_type, guess_number, take_fields
from schedules.kv import read_pairs
from storage.models import Member, WelfareRequest
from storage.welfare import details_of

SECTION = "慰问帮扶"  # the heading it has in #帮助

FORM = "welfare"
OFFICER = Role.WELFARE_OFFICER
NOT_VISIBLE = sentence("request_hidden") + "。"


# Looked up through the desk, which answers the same (None) for no such request and one the sender may not see.
REQUESTS: Kind[WelfareRequest] = Kind(
    "申请", lambda code, ctx: ctx.services.welfare.view(actor_of(ctx), code, ctx.now),
    parse=lambda raw, ctx: raw.strip() or None, not_found=NOT_VISIBLE.removesuffix("。"))
REQUEST = Ref("request", "编号", kind=REQUESTS, ask="请写上申请编号")
# The officers' actions look the code up themselves (storage.welfare.act), with the same answer.
CODE = Word("code", "编号", ask="请写上申请编号")
AMOUNT = Number("amount", "金额", optional=True, unit="元", how="金额应是整数（元）")  # none: the standard
REJECT_REASON = Text("reason", "理由", ask="请写明驳回理由")
YEAR = year()


def _types(ctx: Context) -> tuple[WelfareType, ...]:
    return ctx.services.welfare_rules.types


def _type_menu(ctx: Context) -> str:
    return "请选择申请类型（回复序号或名称）：" + "  ".join(f"{i}.{t.name}" for i, t in enumerate(_types(ctx), 1))


def _read_type(answer: Answer, ctx: Context) -> str:
    kind = find_type(answer.text, _types(ctx))
    if kind is None:
        raise Invalid("没有这个类型。" + _type_menu(ctx))
    return kind.name


def _field_reader(f: FormField) -> Callable[[Answer, Context], str]:
    def read(answer: Answer, ctx: Context) -> str:
        value, problem = check_value(f, answer.text, ctx.now.date())
        if problem or value is None:
            raise Invalid(problem)
        return value

    return read


def _steps(data: dict, ctx: Context) -> list[Step]:
    """The type first; then the fields that type declares (config)."""
    steps = [Step("kind", "类型", _type_menu(ctx), read=_read_type, limit=20)]
    kind = find_type(data["values"].get("kind") or "", _types(ctx))
    if kind is not None:
        steps += [Step(f.name, f.name, f.ask(), read=_field_reader(f)) for f in kind.fields]
    return steps


def _kind(data: dict, ctx: Context) -> WelfareType:
    kind = find_type(data["values"].get("kind") or "", _types(ctx))
    assert kind is not None  # the type step comes first
    return kind


def _summary(data: dict, ctx: Context) -> str:
    kind = _kind(data, ctx)
    values = {k: v for k, v in data["values"].items() if k != "kind"}
    standard = kind.standard(values)
    who = f"（代 {data['for_name']} 申请）" if data.get("for_name") else ""
    guessed = data.get("guessed") or {}
    lines = [f"请核对{who}：", f"类型：{kind.name}"] + [
        f"{k}：{v}" + (f"（从“{guessed[k][1]}”读出，请核对；不对请发送 #修改 {k} 正确内容）"
                      if k in guessed and guessed[k][0] == v else "")
        for k, v in values.items()]
    if data.get("note"):
        lines.append(f"备注：{data['note']}")
    lines.append(f"标准：{kind.standard_text()}" + (f"，本次按标准为 {standard} 元" if standard is not None else ""))
    lines.append("只有福利委员能看到这份申请。")
    return "\n".join(lines)


def _finish(data: dict, ctx: Context) -> list[Reply]:
    kind = _kind(data, ctx)
    members = ctx.services.members
    me = members.get_by_contact(ctx.sender.contact_id)
    assert me is not None
    beneficiary = me
    if data.get("for"):
        beneficiary = next((m for m in members.find(data["for_name"]) if m.id == data["for"]), None) or me
    elif data.get("for_name"):
        named, problem = members.ensure_named(data["for_name"])
        if named is None:
            raise Invalid(f"未提交：{name_problem(problem, data['for_name'])}。")
        beneficiary = named
    values = {k: v for k, v in data["values"].items() if k != "kind"}
    filed = filing.file_request(ctx, kind.name, values, data.get("note") or "", beneficiary)
    if isinstance(filed, Problems):  # the steps read each value already; a changed config can still refuse
        raise Invalid(f"未提交：{filed.text()}。")
    req = filed.request
    who = "" if beneficiary.id == me.id else f"（为 {beneficiary.name}）"
    out = [Reply(f"已提交{kind.name}申请{who}，编号 {req.code}。福利委员会尽快联系；发送 #我的申请 查看进度。")]
    if beneficiary.id != me.id and beneficiary.contact_id:
        out.append(Reply(f"{ctx.sender.name} 为您提交了一项{kind.name}慰问申请（{req.code}），福利委员会与您联系。"
                         "发送 #我的申请 查看进度。", to_contact=beneficiary.contact_id))
    # Every welfare officer the access rule knows (config or roster), never the submitter twice.
    out += told(filed.tells)
    return out


WELFARE_FORM = Form(kind=FORM, noun="慰问申请", steps=_steps, summary=_summary, finish=_finish)


def _start(req: Request, ctx: Context, typed: str, for_member: Member | None,
           for_name: str = "") -> list[Reply]:
    first, words = req.get(WELFARE_TYPE), req.get(DETAILS).split()
    types = _types(ctx)
    kind = find_type(typed, types)
    if kind is None and first:
        kind = find_type(first, types)
        if kind is None:
            # Say so, and keep nothing: an unknown type is not the start of a form.
            return reply(f"没有“{first[:10]}”这个申请类型。" + _type_menu(ctx))
    elif first:  # the type came with the command's word (#住院): every word is a detail
        words = [first, *words]
    data: dict = {"values": {}}
    if kind is not None:
        data["values"]["kind"] = kind.name
    if for_member is not None:
        data.update({"for": for_member.id, "for_name": for_member.name})
    elif for_name:
        data.update({"for": None, "for_name": for_name})
    rest = " ".join(words)
    problems: list[str] = []
    if kind is not None:
        given = read_pairs(rest, [f.name for f in kind.fields])
        if given.unknown:
            return reply(f"{kind.name}申请没有“{given.unknown[0][:10]}”这一项，"
                         f"可填：{'、'.join(f.name for f in kind.fields)}。")
        free, problems = take_fields(kind, given, data["values"], ctx.now.date())
        if len(kind.fields) == 1 and kind.fields[0].name not in data["values"] and free:
            data["values"][kind.fields[0].name], free = free, ""
        guess_number(kind, free, data)
        if free:
            data["note"] = free
        too_long = [f"{k}最多 {NOTE_LIMIT} 字，您写了 {len(v)} 字" for k, v in
                    [("备注", data.get("note", "")), *data["values"].items()] if len(v) > NOTE_LIMIT]
        if too_long:
            return reply("未提交：" + "；".join(too_long) + "。请精简后再发。")
    out = begin(WELFARE_FORM, req, ctx, data)
    if problems and (req.draft is None or req.draft.expired) and out:
        # Everything readable is kept; only what could not be read is asked again, saying why.
        out[0] = Reply("\n".join(problems) + "\n" + out[0].text)
    return out


WELFARE_TYPE = Word("kind", "类型", optional=True)  # none: asked by the form (or given by #住院 …)
DETAILS = Text("details", "项目=内容 …", optional=True)  # the type's own fields: read by the form's steps
FOR_NAME = Word("name", "姓名", limit=64, refused="，未提交。")


@command("申请", aliases=("住院", "生病住院", "结婚", "生育", "丧事", "困难帮扶", "帮扶", "慰问申请"),
         args=(WELFARE_TYPE, DETAILS), scope=Scope.PRIVATE,
         help="私聊提交慰问或帮扶申请（住院、结婚、生育、丧事、困难帮扶），只有福利委员能看到",
         examples=("#申请", "#申请 住院 医院=市一院 住院日期=2027-03-02 天数=5"))
def apply(req: Request, ctx: Context) -> list[Reply]:
    return _start(req, ctx, req.typed, None)


@command("代报", args=(FOR_NAME, WELFARE_TYPE, DETAILS), scope=Scope.PRIVATE,
         help="替同事提交慰问申请（同事会收到私聊通知）", examples=("#代报 张三 住院 医院=市一院 天数=5",))
def report_for(req: Request, ctx: Context) -> list[Reply]:
    name = req.get(FOR_NAME)
    found = ctx.services.members.find(name)
    if len(found) > 1:
        return reply(f"有多位“{name[:20]}”，请改用联系人 ID。")
    if found and found[0].contact_id == ctx.sender.contact_id:
        return _start(req, ctx, "", None)
    # Someone not known yet is only added to the roster when the request is submitted.
    return _start(req, ctx, "", found[0] if found else None, for_name=name)


def _line(r: WelfareRequest) -> str:
    amount = f"，{r.amount} 元" if r.amount is not None else ""
    return f"{r.code} {r.kind}（{r.member_name}）：{r.status}{amount}"


@command("我的申请", args=(), scope=Scope.PRIVATE, help="查看自己的慰问、帮扶申请及进度")
def mine(req: Request, ctx: Context) -> list[Reply]:
    rows = ctx.services.welfare.mine(actor_of(ctx), ctx.now)
    if not rows:
        return reply("您没有慰问或帮扶申请。需要时发送 #申请。")
    return reply("您的申请：\n" + "\n".join(_line(r) for r in rows))


def detail_text(r: WelfareRequest, tz: dt.tzinfo) -> str:
    lines = [f"{r.code} {r.kind}", f"会员：{r.member_name}", f"状态：{r.status}",
             f"提交：{r.created_at.astimezone(tz):%Y-%m-%d %H:%M}" + (f"（{r.reported_by_name} 代报）"
                                                                   if r.reported_by != r.member_contact else "")]
    lines += [f"{k}：{v}" for k, v in details_of(r).items()]
    if r.standard_amount is not None:
        lines.append(f"标准金额：{r.standard_amount} 元")
    if r.amount is not None:
        lines.append(f"核定金额：{r.amount} 元")
    if r.reject_reason:
        lines.append(f"驳回理由：{r.reject_reason}")
    if r.handled_by:
        lines.append(f"经办：{r.handled_by}")
    return "\n".join(lines)


@command("申请详情", args=(REQUEST,), scope=Scope.PRIVATE, help="查看一份申请（本人或福利委员）",
         examples=("#申请详情 W2027-012",))
def show(req: Request, ctx: Context) -> list[Reply]:
    return reply(detail_text(req.get(REQUEST), ctx.services.tz))


# --- officers -----------------------------------------------------------------------


@command("待办", args=(), role=OFFICER, scope=Scope.PRIVATE, help="查看未办结的慰问、帮扶申请")
def pending(req: Request, ctx: Context) -> list[Reply]:
    rows = ctx.services.welfare.pending(actor_of(ctx), ctx.now)
    if not rows:
        return reply("没有待办的申请。")
    return reply(f"待办申请 {len(rows)} 件：\n" + "\n".join(_line(r) for r in rows))


def _said(done: actions.Handled | Problems) -> list[Reply]:
    """The chat's answer to an officer's step: what changed, or why nothing did."""
    if isinstance(done, Problems):
        if "code" in done.fields:
            return reply(NOT_VISIBLE)
        return reply(done.text() + "，未修改。")
    return [Reply(handled_text(done)), *told(done.tells)]


def handled_text(done: actions.Handled) -> str:
    """What the officer is told after a step (the page says the same)."""
    return f"已{done.action}：{_line(done.request)}"


@command("受理", args=(CODE,), role=OFFICER, scope=Scope.PRIVATE, help="受理一份申请",
         examples=("#受理 W2027-012",))
def accept(req: Request, ctx: Context) -> list[Reply]:
    return _said(actions.accept_request(ctx, req.get(CODE)))


@command("核定", args=(CODE, AMOUNT), role=OFFICER, scope=Scope.PRIVATE,
         help="核定慰问金额（省略金额则按标准）", examples=("#核定 W2027-012 500",))
def approve(req: Request, ctx: Context) -> list[Reply]:
    code = req.get(CODE)
    amount: int | None = req.get(AMOUNT)  # none: the standard
    done = actions.approve_request(ctx, code, amount)
    if isinstance(done, Problems) and "amount" in done.fields and amount is None:
        return reply(f"{done.text()}，例如 #核定 {code} 500。")
    if isinstance(done, Problems) and "amount" in done.fields:
        return reply(done.text() + "。")
    return _said(done)


@command("发放", args=(CODE,), role=OFFICER, scope=Scope.PRIVATE, help="记录已发放",
         examples=("#发放 W2027-012",))
def pay(req: Request, ctx: Context) -> list[Reply]:
    return _said(actions.pay_out(ctx, req.get(CODE)))


@command("驳回", args=(CODE, REJECT_REASON), role=OFFICER, scope=Scope.PRIVATE, help="驳回申请（须写理由）",
         examples=("#驳回 W2027-012 不属于直系亲属",))
def reject(req: Request, ctx: Context) -> list[Reply]:
    return _said(actions.reject_request(ctx, req.get(CODE), req.get(REJECT_REASON)))


@command("导出台账", args=(YEAR,), role=OFFICER, scope=Scope.PRIVATE,
         help="导出慰问、帮扶台账（Excel，私聊发给您）", examples=("#导出台账 2027",))
def export(req: Request, ctx: Context) -> list[Reply]:
    year = req.get(YEAR) or ctx.now.year
    exported = actions.export_ledger(ctx, year)
    if isinstance(exported, Problems):
        return reply(NOT_VISIBLE)
    file, count = exported
    return [Reply(f"已发送 {file.name}（{count} 件）。如未收到文件，可在服务器上运行 "
                  f"unionbot welfare export --year {year} --out 台账.xlsx",
                  file=file, to_contact=ctx.sender.contact_id)]
