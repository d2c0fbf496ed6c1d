"""Test fixtures: every database test runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import copy
import os
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Generic, TypeVar

import pytest

os.environ["XINYONG_ENV"] = "test"
os.environ.setdefault("XINYONG_SECRET_KEY", "test-secret-key-" + "x" * 32)
os.environ.setdefault("XINYONG_DATA_KEY", "test-data-key-" + "x" * 32)
os.environ.setdefault("XINYONG_LOOKUP_KEY", "test-lookup-key-" + "x" * 32)
os.environ.pop("XINYONG_CATALOG_EXTRA", None)
os.environ.pop("XINYONG_USCC_EXCEPTIONS", None)
os.environ.pop("XINYONG_HOLIDAYS_FILE", None)
# Servers under test do not build the batch checks' matching index in the background.
os.environ["XINYONG_MATCH_INDEX_AT_START"] = "false"

from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from xinyong import registry
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import make_engine, normalise_url

# The assembly's subscriptions to record effects, as the app factory and the CLI make them.
registry.wire_effects()

PG_URL = os.environ.get("XINYONG_TEST_PG_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
# Screenshots of the browser tests, for people to look at: outside the checkout.
ARTIFACTS = Path(
    os.environ.get("XINYONG_TEST_ARTIFACTS")
    or Path(tempfile.gettempdir()) / "xinyong-test-artifacts"
)
T = TypeVar("T")

# Hypothesis keeps its example database (failures replay on the next run) outside the
# checkout; no deadline, as the machine running the suite is shared.
set_hypothesis_home_dir(str(Path(tempfile.gettempdir()) / "xinyong-hypothesis"))
hypothesis_settings.register_profile("xinyong", deadline=None)
hypothesis_settings.load_profile("xinyong")


def shared_file(relative: str) -> Path:
    """A file of ../shared/data/real, or skip the test where it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"shared test data {relative} is not available")
    return path


class FreshDatabase:
    """Creates databases (a SQLite file or a PostgreSQL database), copies and drops them.

    Databases are named ``xinyong_t_<random>`` and SQLite files live under the worker's own
    temporary folder, so pytest-xdist workers never share one.
    """

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.created: list[str] = []
        self._migrated: dict[str, str] = {}

    def new(self, backend: str) -> str:
        """An empty database."""
        name = "xinyong_t_" + uuid.uuid4().hex[:12]
        if backend == "sqlite":
            return f"sqlite:///{self.tmp / (name + '.db')}"
        self._admin(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return _pg_url(name)

    def migrated(self, backend: str) -> str:
        """A new database at the head revision: a copy of this worker's migrated template."""
        if backend not in self._migrated:
            url = self.new(backend)
            migrate.upgrade(url)
            self._migrated[backend] = url
        return self.copy(self._migrated[backend])

    def copy(self, template: str) -> str:
        """A new database holding what ``template`` holds (no connection may be open on it)."""
        source = make_url(template)
        name = "xinyong_t_" + uuid.uuid4().hex[:12]
        if source.get_backend_name() == "sqlite":
            target = self.tmp / (name + ".db")
            with (
                closing(sqlite3.connect(str(source.database))) as src,
                closing(sqlite3.connect(str(target))) as dst,
            ):
                src.backup(dst)
            return f"sqlite:///{target}"
        self._admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{source.database}' AND pid <> pg_backend_pid()",
            f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"',
        )
        self.created.append(name)
        return _pg_url(name)

    def drop(self, url: str) -> None:
        """Remove one database made here."""
        made = make_url(url)
        if made.get_backend_name() == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(str(made.database) + suffix).unlink(missing_ok=True)
            return
        self._admin(f'DROP DATABASE IF EXISTS "{made.database}" WITH (FORCE)')
        self.created.remove(str(made.database))

    def drop_all(self) -> None:
        """Remove every PostgreSQL database made here (SQLite files go with the temp folder)."""
        if self.created and PG_URL:
            self._admin(*(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in self.created))
        self.created.clear()

    @staticmethod
    def _admin(*statements: str) -> None:
        assert PG_URL
        admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                for statement in statements:
                    conn.execute(text(statement))
        finally:
            admin.dispose()


def _pg_url(name: str) -> str:
    assert PG_URL
    return make_url(normalise_url(PG_URL)).set(database=name).render_as_string(hide_password=False)


@contextmanager
def process_database(url: str, **env: str) -> Iterator[str]:
    """Make ``url`` the process-wide database (and set ``XINYONG_<NAME>`` settings) inside."""
    from xinyong.core import db as core_db

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XINYONG_DATABASE_URL", url)
        for name, value in env.items():
            patch.setenv("XINYONG_" + name.upper(), value)
        reset_settings()
        core_db.dispose_engine()
        try:
            yield url
        finally:
            core_db.dispose_engine()
    reset_settings()


