"""Migrations build the same schema the models describe, on both stores."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tests.conftest import FreshDatabase
from xinyong.core import migrate
from xinyong.core.db import make_engine
from xinyong.registry import load_models

# These tests migrate an empty database themselves (never a template copy): the migrations
# are what they test.


def test_upgrade_head_on_empty_database_matches_models(
    backend: str, fresh_db: FreshDatabase
) -> None:
    url = fresh_db.new(backend)
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, load_models())
            assert diff == [], f"models and migrations disagree: {diff}"
            assert context.get_current_revision() == migrate.current_heads()[0]
    finally:
        engine.dispose()


def test_single_head_and_named_constraints(backend: str, fresh_db: FreshDatabase) -> None:
    assert len(migrate.current_heads()) == 1
    url = fresh_db.new(backend)
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        inspector = inspect(engine)
        for table in ("subjects", "records", "departments"):
            for unique in inspector.get_unique_constraints(table):
                assert unique["name"] and unique["name"].startswith(f"uq_{table}_")
            for key in inspector.get_foreign_keys(table):
                assert key["name"] is None or key["name"].startswith(f"fk_{table}_")
            if backend == "postgresql":
                assert inspector.get_pk_constraint(table)["name"] == f"pk_{table}"
    finally:
        engine.dispose()
