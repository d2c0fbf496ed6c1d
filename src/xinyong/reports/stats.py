"""Figures of issued reports by type, month (Beijing time) and channel, for the KPI pages."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.reports.models import Report
from xinyong.reports.service import BEIJING


@dataclass
class Figures:
    """Counts of issued reports (revoked ones included, and counted apart)."""

    total: int = 0
    revoked: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_type_month_channel: list[dict[str, object]] = field(default_factory=list)


def figures(
    session: Session,
    *,
    department_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Figures:
    """Reports issued by type, month and channel (one department's, or all)."""
    stmt = select(Report.type_code, Report.channel, Report.issued_at, Report.revoked_at)
    if department_id is not None:
        stmt = stmt.where(Report.department_id == department_id)
    if since is not None:
        stmt = stmt.where(Report.issued_at >= since)
    if until is not None:
        stmt = stmt.where(Report.issued_at < until)
    types: Counter[str] = Counter()
    months: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    cells: Counter[tuple[str, str, str]] = Counter()
    revoked = 0
    for type_code, channel, issued_at, revoked_at in session.execute(stmt):
        month = issued_at.astimezone(BEIJING).strftime("%Y-%m")
        types[type_code] += 1
        months[month] += 1
        channels[channel] += 1
        cells[(type_code, month, channel)] += 1
        revoked += revoked_at is not None
    return Figures(
        total=sum(types.values()),
        revoked=revoked,
        by_type=dict(sorted(types.items())),
        by_month=dict(sorted(months.items())),
        by_channel=dict(sorted(channels.items())),
        by_type_month_channel=[
            {"type": k[0], "month": k[1], "channel": k[2], "count": n}
            for k, n in sorted(cells.items())
        ],
    )
