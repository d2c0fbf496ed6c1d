"""Console pages of 双随机 inspection plans: the list, a new plan (sampling ratios by class
from the classification's data), the reproducible draw and the results (一公开)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.auth.scope import acts_for_any, own_department
from xinyong.catalog import service as catalog_service
from xinyong.core.errors import Invalid, XinyongError
from xinyong.subjects.models import Department
from xinyong.supervision import plans, service
from xinyong.supervision.config import Classification, get_config
from xinyong.web import console as kit
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import RawId, lang_of, parse_id

router = APIRouter(prefix="/console/supervision/plans", include_in_schema=False)
MAX_RATIO_FIELDS = 20


def _result_values() -> list[str]:
    spec = catalog_service.get_catalog().item(service.RESULT_ITEM).field("result")
    return [str(v) for v in spec.values or []]


def _nav(principal: Principal) -> dict[str, bool]:
    return {"plan": policy.can(principal, "supervision.plan")}


def _classification(code: str) -> Classification | None:
    return get_config().classifications.get(code)


PAGES = kit.ConsolePages(
    "supervision",
    {"department_name": kit.department_name, "classification": _classification},
    _nav,
)


def _departments(session: Session, principal: Principal) -> list[Department]:
    """Departments the caller plans for: its own, or any for the credit office's admins."""
    every = sorted(kit.departments_by_id(session).values(), key=lambda d: d.id)
    if acts_for_any(principal):
        return every
    return [d for d in every if d.id == principal.department_id]


def _list_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    error: XinyongError | None = None,
    form: dict[str, Any] | None = None,
    chosen: str | None = None,
) -> Response:
    classifications = get_config().classifications
    context = {
        "plans": plans.plans(session, principal=principal),
        "departments": kit.departments_by_id(session),
        "choices": _departments(session, principal),
        "classifications": list(classifications.values()),
        "chosen": classifications.get(chosen or "") or next(iter(classifications.values()), None),
        "form": form or {"seed": secrets.token_hex(8)},
        "error": error.localized(lang_of(request)) if error else None,
    }
    status = error.status_code if error else 200
    return PAGES.page(request, principal, "plans.html", context, status=status)


