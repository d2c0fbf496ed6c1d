"""Every list test starts from the shipped lists and the shipped holiday calendar."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from xinyong.core import workdays
from xinyong.core.config import reset_settings
from xinyong.lists.config import reset_config


@pytest.fixture(autouse=True)
def fresh_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Shipped lists, shipped holidays; caches forgotten before and after the test."""
    for name in ("XINYONG_LISTS_FILE", "XINYONG_HOLIDAYS_FILE"):
        monkeypatch.delenv(name, raising=False)
    _reset()
    yield
    for name in ("XINYONG_LISTS_FILE", "XINYONG_HOLIDAYS_FILE"):
        monkeypatch.delenv(name, raising=False)
    _reset()


def _reset() -> None:
    reset_settings()
    reset_config()
    workdays.reset_calendar()
