"""The figures of the console home: what waits for the caller's department (or, for the
credit office's oversight, for every department), each with the queue that lists it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from xinyong.auth import policy, scope
from xinyong.auth.principal import Principal
from xinyong.checks.models import CheckHit, CreditCheck
from xinyong.core.localtime import to_local
from xinyong.core.workdays import add_workdays
from xinyong.evaluation.models import EvaluationRun
from xinyong.ingest.models import IngestBatch
from xinyong.lists.models import ListEntry
from xinyong.reports.models import ReportBatch
from xinyong.rights.models import RightsCase
from xinyong.rights.states import OPEN_STATES

DUE_SOON_WORKDAYS = 3  # rights cases whose limit falls within this many working days
LATE_WINDOW_DAYS = 30  # late submissions counted over this many days
FLAG_WINDOW_DAYS = 90  # evaluation runs flagged within this many days


@dataclass(frozen=True)
class Figure:
    """One pending-work figure: its text key, count, hint, and the queue that lists it."""

    key: str
    count: int
    href: str
    hint: str | None = None
    hint_params: tuple[tuple[str, int], ...] = ()

    @property
    def alert(self) -> bool:
        return self.count > 0


def _scoped(stmt: Select[Any], column: object, department_id: int | None) -> Select[Any]:
    return stmt if department_id is None else stmt.where(column == department_id)  # type: ignore[arg-type]


def _count(session: Session, stmt: Select[Any]) -> int:
    return int(session.scalar(stmt) or 0)


def _rights(session: Session, department_id: int | None, today: date) -> list[Figure]:
    open_states = [s.value for s in OPEN_STATES]
    soon = add_workdays(today, DUE_SOON_WORKDAYS)
    base = select(func.count()).select_from(RightsCase).where(RightsCase.state.in_(open_states))
    base = _scoped(base, RightsCase.department_id, department_id)
    due = _count(session, base.where(RightsCase.due_on <= soon, RightsCase.due_on >= today))
    overdue = _count(session, base.where(RightsCase.due_on < today))
    hint = (("days", DUE_SOON_WORKDAYS),)
    return [
        Figure("desk.fig.rights_overdue", overdue, "/console/rights?status=overdue"),
        Figure("desk.fig.rights_due", due, "/console/rights", "desk.fig.rights_due.hint", hint),
    ]


def _lists(session: Session, department_id: int | None, today: date) -> Figure:
    waiting = or_(
        ListEntry.state == "proposed",
        (ListEntry.state == "notified") & (ListEntry.objection_until < today),
    )
    stmt = (
        select(func.count()).select_from(ListEntry).where(ListEntry.source == "platform", waiting)
    )
    count = _count(session, _scoped(stmt, ListEntry.department_id, department_id))
    return Figure("desk.fig.lists_waiting", count, "/console/lists", "desk.fig.lists_waiting.hint")


def _feedback(session: Session, department_id: int | None, today: date) -> Figure:
    stmt = (
        select(func.count())
        .select_from(CheckHit)
        .where(CheckHit.feedback == "pending", CheckHit.feedback_due < today)
    )
    count = _count(session, _scoped(stmt, CheckHit.department_id, department_id))
    return Figure("desk.fig.feedback_overdue", count, "/console/checks/feedback?status=overdue")


def _late(session: Session, department_id: int | None, now: datetime) -> Figure:
    since = now - timedelta(days=LATE_WINDOW_DAYS)
    stmt = select(func.coalesce(func.sum(IngestBatch.late), 0)).where(
        IngestBatch.kind == "submission", IngestBatch.received_at >= since
    )
    count = _count(session, _scoped(stmt, IngestBatch.department_id, department_id))
    first_day = (to_local(now) - timedelta(days=LATE_WINDOW_DAYS)).date()
    href = f"/console/ingest/ledger?late=true&since={first_day.isoformat()}"
    return Figure("desk.fig.late_rows", count, href, "desk.fig.late_rows.hint")


def _failed(session: Session, principal: Principal, department_id: int | None) -> list[Figure]:
    out: list[Figure] = []
    if policy.can(principal, "checks.read"):
        stmt = (
            select(func.count())
            .select_from(CreditCheck)
            .where(CreditCheck.kind == "batch", CreditCheck.state == "failed")
        )
        count = _count(session, _scoped(stmt, CreditCheck.department_id, department_id))
        out.append(Figure("desk.fig.failed_checks", count, "/console/checks"))
    if policy.can(principal, "reports.batch"):
        stmt = select(func.count()).select_from(ReportBatch).where(ReportBatch.state == "failed")
        if department_id is not None:
            stmt = stmt.where(ReportBatch.requester_actor == principal.actor)
        out.append(
            Figure("desk.fig.failed_reports", _count(session, stmt), "/console/reports/batch")
        )
    if policy.can(principal, "evaluations.read"):
        since = datetime.now(UTC) - timedelta(days=FLAG_WINDOW_DAYS)
        stmt = (
            select(func.count())
            .select_from(EvaluationRun)
            .where(EvaluationRun.drift_flagged.is_(True), EvaluationRun.started_at >= since)
        )
        out.append(Figure("desk.fig.drift_runs", _count(session, stmt), "/console/evaluation"))
    return out


def pending(
    session: Session, *, principal: Principal, today: date, now: datetime | None = None
) -> list[Figure]:
    """The figures the caller's role allows, for its department or (oversight) all."""
    department_id = None if scope.platform_wide(principal) else principal.department_id
    collection = None if scope.office_wide(session, principal) else principal.department_id
    out: list[Figure] = []
    if policy.can(principal, "rights.read"):
        out += _rights(session, department_id, today)
    if policy.can(principal, "lists.read"):
        out.append(_lists(session, department_id, today))
    if policy.can(principal, "checks.read"):
        out.append(_feedback(session, department_id, today))
    if policy.can(principal, "ingest.read"):
        out.append(_late(session, collection, now or datetime.now(UTC)))
    return out + _failed(session, principal, department_id)
