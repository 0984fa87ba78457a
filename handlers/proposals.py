"""教代会 proposals from chat: draft (guided or in one message), submit,
co-sign, the committee's review and hand-over, answers, evaluation, export.

The form is a ``Draft`` row (survives restarts, expires); every change of a
proposal notifies its proposer and co-signers privately and is kept in its
history (storage.proposals).

The commands stay here, in #帮助's order; what they share is in ``handlers.proposal_common``, the
guided form in ``handlers.proposal_form``, the detail, statistics and export in
``handlers.proposal_views`` (all re-exported here).
"""

from __future__ import annotations

import datetime as dt

from handlers.actions import proposals as actions
from handlers.actions.core import Problems, told
from handlers.actions.filing import pick_category
from handlers.args import Field, Fields, Ref, Text, Word, year
from handlers.args_shapes import Either, Parts
from handlers.base import (
    Context,
    Gate,
    Reply,
    Request,
    Role,
    Scope,
    command,
    reply,
)
from handlers.forms import begin
from handlers.proposal_common import (
    COMMITTEE,
    collection_window,
    congress_year,
    window_problem,
)
from handlers.proposal_common import FIELD_KEYS as FIELD_KEYS
from handlers.proposal_common import FORM as FORM
from handlers.proposal_common import PROMPTS as PROMPTS
from handlers.proposal_form import PROPOSAL_FORM, STEPS, UNASKED
from handlers.proposal_views import PROPOSAL_HEADERS as PROPOSAL_HEADERS
from handlers.proposal_views import (
    changed_text,
    cosigned_text,
    detail_text,
    merged_text,
    stats_text,
)
from handlers.proposal_views import proposals_workbook as proposals_workbook
from handlers.refs import PROPOSALS
from schedules.kv import too_long
from schedules.when import date_problem, read_date
from storage.models import Proposal
from storage.proposal_register import UNCATEGORISED
from storage.proposals import EVALUATIONS, STATUSES

SECTION = "教代会提案"  # the heading it has in #帮助

PROPOSAL = Ref("proposal", "编号", kind=PROPOSALS)
KEEP, ABSORB = Ref("keep", "保留的编号", kind=PROPOSALS), Ref("absorb", "并入的编号", kind=PROPOSALS)
REASON = Text("reason", "理由", ask="请写明不予立案的理由")
DEPARTMENT = Word("department", "承办部门")
ANSWER = Text("answer", "答复内容")
VERDICT = Word("verdict", "|".join(EVALUATIONS), ask=f"请写上评价：{'、'.join(EVALUATIONS)}")
VERDICT_NOTE = Text("note", "意见", optional=True)
FILTER = Text("filter", "状态或承办部门", optional=True)
YEAR = year()
# '#提案' starts the form; '#提案 标题｜案由｜建议' fills it in one message; '#提案 2027-003' shows one.
PROPOSAL_WAYS = Either("proposal", "提案", optional=True, options=(
    Parts("parts", "标题｜案由｜建议", labels=tuple(s.label for s in STEPS[:3])), PROPOSAL))
WINDOW = Fields("window", "征集时间", optional=True, fields=(
    Field("开始", ("开始日期",), "日期", optional=True), Field("截止", ("截止日期",), "日期", optional=True)))


# Submitting needs "propose" (代表, when any are named); showing one by its code is open to every member.
# The gate is asked before the words are read: '#提案 a｜b' from a non-代表 gets this, not how to split it.
PROPOSE = Gate("propose", "提交提案仅限教代会代表，您可以请代表提交。发送 #提案列表 可查看本届提案。", open=PROPOSAL)


@command("提案", args=(PROPOSAL_WAYS,), gate=PROPOSE, help="提交教代会提案（私聊，分步填写），或查看某件提案",
         examples=("#提案", "#提案 食堂增加晚餐供应｜教师晚自习后无处就餐｜食堂周一至周五供应晚餐", "#提案 2027-003"))
def proposal(req: Request, ctx: Context) -> list[Reply]:
    given = req.get(PROPOSAL_WAYS)  # None: nothing written; a Proposal; or the three parts
    if isinstance(given, Proposal):
        return reply(detail_text(given, ctx.services.proposals, ctx.services.tz))
    if not ctx.services.access.may_scope(Scope.PRIVATE, ctx.chat.is_group):
        return reply("提案请私聊我提交（发送 #提案 开始）。")
    if problem := window_problem(ctx):
        return reply(problem)
    if given is None:
        return begin(PROPOSAL_FORM, req, ctx, {"values": dict(UNASKED)})
    values = {"cosigners": "", **UNASKED}
    for step, part in zip(STEPS, given, strict=False):
        if len(part) > step.limit:
            return reply(too_long(step.label, step.limit, part) + "，请精简后再发。")
        values[step.key] = part
    return begin(PROPOSAL_FORM, req, ctx, {"values": values})


