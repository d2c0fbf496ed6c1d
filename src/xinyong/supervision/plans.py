"""Inspection plans as the console shows them: a department's plans, a plan's draw with the
subjects, inspectors and the results recorded (一公开)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.auth.principal import Principal
from xinyong.auth.scope import platform_wide
from xinyong.core.errors import Forbidden, NotFound
from xinyong.records.models import Record
from xinyong.subjects.models import Subject
from xinyong.supervision.models import InspectionDraw, InspectionPlan, Inspector
from xinyong.supervision.service import RESULT_ITEM


def plans(
    session: Session, *, principal: Principal, limit: int = 200
) -> list[tuple[InspectionPlan, int]]:
    """Plans the caller sees (its department's; all for the credit office's oversight), newest
    first, with how many subjects each drew."""
    drawn = (
        select(InspectionDraw.plan_id, func.count().label("n"))
        .group_by(InspectionDraw.plan_id)
        .subquery()
    )
    stmt = (
        select(InspectionPlan, func.coalesce(drawn.c.n, 0))
        .outerjoin(drawn, drawn.c.plan_id == InspectionPlan.id)
        .order_by(InspectionPlan.id.desc())
        .limit(limit)
    )
    if not platform_wide(principal):
        stmt = stmt.where(InspectionPlan.department_id == principal.department_id)
    return [(plan, int(n)) for plan, n in session.execute(stmt).all()]


def readable(session: Session, *, principal: Principal, plan_id: int) -> InspectionPlan:
    """The plan, if the caller may see it (NotFound for another department's)."""
    plan = session.get(InspectionPlan, plan_id)
    if plan is None or not (
        platform_wide(principal) or plan.department_id == principal.department_id
    ):
        raise NotFound(key="sv.err.no_plan", params={"id": plan_id})
    return plan


def check_acts_for(principal: Principal, plan: InspectionPlan) -> None:
    """Only the plan's department (or the credit office's admins) draws and records results."""
    if principal.role != "admin" and plan.department_id != principal.department_id:
        raise Forbidden(key="sv.err.not_yours", details={"plan": plan.id})


@dataclass(frozen=True)
class DrawRow:
    """One drawn subject with its inspectors and, once recorded, the published result."""

    draw: InspectionDraw
    subject: Subject
    inspectors: list[str]
    result: Record | None


def draw_rows(session: Session, plan: InspectionPlan) -> list[DrawRow]:
    """The plan's draw in draw order."""
    stmt = (
        select(InspectionDraw, Subject)
        .join(Subject, Subject.id == InspectionDraw.subject_id)
        .where(InspectionDraw.plan_id == plan.id)
        .order_by(InspectionDraw.position)
    )
    rows = session.execute(stmt).all()
    names = {
        i.id: i.name
        for i in session.scalars(
            select(Inspector).where(Inspector.department_id == plan.department_id)
        )
    }
    results = {
        r.source_record_id: r
        for r in session.scalars(
            select(Record).where(
                Record.item_code == RESULT_ITEM,
                Record.department_id == plan.department_id,
                Record.is_current.is_(True),
                Record.source_record_id.like(f"SSJ-{plan.id}-%"),
            )
        )
    }
    return [
        DrawRow(
            draw,
            subject,
            [names.get(int(i), i) for i in draw.inspector_ids],
            results.get(f"SSJ-{plan.id}-{draw.position}"),
        )
        for draw, subject in rows
    ]


def draw_of(session: Session, plan: InspectionPlan, draw_id: int) -> InspectionDraw:
    """A drawn subject of this plan, or NotFound."""
    found = session.get(InspectionDraw, draw_id)
    if found is None or found.plan_id != plan.id:
        raise NotFound(key="sv.err.no_draw", params={"id": draw_id})
    return found
