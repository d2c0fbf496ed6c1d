"""Test fixtures: every database test runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

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


def shared_file(relative: str) -> Path:
    """A file of ../shared/data/real, or skip the test where it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"shared test data {relative} is not available")
    return path


class FreshDatabase:
    """Creates empty databases (a SQLite file or a PostgreSQL database) and drops them."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.created: list[str] = []

    def new(self, backend: str) -> str:
        name = "xinyong_t_" + uuid.uuid4().hex[:12]
        if backend == "sqlite":
            return f"sqlite:///{self.tmp / (name + '.db')}"
        assert PG_URL
        admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.created.append(name)
        return (
            make_url(normalise_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
        )

    def drop_all(self) -> None:
        if not self.created or not PG_URL:
            return
        admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def fresh_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshDatabase]:
    factory = FreshDatabase(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def db_url(backend: str, fresh_db: FreshDatabase) -> str:
    """A migrated database for this backend, shared by the session's tests."""
    url = fresh_db.new(backend)
    migrate.upgrade(url)
    return url


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
    """A session whose work is rolled back after the test."""
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
def configured_db(
    backend: str, fresh_db: FreshDatabase, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh migrated database made the process-wide one (for CLI and web tests)."""
    from xinyong.core import db as core_db

    url = fresh_db.new(backend)
    migrate.upgrade(url)
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)
    reset_settings()
    core_db.dispose_engine()
    yield url
    core_db.dispose_engine()
    monkeypatch.delenv("XINYONG_DATABASE_URL")
    reset_settings()
