"""Console: objections against grades (评价结果异议) — the list, the counter filing and the
credit office's decision — on the console kit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.core.errors import Invalid, XinyongError
from xinyong.core.localtime import local_time
from xinyong.evaluation import objections
from xinyong.evaluation.config import get_models
from xinyong.evaluation.models import GradeObjection
from xinyong.rights import cases
from xinyong.rights.models import RightsCase
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject
from xinyong.web import console as kit
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import RawId, lang_of, parse_id

router = APIRouter(prefix="/console/evaluation/objections", include_in_schema=False)


def _nav(principal: Principal) -> dict[str, bool]:
    return {
        "counter": policy.can(principal, "rights.counter"),
        "decide": policy.can(principal, "rights.decide"),
    }


PAGES = kit.ConsolePages(
    "evaluation",
    {"model_name": objections.model_name, "local_time": local_time},
    _nav,
)


def _rows(session: Session) -> list[tuple[RightsCase, GradeObjection, Subject]]:
    found, _ = objections.listing(session, limit=200)
    return [(grade_case.case, grade_case.link, subject) for grade_case, subject in found]


def _list_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    error: XinyongError | None = None,
    form: dict[str, str] | None = None,
    filed: str | None = None,
) -> Response:
    context: dict[str, Any] = {
        "rows": _rows(session),
        "models": list(get_models().models.values()),
        "error": error.localized(lang_of(request)) if error else None,
        "form": form or {},
        "filed": filed,
    }
    status = error.status_code if error else 200
    return PAGES.page(request, principal, "objections.html", context, status=status)


@router.get("", response_class=HTMLResponse)
def objections_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    filed: Annotated[str | None, Query(max_length=20, pattern=r"^YY\d{4}-\d{6}$")] = None,
) -> Response:
    """Objections against grades, open ones first by due date, and the counter's filing form."""
    kit.require_staff(principal, "rights.read")
    return _list_page(request, session, principal, filed=filed)


class CounterForm(BaseModel):
    """The counter's filing: the subject's code, the model whose grade it disputes, why."""

    code: str = Field("", max_length=40)
    model: str = Field("", max_length=64)
    statement: str = Field("", max_length=5000)
    contact: str = Field("", max_length=100)


@router.post("", response_class=HTMLResponse)
def file_at_counter(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    form: Annotated[CounterForm, Form()],
) -> Response:
    """File an objection against a subject's grade for a subject who came in person."""
    kit.require_staff(principal, "rights.counter")
    try:
        with session.begin_nested():
            if not form.code.strip():
                raise Invalid(key="ev.obj.err.no_code", details={"field": "code"})
            subject = subjects_service.get_by_code(session, form.code.strip().upper())
            applicant = cases.Applicant(
                actor=principal.actor,
                subject_id=subject.id,
                channel="counter",
                contact=form.contact.strip() or None,
            )
            found = objections.apply(
                session, applicant=applicant, model_code=form.model, statement=form.statement
            )
    except XinyongError as error:
        return _list_page(request, session, principal, error=error, form=form.model_dump())
    return RedirectResponse(
        f"/console/evaluation/objections?filed={found.case.number}", status_code=303
    )


def _case_page(
    request: Request,
    session: Session,
    principal: Principal,
    case_id: int,
    *,
    error: XinyongError | None = None,
) -> Response:
    found = objections.get(session, case_id)
    context = {
        "case": found.case,
        "link": found.link,
        "subject": session.get(Subject, found.link.subject_id),
        "timeline": cases.timeline(session, case_id),
        "can_decide": cases.is_open(found.case)
        and policy.can(principal, "rights.decide")
        and principal.department_id == found.case.department_id,
        "error": error.localized(lang_of(request)) if error else None,
    }
    status = error.status_code if error else 200
    return PAGES.page(request, principal, "objection.html", context, status=status)


@router.get("/{case_id}", response_class=HTMLResponse)
def objection_page(
    request: Request, case_id: RawId, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """One objection against a grade: the grade, the statement, the timeline, the decision."""
    kit.require_staff(principal, "rights.read")
    return _case_page(request, session, principal, parse_id(case_id, "case_id"))


class DecisionForm(BaseModel):
    """The credit office's decision: upheld (evaluate again) or not, with reasons."""

    outcome: str = Field("", max_length=20)
    reason: str = Field("", max_length=5000)
    version: int | None = Field(None, ge=1, le=2_147_483_647)


@router.post("/{case_id}/decide", response_class=HTMLResponse)
def decide(
    request: Request,
    case_id: RawId,
    session: DbSession,
    principal: CurrentPrincipal,
    form: Annotated[DecisionForm, Form()],
) -> Response:
    """Decide an objection against a grade (upheld: the subject is evaluated again)."""
    kit.require_staff(principal, "rights.decide")
    number = parse_id(case_id, "case_id")
    try:
        if form.outcome not in ("upheld", "rejected"):
            raise Invalid(key="ev.obj.err.no_choice", details={"field": "outcome"})
        with session.begin_nested():
            objections.decide(
                session,
                case_id=number,
                upheld=form.outcome == "upheld",
                reason=form.reason,
                actor=principal.actor,
                department_id=principal.department_id,
                expected_version=form.version,
            )
    except XinyongError as error:
        return _case_page(request, session, principal, number, error=error)
    return RedirectResponse(f"/console/evaluation/objections/{number}", status_code=303)
