"""Run Alembic migrations from code (CLI, tests, ``make run``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from xinyong.core.config import get_settings
from xinyong.core.db import normalise_url


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration pointing at the repository's ``migrations`` folder."""
    root = _repo_root()
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    db_url = normalise_url(url or get_settings().database_url)
    config.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def current_heads(url: str | None = None) -> tuple[str, ...]:
    """The head revisions the migration scripts define."""
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config(url)).get_heads())
