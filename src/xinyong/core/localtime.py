"""Times as people read them: stored and exchanged in UTC, shown in the city's time zone
(``XINYONG_TIMEZONE``, default Asia/Shanghai) on every page, report and export.

Templates use the ``local_time`` filter (``{{ entry.at | local_time }}``, ``| local_time('second')``
or ``| local_time('date')``); Python code calls :func:`local_time` or :func:`to_local`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from xinyong.core.config import get_settings

Precision = Literal["minute", "second", "date"]
FORMATS: dict[str, str] = {
    "minute": "%Y-%m-%d %H:%M",
    "second": "%Y-%m-%d %H:%M:%S",
    "date": "%Y-%m-%d",
}


def zone() -> ZoneInfo:
    """The configured time zone people read times in."""
    return ZoneInfo(get_settings().timezone)


def to_local(at: datetime) -> datetime:
    """A stored time (aware, or naive meaning UTC) in the configured time zone."""
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone(zone())


def local_time(at: datetime | date | None, precision: Precision = "minute") -> str:
    """A stored time as people read it (``''`` for none); a plain date is shown as it is."""
    if at is None:
        return ""
    if not isinstance(at, datetime):
        return at.isoformat()
    return to_local(at).strftime(FORMATS[precision])


def local_today(now: datetime | None = None) -> date:
    """Today's date in the configured time zone."""
    return to_local(now or datetime.now(UTC)).date()
