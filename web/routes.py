"""The pages: reading through the repositories, changing through the typed actions (handlers.actions).

One router per page (web/routes_*.py). Each POST reads its fields as values and calls the action the
chat command calls too, so the access rule, validation, numbering and history are the same. An
action's problems come back keyed by field; the page changes nothing and redirects back, showing each
beside its field with every field as typed (post/redirect/get: a reload repeats nothing). What an
action says to others goes through the outbox. Only the plan import's form still goes through the
chat bridge (docs/architecture.md, "A new page").
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse

from handlers.actions.proposals import awaiting
from handlers.actions.welfare import actor_of
from web import (
    routes_admin,
    routes_checkins,
    routes_mine,
    routes_notices,
    routes_proposals,
    routes_schedule,
    routes_signups,
    routes_votes,
    routes_welfare,
)
from web.forms import for_viewer
from web.office import Office


def install(app: FastAPI, office: Office) -> None:
    app.include_router(home_router(office))
    for module in (routes_schedule, routes_signups, routes_proposals, routes_welfare, routes_notices, routes_votes,
                   routes_checkins, routes_mine, routes_admin):
        app.include_router(module.router(office))


def home_router(office: Office) -> APIRouter:
    services = office.services
    api = APIRouter()

    @api.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        viewer = office.page(request, "home")
        now = office.now()
        posts = [p for p in services.reminders.preview(now.astimezone(dt.UTC), 7) if p.target.startswith("group:")]
        ctx = office.context(viewer)
        events = [e for e in services.signups.open_events() if for_viewer(office, viewer, e)]
        rows = services.proposals.list(now.year) + services.proposals.list(now.year + 1)
        waiting = [(p.code, f"{p.title}（{what}）") for p, what in awaiting(ctx, rows)]
        # A count, not a read of any request: not in the welfare audit log.
        requests = (len(services.welfare.pending(actor_of(ctx), now, audit=False))
                    if office.can(viewer, "待办") else None)
        month_items = services.schedule.in_month(now.year, now.month)
        return office.render(request, viewer, "home.html", title="首页", posts=posts[:8], events=events,
                             waiting=waiting, requests=requests, month_items=month_items,
                             target=office.target_label, import_open=office.open_form(viewer) is not None)

    return api
