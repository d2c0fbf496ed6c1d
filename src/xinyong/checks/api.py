"""JSON API of credit checks (逢办必查): run a check, read it, report implementation feedback,
see pending and overdue feedback, figures. Departments' staff and API keys with the
``checks:run`` scope; a department sees its own checks, admins and auditors all."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.auth import scope
from xinyong.auth.principal import Principal
from xinyong.checks import feedback, stats
from xinyong.checks import service as checks
from xinyong.checks.answers import check_read, hit_read, summary
from xinyong.checks.models import CreditCheck
from xinyong.checks.resolve import SubjectQuery
from xinyong.checks.schemas import CheckCreate, CheckPage, CheckRead, FeedbackBody, HitPage, HitRead
from xinyong.core.errors import API_ERRORS
from xinyong.core.i18n import Language
from xinyong.web.deps import DbSession, requires
from xinyong.web.params import Offset, PathId

router = APIRouter(
    prefix="/api/v1",
    tags=["checks · 信用核查(逢办必查)"],
    responses=API_ERRORS,
)

Lang = Annotated[Language, Query(description="标签语言 · language of the labels")]


Runner = Annotated[Principal, Depends(requires("checks.run"))]
Reader = Annotated[Principal, Depends(requires("checks.read"))]


def department_id_of(session: Session, key: str | None) -> int | None:
    """The id of a department named by key or code (Invalid naming the field), or None."""
    return scope.department_id(session, key) if key else None


def scope_of(session: Session, principal: Principal, department: str | None) -> int | None:
    """The department a reader looks at: any (admins, auditors) or its own."""
    return scope.department_scope(session, principal, department, what="checks")


@router.post("/checks", response_model=CheckRead, summary="信用核查 · Run a credit check")
def run_check(
    body: CheckCreate, session: DbSession, principal: Runner, lang: Lang = "zh"
) -> CheckRead:
    """Check up to 100 subjects (by code, or by name through the matching engine) for a
    matter: per subject the lists it is on, the measures that apply with their legal basis,
    and the records behind them. Registered as queries; hits await feedback."""
    today = date.today()
    check = checks.run_single(
        session,
        principal=principal,
        department_id=department_id_of(session, body.department),
        matter=body.matter,
        purpose=body.purpose,
        subjects=[
            SubjectQuery(row_no=i + 1, name=s.name, code=s.code)
            for i, s in enumerate(body.subjects)
        ],
        today=today,
    )
    # The check is written and audited: commit now, so the audit chain's lock is not held
    # while the answer is read back and serialised.
    session.commit()
    return check_read(session, check, lang, today=today)


@router.get("/checks", response_model=CheckPage, summary="核查记录 · Checks made")
def list_checks(
    session: DbSession,
    principal: Reader,
    matter: Annotated[str | None, Query(max_length=64)] = None,
    kind: Literal["single", "batch"] | None = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    lang: Lang = "zh",
) -> CheckPage:
    """The checks of the caller's department (admins and auditors: all, or one department's)."""
    stmt = select(CreditCheck)
    department_id = scope_of(session, principal, department)
    if department_id is not None:
        stmt = stmt.where(CreditCheck.department_id == department_id)
    if matter:
        stmt = stmt.where(CreditCheck.matter_code == matter)
    if kind:
        stmt = stmt.where(CreditCheck.kind == kind)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = stmt.order_by(CreditCheck.id.desc()).offset(offset).limit(limit)
    found = [summary(session, c, lang) for c in session.scalars(page)]
    return CheckPage(total=total, checks=found)


@router.get("/checks/{check_id:int}", response_model=CheckRead, summary="一次核查 · One check")
def read_check(
    check_id: PathId,
    session: DbSession,
    principal: Reader,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    lang: Lang = "zh",
) -> CheckRead:
    """The check (a batch's progress too) and a page of its rows with their hits."""
    check = checks.readable(session, principal, check_id)
    return check_read(session, check, lang, today=date.today(), offset=offset, limit=limit)


@router.post(
    "/checks/{check_id:int}/hits/{hit_id:int}/feedback",
    response_model=HitRead,
    summary="实施反馈 · Report whether a measure was applied",
)
def give_feedback(
    check_id: PathId,
    hit_id: PathId,
    body: FeedbackBody,
    session: DbSession,
    principal: Runner,
    lang: Lang = "zh",
) -> HitRead:
    """Applied or not applied, the date, and the reason (required when not applied)."""
    today = date.today()
    hit = feedback.answer(
        session,
        principal=principal,
        hit_id=hit_id,
        check_id=check_id,
        answer=feedback.Answer(feedback.Outcome(body.outcome), body.on, body.reason),
        today=today,
        expected_version=body.version,
    )
    return hit_read(hit, lang, today)


@router.get("/check-hits", response_model=HitPage, summary="待反馈 · Hits and their feedback")
def list_hits(
    session: DbSession,
    principal: Reader,
    state: Literal["pending", "applied", "not_applied"] | None = None,
    overdue: bool = False,
    measure: Annotated[str | None, Query(max_length=32)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    lang: Lang = "zh",
) -> HitPage:
    """Hits of the caller's department, oldest due first; ``overdue`` = pending past due."""
    today = date.today()
    where = feedback.HitFilter(
        department_id=scope_of(session, principal, department),
        feedback=state,
        overdue=overdue,
        measure_code=measure,
    )
    total, found = feedback.hits(session, where, today=today, offset=offset, limit=limit)
    return HitPage(total=total, hits=[hit_read(h, lang, today) for h in found])


@router.get("/check-stats", summary="核查统计 · Figures of credit checks")
def check_stats(
    session: DbSession,
    principal: Reader,
    department: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, object]:
    """Checks, subjects, hits and feedback by department, matter, measure and kind."""
    figures = stats.figures(
        session, today=date.today(), department_id=scope_of(session, principal, department)
    )
    return {
        "total": figures.total.to_dict(),
        "by_department": [f.to_dict() for f in figures.by_department],
        "by_matter": [f.to_dict() for f in figures.by_matter],
        "by_measure": [f.to_dict() for f in figures.by_measure],
        "by_kind": [f.to_dict() for f in figures.by_kind],
    }
