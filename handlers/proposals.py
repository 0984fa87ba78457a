"""教代会 proposals from chat: draft (guided or in one message), submit,
co-sign, the committee's review and hand-over, answers, evaluation, export.

The form is a ``Draft`` row (survives restarts, expires); every change of a
proposal notifies its proposer and co-signers privately and is kept in its
history (storage.proposals).
"""

from __future__ import annotations

import datetime as dt
import re

from handlers.base import Attachment, Context, Reply, Request, Role, command, continuation, reply
from handlers.xlsx import workbook_bytes
from schedules.text_norm import fold_width
from storage.models import Proposal
from storage.proposals import EVALUATIONS, STATUSES, NewProposal, ProposalRepo, parse_code

SECTION = "教代会提案"  # the heading it has in #帮助

FORM = "proposal"
STEPS = ("title", "reason", "suggestion", "cosigners", "confirm")
FIELDS = {"标题": "title", "案由": "reason", "建议": "suggestion", "附议人": "cosigners"}
PROMPTS = {
    "title": "第 1 步（共 4 步）：请发送提案标题（不超过 60 字）。随时发送 #取消 放弃。",
    "reason": "第 2 步：请写案由，即存在的问题和原因。",
    "suggestion": "第 3 步：请写建议，即具体的解决办法。",
    "cosigners": "第 4 步：如已约好附议人，请发送他们的姓名（用顿号或空格分开）；没有请发送“无”。",
}
LIMITS = {"title": 60, "reason": 1500, "suggestion": 1500, "cosigners": 200}
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


def _lookup(req: Request, ctx: Context, usage: str) -> tuple[Proposal | None, list[Reply]]:
    code = _code(req.argv[0], ctx) if req.argv else None
    if code is None:
        return None, reply(f"请写上提案编号，例如 {usage}。")
    p = ctx.services.proposals.find(*code)
    if p is None:
        return None, reply(f"没有编号为 {code[0]}-{code[1]:03d} 的提案。")
    return p, []


def notify(p: Proposal, ctx: Context, text: str, cosigner_text: str | None = None) -> list[Reply]:
    """Tell the proposer and every co-signer privately (not whoever made the change);
    ``cosigner_text`` when co-signers are to read it differently ("您附议的提案")."""
    contacts = [(p.proposer_contact, text)] + [
        (c.contact_id, cosigner_text or text) for c in ctx.services.proposals.cosigners(p.id)]
    seen = {ctx.sender.contact_id}
    out = []
    for c, words in contacts:
        if c and c not in seen:
            seen.add(c)
            out.append(Reply(words, to_contact=c))
    return out


def detail_text(p: Proposal, repo: ProposalRepo, tz: dt.tzinfo) -> str:
    cos = repo.cosigners(p.id)
    merged = f"（并入 {p.merged_into}）" if p.merged_into else ""
    lines = [f"提案 {p.code}《{p.title}》", f"状态：{p.status}{merged}",
             f"提案人：{p.proposer_name}", f"附议人：{'、'.join(c.name for c in cos) or '暂无'}",
             f"案由：{p.reason}", f"建议：{p.suggestion}"]
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


# --- drafting -------------------------------------------------------------------


def _draft_text(data: dict) -> str:
    return "\n".join([
        "请核对提案：",
        f"标题：{data.get('title', '')}",
        f"案由：{data.get('reason', '')}",
        f"建议：{data.get('suggestion', '')}",
        f"附议人：{data.get('cosigners') or '无'}",
        "确认请发送 #提交；修改请发送 #修改 标题/案由/建议/附议人 新内容；放弃请发送 #取消。",
    ])


def _save(ctx: Context, data: dict) -> None:
    ctx.services.drafts.put(ctx.sender.contact_id, FORM, data, ctx.now, ctx.services.form_ttl)


@command("提案", syntax="#提案 | #提案 标题｜案由｜建议 | #提案 编号",
         help="提交教代会提案（私聊，分步填写），或查看某件提案",
         examples=("#提案", "#提案 食堂增加晚餐供应｜教师晚自习后无处就餐｜食堂周一至周五供应晚餐", "#提案 2027-003"))
