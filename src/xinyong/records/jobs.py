"""Scheduled record work: plain functions a CLI command, scheduler or worker can run."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, insert, literal, select, update
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.core.db import utcnow
from xinyong.records import effects
from xinyong.records.effects import Cause, Change, Changed
from xinyong.records.models import Record, RecordEvent
from xinyong.records.states import RecordState

EXPIRING_STATES = (RecordState.active.value, RecordState.under_objection.value)


def expire_due(session: Session, *, today: date | None = None, actor: str = "system:expire") -> int:
    """End publication of records whose disclosure period has passed; safe to run daily."""
    today = today or date.today()
    due = and_(
        Record.is_current.is_(True),
        Record.state.in_(EXPIRING_STATES),
        Record.disclosure_end.is_not(None),
        Record.disclosure_end < today,
    )
    day = today.isoformat()
    reason = f"公示期限届满（{day} 核查） · disclosure period ended (checked {day})"
    expiring = [
        Changed(record_id, subject_id, item_code, department_id, source_id, RecordState.expired)
        for record_id, subject_id, item_code, department_id, source_id in session.execute(
            select(
                Record.id,
                Record.subject_id,
                Record.item_code,
                Record.department_id,
                Record.source_record_id,
            ).where(due)
        )
    ]
    events = select(
        Record.id,
        Record.subject_id,
        Record.state,
        literal(RecordState.expired.value),
        literal(reason),
        literal(actor),
        literal(utcnow()),
    ).where(due)
    session.execute(
        insert(RecordEvent).from_select(
            ["record_id", "subject_id", "from_state", "to_state", "reason", "actor", "at"], events
        )
    )
    result = session.execute(
        update(Record)
        .where(due)
        .values(state=RecordState.expired.value, state_reason=reason, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        audit_service.append(
            session,
            actor=actor,
            action="record.expire",
            object_type="records",
            object_id=f"expire:{today.isoformat()}",
            summary={"count": count, "as_of": today, "reason": reason},
        )
    cause = Cause(actor=actor, today=today, reason=reason, ref=f"expire:{today.isoformat()}")
    effects.record_changed(session, Change.expired, expiring, cause=cause)
    return count
