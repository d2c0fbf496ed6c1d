"""Times people read are in the configured time zone (XINYONG_TIMEZONE, Beijing by default)
on the portal, the console and the exports; the API keeps UTC ISO timestamps."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.desk.city import City
from xinyong.core.config import reset_settings


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The time zone set to UTC for the test (settings re-read, then restored)."""
    monkeypatch.setenv("XINYONG_TIMEZONE", "UTC")
    reset_settings()
    yield
    monkeypatch.delenv("XINYONG_TIMEZONE")
    reset_settings()


def _visible(page: str) -> str:
    """The text a person reads (tags and their attributes left out)."""
    return re.sub(r"<[^>]+>", " ", page)


def _pages(city: City) -> tuple[str, str, str]:
    portal = _visible(city.clients["ruifeng"].get(f"/portal/me/cases/{city.case_id}").text)
    console = _visible(city.clients["officer"].get(f"/console/rights/cases/{city.case_id}").text)
    export = city.clients["office"].get("/console/ingest/ledger.csv").text
    return portal, console, export


def test_the_same_moment_reads_the_same_on_portal_console_and_export(city: City) -> None:
    portal, console, export = _pages(city)
    assert city.at.strftime("%H:%M") == "13:50"  # stored in UTC
    assert "2026-11-30 21:50" in portal and "2026-11-30 21:50" in console
    assert "2026-11-30 21:50:00" in export and "B20261130-LATE" in export
    assert "13:50" not in portal and "13:50" not in console
    assert "北京时间" in console


def test_the_zone_follows_the_setting(city: City, zone: None) -> None:
    portal, console, export = _pages(city)
    assert "2026-11-30 13:50" in portal and "2026-11-30 13:50" in console
    assert "2026-11-30 13:50:00" in export
    assert "21:50" not in portal and "21:50" not in console


def test_an_unknown_zone_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from xinyong.core.config import Settings

    monkeypatch.setenv("XINYONG_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValueError, match="unknown time zone"):
        Settings()