def proposal(req: Request, ctx: Context) -> list[Reply]:
    args = req.args.strip()
    if args and _code(args, ctx) is not None:
        p, problem = _lookup(req, ctx, "#提案 2027-003")
        if p is None:
            return problem
        return reply(detail_text(p, ctx.services.proposals, ctx.services.tz))
    if not ctx.sender.has(Role.REPRESENTATIVE):
        return reply("提交提案仅限教代会代表。您可以请代表提交，或发送 #提案列表 查看并附议。")
    if ctx.chat.is_group:
        return reply("提案请私聊我提交（发送 #提案 开始）。")
    if problem := window_problem(ctx):
        return reply(problem)
    if args:
        parts = _SPLIT.split(args)
        if len(parts) != 3 or not all(parts):
            return reply("一条消息提交请写成：#提案 标题｜案由｜建议（用竖线分开三部分），或只发 #提案 分步填写。")
        data = {"title": parts[0][:LIMITS["title"]], "reason": parts[1][:LIMITS["reason"]],
                "suggestion": parts[2][:LIMITS["suggestion"]], "cosigners": "", "step": "confirm"}
        if len(parts[0]) > LIMITS["title"]:
            return reply(f"标题太长（不超过 {LIMITS['title']} 字），请精简后再发。")
        _save(ctx, data)
        return reply(_draft_text(data))
    _save(ctx, {"step": "title"})
    return reply("开始填写提案。\n" + PROMPTS["title"])


@continuation(FORM)
def proposal_step(req: Request, ctx: Context) -> list[Reply]:
    draft = ctx.services.drafts.get(ctx.sender.contact_id, ctx.now)
    if draft is None:
        return reply("提案草稿已不存在，请重新发送 #提案。")
    data = dict(draft.data)
    step = data.get("step", "title")
    text = req.args.strip()
    if step == "confirm":
        return reply(_draft_text(data))
    if not text:
        return reply(PROMPTS[step])
    if len(text) > LIMITS[step]:
        return reply(f"这一项太长（不超过 {LIMITS[step]} 字），请精简后再发。")
    data[step] = "" if step == "cosigners" and text in ("无", "没有", "不需要", "0") else text
    data["step"] = STEPS[STEPS.index(step) + 1]
    _save(ctx, data)
    return reply(_draft_text(data) if data["step"] == "confirm" else PROMPTS[data["step"]])


@command("修改", syntax="#修改 标题|案由|建议|附议人 新内容", help="修改正在填写的提案草稿",
         examples=("#修改 建议 食堂周一至周五供应晚餐",))
def edit_draft(req: Request, ctx: Context) -> list[Reply]:
    draft = ctx.services.drafts.get(ctx.sender.contact_id, ctx.now)
    if draft is None or draft.expired or draft.kind != FORM:
        return reply("当前没有正在填写的提案。发送 #提案 开始。")
    field, _, value = req.args.strip().partition(" ")
    key = FIELDS.get(field)
    if key is None or (not value.strip() and key != "cosigners"):
        return reply("格式：#修改 标题|案由|建议|附议人 新内容，例如 #修改 标题 改善教师午餐。")
    if len(value.strip()) > LIMITS[key]:
        return reply(f"{field}太长（不超过 {LIMITS[key]} 字）。")
    data = dict(draft.data)
    data[key] = value.strip()
    _save(ctx, data)
    return reply(_draft_text(data) if data.get("step") == "confirm" else f"已修改{field}。\n" + PROMPTS[data["step"]])


@command("提交", syntax="#提交", role=Role.REPRESENTATIVE, help="提交已核对的提案草稿")
def submit(req: Request, ctx: Context) -> list[Reply]:
    draft = ctx.services.drafts.get(ctx.sender.contact_id, ctx.now)
    if draft is None or draft.kind != FORM:
        return reply("当前没有待提交的提案。发送 #提案 开始填写。")
    if draft.expired:
        return reply("提案草稿已超时，请重新发送 #提案。")
    data = draft.data
    if data.get("step") != "confirm":
        return reply("提案还没填完。" + PROMPTS[data.get("step", "title")])
    if problem := window_problem(ctx):
        return reply(problem)
    member = ctx.services.members.get_by_contact(ctx.sender.contact_id)
    assert member is not None
    rules = ctx.services.proposal_rules
    p = ctx.services.proposals.submit(NewProposal(data["title"], data["reason"], data["suggestion"]), member,
                                      congress_year(ctx), rules.min_cosigners, ctx.now)
    ctx.services.drafts.clear(ctx.sender.contact_id)
    need = "已进入审查。"
    if rules.min_cosigners:
        need = f"还需 {rules.min_cosigners} 位代表附议（发送 #附议 {p.code}）后进入审查。"
    out = [Reply(f"已提交提案 {p.code}《{p.title}》。{need}发送 #提案 {p.code} 可查看进度。")]
    missing = []
    for name in re.split(r"[、，,;；\s]+", data.get("cosigners") or ""):
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


