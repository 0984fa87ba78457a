"""Engines and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import configure_mappers
from sqlmodel import Session, SQLModel, create_engine

M = TypeVar("M", bound=SQLModel)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if url.startswith("sqlite:///") and path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            # WAL lets the CLI read while the bot writes; busy_timeout makes
            # concurrent writers wait instead of failing.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL loses nothing when the process is killed; only
            # an OS crash or power cut can undo the last commits. Saves an fsync
            # per message.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
            # Let SQLAlchemy's "begin" below decide how transactions start.
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin_immediate(conn) -> None:  # type: ignore[no-untyped-def]
            # Take the write lock at BEGIN, so a read-then-write (the next
            # number, a capacity check) cannot interleave with another writer's.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def serialize(session: Session, key: str) -> None:
    """Hold a per-key lock until the transaction ends (number allocation and the like).

    PostgreSQL: a transaction-scoped advisory lock, so concurrent writers queue
    instead of colliding on a unique number. SQLite: every transaction already
    begins IMMEDIATE (see make_engine), which serializes writers.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})


def from_row(cls: type[M], values: Mapping[str, Any]) -> M:
    """A table model holding values the database gave back, built as the ORM's loader builds one (a new
    instance, its attributes filled in) rather than through ``__init__``, which sets each field through
    pydantic and SQLAlchemy one by one: 75 µs for an Event against 4 (the #报名 hot path builds two).
    The object is transient, as ``cls(**values)`` would be; changing an attribute afterwards is tracked."""
    configure_mappers()  # a no-op once the mappers are set up; the instance needs them
    obj = cls._sa_class_manager.new_instance()  # type: ignore[attr-defined]
    obj.__dict__.update(values)
    return obj  # type: ignore[no-any-return]
