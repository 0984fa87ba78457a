"""The pages: reading through the repositories, changing through the chat's commands.

Each POST checks its fields with the chat's own readers (dates, numbers) and says what is
wrong next to the field; only then does it send the command the member would have typed, so
the handler's rules, numbering and history apply unchanged. A GET changes nothing a member can
see: the desk records every welfare read in ``welfare_audit``, and a download runs the chat's
export command (``#导出名单 3``), which the pipeline records as a message it has handled.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import OrderedDict
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from bot.roster_file import RosterError, read_roster_bytes
from handlers.base import ROLE_LABELS, Role
from handlers.proposals import detail_text, stats_text
from handlers.reminders import KIND_LABELS
from handlers.signups import NOTE_MAX, not_signed_up
from handlers.welfare import actor_of
from schedules.event_form import parse_event_form
from schedules.when import parse_when
from storage.proposals import STATUSES, parse_code
from storage.schedule_repo import split_ints
from storage.welfare import details_of
from storage.welfare import parse_code as welfare_code
from web.app import NOTICE_MAX, NotFound, Office, Viewer, download, upload, within
from web.bridge import Outcome

log = logging.getLogger("unionbot.web")

PROPOSAL_ACTIONS = OrderedDict([  # action -> (command, what the text field holds, required)
    ("立案", ("立案", "", False)),
    ("不予立案", ("不予立案", "理由", True)),
    ("合并", ("合并", "并入本件的提案编号", True)),
    ("交办", ("交办", "承办部门", True)),
    ("答复", ("答复", "答复内容", True)),
    ("办结", ("办结", "", False)),
])
WELFARE_ACTIONS = OrderedDict([
    ("受理", ("受理", "", False)),
    ("核定", ("核定", "金额（元，可留空按标准）", False)),
    ("发放", ("发放", "", False)),
    ("驳回", ("驳回", "理由", True)),
])


def _int(value: Any, default: int) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdecimal() and len(text) < 7 else default


def _one_line(value: Any, limit: int, label: str) -> str:
    """The field on one line; longer than ``limit`` is refused (TooLong), never cut."""
    return within(re.sub(r"\s+", " ", str(value or "")).strip(), limit, label)


def install(app: FastAPI, office: Office) -> None:
    services = office.services

    def result(request: Request, viewer: Viewer, outcome: Outcome, back: str) -> Response:
        if outcome.files:
            return download(outcome.files[0])
        return office.render(request, viewer, "message.html", title="办理结果", message=outcome.text or "已提交。",
                             back=back)

    # --- 首页 ------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        viewer = office.page(request, "home")
        now = office.now()
        posts = [p for p in services.reminders.preview(now.astimezone(dt.UTC), 7) if p.target.startswith("group:")]
        ctx = office.context(viewer)
        events = [e for e in services.signups.open_events() if _for_viewer(office, viewer, e)]
        waiting: list[tuple[str, str]] = []
        for p in services.proposals.list(now.year) + services.proposals.list(now.year + 1):
            if p.status == "待审查" and office.can(viewer, "立案"):
                waiting.append((p.code, f"{p.title}（待审查）"))
            elif p.status == "已交办" and services.access.may(viewer.sender, "answer", obj=p):
                waiting.append((p.code, f"{p.title}（待答复，{p.department}）"))
            elif p.status == "已答复" and services.access.may(viewer.sender, "evaluate", obj=p):
                waiting.append((p.code, f"{p.title}（请评价答复）"))
        requests = len(services.welfare.pending(actor_of(ctx), now)) if office.can(viewer, "待办") else None
        month_items = services.schedule.in_month(now.year, now.month)
        return office.render(request, viewer, "home.html", title="首页", posts=posts[:8], events=events,
                             waiting=waiting, requests=requests, month_items=month_items)

    # --- 活动安排 ------------------------------------------------------------------------

    def schedule_page(request: Request, viewer: Viewer, year: int, **extra: Any) -> HTMLResponse:
        months: OrderedDict[str, list[Any]] = OrderedDict((f"{m}月", []) for m in range(1, 13))
        months["日期待定"] = []
        for it in services.schedule.list(year):
            first = it.date.month if it.date else (split_ints(it.months) or [0])[0]
            months[f"{first}月" if first else "日期待定"].append(it)
        return office.render(request, viewer, "schedule.html", title="活动安排", year=year,
                             months=[(k, v) for k, v in months.items() if v], **extra)

    @app.get("/schedule", response_class=HTMLResponse)
    def schedule(request: Request, year: str = "") -> HTMLResponse:
        viewer = office.page(request, "schedule")
        return schedule_page(request, viewer, _int(year, office.now().year))

    def _when_error(when: str, year: int) -> str:
        if not when:
            return "请填写日期或月份"
        if parse_when(when, year, office.now().date()) is None:
            return "看不懂这个日期，请写成 2027-03-10、3月10日 或 4月"
        return ""

    @app.post("/schedule/add")
    async def schedule_add(request: Request) -> Response:
        viewer, form = await office.action(request, "schedule", "添加活动")
        year = _int(form.get("year"), office.now().year)
        when = _one_line(form.get("when"), 40, "日期").replace(" ", "")
        text = _one_line(form.get("text"), 2000, "活动内容")
        errors = {"when": _when_error(when, year), "text": "" if text else "请填写活动内容"}
        if any(errors.values()):
            return schedule_page(request, viewer, year, errors=errors, values={"when": when, "text": text})
        outcome = office.run(viewer, f"#添加活动 日期={when} 内容={text}")
        return result(request, viewer, outcome, f"/schedule?year={year}")

    def _schedule_item(number: int) -> Any:
        item = services.schedule.get(number)
        if item is None:
            raise NotFound()
        return item

    @app.post("/schedule/{number}/edit")
    async def schedule_edit(request: Request, number: int) -> Response:
        viewer, form = await office.action(request, "schedule", "修改活动")
        item = _schedule_item(number)
        when = _one_line(form.get("when"), 40, "日期").replace(" ", "")
        text = _one_line(form.get("text"), 2000, "活动内容")
        errors = {f"when{number}": _when_error(when, item.year) if when else "",
                  f"text{number}": "" if (text or when) else "请填写新的日期或内容"}
        if any(errors.values()):
            return schedule_page(request, viewer, item.year, errors=errors, editing=number,
                                 values={"when": when, "text": text})
        parts = ([f"日期={when}"] if when else []) + ([f"内容={text}"] if text else [])
        outcome = office.run(viewer, f"#修改活动 {number} " + " ".join(parts))
        return result(request, viewer, outcome, f"/schedule?year={item.year}")

    @app.post("/schedule/{number}/delete")
    async def schedule_delete(request: Request, number: int) -> Response:
        viewer, _ = await office.action(request, "schedule", "删除活动")
        item = _schedule_item(number)
        return result(request, viewer, office.run(viewer, f"#删除活动 {number}"), f"/schedule?year={item.year}")

    @app.post("/schedule/import")
    async def schedule_import(request: Request) -> Response:
        viewer, form = await office.action(request, "schedule", "导入计划")
        year = office.now().year
        attachment = await upload(form.get("file"))
        text = str(form.get("text", "")).strip()
        if isinstance(attachment, str):
            return schedule_page(request, viewer, year, errors={"plan": attachment}, values={"plan": text})
        if attachment is None and not text:
            return schedule_page(request, viewer, year, errors={"plan": "请粘贴计划全文，或选择 .txt / .docx 文件"})
        if attachment is not None and not attachment.name.lower().endswith((".txt", ".docx", ".doc", ".pdf")):
            return schedule_page(request, viewer, year, errors={"plan": "请上传年度计划（.txt 或 .docx 文件）"})
        outcome = office.run(viewer, "#导入计划" if attachment else f"#导入计划 {text}", attachment)
        return result(request, viewer, outcome, "/schedule")

    @app.get("/schedule/calendar.ics")
    def schedule_ics(request: Request, year: str = "") -> Response:
        viewer = office.page(request, "schedule")
        outcome = office.run(viewer, f"#日历 {_int(year, office.now().year)}")
        if not outcome.files:
            return office.render(request, viewer, "message.html", title="日历", message=outcome.text)
        return download(outcome.files[0])

    # --- 报名 --------------------------------------------------------------------------

    def signups_page(request: Request, viewer: Viewer, **extra: Any) -> HTMLResponse:
        events = [e for e in services.signups.all_events() if _for_viewer(office, viewer, e)]
        mine = {e.number: s.status for e, s in services.signups.of_member(viewer.member.id or 0)}
        return office.render(request, viewer, "signups.html", title="报名", events=events, mine=mine, **extra)

    @app.get("/signups", response_class=HTMLResponse)
    def signups(request: Request) -> HTMLResponse:
        return signups_page(request, office.page(request, "signups"))

    @app.get("/signups/{number}", response_class=HTMLResponse)
    def signup_detail(request: Request, number: int) -> HTMLResponse:
        viewer = office.page(request, "signups")
        roster = services.signups.roster(number)
        if roster is None or not _for_viewer(office, viewer, roster.event):
            raise NotFound()
        missing = not_signed_up(office.context(viewer), roster.event) if office.can(viewer, "未报名") else None
        mine = {e.number: s.status for e, s in services.signups.of_member(viewer.member.id or 0)}
        return office.render(request, viewer, "signup.html", title=roster.event.title, roster=roster,
                             event=roster.event, missing=missing, mine=mine.get(number))

    @app.post("/signups/new")
    async def signup_new(request: Request) -> Response:
        viewer, form = await office.action(request, "signups", "发起报名")
        fields = {k: _one_line(form.get(k), 200, k) for k in ("名称", "时间", "地点", "名额", "截止", "对象", "家属")}
        errors = _event_errors(fields, office.now())
        if any(errors.values()):
            return signups_page(request, viewer, errors=errors, values=fields)
        lines = "\n".join(f"{k}：{v}" for k, v in fields.items() if v)
        outcome = office.run(viewer, f"#发起报名\n{lines}")
        return result(request, viewer, outcome, "/signups")

    @app.post("/signups/{number}/{action}")
    async def signup_action(request: Request, number: int, action: str) -> Response:
        viewer = office.page(request, "signups")
        form = await office.checked_form(request, viewer)
        roster = services.signups.roster(number)
        if roster is None or not _for_viewer(office, viewer, roster.event):
            raise NotFound()
        back = f"/signups/{number}"
        if action == "join":
            note = _one_line(form.get("note"), NOTE_MAX, "备注")
            extra = _one_line(form.get("extra"), 3, "家属人数")
            if extra and not extra.isdecimal():
                return _field_error(request, viewer, office, "家属人数应是数字", back)
            plus = f" +{int(extra)}" if extra and int(extra) else ""
            text = f"#报名 {number}{plus}" + (f" {note}" if note else "")
        elif action == "leave":
            text = f"#取消报名 {number}"
        elif action == "close" and office.can(viewer, "截止报名"):
            text = f"#截止报名 {number}"
        elif action == "remind" and office.can(viewer, "提醒报名"):
            text = f"#提醒报名 {number}"
        elif action == "cancel" and office.can(viewer, "取消活动"):
            reason = _one_line(form.get("reason"), 200, "取消原因")
            if not reason:
                return _field_error(request, viewer, office, "取消活动请写明原因", back)
            text = f"#取消活动 {number} {reason}"
        elif action == "proxy" and office.can(viewer, "代报名"):
            name = _one_line(form.get("name"), 64, "姓名").replace(" ", "")
            extra = _one_line(form.get("extra"), 3, "家属人数")
            if not name:
                return _field_error(request, viewer, office, "请填写姓名", back)
            if extra and not extra.isdecimal():
                return _field_error(request, viewer, office, "家属人数应是数字", back)
            text = f"#代报名 {number} {name}" + (f" +{int(extra)}" if extra and int(extra) else "")
        else:
            raise NotFound()
        return result(request, viewer, office.run(viewer, text), back)

    @app.get("/signups/{number}/export.xlsx")
    def signup_export(request: Request, number: int) -> Response:
        viewer = office.page(request, "signups")
        if services.signups.get(number) is None or not office.can(viewer, "导出名单"):
            raise NotFound()
        return result(request, viewer, office.run(viewer, f"#导出名单 {number}"), f"/signups/{number}")

    # --- 提案 --------------------------------------------------------------------------

    @app.get("/proposals", response_class=HTMLResponse)
    def proposals(request: Request, year: str = "", status: str = "", dept: str = "") -> HTMLResponse:
        viewer = office.page(request, "proposals")
        years = services.proposals.years() or [office.now().year]
        chosen = _int(year, years[-1])
        rows = services.proposals.list(chosen, status if status in STATUSES else None)
        departments = sorted({p.department for p in rows if p.department})
        if dept:
            rows = [p for p in rows if p.department == dept]
        return office.render(request, viewer, "proposals.html", title="提案", rows=rows, year=chosen, years=years,
                             chosen_status=status, dept=dept, statuses=STATUSES, departments=departments,
                             stats=stats_text(services.proposals.list(chosen), chosen))

    def _proposal(viewer: Viewer, code: str) -> Any:
        parsed = parse_code(code, office.now().year)
        p = services.proposals.find(*parsed) if parsed else None
        if p is None:
            raise NotFound()
        return p

    @app.get("/proposals/export.xlsx")
    def proposals_export(request: Request, year: str = "") -> Response:
        viewer = office.page(request, "proposals")
        if not office.can(viewer, "导出提案"):
            raise NotFound()
        return result(request, viewer, office.run(viewer, f"#导出提案 {_int(year, office.now().year)}"), "/proposals")

    @app.get("/proposals/{code}", response_class=HTMLResponse)
    def proposal_detail(request: Request, code: str) -> HTMLResponse:
        viewer = office.page(request, "proposals")
        p = _proposal(viewer, code)
        actions = [a for a, (cmd, _, _) in PROPOSAL_ACTIONS.items()
                   if office.can(viewer, cmd) and (a != "答复" or services.access.may(viewer.sender, "answer", obj=p))]
        return office.render(request, viewer, "proposal.html", title=f"提案 {p.code}", p=p,
                             history=services.proposals.history(p.id), cosigners=services.proposals.cosigners(p.id),
                             actions=actions, labels=PROPOSAL_ACTIONS,
                             detail=detail_text(p, services.proposals, services.tz),
                             may_cosign=services.access.may(viewer.sender, "cosign", obj=p))

    @app.post("/proposals/{code}/act")
    async def proposal_act(request: Request, code: str) -> Response:
        viewer = office.page(request, "proposals")
        form = await office.checked_form(request, viewer)
        p = _proposal(viewer, code)
        action = str(form.get("action", ""))
        back = f"/proposals/{p.code}"
        if action == "附议":
            return result(request, viewer, office.run(viewer, f"#附议 {p.code}"), back)
        if action not in PROPOSAL_ACTIONS:
            raise NotFound()
        command, label, required = PROPOSAL_ACTIONS[action]
        text = _one_line(form.get("text"), 2000, label)
        if required and not text:
            return _field_error(request, viewer, office, f"请填写{label}", back)
        return result(request, viewer, office.run(viewer, f"#{command} {p.code} {text}".strip()), back)

    # --- 福利 (welfare officers only) ----------------------------------------------------

    @app.get("/welfare", response_class=HTMLResponse)
    def welfare(request: Request, year: str = "") -> HTMLResponse:
        viewer = office.page(request, "welfare")
        ctx = office.context(viewer)
        actor = actor_of(ctx)
        chosen = _int(year, ctx.now.year)
        queue = services.welfare.pending(actor, ctx.now)
        ledger = services.welfare.ledger(actor, chosen, ctx.now) or []
        audit = list(reversed(services.welfare.audit_log()[-100:]))
        log.info("web: welfare queue and ledger %s read by member %s", chosen, viewer.member.id)
        return office.render(request, viewer, "welfare.html", title="福利", queue=queue, ledger=ledger,
                             year=chosen, audit=audit)

    @app.get("/welfare/export.xlsx")
    def welfare_export(request: Request, year: str = "") -> Response:
        viewer = office.page(request, "welfare")
        return result(request, viewer, office.run(viewer, f"#导出台账 {_int(year, office.now().year)}"), "/welfare")

    @app.get("/welfare/{code}", response_class=HTMLResponse)
    def welfare_detail(request: Request, code: str) -> HTMLResponse:
        viewer = office.page(request, "welfare")
        ctx = office.context(viewer)
        if welfare_code(code, ctx.now.year) is None:
            raise NotFound()
        req = services.welfare.view(actor_of(ctx), code, ctx.now)
        if req is None:
            raise NotFound()
        return office.render(request, viewer, "welfare_request.html", title=f"申请 {req.code}", req=req,
                             details=details_of(req), actions=WELFARE_ACTIONS,
                             audit=services.welfare.audit_log(req.code))

    @app.post("/welfare/{code}/act")
    async def welfare_act(request: Request, code: str) -> Response:
        viewer = office.page(request, "welfare")
        form = await office.checked_form(request, viewer)
        if welfare_code(code, office.now().year) is None:
            raise NotFound()
        action = str(form.get("action", ""))
        if action not in WELFARE_ACTIONS:
            raise NotFound()
        command, label, required = WELFARE_ACTIONS[action]
        text = _one_line(form.get("text"), 500, label)
        back = f"/welfare/{code}"
        if required and not text:
            return _field_error(request, viewer, office, f"请填写{label}", back)
        if action == "核定" and text and not text.isdecimal():
            return _field_error(request, viewer, office, "金额应是整数（元）", back)
        return result(request, viewer, office.run(viewer, f"#{command} {code} {text}".strip()), back)

    # --- 提醒 (admins) -------------------------------------------------------------------

    def reminders_page(request: Request, viewer: Viewer, **extra: Any) -> HTMLResponse:
        now = office.now()
        rem = services.reminders
        planned = rem.preview(now.astimezone(dt.UTC), 31)
        recent = rem.outbox.recent(("sent", "missed", "failed", "dropped", "pending"), 60)
        return office.render(request, viewer, "reminders.html", title="提醒", planned=planned[:60], kinds=KIND_LABELS,
                             more=max(0, len(planned) - 60), recent=recent, paused=rem.paused,
                             enabled=rem.rules.enabled, **extra)

    @app.get("/reminders", response_class=HTMLResponse)
    def reminders(request: Request) -> HTMLResponse:
        return reminders_page(request, office.page(request, "reminders"))

    @app.post("/reminders/{action}")
    async def reminders_action(request: Request, action: str) -> Response:
        viewer = office.page(request, "reminders")
        form = await office.checked_form(request, viewer)
        if action in ("pause", "resume"):
            command = "暂停提醒" if action == "pause" else "恢复提醒"
            return result(request, viewer, office.run(viewer, f"#{command}"), "/reminders")
        if action != "notice" or not office.can(viewer, "发送通知"):
            raise NotFound()
        text = within(str(form.get("text", "")).strip(), NOTICE_MAX, "通知内容")
        audience = _one_line(form.get("audience"), 64, "对象").replace(" ", "")
        if not text:
            return reminders_page(request, viewer, errors={"text": "请填写通知内容"},
                                  values={"audience": audience})
        head = (f"对象={audience} " if audience else "") + ("需回执 " if form.get("receipt") else "")
        return result(request, viewer, office.run(viewer, f"#发送通知 {head}{text}"), "/reminders")

    # --- 会员 (admins) -------------------------------------------------------------------

    def members_page(request: Request, viewer: Viewer, **extra: Any) -> HTMLResponse:
        rows = []
        for m in services.members.all():
            roles = services.access.roles_of(m.contact_id or "", m.roster_role, m.id, m.remark)
            rows.append((m, "、".join(ROLE_LABELS[r] for r in sorted(roles) if r != Role.MEMBER) or "会员"))
        return office.render(request, viewer, "members.html", title="会员", rows=rows, **extra)

    @app.get("/members", response_class=HTMLResponse)
    def members(request: Request) -> HTMLResponse:
        return members_page(request, office.page(request, "members"))

    @app.post("/members/import")
    async def members_import(request: Request) -> Response:
        viewer = office.page(request, "members")
        form = await office.checked_form(request, viewer)
        attachment = await upload(form.get("file"))
        if attachment is None or isinstance(attachment, str):
            return members_page(request, viewer, errors={"roster": attachment or "请选择花名册文件（.xlsx 或 .csv）"})
        try:
            rows = read_roster_bytes(attachment.data, attachment.name)
        except RosterError as exc:
            return members_page(request, viewer, errors={"roster": str(exc)})
        if not rows:
            problem = "花名册里没有读到任何人（第一行应是表头：姓名、部门…）"
            return members_page(request, viewer, errors={"roster": problem})
        outcome = services.members.import_roster(rows)
        log.info("web: roster imported by member %s (%d added, %d updated)", viewer.member.id, outcome.added,
                 outcome.updated)
        return office.render(request, viewer, "message.html", title="花名册已导入", back="/members",
                             message=f"花名册已导入：新增 {outcome.added} 人，更新 {outcome.updated} 人。"
                             + (f"以下姓名对应多人，未导入（请加一列“钉钉userid”或“微信ID”区分）："
                                f"{'、'.join(outcome.ambiguous)}" if outcome.ambiguous else ""))

    @app.post("/members/bind")
    async def members_bind(request: Request) -> Response:
        viewer = office.page(request, "members")
        form = await office.checked_form(request, viewer)
        contact = _one_line(form.get("contact"), 128, "联系人").replace(" ", "")
        name = _one_line(form.get("name"), 64, "姓名").replace(" ", "")
        if not contact or not name:
            return members_page(request, viewer, errors={"bind": "请填写联系人和花名册姓名"},
                                values={"contact": contact, "name": name})
        return result(request, viewer, office.run(viewer, f"#绑定 {contact} {name}"), "/members")


def _for_viewer(office: Office, viewer: Viewer, event: Any) -> bool:
    """Admins see every event; a member the events whose audience includes them (as in chat)."""
    return office.can(viewer, "发起报名") or office.services.access.in_audience(viewer.member, event.audience)


def _event_errors(fields: dict[str, str], now: dt.datetime) -> dict[str, str]:
    """The chat's own reader over the notice; each problem it names goes next to its field
    (its sentences start with the field's word: 名额“abc”应是正整数)."""
    errors = {k: "" for k in fields}
    parsed = parse_event_form("\n".join(f"{k}：{v}" for k, v in fields.items() if v), now)
    problems = list(parsed.errors)
    if not problems and parsed.deadline is not None and parsed.deadline <= now:
        problems.append("截止时间已经过去了")
    for problem in problems:
        key = next((k for k in fields if problem.startswith(k)), "名称")
        if key == "名称" and "截止" in problem:
            key = "截止"
        errors[key] = "；".join(filter(None, (errors[key], problem)))
    return errors


def _field_error(request: Request, viewer: Viewer, office: Office, message: str, back: str) -> HTMLResponse:
    return office.render(request, viewer, "message.html", status=400, title="未提交", message=message + "。", back=back)
