"""The statements of a sign-up (storage.signups.SignupRepo.sign_up, the hot path of a sign-up storm and of
every #报名's reply), built once per dialect, and the rule of which events take no sign-up now."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, func, select

from storage.models import Event, Signup

COLUMNS = ("union_id", "event_id", "member_id", "contact_id", "name", "department", "extra", "note",
           "status", "by", "signed_at", "updated_at")


@functools.cache
def signup_statements(dialect: str) -> dict[str, Any]:
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    return {
        "event": select(Event.__table__).where(Event.union_id == bindparam("u"), Event.number == bindparam("n")),
        "take": take_seats(),
        "insert": ins(Signup).values({c: bindparam(c) for c in COLUMNS}).on_conflict_do_nothing(
            index_elements=["event_id", "member_id"]).returning(Signup.id),
        "position": select(func.count()).select_from(Signup).where(
            Signup.event_id == bindparam("e"), Signup.status == bindparam("s"),
            or_(col(Signup.signed_at) < bindparam("t"),
                and_(col(Signup.signed_at) == bindparam("t"), col(Signup.id) <= bindparam("i")))),
        # A cancelled sign-up signed up again: its row goes, and a new one (a new id) takes its place.
        "drop_cancelled": delete(Signup).where(col(Signup.event_id) == bindparam("e"),
                                               col(Signup.member_id) == bindparam("m"), Signup.status == "cancelled"),
    }


def take_seats() -> Any:
    """The conditional update that decides: the seats (:n) are taken if they
    fit and nobody is already waiting (the queue keeps its order). Returns
    the new seat count, or no row for the waitlist."""
    nobody_waiting = ~exists().where(Signup.event_id == bindparam("e"), Signup.status == "waitlist")
    return update(Event).where(
        col(Event.id) == bindparam("e"),
        or_(col(Event.capacity).is_(None), Event.confirmed_seats + bindparam("n") <= Event.capacity),
        nobody_waiting,
    ).values(confirmed_seats=Event.confirmed_seats + bindparam("n")).returning(Event.confirmed_seats)


def refusal(event: Event, extra: int, now: dt.datetime, admit: Callable[[Event], bool] | None) -> str | None:
    """Why ``event`` takes no sign-up now (the outcome's status), or None. ``admit``: the audience rule."""
    if admit is not None and event.status == "open" and not admit(event):
        return "audience"
    if event.status != "open":
        return "cancelled" if event.status == "cancelled" else "closed"
    if event.deadline is not None and now > event.deadline:
        return "deadline"
    if extra > event.family_max:
        return "family"
    return None