@router.get("", response_class=HTMLResponse)
def plans_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    classification: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Inspection plans (the department's own; all for oversight) and the new-plan form with
    the chosen classification's sampling ratios (from its data) filled in."""
    kit.require_staff(principal, "evaluations.read")
    return _list_page(request, session, principal, chosen=classification)


class PlanForm(BaseModel):
    """A new plan: department, classification, matter, seed and one ratio (%) per class."""

    department_id: str = Field("", max_length=12)
    classification: str = Field("", max_length=64)
    matter: str = Field("", max_length=300)
    seed: str = Field("", max_length=64)
    ratio_class: list[str] = Field(default_factory=list, max_length=MAX_RATIO_FIELDS)
    ratio_percent: list[str] = Field(default_factory=list, max_length=MAX_RATIO_FIELDS)


def _ratios(form: PlanForm, spec: Classification) -> dict[str, float]:
    """Percentages per class as ratios; a class left blank takes the classification's ratio."""
    ratios = dict(spec.sampling)
    for class_code, raw in zip(form.ratio_class, form.ratio_percent, strict=False):
        text = raw.strip()
        if not text:
            continue
        try:
            percent = float(text)
        except ValueError:
            raise Invalid(
                key="sv.err.ratio",
                params={"class_code": class_code},
                details={"field": f"ratio[{class_code}]"},
            ) from None
        ratios[class_code] = percent / 100
    return ratios


@router.post("", response_class=HTMLResponse)
def create_plan(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    form: Annotated[PlanForm, Form()],
) -> Response:
    """Create a plan with the sampling ratio of each class (defaults from the data)."""
    kit.require_staff(principal, "supervision.plan")
    try:
        spec = get_config().classifications.get(form.classification)
        if spec is None:
            raise Invalid(key="sv.err.classification", details={"field": "classification"})
        department_id = parse_id(form.department_id, "department_id") if form.department_id else 0
        if department_id not in {d.id for d in _departments(session, principal)}:
            department_id = own_department(principal)
        with session.begin_nested():
            plan = service.create_plan(
                session,
                department_id=department_id,
                classification=spec.code,
                matter=form.matter,
                ratios=_ratios(form, spec),
                seed=form.seed,
                actor=principal.actor,
            )
    except XinyongError as error:
        return _list_page(
            request,
            session,
            principal,
            error=error,
            form=form.model_dump(),
            chosen=form.classification,
        )
    return RedirectResponse(f"/console/supervision/plans/{plan.id}", status_code=303)


def _plan_page(
    request: Request,
    session: Session,
    principal: Principal,
    plan_id: int,
    *,
    error: XinyongError | None = None,
) -> Response:
    plan = plans.readable(session, principal=principal, plan_id=plan_id)
    may_act = policy.can(principal, "supervision.plan") and (
        principal.role == "admin" or plan.department_id == principal.department_id
    )
    context = {
        "plan": plan,
        "spec": get_config().classifications.get(plan.classification),
        "department": session.get(Department, plan.department_id),
        "rows": plans.draw_rows(session, plan),
        "may_act": may_act,
        "results": _result_values(),
        "today": date.today().isoformat(),
        "error": error.localized(lang_of(request)) if error else None,
    }
    status = error.status_code if error else 200
    return PAGES.page(request, principal, "plan.html", context, status=status)


@router.get("/{plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request, plan_id: RawId, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """A plan: its ratios and seed, then the draw with inspectors and results."""
    kit.require_staff(principal, "evaluations.read")
    return _plan_page(request, session, principal, parse_id(plan_id, "plan_id"))


@router.post("/{plan_id}/draw", response_class=HTMLResponse)
def draw(
    request: Request, plan_id: RawId, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """Draw the plan (once; the seed makes it reproducible)."""
    kit.require_staff(principal, "supervision.plan")
    number = parse_id(plan_id, "plan_id")
    plan = plans.readable(session, principal=principal, plan_id=number)
    try:
        plans.check_acts_for(principal, plan)
        with session.begin_nested():
            service.draw(session, plan_id=plan.id, today=date.today())
    except XinyongError as error:
        return _plan_page(request, session, principal, number, error=error)
    return RedirectResponse(f"/console/supervision/plans/{number}", status_code=303)


class ResultForm(BaseModel):
    """A drawn subject's inspection result and date."""

    draw_id: str = Field("", max_length=12)
    result: str = Field("", max_length=40)
    inspection_date: str = Field("", max_length=10)


@router.post("/{plan_id}/results", response_class=HTMLResponse)
def record_result(
    request: Request,
    plan_id: RawId,
    session: DbSession,
    principal: CurrentPrincipal,
    form: Annotated[ResultForm, Form()],
) -> Response:
    """Record a drawn subject's result: a published record of the inspection-results item."""
    kit.require_staff(principal, "supervision.plan")
    number = parse_id(plan_id, "plan_id")
    plan = plans.readable(session, principal=principal, plan_id=number)
    try:
        plans.check_acts_for(principal, plan)
        found = plans.draw_of(session, plan, parse_id(form.draw_id, "draw_id"))
        if form.result not in _result_values():
            raise Invalid(key="sv.err.result", details={"field": "result"})
        try:
            when = date.fromisoformat(form.inspection_date)
        except ValueError:
            raise Invalid(key="sv.err.date", details={"field": "inspection_date"}) from None
        with session.begin_nested():
            service.record_result(
                session,
                draw_id=found.id,
                result=form.result,
                inspection_date=when,
                actor=principal.actor,
            )
    except XinyongError as error:
        return _plan_page(request, session, principal, number, error=error)
    return RedirectResponse(f"/console/supervision/plans/{number}#draw-{found.id}", status_code=303)
