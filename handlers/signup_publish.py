"""Publishing a sign-up from a notice's text: reading it, the duplicate check, the confirm summary,
and the private step-by-step form (``PUBLISH_FORM``) behind ``#发起报名``.

Split from ``handlers.signups``; the command itself stays there with the others, in #帮助's order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from handlers.actions.core import Problems, sentence
from handlers.actions.signups import from_schedule, publish_event
from handlers.base import Answer, Context, Form, Invalid, Reply, Request, Role, Step, reply
from handlers.forms import begin
from handlers.signup_checks import audience_problem, duplicate_warning
from handlers.signup_views import notice_text
from schedules.event_form import parse_event_form
from storage.models import Event
from storage.signups import NewEvent


def _read_event(answer: Answer, ctx: Context) -> dict:
    """A notice's text (one line, or one '键：值' per line) -> the event to publish; problems said at once."""
    form = parse_event_form(answer.text, ctx.now)
    schedule_number, problem = from_schedule(form, ctx)
    if problem:
        raise Invalid(f"{problem}。" if problem.startswith("没有") else f"未发起：{problem}。")
    if problem := audience_problem(form.audience, ctx):
        form.errors.append(problem)
    if form.errors:
        raise Invalid("未发起：" + "；".join(form.errors) + "。")
    if form.deadline is not None and form.deadline <= ctx.now:
        raise Invalid(f"未发起：{sentence('deadline_past')}。")
    return {
        "title": form.title, "starts_at": _iso(form.starts_at), "place": form.place, "capacity": form.capacity,
        "deadline": _iso(form.deadline), "audience": form.audience, "family_max": form.family_max,
        "note": form.note, "schedule_number": schedule_number,
    }


def ask_to_publish(new: NewEvent, ctx: Context) -> str:
    """Open the publish form at its check step with ``new`` (the page's way to ask before a duplicate goes
    out, as the chat does): the summary it shows, with the warning; 确认 publishes it."""
    values = {"title": new.title, "starts_at": _iso(new.starts_at), "place": new.place, "capacity": new.capacity,
              "deadline": _iso(new.deadline), "audience": new.audience, "family_max": new.family_max,
              "note": new.note, "schedule_number": new.schedule_number}
    draft = ctx.services.drafts.get(ctx.sender.contact_id, ctx.now)
    req = Request("发起报名", draft=draft, spec=ctx.services.registry.get("发起报名"))
    return "\n\n".join(r.text for r in begin(PUBLISH_FORM, req, ctx, {"values": {"event": values}}) if r.text)


def _iso(when: dt.datetime | None) -> str | None:
    return when.isoformat() if when else None


def _new_event(v: dict) -> NewEvent:
    def when(key: str) -> dt.datetime | None:
        return dt.datetime.fromisoformat(v[key]) if v.get(key) else None

    return NewEvent(title=v["title"], starts_at=when("starts_at"), place=v["place"], capacity=v["capacity"],
                    deadline=when("deadline"), audience=v["audience"], family_max=v["family_max"], note=v["note"],
                    schedule_number=v["schedule_number"])


def _publish(v: dict, ctx: Context) -> list[Reply]:
    done = publish_event(ctx, _new_event(v))
    if isinstance(done, Problems):
        raise Invalid(f"未发起：{done.text()}。")
    where = "、".join(done.groups) if done.groups else "（配置中没有对应的群，请手动转发）"
    return reply(f"已发起报名【{done.event.number}】{done.event.title}。报名通知将发到：{where}。")


def _publish_summary(data: dict, ctx: Context) -> str:
    new = _new_event(data["values"]["event"])
    preview = Event(union_id="", number=0, **dataclasses.asdict(new))
    return duplicate_warning(new, ctx) + "请核对将发到群里的报名通知：\n" + notice_text(preview, ctx, preview=True)


PUBLISH_PROMPT = ("请发送报名信息，每行一项（除名称外都可省略）：\n名称：教职工羽毛球赛\n时间：4月15日 15:30\n"
                  "地点：体育馆\n名额：32\n截止：4月12日 17:00\n对象：全体\n家属：0")
PUBLISH_FORM = Form(
    kind="signup_publish", noun="报名通知", role=Role.ADMIN, summary=_publish_summary,
    finish=lambda data, ctx: _publish(data["values"]["event"], ctx),
    steps=lambda data, ctx: (Step("event", "报名信息", PUBLISH_PROMPT, read=_read_event, limit=2000),),
)
