"""投票 on the page: an admin starts a vote (the chat's #发起投票 rules, through handlers.actions.votes),
follows its turnout while it runs and reads the result and the congress quorum once it is closed.

The secret-ballot rule is the chat's: a secret vote's counts are shown to nobody before it closes
(``vote_json`` decides what may be shown), and nobody ever sees who chose what. Ballots are cast in
private chat only; the page has no ballot form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from handlers.actions import votes as actions
from handlers.actions.core import Problems
from handlers.votes import is_congress, vote_json
from web.forms import actor, done, one_line, refuse_problems, unbound
from web.office import NotFound, Office, Viewer

# The form's fields, with the label and limit a too-long value is refused with (never cut).
FIELDS = {"title": ("标题", 200), "options": ("选项", 600), "audience": ("对象", 64), "deadline": ("截止", 40),
          "anonymous": ("匿名", 10), "max_choices": ("多选", 10)}


def quorum_need(office: Office, eligible: int | None) -> int | None:
    """How many representatives must take part for a congress vote to be valid (``[votes] quorum``)."""
    if not eligible:
        return None
    q = office.services.vote_rules.quorum
    return -(-eligible * q.numerator // q.denominator)


def router(office: Office) -> APIRouter:
    services = office.services
    api = APIRouter()

    def _page(request: Request) -> Viewer:
        viewer = office.page(request, "votes")
        request.state.section = "/votes"
        return viewer

    def _shown(viewer: Viewer, number: int) -> dict[str, Any]:
        v = services.votes.get(number)
        if v is None:
            raise NotFound()
        out = vote_json(services, v, office.now(), office.tz)
        if out["status"] == "open" and not office.can(viewer, "发起投票"):
            out.pop("counts", None)  # turnout and running counts are the admins' (see_turnout)
        out["congress"] = is_congress(v)
        out["need"] = quorum_need(office, out["eligible"]) if out["congress"] else None
        out["percent"] = (200 * out["voted"] + out["eligible"]) // (2 * out["eligible"]) if out["eligible"] else None
        return out

    @api.get("/votes", response_class=HTMLResponse)
    def votes(request: Request) -> HTMLResponse:
        viewer = _page(request)
        rows = [_shown(viewer, v.number) for v in services.votes.list()]
        return office.render(request, viewer, "votes.html", title="投票", rows=rows)

    @api.get("/votes/{number}", response_class=HTMLResponse)
    def vote(request: Request, number: int) -> HTMLResponse:
        viewer = _page(request)
        return office.render(request, viewer, "vote.html", title=f"投票 {number}", v=_shown(viewer, number))

    @api.post("/votes/new")
    async def new_vote(request: Request) -> Response:
        viewer, form = await office.action(request, "votes", "发起投票")
        back = "/votes#new"
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        values = {k: one_line(form.get(k), limit, label) for k, (label, limit) in FIELDS.items()}
        started = actions.start_vote(ctx, values["title"], values["options"] or None, values["audience"] or None,
                                     values["deadline"] or None, values["anonymous"] or None,
                                     values["max_choices"] or None)
        if isinstance(started, Problems):
            return refuse_problems(office, viewer, back, form, started)
        v = started.row
        where = "、".join(started.groups) if started.groups else "配置中没有对应的群，请手动转发"
        return done(office, viewer, f"/votes/{v.number}", f"已发起投票 {v.number}《{v.title}》，通知将发到：{where}。",
                    what="发起投票")

    @api.post("/votes/{number}/close")
    async def close_vote(request: Request, number: int) -> Response:
        viewer, _ = await office.action(request, "votes", "结束投票")
        back = f"/votes/{number}"
        ctx = actor(office, viewer)
        if ctx is None:
            return unbound(office, viewer, back)
        closed = actions.close_vote(ctx, number)
        if isinstance(closed, Problems):
            raise NotFound()
        message = "投票已经结束了。" if closed is False else "已结束投票，结果见下方。"
        return done(office, viewer, back, message, what="结束投票")

    return api
