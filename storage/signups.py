"""Events and sign-ups. The database decides who gets a place: a conditional
update of the event's seat counter (``confirmed_seats + n <= capacity``) and a
unique (event, member) key, never a count-then-insert in Python, so concurrent
sign-ups on SQLite and PostgreSQL can neither overfill an event nor double a
member."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from storage.db import PlainRead, Prepared, begin_write, driver_connection, from_row, serialize, session_scope
from storage.models import Event, Member, Signup
from storage.signup_statements import refusal, signup_statements

ACTIVE = ("confirmed", "waitlist")


@dataclass(frozen=True)
class NewEvent:
    title: str
    starts_at: dt.datetime | None = None
    place: str = ""
    capacity: int | None = None
    deadline: dt.datetime | None = None
    audience: str = "全体"
    family_max: int = 0
    note: str = ""
    schedule_number: int | None = None


@dataclass(frozen=True)
class SignupOutcome:
    """What happened to a sign-up. ``status``: confirmed | waitlist | already | not_found | closed |
    cancelled | deadline | family."""

    status: str
    event: Event | None = None
    signup: Signup | None = None
    position: int = 0  # place in the confirmed list or in the waitlist


@dataclass(frozen=True)
class CancelOutcome:
    status: str  # cancelled | not_signed | not_found
    event: Event | None = None
    was: str = ""
    promoted: list[Signup] = field(default_factory=list)


@dataclass(frozen=True)
class ChangeOutcome:
    status: str  # changed | same | full | family | closed | not_signed | not_found
    event: Event | None = None
    signup: Signup | None = None
    promoted: list[Signup] = field(default_factory=list)


@dataclass(frozen=True)
class Roster:
    event: Event
    confirmed: list[Signup]
    waitlist: list[Signup]


class SignupRepo:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id
        self._get: PlainRead | None = None
        self._run: dict[str, Prepared] | None = None

    # --- events -----------------------------------------------------------------

    def create_event(self, new: NewEvent, by: str) -> Event:
        with session_scope(self.engine) as s:
            serialize(s, f"{self.union_id}:event_number")
            top = s.exec(select(func.max(Event.number)).where(Event.union_id == self.union_id)).one()
            event = Event(union_id=self.union_id, number=(top or 0) + 1, title=new.title, starts_at=new.starts_at,
                          place=new.place, capacity=new.capacity, deadline=new.deadline, audience=new.audience,
                          family_max=new.family_max, note=new.note, schedule_number=new.schedule_number,
                          created_by=by)
            s.add(event)
            s.flush()
            return event

    def get(self, number: int) -> Event | None:
        """The event numbered ``number`` (a detached copy). Every #报名 looks its event up first (its
        reference reader), so this is one plain statement (storage.db.PlainRead): no ORM session, no
        transaction, and on SQLite no write lock; the sign-up reads the event again under its lock."""
        if self._get is None:
            self._get = PlainRead(self.engine, self._statements()["event"])
        row = self._get.first({"u": self.union_id, "n": number})
        return from_row(Event, row) if row is not None else None

    def all_events(self, limit: int = 200) -> list[Event]:
        """The latest events, any status, newest first (finding one by its title)."""
        with session_scope(self.engine) as s:
            return list(s.exec(select(Event).where(Event.union_id == self.union_id)
                               .order_by(col(Event.number).desc()).limit(limit)).all())

    def same_events(self, title: str, starts_at: dt.datetime | None) -> list[Event]:
        """Events not cancelled with this title (spaces ignored) and this start time: publishing another
        would be a duplicate."""
        key = "".join(title.split())
        with session_scope(self.engine) as s:
            rows = s.exec(select(Event).where(Event.union_id == self.union_id, Event.status != "cancelled")
                          .order_by(col(Event.number))).all()
        return [e for e in rows if "".join(e.title.split()) == key and e.starts_at == starts_at]

    def open_events(self) -> list[Event]:
        with session_scope(self.engine) as s:
            return list(s.exec(select(Event).where(Event.union_id == self.union_id, Event.status == "open")
                               .order_by(col(Event.number))).all())

    def set_status(self, number: int, status: str, reason: str = "") -> tuple[Event | None, list[Signup]]:
        """Close or cancel an event; returns it and the active sign-ups (to notify)."""
        with session_scope(self.engine) as s:
            event = self._event(s, number, lock=True)
            if event is None:
                return None, []
            event.status = status
            if reason:
                event.cancel_reason = reason  # the handler refuses over 200
            s.add(event)
            active = list(s.exec(select(Signup).where(Signup.event_id == event.id,
                                                      col(Signup.status).in_(ACTIVE))).all())
            return event, active

    # --- sign-ups ------------------------------------------------------------------

    def sign_up(self, number: int, member: Member, extra: int, by: str, now: dt.datetime,
                admit: Callable[[Event], bool] | None = None, note: str = "") -> SignupOutcome:
        """Three statements on the common path, in SQLAlchemy Core, compiled once and run on the driver's
        connection (this is the hot path of a sign-up storm, and of every #报名's reply): read the event;
        take seats by a conditional update, which also locks the event row until commit; insert the
        sign-up, whose unique key refuses a second one. ``admit`` (the audience rule) is asked about the
        event before anything is written."""
        assert member.id is not None
        run = self._prepared()
        sqlite = self.engine.dialect.name == "sqlite"
        position = None
        with driver_connection(self.engine) as conn, closing(conn.cursor()) as cur:
            begin_write(self.engine, cur)
            row = run["event"].first(cur, {"u": self.union_id, "n": number})
            if row is None:
                conn.rollback()
                return SignupOutcome("not_found")
            event = from_row(Event, row)
            refused = refusal(event, extra, now, admit)
            if refused is not None:
                conn.rollback()
                return SignupOutcome(refused, event)
            assert event.id is not None
            seats = run["take"].scalar(cur, {"e": event.id, "n": 1 + extra})
            status = "confirmed" if seats is not None else "waitlist"
            values = dict(union_id=self.union_id, event_id=event.id, member_id=member.id,
                          contact_id=member.contact_id, name=member.name, department=member.department,
                          extra=extra, note=note, status=status, by=by, signed_at=now, updated_at=now)
            new_id = run["insert"].scalar(cur, values)
            # No id: a row exists. If it was cancelled, the sign-up starts afresh as a new row (a new id), so
            # it queues behind whoever signed up in the same second before it (the list orders by time,
            # then id; found by tests/test_invariants_signups.py). Else nothing changes.
            if new_id is None and run["drop_cancelled"].execute(cur, {"e": event.id, "m": member.id}).rowcount == 1:
                new_id = run["insert"].scalar(cur, values)
            if new_id is None:
                conn.rollback()  # gives back the seats taken above
            else:
                where = {"e": event.id, "s": status, "t": now, "i": new_id}
                if sqlite:
                    # SQLite begins every write by taking the write lock (make_engine), so a read after the
                    # commit would take it a second time; in here it is already held.
                    position = run["position"].scalar(cur, where)
                conn.commit()
                if not sqlite:
                    # On PostgreSQL the position is read after the commit, outside the window in which the
                    # event row is locked.
                    position = run["position"].scalar(cur, where)
                    conn.rollback()
        if new_id is None:
            # Outside the connection: holding one while asking the pool for
            # another can starve the pool under a storm.
            return self._already(number, member.id)
        mine = from_row(Signup, {"id": new_id, **values})
        if seats is not None:
            event.confirmed_seats = seats
        return SignupOutcome(status, event, mine, position or 0)

    def _prepared(self) -> dict[str, Prepared]:
        """The sign-up's statements compiled once, run on the driver's connection (storage.db.Prepared):
        SQLAlchemy's execution around them cost as much as the statements (bench/README.md)."""
        if self._run is None:
            self._run = {name: Prepared(self.engine, stmt) for name, stmt in self._statements().items()}
        return self._run

    def _statements(self) -> dict:  # type: ignore[type-arg]
        return signup_statements(self.engine.dialect.name)  # built once per dialect (functools.cache)

    def _already(self, number: int, member_id: int) -> SignupOutcome:
        with session_scope(self.engine) as s:
            event = self._event(s, number)
            assert event is not None
            mine = s.exec(select(Signup).where(Signup.event_id == event.id, Signup.member_id == member_id)).one()
            return SignupOutcome("already", event, mine, self._position(s, mine))

    def set_note(self, number: int, member_id: int, note: str, now: dt.datetime) -> bool:
        """Change the 备注 of an active sign-up (nothing else: places stay as they are)."""
        with session_scope(self.engine) as s:
            event = self._event(s, number)
            if event is None:
                return False
            changed = s.execute(update(Signup).where(
                Signup.event_id == event.id, Signup.member_id == member_id, col(Signup.status).in_(ACTIVE),
            ).values(note=note, updated_at=now))
            return bool(changed.rowcount)

    def change_extra(self, number: int, member_id: int, extra: int, now: dt.datetime) -> ChangeOutcome:
        """Change how many family members come with an active sign-up, keeping its place.

        More seats are taken by the same conditional update as a sign-up (they must
        fit, and nobody may be waiting: the queue keeps its order); fewer seats are
        given back and the waitlist moves up. The event row is locked throughout."""
        with session_scope(self.engine) as s:
            event = self._event(s, number, lock=True)
            if event is None:
                return ChangeOutcome("not_found")
            if event.status != "open" or (event.deadline is not None and now > event.deadline):
                return ChangeOutcome("closed", event)
            if extra > event.family_max:
                return ChangeOutcome("family", event)
            mine = s.exec(select(Signup).where(Signup.event_id == event.id, Signup.member_id == member_id,
                                               col(Signup.status).in_(ACTIVE))).first()
            if mine is None:
                return ChangeOutcome("not_signed", event)
            delta = extra - mine.extra
            if delta == 0:
                return ChangeOutcome("same", event, mine)
            if mine.status == "confirmed" and delta > 0:
                taken = s.execute(self._statements()["take"], {"e": event.id, "n": delta}).scalar()
                if taken is None:
                    return ChangeOutcome("full", event, mine)
            elif mine.status == "confirmed":
                s.execute(update(Event).where(col(Event.id) == event.id)
                          .values(confirmed_seats=Event.confirmed_seats + delta))
            s.execute(update(Signup).where(col(Signup.id) == mine.id).values(extra=extra, updated_at=now))
            # Fewer seats, confirmed or waiting: whoever is first in line may fit now.
            promoted = self._promote(s, event, now) if delta < 0 else []
            s.refresh(event)
            s.refresh(mine)
            return ChangeOutcome("changed", event, mine, promoted)

    def cancel(self, number: int, member_id: int, now: dt.datetime) -> CancelOutcome:
        with session_scope(self.engine) as s:
            event = self._event(s, number, lock=True)
            if event is None:
                return CancelOutcome("not_found")
            mine = s.exec(select(Signup).where(Signup.event_id == event.id, Signup.member_id == member_id,
                                               col(Signup.status).in_(ACTIVE))).first()
            if mine is None:
                return CancelOutcome("not_signed", event)
            was = mine.status
            gone = s.execute(update(Signup).where(col(Signup.id) == mine.id, Signup.status == was)
                             .values(status="cancelled", updated_at=now))
            if gone.rowcount != 1:
                return CancelOutcome("not_signed", event)
            promoted: list[Signup] = []
            if was == "confirmed":
                s.execute(update(Event).where(col(Event.id) == event.id)
                          .values(confirmed_seats=Event.confirmed_seats - mine.seats))
            if event.status == "open":
                # Also when a waiting sign-up leaves: it may have been the one too big to fit, holding back
                # a smaller one behind it (found by tests/test_invariants_signups.py).
                promoted = self._promote(s, event, now)
            s.refresh(event)
            return CancelOutcome("cancelled", event, was, promoted)

    def roster(self, number: int) -> Roster | None:
        with session_scope(self.engine) as s:
            event = self._event(s, number)
            if event is None:
                return None
            rows = list(s.exec(select(Signup).where(Signup.event_id == event.id, col(Signup.status).in_(ACTIVE))
                               .order_by(col(Signup.signed_at), col(Signup.id))).all())
            return Roster(event, [r for r in rows if r.status == "confirmed"],
                          [r for r in rows if r.status == "waitlist"])

    def all_signups(self, number: int) -> list[Signup]:
        """Every row, cancelled ones included (the export shows them)."""
        with session_scope(self.engine) as s:
            event = self._event(s, number)
            if event is None:
                return []
            return list(s.exec(select(Signup).where(Signup.event_id == event.id)
                               .order_by(col(Signup.signed_at), col(Signup.id))).all())

    def active_member_ids(self, number: int) -> set[int]:
        """Who has signed up or waits (ids only): #未报名 and the page subtract them from the audience
        without loading a thousand rows as objects."""
        with session_scope(self.engine) as s:
            event = self._event(s, number)
            if event is None:
                return set()
            return set(s.exec(select(Signup.member_id).where(Signup.event_id == event.id,
                                                             col(Signup.status).in_(ACTIVE))).all())

    def of_member(self, member_id: int) -> list[tuple[Event, Signup]]:
        with session_scope(self.engine) as s:
            rows = s.exec(select(Event, Signup).join(Signup, col(Signup.event_id) == col(Event.id)).where(
                Signup.union_id == self.union_id, Signup.member_id == member_id,
                col(Signup.status).in_(ACTIVE)).order_by(col(Event.number))).all()
            return [(e, su) for e, su in rows]

    def confirmed_contacts(self, event_ids: list[int]) -> dict[int, list[str]]:
        """Contact ids of the confirmed, per event: one query for all the open events a tick looks at."""
        found: dict[int, list[str]] = {e: [] for e in event_ids}
        if not event_ids:
            return found
        with session_scope(self.engine) as s:
            rows = s.exec(select(Signup.event_id, Signup.contact_id)
                          .where(col(Signup.event_id).in_(event_ids), Signup.status == "confirmed")
                          .order_by(col(Signup.signed_at), col(Signup.id))).all()
        for event_id, contact in rows:
            if contact:
                found[event_id].append(contact)
        return found

    # --- internals ----------------------------------------------------------------

    def _event(self, s: Session, number: int, lock: bool = False) -> Event | None:
        q = select(Event).where(Event.union_id == self.union_id, Event.number == number)
        if lock:
            # Every writer takes the event row first, so sign-ups, cancellations
            # and promotions of one event queue in one order and cannot deadlock.
            q = q.with_for_update()
        return s.exec(q).first()

    def _promote(self, s: Session, event: Event, now: dt.datetime) -> list[Signup]:
        promoted = []
        waiting = s.exec(select(Signup).where(Signup.event_id == event.id, Signup.status == "waitlist")
                         .order_by(col(Signup.signed_at), col(Signup.id))).all()
        for w in waiting:
            seat = s.execute(update(Event).where(
                col(Event.id) == event.id,
                or_(col(Event.capacity).is_(None), Event.confirmed_seats + w.seats <= Event.capacity),
            ).values(confirmed_seats=Event.confirmed_seats + w.seats))
            if seat.rowcount != 1:
                break  # the first in line does not fit: nobody jumps the queue
            moved = s.execute(update(Signup).where(col(Signup.id) == w.id, Signup.status == "waitlist")
                              .values(status="confirmed", updated_at=now))
            if moved.rowcount != 1:  # someone else promoted or cancelled them meanwhile
                s.execute(update(Event).where(col(Event.id) == event.id)
                          .values(confirmed_seats=Event.confirmed_seats - w.seats))
                continue
            s.refresh(w)
            promoted.append(w)
        return promoted

    def _position(self, s: Session, mine: Signup) -> int:
        if mine.status not in ACTIVE:
            return 0
        return s.execute(self._statements()["position"],
                         {"e": mine.event_id, "s": mine.status, "t": mine.signed_at, "i": mine.id}).scalar() or 0