@command("附议", syntax="#附议 编号", role=Role.REPRESENTATIVE, help="附议一件提案", examples=("#附议 2027-003",))
def cosign(req: Request, ctx: Context) -> list[Reply]:
    code = _code(req.argv[0], ctx) if req.argv else None
    if code is None:
        return reply("请写上提案编号，例如 #附议 2027-003（编号见 #提案列表）。")
    member = ctx.services.members.get_by_contact(ctx.sender.contact_id)
    assert member is not None
    outcome, p = ctx.services.proposals.cosign(*code, member, ctx.services.proposal_rules.min_cosigners, ctx.now)
    if p is None:
        return reply(f"没有编号为 {code[0]}-{code[1]:03d} 的提案。")
    match outcome:
        case "own":
            return reply("不能附议自己的提案。")
        case "twice":
            return reply(f"您已附议过提案 {p.code}，无需重复。")
        case "closed":
            return reply(f"提案 {p.code} 当前状态为“{p.status}”，已不再征集附议。")
    count = len(ctx.services.proposals.cosigners(p.id))
    out = [Reply(f"已附议提案 {p.code}《{p.title}》（现有附议 {count} 人，状态：{p.status}）。")]
    if p.proposer_contact and p.proposer_contact != ctx.sender.contact_id:
        out.append(Reply(f"{ctx.sender.name} 附议了您的提案 {p.code}《{p.title}》，现有附议 {count} 人，"
                         f"状态：{p.status}。", to_contact=p.proposer_contact))
    return out


@command("我的提案", syntax="#我的提案", help="查看自己提交或附议的提案")
def mine(req: Request, ctx: Context) -> list[Reply]:
    member_id = ctx.sender.member_id
    rows = ctx.services.proposals.of_member(member_id) if member_id else []
    if not rows:
        return reply("您还没有提交或附议提案。")
    lines = ["您的提案："] + [
        f"{p.code}《{p.title}》{'（附议）' if p.proposer_id != member_id else ''}：{p.status}" for p in rows
    ]
    return reply("\n".join(lines))


@command("提案列表", syntax="#提案列表 [状态或承办部门]", help="查看本届提案及其状态",
         examples=("#提案列表", "#提案列表 征集中", "#提案列表 总务处"))
def listing(req: Request, ctx: Context) -> list[Reply]:
    arg = req.args.strip()
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


@command("提案统计", syntax="#提案统计 [年份]", help="按状态、承办部门、满意度统计提案",
         examples=("#提案统计", "#提案统计 2027"))
def statistics(req: Request, ctx: Context) -> list[Reply]:
    arg = req.args.strip()
    if arg and not (arg.isdigit() and len(arg) == 4):
        return reply("年份写成 2027，例如 #提案统计 2027。")
    year = int(arg) if arg else congress_year(ctx)
    return reply(stats_text(ctx.services.proposals.list(year), year))


# --- the committee ----------------------------------------------------------------


@command("征集提案", syntax="#征集提案 [开始=日期] 截止=日期", role=COMMITTEE,
         help="设置或查看提案征集时间", examples=("#征集提案 截止=2027-03-20",))
def set_window(req: Request, ctx: Context) -> list[Reply]:
    if not req.args.strip():
        start, deadline = collection_window(ctx)
        return reply(f"提案征集：{start or '不限'} 至 {deadline or '不限'}，届次年份 {congress_year(ctx)}。")
    values: dict[str, dt.date] = {}
    for token in req.argv:
        key, sep, value = fold_width(token).replace("：", "=").replace(":", "=").partition("=")
        name = {"开始": "start", "截止": "deadline"}.get(key)
        try:
            if not sep or name is None:
                raise ValueError(token)
            values[name] = dt.date.fromisoformat(value.replace("/", "-"))
        except ValueError:
            return reply("格式：#征集提案 开始=2027-03-01 截止=2027-03-20（日期写成 2027-03-20）。")
    if values.get("start") and values.get("deadline") and values["start"] > values["deadline"]:
        return reply("开始日期晚于截止日期，未修改。")
    for name, value in values.items():
        ctx.services.settings.put(f"proposals:{name}", value.isoformat())
    start, deadline = collection_window(ctx)
    return reply(f"已设置提案征集：{start or '不限'} 至 {deadline or '不限'}。")


