"""Objections to a published board (异议), within the scheme's objection period.

The platform's ``rights`` cases are objections to credit records (a catalogue item, a
source department, working-day deadlines); a board row is no credit record, so a board
objection is kept here and answered by the village's review committee."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.core.errors import Conflict, Invalid, NotFound
from xinyong.points import service
from xinyong.points.models import PointsMonth, PointsObjection


def is_open(month: PointsMonth) -> bool:
    """Whether the board's objection period is still running (Beijing dates)."""
    return service.beijing_today() <= month.objection_until


def file(
    session: Session, *, month: PointsMonth, text: str, contact: str, rank: int | None = None
) -> PointsObjection:
    """Record an objection to a board while its objection period runs."""
    if not is_open(month):
        raise Conflict(key="pts.err.objection_closed")
    objection = PointsObjection(
        month_id=month.id, rank=rank, text=text.strip(), contact=contact.strip()
    )
    session.add(objection)
    session.flush()
    audit_service.append(
        session, actor="public", action="points.objection.file", object_type="points_month",
        object_id=month.id, summary={"objection": objection.id, "rank": rank},
    )  # fmt: skip
    return objection


def of_month(session: Session, month_id: int) -> list[PointsObjection]:
    """A month's objections, oldest first."""
    stmt = select(PointsObjection).where(PointsObjection.month_id == month_id)
    return list(session.scalars(stmt.order_by(PointsObjection.id)))


def answer(session: Session, *, objection_id: int, text: str, actor: str) -> PointsObjection:
    """The review committee's answer to an objection (once)."""
    objection = session.get(PointsObjection, objection_id)
    if objection is None:
        raise NotFound(key="pts.err.no_objection")
    if objection.state != "open":
        raise Conflict(key="pts.err.objection_answered")
    if not text.strip():
        raise Invalid(key="pts.err.reason_needed", details={"field": "answer"})
    objection.state = "answered"
    objection.answer = text.strip()[:1000]
    session.flush()
    audit_service.append(
        session, actor=actor, action="points.objection.answer", object_type="points_month",
        object_id=objection.month_id, summary={"objection": objection.id},
    )  # fmt: skip
    return objection


def open_for_village(session: Session, village_id: int) -> list[PointsObjection]:
    """The village's unanswered objections, oldest first."""
    stmt = (
        select(PointsObjection)
        .join(PointsMonth, PointsMonth.id == PointsObjection.month_id)
        .where(PointsMonth.village_id == village_id, PointsObjection.state == "open")
        .order_by(PointsObjection.id)
    )
    return list(session.scalars(stmt))
