"""``storage.db.from_row`` builds table models the way SQLAlchemy's loader does (a new instance, its dict
filled), skipping ``__init__`` on the #报名 hot path. It leans on SQLAlchemy internals, so this checks it
against the ORM itself on both databases: same values and types, a transient object, and a change after
building that the ORM would see."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import inspect
from sqlmodel import Session, select

from storage import migrate
from storage.db import from_row, make_engine
from storage.members import MemberRepo
from storage.models_core import Event, Signup
from storage.signups import NewEvent, SignupRepo

CST = ZoneInfo("Asia/Shanghai")


def _fields(obj: object, model: type) -> dict:
    return {name: getattr(obj, name) for name in model.model_fields}


def test_from_row_equals_what_the_orm_loads(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    repo = SignupRepo(engine, "s")
    repo.create_event(NewEvent("羽毛球赛", dt.datetime(2027, 4, 15, 15, 30, tzinfo=CST), "体育馆", capacity=2,
                               deadline=dt.datetime(2027, 4, 12, 17, 0, tzinfo=CST), family_max=1, note="自带球拍"), by="admin")
    member = MemberRepo(engine, "s").touch("wx1", "李老师")
    outcome = repo.sign_up(1, member, 1, by="wx1", now=dt.datetime(2027, 4, 1, 9, 0, tzinfo=CST), note="第二节后到")
    assert outcome.status == "confirmed" and outcome.signup is not None

    built_event = repo.get(1)  # from_row on a bare connection
    with Session(engine) as s:
        loaded_event = s.exec(select(Event).where(Event.union_id == "s", Event.number == 1)).one()
        loaded_signup = s.exec(select(Signup).where(Signup.event_id == loaded_event.id)).one()
        want_event, want_signup = _fields(loaded_event, Event), _fields(loaded_signup, Signup)

    assert built_event is not None
    got_event, got_signup = _fields(built_event, Event), _fields(outcome.signup, Signup)
    assert got_event == want_event
    assert {k: type(v) for k, v in got_event.items()} == {k: type(v) for k, v in want_event.items()}
    # The sign-up is built from the values written, plus the id the insert returned.
    assert got_signup == want_signup
    assert built_event.model_dump() == want_event
    with engine.connect() as conn:  # any Core row of the table, not only the repository's statement
        row = conn.execute(select(Signup.__table__).where(Signup.__table__.c.id == want_signup["id"])).one()
    assert _fields(from_row(Signup, row._mapping), Signup) == want_signup

    state = inspect(built_event)
    assert state.transient and not state.modified
    built_event.place = "操场"
    assert state.modified and state.attrs.place.history.added == ["操场"]
    with Session(engine) as s:  # merging the changed copy writes the change, as with a detached ORM object
        s.merge(built_event)
        s.commit()
    assert repo.get(1).place == "操场"  # type: ignore[union-attr]