@pytest.fixture(scope="session")
def fresh_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshDatabase]:
    factory = FreshDatabase(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@dataclass(frozen=True)
class City(Generic[T]):
    """A live city copied for one user: its database URL and what its builder returned."""

    url: str
    facts: T


class LiveCities:
    """``live_city(...)``: a migrated database holding a demo city and extras, made the
    process-wide one inside a ``with`` block.

    Each distinct (store, parameters) is built once per worker into a template database;
    every ``with`` gets its own copy of the template (a file copy on SQLite, ``CREATE
    DATABASE ... TEMPLATE`` on PostgreSQL), so users may commit freely and never see each
    other's writes. ``extras`` (accounts, list entries, keys ...) runs once, against the
    template, through ``session_scope()``; what it returns is handed (deep-copied) to
    every user. It must not depend on anything but its arguments and the clock's date.
    """

    def __init__(self, backend: str, fresh_db: FreshDatabase) -> None:
        self.backend = backend
        self.fresh_db = fresh_db
        self._templates: dict[tuple[object, ...], tuple[str, object]] = {}

    @contextmanager
    def __call__(
        self,
        *,
        subjects: int = 0,
        seed: int = 0,
        records_per_subject: float = 10.0,
        anchor: date | None = None,
        departments: bool = False,
        search_index: bool = False,
        extras: Callable[[], T] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Iterator[City[T]]:
        """A private copy of the city made the process-wide database inside the block."""
        settings = dict(env or {})
        key = (
            subjects, seed, records_per_subject, anchor, departments, search_index,
            _identity(extras), tuple(sorted(settings.items())),
        )  # fmt: skip
        if key not in self._templates:
            self._templates[key] = self._build(
                subjects=subjects, seed=seed, records_per_subject=records_per_subject,
                anchor=anchor, departments=departments, search_index=search_index,
                extras=extras, env=settings,
            )  # fmt: skip
        template, facts = self._templates[key]
        url = self.fresh_db.copy(template)
        try:
            with process_database(url, **settings):
                yield City(url, copy.deepcopy(facts))  # type: ignore[arg-type]
        finally:
            self.fresh_db.drop(url)

    def _build(
        self, *, subjects: int, seed: int, records_per_subject: float, anchor: date | None,
        departments: bool, search_index: bool, extras: Callable[[], object] | None,
        env: dict[str, str],
    ) -> tuple[str, object]:  # fmt: skip
        from xinyong.core.db import session_scope
        from xinyong.demo import loader
        from xinyong.subjects import search
        from xinyong.subjects import service as subjects_service

        url = self.fresh_db.migrated(self.backend)
        with process_database(url, **env):
            if departments:
                with session_scope() as session:
                    subjects_service.sync_departments(session)
            if subjects:
                loader.load_demo(
                    subjects=subjects, seed=seed, records_per_subject=records_per_subject,
                    anchor=anchor,
                )  # fmt: skip
            facts = extras() if extras is not None else None
            if search_index:
                with session_scope() as session:
                    search.rebuild_index(session)
        return url, facts


def _identity(extras: Callable[..., object] | None) -> str | None:
    if extras is None:
        return None
    return f"{extras.__module__}.{extras.__qualname__}"


@pytest.fixture(scope="session")
def live_city(backend: str, fresh_db: FreshDatabase) -> LiveCities:
    """The live-city factory of this store (see ``LiveCities``)."""
    return LiveCities(backend, fresh_db)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session", autouse=True)
def _files_in_temp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Kept uploads go to this worker's temporary folder, never to ./var."""
    previous = os.environ.get("XINYONG_INGEST_DIR")
    os.environ["XINYONG_INGEST_DIR"] = str(tmp_path_factory.mktemp("ingest"))
    reset_settings()
    yield
    if previous is None:
        os.environ.pop("XINYONG_INGEST_DIR", None)
    else:
        os.environ["XINYONG_INGEST_DIR"] = previous
    reset_settings()


@pytest.fixture(scope="session")
def db_url(backend: str, fresh_db: FreshDatabase) -> str:
    """A migrated database for this backend, shared by the session's tests."""
    return fresh_db.migrated(backend)


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    with Session(eng) as session, session.begin():
        from xinyong.subjects import service as subjects_service

        subjects_service.sync_departments(session)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (the default isolation).

    The test's own commits release SAVEPOINTs inside one outer transaction that is rolled
    back at the end, so the shared database is left as it was.
    """
    connection = engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def configured_db(live_city: LiveCities) -> Iterator[str]:
    """A fresh migrated database made the process-wide one, for the test alone.

    For tests whose writes are committed by sessions the test does not hold (the app's,
    the CLI's, a job's, other threads or processes), which a rollback cannot undo. It is a
    copy of the worker's migrated template, so it costs a file copy, not a migration.
    """
    with live_city() as city:
        yield city.url
