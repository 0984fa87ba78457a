"""Engines and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import configure_mappers
from sqlalchemy.sql import Select
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


class Prepared:
    """A Core statement compiled once for the engine's dialect and run on a driver cursor, its parameters
    and values converted by the columns' own types as a Connection converts them.

    For the statements every chat message runs (the event a #报名 names, the sign-up's own): SQLAlchemy's
    execution around one statement (contexts, events, result objects) and its begin/commit cost several
    times the statement itself (bench/README.md, "Measured 2026-12-05 afternoon"). Statements run this way
    pass by the engine's events (``before_cursor_execute``): count them with the driver's own trace."""

    def __init__(self, engine: Engine, stmt: Any) -> None:
        dialect = engine.dialect
        compiled = stmt.compile(dialect=dialect)
        self.sql = str(compiled)
        self._order = compiled.positiontup if compiled.positional else None
        # dialect_impl: a TypeDecorator (sqlmodel's UTCDateTime) converts through its dialect's type.
        self._binds = {name: b.type.dialect_impl(dialect).bind_processor(dialect)
                       for name, b in compiled.binds.items()}
        self._fixed = {name: b.effective_value for name, b in compiled.binds.items() if not b.required}
        columns = list(stmt.exported_columns)  # a SELECT's columns, or what an INSERT/UPDATE returns
        self._names = [c.key for c in columns]
        self._results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]

    def execute(self, cur: Any, params: Mapping[str, Any]) -> Any:
        values = {**self._fixed, **params}
        values = {k: (p(v) if (p := self._binds.get(k)) else v) for k, v in values.items()}
        cur.execute(self.sql, [values[k] for k in self._order] if self._order is not None else values)
        return cur

    def first(self, cur: Any, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row as {column: value}, or None."""
        row = self.execute(cur, params).fetchone()
        if row is None:
            return None
        return {name: (proc(v) if proc else v) for name, proc, v in zip(self._names, self._results, row, strict=True)}

    def scalar(self, cur: Any, params: Mapping[str, Any]) -> Any:
        row = self.first(cur, params)
        return None if row is None else next(iter(row.values()))


@contextmanager
def driver_connection(engine: Engine) -> Iterator[Any]:
    """A pooled driver connection (pre-ping and reconnects as usual), rolled back on any error; what it
    leaves uncommitted is rolled back when it goes back to the pool."""
    conn = engine.raw_connection()
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()


def begin_write(engine: Engine, cur: Any) -> None:
    """Begin a transaction that will write, as the engine's do (make_engine): on SQLite it takes the write
    lock now; PostgreSQL's driver begins one by itself at the first statement."""
    if engine.dialect.name == "sqlite":
        cur.execute("BEGIN IMMEDIATE")


class PlainRead:
    """A prebuilt SELECT run alone on a pooled driver connection (``Prepared``), outside any transaction.

    For the lookups every chat message makes (the event a #报名 names): on SQLite a transaction through
    the engine begins IMMEDIATE (make_engine), so a one-row read took the write lock, waited behind any
    writer, and with begin/commit around it cost several times the statement. One statement needs no
    transaction: SQLite reads a snapshot of it (WAL), and on PostgreSQL the driver's implicit one is
    ended right after."""

    def __init__(self, engine: Engine, stmt: Select) -> None:  # type: ignore[type-arg]
        self.engine = engine
        self.prepared = Prepared(engine, stmt)

    def first(self, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row as {column: value}, or None."""
        with driver_connection(self.engine) as conn:
            cur = conn.cursor()
            try:
                row = self.prepared.first(cur, params)
            finally:
                cur.close()
            conn.rollback()  # a read: nothing to keep (PostgreSQL: ends the driver's implicit transaction)
        return row