@command("附议", args=(PROPOSAL,), role=Role.REPRESENTATIVE, help="附议一件提案", examples=("#附议 2027-003",))
def cosign(req: Request, ctx: Context) -> list[Reply]:
    p = req.get(PROPOSAL)
    done = actions.cosign(ctx, p.year, p.seq)
    if isinstance(done, Problems):
        return reply(done.text() + "。")
    return [Reply(cosigned_text(done)), *told(done.tells)]


@command("我的提案", args=(), help="查看自己提交或附议的提案")
def mine(req: Request, ctx: Context) -> list[Reply]:
    member_id = ctx.sender.member_id
    rows = ctx.services.proposals.of_member(member_id) if member_id else []
    if not rows:
        return reply("您还没有提交或附议提案。")
    lines = ["您的提案："] + [
        f"{p.code}《{p.title}》{'（附议）' if p.proposer_id != member_id else ''}：{p.status}" for p in rows
    ]
    return reply("\n".join(lines))


@command("提案列表", args=(FILTER,), help="查看本届提案及其状态",
         examples=("#提案列表", "#提案列表 征集中", "#提案列表 总务处"))
def listing(req: Request, ctx: Context) -> list[Reply]:
    arg = req.get(FILTER)
    year = congress_year(ctx)
    rows = ctx.services.proposals.list(year)
    if arg in STATUSES:
        rows, what = [p for p in rows if p.status == arg], f"“{arg}”的"
    elif arg and (dept := [p for p in rows if p.department == arg]):
        rows, what = dept, f"交{arg}办理的"  # a department's own view: its open and answered ones
    elif arg:
        return reply(f"“{arg[:20]}”既不是状态也不是承办部门。状态有：{'、'.join(STATUSES)}。")
    else:
        what = ""
    if not rows:
        return reply(f"{year} 年{what}提案暂无。")
    lines = [f"{year} 年{what}提案（{len(rows)} 件）："] + [
        f"{p.code}《{p.title}》{p.proposer_name}：{p.status}" for p in rows[:50]]
    if len(rows) > 50:
        lines.append(f"……另有 {len(rows) - 50} 件，可用 #导出提案 获取全部")
    return reply("\n".join(lines))


@command("提案统计", args=(YEAR,), help="按状态、承办部门、满意度统计提案",
         examples=("#提案统计", "#提案统计 2027"))
def statistics(req: Request, ctx: Context) -> list[Reply]:
    year = req.get(YEAR) or congress_year(ctx)
    return reply(stats_text(ctx.services.proposals.list(year), year))


# --- the committee ----------------------------------------------------------------


WINDOW_KEYS = {"开始": "start", "截止": "deadline"}


@command("征集提案", args=(WINDOW,), role=COMMITTEE,
         help="设置或查看提案征集时间", examples=("#征集提案 截止=2027-03-20", "#征集提案 开始=3月1日 截止=3月20日"))
def set_window(req: Request, ctx: Context) -> list[Reply]:
    given = req.get(WINDOW)
    if not given.head and not given.pairs:
        start, deadline = collection_window(ctx)
        return reply(f"提案征集：{start or '不限'} 至 {deadline or '不限'}，届次年份 {congress_year(ctx)}。")
    if given.head or not given.pairs:
        return req.usage()
    values: dict[str, dt.date] = {}
    for word, text in given.pairs.items():
        day = read_date(text, ctx.now.date())
        if day is None:
            return req.usage(date_problem(word, text))
        values[WINDOW_KEYS[word]] = day
    if values.get("start") and values.get("deadline") and values["start"] > values["deadline"]:
        return reply("开始日期晚于截止日期，未修改。")
    for name, value in values.items():
        ctx.services.settings.put(f"proposals:{name}", value.isoformat())
    start, deadline = collection_window(ctx)
    return reply(f"已设置提案征集：{start or '不限'} 至 {deadline or '不限'}。")


def _said(done: actions.Changed | Problems) -> list[Reply]:
    """The chat's answer to a step: what changed, or why nothing did."""
    if isinstance(done, Problems):
        return reply(done.text() + "，未修改。")
    return [Reply(changed_text(done)), *told(done.tells)]


@command("立案", args=(PROPOSAL,), role=COMMITTEE, help="审查通过，予以立案", examples=("#立案 2027-003",))
def accept(req: Request, ctx: Context) -> list[Reply]:
    p = req.get(PROPOSAL)
    done = actions.register(ctx, p)
    if isinstance(done, Problems) and "" in done.fields and p.status == "征集中":
        return reply(done.text() + "。")
    return _said(done)


