"""Queueing events for partner platforms (sending is the exchange feed's work)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.exchange.models import OutboundEvent


def enqueue(
    session: Session,
    *,
    kind: str,
    subject_id: int,
    due_on: date,
    record_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> OutboundEvent:
    """Queue an event in the caller's transaction, so it goes out only if the work commits."""
    event = OutboundEvent(
        kind=kind, subject_id=subject_id, record_id=record_id, payload=payload or {}, due_on=due_on
    )
    session.add(event)
    session.flush()
    return event


def pending(session: Session, *, limit: int = 1000) -> list[OutboundEvent]:
    """Events not yet sent, the most urgent first."""
    stmt = select(OutboundEvent).where(OutboundEvent.sent_at.is_(None))
    return list(session.scalars(stmt.order_by(OutboundEvent.due_on, OutboundEvent.id).limit(limit)))
