"""Settings refuse unsafe production start-up; SQLite runs in WAL mode with foreign keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from xinyong.core.config import ConfigurationError, Settings
from xinyong.core.db import make_engine


def test_defaults_use_embedded_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XINYONG_DATABASE_URL", raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "sqlite:///var/xinyong.db"


def test_production_refuses_default_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("XINYONG_SECRET_KEY", "XINYONG_DATA_KEY", "XINYONG_LOOKUP_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XINYONG_ENV", "production")
    with pytest.raises(ConfigurationError, match="XINYONG_SECRET_KEY"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_production_refuses_short_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_ENV", "production")
    monkeypatch.setenv("XINYONG_SECRET_KEY", "short")
    with pytest.raises(ConfigurationError, match="XINYONG_SECRET_KEY"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_production_starts_with_strong_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_ENV", "production")
    names = ("XINYONG_SECRET_KEY", "XINYONG_DATA_KEY", "XINYONG_LOOKUP_KEY")
    for name in (*names, "XINYONG_REPORT_SIGNING_KEY"):
        monkeypatch.setenv(name, name.lower() + "-" + "k" * 40)
    assert Settings(_env_file=None).env == "production"  # type: ignore[call-arg]


def test_sqlite_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'x.db'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
