"""Figures of the rights procedures: cases by type and outcome, handling time, overdue rate."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.records.models import Record
from xinyong.rights.models import RightsCase
from xinyong.rights.states import OPEN_STATES, CaseKind, CaseOutcome


@dataclass(frozen=True)
class KindFigures:
    kind: str
    total: int
    open: int
    open_overdue: int
    by_outcome: dict[str, int] = field(default_factory=dict)
    median_workdays: float | None = None
    overdue_rate: float | None = None  # closed late + open past due, over all cases


@dataclass(frozen=True)
class RightsFigures:
    kinds: list[KindFigures]
    subjects_repaired: int
    records_under_objection: int


def _kind_figures(
    session: Session, kind: CaseKind, department_id: int | None, today: date
) -> KindFigures:
    base = select(RightsCase).where(RightsCase.kind == kind.value)
    if department_id is not None:
        base = base.where(RightsCase.department_id == department_id)
    cases = base.subquery()
    by_outcome = {
        str(outcome): int(count)
        for outcome, count in session.execute(
            select(cases.c.outcome, func.count()).where(cases.c.outcome.is_not(None))
            .group_by(cases.c.outcome)
        ).all()
    }  # fmt: skip
    open_states = [s.value for s in OPEN_STATES]
    open_count = int(
        session.scalar(select(func.count()).where(cases.c.state.in_(open_states))) or 0
    )
    open_overdue = int(
        session.scalar(
            select(func.count()).where(cases.c.state.in_(open_states), cases.c.due_on < today)
        )
        or 0
    )
    closed_late = int(
        session.scalar(select(func.count()).where(cases.c.overdue_at_close.is_(True))) or 0
    )
    handled = [
        int(days)
        for days in session.scalars(
            select(cases.c.handling_workdays).where(
                cases.c.handling_workdays.is_not(None),
                cases.c.outcome != CaseOutcome.withdrawn.value,
            )
        )
    ]
    total = open_count + sum(by_outcome.values())
    return KindFigures(
        kind=kind.value,
        total=total,
        open=open_count,
        open_overdue=open_overdue,
        by_outcome=by_outcome,
        median_workdays=float(statistics.median(handled)) if handled else None,
        overdue_rate=(closed_late + open_overdue) / total if total else None,
    )


def figures(
    session: Session, *, department_id: int | None = None, today: date | None = None
) -> RightsFigures:
    """The figures, for one department or the whole platform."""
    today = today or date.today()
    repaired = select(func.count(func.distinct(RightsCase.subject_id))).where(
        RightsCase.kind == CaseKind.repair.value,
        RightsCase.outcome == CaseOutcome.repaired.value,
    )
    disputed = (
        select(func.count())
        .select_from(Record)
        .where(Record.is_current.is_(True), Record.state == "under_objection")
    )
    if department_id is not None:
        repaired = repaired.where(RightsCase.department_id == department_id)
        disputed = disputed.where(Record.department_id == department_id)
    return RightsFigures(
        kinds=[_kind_figures(session, kind, department_id, today) for kind in CaseKind],
        subjects_repaired=int(session.scalar(repaired) or 0),
        records_under_objection=int(session.scalar(disputed) or 0),
    )