def _change(ctx: Context, p: Proposal, action: str, note: str = "", **fields: str) -> list[Reply]:
    change = ctx.services.proposals.transition(p.year, p.seq, action, ctx.sender.contact_id, ctx.sender.name,
                                               ctx.now, note, **fields)
    if change.problem:
        return reply(change.problem + "，未修改。")
    q = change.proposal
    assert q is not None
    extra = f"：{note}" if note else ""
    change = f"{q.code}《{q.title}》{action}{extra}（{ctx.sender.name}）。当前状态：{q.status}。"
    told = notify(q, ctx, f"您的提案 {change}", f"您附议的提案 {change}")
    return [Reply(f"提案 {q.code}《{q.title}》已{action}{extra}。当前状态：{q.status}。"), *told]


@command("立案", syntax="#立案 编号", role=COMMITTEE, help="审查通过，予以立案")
def accept(req: Request, ctx: Context) -> list[Reply]:
    p, problem = _lookup(req, ctx, "#立案 2027-003")
    if p is None:
        return problem
    if p.status == "征集中":
        need = ctx.services.proposal_rules.min_cosigners
        return reply(f"提案 {p.code} 附议人数未达到 {need} 人，还不能审查。")
    return _change(ctx, p, "立案")


@command("不予立案", syntax="#不予立案 编号 理由", role=COMMITTEE, help="不予立案（转为意见建议），须写理由")
def reject(req: Request, ctx: Context) -> list[Reply]:
    p, problem = _lookup(req, ctx, "#不予立案 2027-003 理由")
    if p is None:
        return problem
    reason = req.rest()[:500]
    if not reason:
        return reply("请写明不予立案的理由，例如 #不予立案 2027-003 属个人诉求，转为意见建议。")
    return _change(ctx, p, "不予立案", reason, review_note=f"不予立案，转为意见建议：{reason}")


@command("合并", syntax="#合并 保留的编号 并入的编号", role=COMMITTEE, help="把内容相近的提案并案",
         examples=("#合并 2027-003 2027-007",))
def merge(req: Request, ctx: Context) -> list[Reply]:
    codes = [c for c in (_code(a, ctx) for a in req.argv) if c is not None]
    if len(codes) != 2 or len(req.argv) != 2:
        return reply("格式：#合并 保留的编号 并入的编号，例如 #合并 2027-003 2027-007。")
    keep, absorb = ctx.services.proposals.merge(codes[0], codes[1], ctx.sender.contact_id, ctx.sender.name, ctx.now)
    for c, code in ((keep, codes[0]), (absorb, codes[1])):
        if c.problem == "not_found":
            return reply(f"没有编号为 {code[0]}-{code[1]:03d} 的提案。")
        if c.problem:
            return reply(c.problem + "，未合并。")
    a, b = keep.proposal, absorb.proposal
    assert a is not None and b is not None
    told = notify(b, ctx, f"提案 {b.code}《{b.title}》已与内容相近的 {a.code}《{a.title}》合并办理，"
                          f"您成为 {a.code} 的附议人。")
    return [Reply(f"已将提案 {b.code} 并入 {a.code}《{a.title}》，原提案人和附议人成为 {a.code} 的附议人。"), *told]


@command("交办", syntax="#交办 编号 承办部门", role=COMMITTEE, help="把立案的提案交承办部门办理",
         examples=("#交办 2027-003 总务处",))
def hand_over(req: Request, ctx: Context) -> list[Reply]:
    p, problem = _lookup(req, ctx, "#交办 2027-003 总务处")
    if p is None:
        return problem
    department = req.argv[1][:64] if len(req.argv) > 1 else ""
    if not department:
        return reply("请写上承办部门，例如 #交办 2027-003 总务处。")
    out = _change(ctx, p, "交办", f"交{department}办理", department=department)
    officers = ctx.services.proposal_rules.departments.get(department, frozenset())
    if not out[0].text.endswith("未修改。"):
        out += [Reply(f"提案 {p.code}《{p.title}》已交{department}办理。答复请发送 #答复 {p.code} 答复内容。",
                      to_contact=o) for o in sorted(officers) if o != ctx.sender.contact_id]
    return out


