"""The daily commitments job: overdue conditions, department notices, subject reminders."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from xinyong.commitments import performance


def daily(session: Session, *, today: date) -> performance.ScanReport:
    """Run the overdue scan and reminders as of ``today`` (a CLI command or the scheduler)."""
    return performance.scan(session, today=today)