@command("不予立案", args=(PROPOSAL, REASON), role=COMMITTEE, help="不予立案（转为意见建议），须写理由",
         examples=("#不予立案 2027-003 属个人诉求，转为意见建议",))
def reject(req: Request, ctx: Context) -> list[Reply]:
    return _said(actions.reject(ctx, req.get(PROPOSAL), req.get(REASON)))


@command("合并", args=(KEEP, ABSORB), role=COMMITTEE, help="把内容相近的提案并案",
         examples=("#合并 2027-003 2027-007",))
def merge(req: Request, ctx: Context) -> list[Reply]:
    keep, absorb = req.get(KEEP), req.get(ABSORB)
    done = actions.merge(ctx, (keep.year, keep.seq), (absorb.year, absorb.seq))
    if isinstance(done, Problems):
        return reply(done.text() + ("，未合并。" if "" in done.fields else "。"))
    return [Reply(merged_text(done)), *told(done.tells)]


@command("交办", args=(PROPOSAL, DEPARTMENT), role=COMMITTEE, help="把立案的提案交承办部门办理",
         examples=("#交办 2027-003 总务处",))
def hand_over(req: Request, ctx: Context) -> list[Reply]:
    return _said(actions.hand_over(ctx, req.get(PROPOSAL), req.get(DEPARTMENT)))


@command("答复", args=(PROPOSAL, ANSWER), role=(COMMITTEE, Role.DEPARTMENT_OFFICER),
         help="答复已交办的提案（可多次答复）", examples=("#答复 2027-003 已协调食堂，自四月起供应晚餐。",))
def answer(req: Request, ctx: Context) -> list[Reply]:
    p = req.get(PROPOSAL)
    done = actions.answer(ctx, p, req.get(ANSWER))  # kept whole (a Text column)
    if isinstance(done, Problems) and not ctx.services.access.may(ctx.sender, "answer", p):
        return reply(done.text() + "。")
    return _said(done)


@command("评价", args=(PROPOSAL, VERDICT, VERDICT_NOTE), help="提案人评价答复",
         examples=("#评价 2027-003 满意",))
def evaluate(req: Request, ctx: Context) -> list[Reply]:
    p = req.get(PROPOSAL)
    done = actions.evaluate(ctx, p, req.get(VERDICT), req.get(VERDICT_NOTE))
    if isinstance(done, Problems) and "verdict" in done.fields:
        return reply(f"{done.text()}，例如 #评价 {p.code} 满意。")
    if isinstance(done, Problems) and not ctx.services.access.may(ctx.sender, "evaluate", p):
        return reply(done.text() + "。")
    return _said(done)


@command("办结", args=(PROPOSAL,), role=COMMITTEE, help="提案办理完毕", examples=("#办结 2027-003",))
def close(req: Request, ctx: Context) -> list[Reply]:
    return _said(actions.close(ctx, req.get(PROPOSAL)))


CATEGORY = Word("category", "类别", optional=True)


@command("提案类别", args=(PROPOSAL, CATEGORY), role=COMMITTEE,
         help="修改提案的类别（写序号或名称，写“未分类”清除；不写则查看可选的类别）",
         examples=("#提案类别 2027-003 后勤保障", "#提案类别 2027-003 未分类", "#提案类别 2027-003"))
def recategorise(req: Request, ctx: Context) -> list[Reply]:
    p, word = req.get(PROPOSAL), req.get(CATEGORY)
    if not word:  # a look, not a change: an empty 类别 would clear it by a slip of the thumb
        names = ctx.services.proposal_rules.categories
        listed = "、".join(f"{i}.{n}" for i, n in enumerate(names, 1))
        choices = f"可改为：{listed}（写序号或名称；写“未分类”清除）。" if names else "本届提案不分类别。"
        return reply(f"提案 {p.code}《{p.title}》的类别：{p.category or UNCATEGORISED}。{choices}")
    picked = pick_category(word, ctx)
    return _said(actions.set_category(ctx, p, word if picked is None else picked))  # the action refuses a stranger


@command("导出提案", args=(YEAR,), role=COMMITTEE, help="导出提案汇总表（Excel，私聊发给您）",
         examples=("#导出提案 2027",))
def export(req: Request, ctx: Context) -> list[Reply]:
    year = req.get(YEAR) or congress_year(ctx)
    exported = actions.export_register(ctx, year)
    if isinstance(exported, Problems):
        return reply(exported.text() + "。")
    file, count = exported
    return [Reply(f"已发送 {file.name}（{count} 件）。如未收到文件，可在服务器上运行 "
                  f"unionbot proposals export --year {year} --out 提案.xlsx",
                  file=file, to_contact=ctx.sender.contact_id)]
