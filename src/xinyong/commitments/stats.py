"""Figures of commitments for the KPI pages: by kind, department and status; fulfilment and
breach rates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from xinyong.commitments.models import Commitment


def figures(
    session: Session, *, publicities: tuple[str, ...], department_id: int | None = None
) -> dict[str, Any]:
    """Counts by kind, department and status and the rates, over the commitments of these
    publicity levels (a department: its own). Fulfilment rate: fulfilled of those settled
    (fulfilled or breached); breach rate: breached of all not withdrawn."""
    where: list[ColumnElement[bool]] = [Commitment.publicity.in_(publicities)]
    if department_id is not None:
        where.append(Commitment.department_id == department_id)

    def counts(column: Any) -> dict[str, int]:
        stmt = select(column, func.count()).where(*where).group_by(column)
        return {str(key): int(n) for key, n in session.execute(stmt).all()}

    by_status = counts(Commitment.status)
    settled = by_status.get("fulfilled", 0) + by_status.get("breached", 0)
    live = sum(by_status.values()) - by_status.get("withdrawn", 0)
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_kind": counts(Commitment.kind),
        "by_department": counts(Commitment.department_id),
        "fulfilment_rate": round(by_status.get("fulfilled", 0) / settled, 4) if settled else None,
        "breach_rate": round(by_status.get("breached", 0) / live, 4) if live else None,
    }
