"""Performance (履约): each condition recorded as fulfilled, partially fulfilled, not fulfilled
or waived, with evidence and by whom; the daily overdue scan; reminders; the department queue."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import CursorResult, and_, exists, func, select, update
from sqlalchemy.orm import Session

from xinyong.commitments import hooks, service
from xinyong.commitments.config import get_config
from xinyong.commitments.models import Commitment, CommitmentCondition
from xinyong.core.errors import Conflict, Forbidden, Invalid
from xinyong.core.workdays import add_workdays
from xinyong.notices import service as notices_service

OUTCOMES = ("fulfilled", "partial", "not_fulfilled", "waived")
OPEN_STATES = ("pending", "partial")
SETTLED = ("fulfilled", "waived")
MAX_EVIDENCE = 2000


def _evidence(outcome: str, evidence: str) -> str:
    clean = evidence.strip()
    if len(clean) > MAX_EVIDENCE:
        raise Invalid(
            key="commit.err.evidence_too_long",
            params={"max": MAX_EVIDENCE},
            details={"field": "evidence"},
        )
    if not clean:
        field = "reason" if outcome == "waived" else "evidence"
        raise Invalid(key="commit.err.evidence_required", details={"field": field})
    return clean


def record(
    session: Session,
    *,
    c: Commitment,
    condition_code: str,
    outcome: str,
    evidence: str,
    actor: str,
    department_id: int | None,
    today: date,
) -> CommitmentCondition:
    """The receiving department records how a condition was performed (waived: with reason)."""
    if department_id is not None and department_id != c.department_id:
        raise Forbidden(key="commit.err.other_department")
    if outcome not in OUTCOMES:
        raise Invalid(key="commit.err.outcome", details={"field": "outcome"})
    text = _evidence(outcome, evidence)
    if c.status not in ("in_force", "overdue"):
        raise Conflict(key="commit.err.not_open", params={"number": c.number})
    get_config().get(c.template_code).condition(condition_code)
    found = session.scalar(
        select(CommitmentCondition).where(
            CommitmentCondition.commitment_id == c.id, CommitmentCondition.code == condition_code
        )
    )
    if found is None or found.state not in OPEN_STATES:
        raise Conflict(key="commit.err.condition_closed", params={"code": condition_code})
    found.state, found.evidence = outcome, text
    found.decided_by, found.decided_on = actor, today
    session.flush()
    before = c.status
    _settle(session, c, today)
    service.log(session, c, f"condition.{outcome}", actor, condition=condition_code, note=text)
    session.flush()
    if c.status != before:
        hooks.status_changed(session, c, reason=f"{before} -> {c.status}")
    return found


def _settle(session: Session, c: Commitment, today: date) -> None:
    """All conditions fulfilled or waived: the commitment is fulfilled; else overdue or not."""
    states = [k.state for k in service.conditions(session, c)]
    if all(s in SETTLED for s in states):
        c.status = "fulfilled"
    elif any(k.state in OPEN_STATES and k.deadline < today for k in service.conditions(session, c)):
        c.status = "overdue"
    else:
        c.status = "in_force"


# --- the daily scan --------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanReport:
    overdue_conditions: int
    overdue_commitments: int
    reminded: int
    departments_told: int


def _mark_overdue(session: Session, today: date) -> tuple[int, Counter[int]]:
    """Open conditions past their deadline become overdue (set-based, for millions)."""
    late = and_(
        CommitmentCondition.state.in_(OPEN_STATES),
        CommitmentCondition.deadline < today,
        CommitmentCondition.overdue_since.is_(None),
    )
    per_department: Counter[int] = Counter(
        dict(
            session.execute(
                select(CommitmentCondition.department_id, func.count())
                .where(late)
                .group_by(CommitmentCondition.department_id)
            ).all()
        )
    )
    marked = session.execute(update(CommitmentCondition).where(late).values(overdue_since=today))
    assert isinstance(marked, CursorResult)
    return int(marked.rowcount or 0), per_department


def _flag_commitments(session: Session) -> int:
    has_late = exists().where(
        CommitmentCondition.commitment_id == Commitment.id,
        CommitmentCondition.state.in_(OPEN_STATES),
        CommitmentCondition.overdue_since.is_not(None),
    )
    done = session.execute(
        update(Commitment)
        .where(Commitment.status == "in_force", has_late)
        .values(status="overdue")
        .execution_options(synchronize_session=False)
    )
    assert isinstance(done, CursorResult)
    return int(done.rowcount or 0)


def _remind(session: Session, today: date) -> int:
    """Subjects are told once, ``remind_before`` working days before each open deadline."""
    horizon = {
        code: add_workdays(today, t.remind_before) for code, t in get_config().templates.items()
    }
    latest = max(horizon.values(), default=today)
    rows = session.execute(
        select(
            CommitmentCondition.id,
            CommitmentCondition.subject_id,
            CommitmentCondition.text,
            CommitmentCondition.deadline,
            Commitment.number,
            Commitment.template_code,
        )
        .join(Commitment, Commitment.id == CommitmentCondition.commitment_id)
        .where(
            CommitmentCondition.state.in_(OPEN_STATES),
            CommitmentCondition.reminded_on.is_(None),
            CommitmentCondition.deadline >= today,
            CommitmentCondition.deadline <= latest,
            Commitment.status == "in_force",
        )
    ).all()
    due = [row for row in rows if row.deadline <= horizon.get(row.template_code, today)]
    notices_service.send_many(
        session,
        notices=[
            {
                "key": "commit.reminder",
                "params": {
                    "number": row.number,
                    "condition": row.text,
                    "deadline": row.deadline.isoformat(),
                },
                "subject_id": row.subject_id,
                "ref": ("commitment", row.number),
            }
            for row in due
        ],
    )
    ids = [row.id for row in due]
    for start in range(0, len(ids), 5000):
        session.execute(
            update(CommitmentCondition)
            .where(CommitmentCondition.id.in_(ids[start : start + 5000]))
            .values(reminded_on=today)
            .execution_options(synchronize_session=False)
        )
    return len(due)


def mark_overdue(session: Session, *, today: date) -> tuple[int, int, Counter[int]]:
    """Conditions and commitments past their deadlines marked overdue (no notices)."""
    marked, per_department = _mark_overdue(session, today)
    return marked, _flag_commitments(session), per_department


def scan(session: Session, *, today: date) -> ScanReport:
    """The daily job: mark overdue conditions and commitments, tell each department how many
    became overdue, remind subjects of deadlines coming up."""
    marked, flagged, per_department = mark_overdue(session, today=today)
    for department_id, count in sorted(per_department.items()):
        notices_service.send(
            session,
            key="commit.overdue",
            params={"count": count, "date": today.isoformat()},
            department_id=department_id,
            ref=("commitment_queue", department_id),
        )
    reminded = _remind(session, today)
    session.flush()
    return ScanReport(marked, flagged, reminded, len(per_department))


def queue(
    session: Session, *, department_id: int | None, limit: int = 200
) -> list[tuple[CommitmentCondition, Commitment]]:
    """The department's performance queue: overdue and not-fulfilled conditions of open
    commitments, oldest deadline first (None: every department's)."""
    stmt = (
        select(CommitmentCondition, Commitment)
        .join(Commitment, Commitment.id == CommitmentCondition.commitment_id)
        .where(
            Commitment.status.in_(("in_force", "overdue")),
            (
                CommitmentCondition.overdue_since.is_not(None)
                & CommitmentCondition.state.in_(OPEN_STATES)
            )
            | (CommitmentCondition.state == "not_fulfilled"),
        )
        .order_by(CommitmentCondition.deadline, CommitmentCondition.id)
        .limit(limit)
    )
    if department_id is not None:
        stmt = stmt.where(CommitmentCondition.department_id == department_id)
    return [(k, c) for k, c in session.execute(stmt).all()]
