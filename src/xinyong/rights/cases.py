"""Cases: opening, the timeline, state moves with optimistic locking, due dates and queues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.core.db import claim_version
from xinyong.core.errors import Conflict, Forbidden, IllegalTransition, NotFound, label
from xinyong.core.workdays import workdays_between
from xinyong.records.models import Record
from xinyong.rights.models import CaseEvent, CaseFile, CaseTarget, RightsCase
from xinyong.rights.states import OPEN_STATES, CaseKind, CaseState, can_move


@dataclass(frozen=True)
class Applicant:
    """Who files a case: the actor, through which channel, for which subject."""

    actor: str
    subject_id: int
    channel: str  # portal | counter | api
    account_id: int | None = None
    contact: str | None = None


def get(session: Session, case_id: int) -> RightsCase:
    """The case with this id, or NotFound."""
    case = session.get(RightsCase, case_id)
    if case is None:
        raise NotFound(key="rights.err.no_case", params={"case_id": case_id})
    return case


def open_case(
    session: Session,
    *,
    kind: CaseKind,
    applicant: Applicant,
    department_id: int,
    state: CaseState,
    ground: str,
    statement: str,
    today: date,
    due_on: date,
) -> RightsCase:
    """Create a case and the first step of its timeline."""
    case = RightsCase(
        kind=kind.value,
        subject_id=applicant.subject_id,
        department_id=department_id,
        state=state.value,
        channel=applicant.channel,
        applicant=applicant.actor,
        applicant_account_id=applicant.account_id,
        contact=applicant.contact,
        ground=ground,
        statement=statement,
        received_on=today,
        due_on=due_on,
        version=1,
    )
    session.add(case)
    session.flush()
    log(
        session,
        case,
        actor=applicant.actor,
        action="applied",
        to_state=state.value,
        data={"channel": applicant.channel, "ground": ground, "due_on": due_on},
    )
    return case


def log(
    session: Session,
    case: RightsCase,
    *,
    actor: str,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Add a step to the case's timeline and to the audit log."""
    data = data or {}
    event = CaseEvent(
        case_id=case.id,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data={k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()},
    )
    session.add(event)
    audit_service.append(
        session,
        actor=actor,
        action=f"rights.{case.kind}.{action}",
        object_type="rights_case",
        object_id=case.id,
        subject_id=case.subject_id,
        summary={
            "number": case.number,
            "department_id": case.department_id,
            "from_state": from_state,
            "to_state": to_state,
            "note": note,
            **data,
        },
    )
    session.flush()
    return event


def claim(session: Session, case: RightsCase, *, expected_version: int | None) -> None:
    """Take the case for a change: its version must still be the one the caller saw.

    The first write of the change, so of two officers acting at once exactly one proceeds;
    the other gets Conflict and nothing of its change is written.
    """
    seen = case.version if expected_version is None else expected_version
    stale = Conflict(
        key="rights.err.stale",
        params={"case_number": case.number, "seen": seen},
        details={"case": case.number, "version": seen},
    )
    claim_version(session, case, seen=seen, stale=stale)


def move(
    session: Session,
    case: RightsCase,
    *,
    to: CaseState,
    actor: str,
    action: str,
    expected_version: int | None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Claim the case and move it to ``to`` if its kind allows; the step is logged."""
    current = CaseState(case.state)
    if not can_move(CaseKind(case.kind), current, to):
        raise IllegalTransition(
            key="rights.err.transition",
            params={
                "case_number": case.number,
                "current_value": label(f"rights.state.{current.value}"),
                "to_value": label(f"rights.state.{to.value}"),
            },
            details={"from": current.value, "to": to.value},
        )
    claim(session, case, expected_version=expected_version)
    case.state = to.value
    log(
        session,
        case,
        actor=actor,
        action=action,
        from_state=current.value,
        to_state=to.value,
        note=note,
        data=data,
    )


def close(case: RightsCase, *, outcome: str, reason: str | None, actor: str, today: date) -> None:
    """Record the outcome, the handling time in working days and whether it was late."""
    limit = case.decide_due_on or case.due_on
    case.outcome = outcome
    case.outcome_reason = reason
    case.decided_by = actor
    case.closed_on = today
    case.handling_workdays = workdays_between(case.received_on, today)
    case.overdue_at_close = limit is not None and today > limit
    case.due_on = None


def check_department(case: RightsCase, department_id: int | None) -> None:
    """Only the department that made the finding decides (谁认定、谁修复)."""
    if department_id != case.department_id:
        raise Forbidden(
            key="rights.err.other_department",
            params={"case_number": case.number},
            details={"case": case.number},
        )


def is_open(case: RightsCase) -> bool:
    return CaseState(case.state) in OPEN_STATES


def is_overdue(case: RightsCase, today: date) -> bool:
    """An open case past its present limit, or a case closed after its limit."""
    if is_open(case):
        return case.due_on is not None and today > case.due_on
    return bool(case.overdue_at_close)


def targets(session: Session, case_id: int) -> list[tuple[CaseTarget, Record]]:
    """The case's records (as filed), with the target rows."""
    stmt = (
        select(CaseTarget, Record)
        .join(Record, Record.id == CaseTarget.record_id)
        .where(CaseTarget.case_id == case_id)
        .order_by(CaseTarget.id)
    )
    return [(target, record) for target, record in session.execute(stmt).all()]


def timeline(session: Session, case_id: int) -> list[CaseEvent]:
    """The case's steps, oldest first."""
    stmt = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    return list(session.scalars(stmt))


def files(session: Session, case_id: int) -> list[CaseFile]:
    """The case's files (content is loaded only when one is downloaded)."""
    stmt = select(CaseFile).where(CaseFile.case_id == case_id).order_by(CaseFile.id)
    return list(session.scalars(stmt))


def open_cases_of_record(session: Session, record_id: int, kind: CaseKind) -> list[RightsCase]:
    """Open cases of this kind about this record (not about a list entry resting on it)."""
    stmt = (
        select(RightsCase)
        .join(CaseTarget, CaseTarget.case_id == RightsCase.id)
        .where(
            CaseTarget.record_id == record_id,
            CaseTarget.list_entry_id.is_(None),
            RightsCase.kind == kind.value,
            RightsCase.state.in_([s.value for s in OPEN_STATES]),
        )
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class QueueFilter:
    department_id: int | None = None
    subject_id: int | None = None
    kind: CaseKind | None = None
    open_only: bool = False
    overdue_only: bool = False


def queue(
    session: Session, *, where: QueueFilter, today: date, limit: int = 50, offset: int = 0
) -> tuple[list[RightsCase], int]:
    """Cases matching the filter, the most urgent first, and how many match in all."""
    stmt = select(RightsCase)
    if where.department_id is not None:
        stmt = stmt.where(RightsCase.department_id == where.department_id)
    if where.subject_id is not None:
        stmt = stmt.where(RightsCase.subject_id == where.subject_id)
    if where.kind is not None:
        stmt = stmt.where(RightsCase.kind == where.kind.value)
    if where.open_only or where.overdue_only:
        stmt = stmt.where(RightsCase.state.in_([s.value for s in OPEN_STATES]))
    if where.overdue_only:
        stmt = stmt.where(or_(RightsCase.due_on < today))
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    ordered = stmt.order_by(RightsCase.due_on.is_(None), RightsCase.due_on, RightsCase.id.desc())
    return list(session.scalars(ordered.limit(limit).offset(offset))), total