@command("答复", syntax="#答复 编号 答复内容", role=(COMMITTEE, Role.DEPARTMENT_OFFICER),
         help="答复已交办的提案（可多次答复）", examples=("#答复 2027-003 已协调食堂，自四月起供应晚餐。",))
def answer(req: Request, ctx: Context) -> list[Reply]:
    p, problem = _lookup(req, ctx, "#答复 2027-003 答复内容")
    if p is None:
        return problem
    text = req.rest()[:1500]
    if not text:
        return reply("请写上答复内容，例如 #答复 2027-003 已协调食堂，自四月起供应晚餐。")
    if not ctx.sender.has(COMMITTEE):
        mine = ctx.services.proposal_rules.departments.get(p.department, frozenset())
        if ctx.sender.contact_id not in mine:
            return reply(f"提案 {p.code} 不是交给您所在部门办理的，不能答复。")
    stamp = f"{ctx.now:%m-%d} {ctx.sender.name}：{text}"
    full = f"{p.answer}\n{stamp}" if p.answer else stamp
    out = _change(ctx, p, "答复", text, answer=full)
    if not out[0].text.endswith("未修改。") and p.proposer_contact:
        out.append(Reply(f"请对提案 {p.code} 的办理情况作出评价：#评价 {p.code} 满意|基本满意|不满意 [意见]",
                         to_contact=p.proposer_contact))
    return out


@command("评价", syntax="#评价 编号 满意|基本满意|不满意 [意见]", help="提案人评价答复",
         examples=("#评价 2027-003 满意",))
def evaluate(req: Request, ctx: Context) -> list[Reply]:
    p, problem = _lookup(req, ctx, "#评价 2027-003 满意")
    if p is None:
        return problem
    if p.proposer_contact != ctx.sender.contact_id:
        return reply("只有提案人可以评价。")
    verdict = req.argv[1] if len(req.argv) > 1 else ""
    if verdict not in EVALUATIONS:
        return reply(f"请写上评价：{'、'.join(EVALUATIONS)}，例如 #评价 {p.code} 满意。")
    note = req.rest(2)[:500]
    return _change(ctx, p, "评价", verdict + (f"，{note}" if note else ""), evaluation=verdict, evaluation_note=note)


@command("办结", syntax="#办结 编号", role=COMMITTEE, help="提案办理完毕")
def close(req: Request, ctx: Context) -> list[Reply]:
    p, problem = _lookup(req, ctx, "#办结 2027-003")
    if p is None:
        return problem
    return _change(ctx, p, "办结")


PROPOSAL_HEADERS = ["编号", "标题", "提案人", "附议人", "状态", "承办部门", "案由", "建议", "审查意见", "答复", "评价"]


def proposals_workbook(repo: ProposalRepo, year: int) -> bytes:
    rows = []
    for p in repo.list(year):
        cos = "、".join(c.name for c in repo.cosigners(p.id))
        evaluation = p.evaluation + (f"（{p.evaluation_note}）" if p.evaluation_note else "")
        status = p.status + (f"（并入 {p.merged_into}）" if p.merged_into else "")
        rows.append([p.code, p.title, p.proposer_name, cos, status, p.department, p.reason, p.suggestion,
                     p.review_note, p.answer, evaluation])
    return workbook_bytes(f"{year}年提案汇总表", PROPOSAL_HEADERS, rows)


@command("导出提案", syntax="#导出提案 [年份]", role=COMMITTEE, help="导出提案汇总表（Excel，私聊发给您）")
def export(req: Request, ctx: Context) -> list[Reply]:
    arg = req.args.strip()
    if arg and not (arg.isdigit() and len(arg) == 4):
        return reply("年份写成 2027，例如 #导出提案 2027。")
    year = int(arg) if arg else congress_year(ctx)
    name = f"{year}年提案汇总表.xlsx"
    count = len(ctx.services.proposals.list(year))
    return [Reply(f"已发送 {name}（{count} 件）。如未收到文件，可在服务器上运行 "
                  f"unionbot proposals export --year {year} --out 提案.xlsx",
                  file=Attachment(name, proposals_workbook(ctx.services.proposals, year)),
                  to_contact=ctx.sender.contact_id)]
