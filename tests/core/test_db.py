"""Timestamps read back aware and in UTC on both stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import func, literal, select, text
from sqlalchemy.orm import Session

from xinyong.core.db import UtcDateTime, is_postgresql


def test_timestamps_read_back_aware_in_utc(session: Session) -> None:
    beijing = timezone(timedelta(hours=8))
    at = datetime(2026, 3, 1, 9, 30, tzinfo=beijing)
    value = session.scalar(select(literal(at, UtcDateTime())))
    assert value == at and value.tzinfo is not None and value.utcoffset() == timedelta(0)
    assert value.hour == 1


def test_aggregates_of_timestamps_keep_the_offset(session: Session) -> None:
    if is_postgresql(session):
        # A session in another zone still answers in UTC.
        session.execute(text("SET LOCAL TIME ZONE 'Asia/Shanghai'"))
    column = literal(datetime(2026, 3, 1, 1, 30, tzinfo=UTC), UtcDateTime())
    value = session.scalar(select(func.max(column)))
    assert value == datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    assert value.utcoffset() == timedelta(0)
