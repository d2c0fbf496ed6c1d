"""Implementation feedback (实施反馈): did the checking department apply the measure?

Each hit is answered applied or not applied, with the date and (for not applied, always)
the reason, by its due date in working days. A department may correct its answer; each
answer claims the hit's version, so of two officers answering at once one wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.auth.principal import Principal
from xinyong.checks.models import CheckHit, CreditCheck
from xinyong.core.db import claim_version, utcnow
from xinyong.core.errors import Conflict, Invalid, NotFound
from xinyong.core.text import TextProblem, clean_text

MAX_REASON = 2000


class Outcome(StrEnum):
    applied = "applied"  # 已实施
    not_applied = "not_applied"  # 未实施


@dataclass(frozen=True)
class Answer:
    """A department's feedback on one hit."""

    outcome: Outcome
    on: date
    reason: str | None = None


def is_overdue(hit: CheckHit, today: date) -> bool:
    """Feedback still pending after its due date."""
    return hit.feedback == "pending" and hit.feedback_due < today


def _reason(raw: str | None, outcome: Outcome) -> str | None:
    try:
        text = clean_text(raw or "", multiline=True)
    except TextProblem as problem:
        raise Invalid(
            key="ckc.err.reason_text",
            params={"problem_reason": problem.reason},
            details={"field": "reason"},
        ) from None
    if len(text) > MAX_REASON:
        raise Invalid(
            key="ckc.err.reason_long",
            params={"MAX_REASON": MAX_REASON},
            details={"field": "reason"},
        )
    if outcome is Outcome.not_applied and not text:
        raise Invalid(key="ckc.err.reason_needed", details={"field": "reason"})
    return text or None


def _hit_of(session: Session, principal: Principal, hit_id: int, check_id: int | None) -> CheckHit:
    hit = session.get(CheckHit, hit_id)
    own = principal.role == "admin" or (
        hit is not None and principal.department_id == hit.department_id
    )
    if hit is None or not own or (check_id is not None and hit.check_id != check_id):
        raise NotFound(key="ckc.err.no_hit", params={"hit_id": hit_id})
    return hit


def answer(
    session: Session,
    *,
    principal: Principal,
    hit_id: int,
    answer: Answer,
    today: date,
    expected_version: int | None = None,
    check_id: int | None = None,
) -> CheckHit:
    """Record (or correct) the checking department's feedback on a hit."""
    hit = _hit_of(session, principal, hit_id, check_id)
    checked_on = session.scalar(
        select(CreditCheck.checked_on).where(CreditCheck.id == hit.check_id)
    )
    if answer.on > today:
        raise Invalid(key="ckc.err.future", details={"field": "on"})
    if checked_on is not None and answer.on < checked_on:
        raise Invalid(
            key="ckc.err.before_check",
            params={"checked_on": checked_on.isoformat()},
            details={"field": "on"},
        )
    reason = _reason(answer.reason, answer.outcome)
    seen = hit.version if expected_version is None else expected_version
    stale = Conflict(
        key="ckc.err.stale",
        params={"hit_id": hit.id, "seen": seen},
        details={"hit_id": hit.id, "version": seen},
    )
    claim_version(session, hit, seen=seen, stale=stale)
    before = hit.feedback
    hit.feedback, hit.feedback_on, hit.feedback_reason = answer.outcome.value, answer.on, reason
    hit.feedback_by, hit.feedback_at = principal.actor, utcnow()
    session.flush()
    audit_service.append(
        session,
        actor=principal.actor,
        action="measures.feedback",
        object_type="credit_check_hit",
        object_id=hit.id,
        subject_id=hit.subject_id,
        summary={
            "check_id": hit.check_id,
            "measure": hit.measure_code,
            "from": before,
            "to": hit.feedback,
            "on": answer.on.isoformat(),
            "reason": reason,
            "late": answer.on > hit.feedback_due or today > hit.feedback_due,
        },
    )
    return hit


@dataclass(frozen=True)
class HitFilter:
    """A department's hits: all, pending, or pending and overdue."""

    department_id: int | None = None
    feedback: str | None = None
    overdue: bool = False
    measure_code: str | None = None


def _filtered(
    stmt: Select[tuple[CheckHit]], where: HitFilter, today: date
) -> Select[tuple[CheckHit]]:
    if where.department_id is not None:
        stmt = stmt.where(CheckHit.department_id == where.department_id)
    if where.feedback:
        stmt = stmt.where(CheckHit.feedback == where.feedback)
    if where.overdue:
        stmt = stmt.where(CheckHit.feedback == "pending", CheckHit.feedback_due < today)
    if where.measure_code:
        stmt = stmt.where(CheckHit.measure_code == where.measure_code)
    return stmt


def hits(
    session: Session, where: HitFilter, *, today: date, offset: int = 0, limit: int = 50
) -> tuple[int, list[CheckHit]]:
    """The total and a page of hits, oldest due first."""
    base = _filtered(select(CheckHit), where, today)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = base.order_by(CheckHit.feedback_due, CheckHit.id).offset(offset).limit(limit)
    return total, list(session.scalars(page))
