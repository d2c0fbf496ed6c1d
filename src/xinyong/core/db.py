"""Database engine, sessions and the declarative base shared by every module."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    TypeDecorator,
    create_engine,
    event,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from xinyong.core.config import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON everywhere; JSONB on PostgreSQL so payloads can be indexed there later.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp with time zone that reads back aware, in UTC, on every store.

    PostgreSQL returns ``timestamptz`` in the session's time zone; SQLite keeps no offset
    and returns naive values, which are UTC because aware values are written in UTC. Both
    stores thus answer alike and a timestamp never leaves the platform without its offset.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None and dialect.name == "sqlite":
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with the constraint naming convention Alembic relies on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSONType,
        list[str]: JSONType,
        list[dict[str, Any]]: JSONType,
        datetime: UtcDateTime(),
    }


def utcnow() -> datetime:
    """Timezone-aware current time in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """Timestamps read back from SQLite are naive UTC; make them comparable."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def in_values(column: str, values: tuple[str, ...]) -> str:
    """SQL of a CHECK constraint: ``column IN ('a', 'b')``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
    # SAVEPOINT and transactional DDL behave as on PostgreSQL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A write transaction takes the write lock when it begins (IMMEDIATE): of two writers the
    # second waits (busy_timeout) instead of failing with "database is locked" when its read
    # snapshot is older than the first one's commit. Reads begin deferred and never wait.
    immediate = connection.get_execution_options().get("sqlite_begin") == "immediate"
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given without a driver."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str | None = None, *, echo: bool | None = None) -> Engine:
    """Create an engine: SQLite in WAL mode with foreign keys on, PostgreSQL via psycopg 3."""
    settings = get_settings()
    url = normalise_url(url or settings.database_url)
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": settings.sql_echo if echo is None else echo}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False}
    else:
        # Connections for every request let in at once (web/limits.py) and a few background
        # jobs, opened only when needed.
        admitted = settings.max_concurrent_requests
        kwargs.update(pool_pre_ping=True, pool_size=min(admitted, 10), max_overflow=admitted)
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


_engine: Engine | None = None
_factory: sessionmaker[Session] | None = None
_writer: Engine | None = None  # the engine's writers (transactions begin IMMEDIATE on SQLite)


def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    global _engine, _factory
    if _engine is None:
        _engine = make_engine()
        _factory = sessionmaker(bind=_engine, expire_on_commit=False)
    return _engine


def dispose_engine() -> None:
    """Close the process-wide engine (tests and CLI switch databases with this)."""
    global _engine, _factory, _writer
    if _engine is not None:
        _engine.dispose()
    _engine = None
    _factory = None
    _writer = None


def session_factory() -> sessionmaker[Session]:
    get_engine()
    assert _factory is not None
    return _factory


def write_session() -> Session:
    """A session whose transactions write: on SQLite they begin IMMEDIATE (see above)."""
    global _writer
    factory = session_factory()
    if _writer is None:
        _writer = get_engine().execution_options(sqlite_begin="immediate")
    return factory(bind=_writer)


def is_busy(error: OperationalError) -> bool:
    """Whether SQLite gave up waiting for another writer (busy_timeout passed)."""
    reason = str(error.orig)
    return "database is locked" in reason or "database is busy" in reason


@contextmanager
def session_scope() -> Iterator[Session]:
    """One session per job or command: commit on success, roll back on error."""
    session = session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_postgresql(session_or_engine: Session | Engine) -> bool:
    bind = (
        session_or_engine.get_bind()
        if isinstance(session_or_engine, Session)
        else session_or_engine
    )
    return bind.dialect.name == "postgresql"


@contextmanager
def scratch_postgresql(
    server_url: str, *, prefix: str = "xinyong_scratch_", keep: bool = False
) -> Iterator[str]:
    """A throw-away PostgreSQL database on the server (for benchmarks); dropped afterwards
    unless ``keep`` (a loaded benchmark city reused later)."""
    admin = create_engine(normalise_url(server_url), isolation_level="AUTOCOMMIT")
    name = prefix + uuid.uuid4().hex[:8]
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(normalise_url(server_url)).set(database=name).render_as_string(False)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def claim_version(session: Session, row: Any, *, seen: int, stale: Exception) -> None:
    """Optimistic lock: bump ``row.version`` from ``seen`` as the change's first write.

    Of two writers that saw the same version exactly one succeeds; the other gets ``stale``
    (also when SQLite refuses the write because another writer committed after its snapshot).
    The row's class needs ``id``, ``version`` and ``updated_at`` columns.
    """
    model = type(row)
    try:
        result = session.execute(
            update(model)
            .where(model.id == row.id, model.version == seen)
            .values(version=seen + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    except OperationalError as exc:
        if "locked" in str(exc.orig) or "busy" in str(exc.orig):
            raise stale from exc
        raise
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise stale
    set_committed_value(row, "version", seen + 1)
