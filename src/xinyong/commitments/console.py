"""Console pages of commitments: templates in force with the performance queue, counter entry,
one commitment with performance recording and the breach decision."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.auth.principal import Principal
from xinyong.auth.scope import acts_for_any, platform_wide
from xinyong.commitments import breach, performance, service, stats, views
from xinyong.commitments.config import Publicity, get_config
from xinyong.commitments.models import Commitment
from xinyong.core.errors import Forbidden, Invalid, NotFound, XinyongError
from xinyong.reports.service import beijing_today
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject
from xinyong.web import csrf
from xinyong.web.console import ConsolePages, add_nav, require_staff
from xinyong.web.deps import CurrentPrincipal, DbSession

router = APIRouter(
    prefix="/console/commitments", include_in_schema=False, dependencies=[Depends(csrf.verify)]
)
add_nav("commitments.read", "/console/commitments", "commit.console.title", group="services")
add_nav(
    "commitments.register",
    "/console/commitments/counter",
    "commit.console.counter",
    group="services",
)
Text = Annotated[str, Form(max_length=100_000)]


def _nav(principal: Principal) -> dict[str, bool]:
    return {"register": principal.role in ("admin", "department_user")}


def _pages(session: Session) -> ConsolePages:
    return ConsolePages("commitments", views.helpers(session), _nav)


@router.get("", response_class=HTMLResponse)
def home(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """Templates in force and the performance queue (a department's own; oversight: all)."""
    require_staff(principal, "commitments.read")
    department_id = None if platform_wide(principal) else (principal.department_id or -1)
    levels = tuple(p.value for p in Publicity)
    context = {
        "templates": list(get_config().templates.values()),
        "queue": performance.queue(session, department_id=department_id),
        "figures": stats.figures(session, publicities=levels, department_id=department_id),
    }
    return _pages(session).page(request, principal, "home.html", context)


def _counter_page(request: Request, session: Session, principal: Principal, *, error: Any = None,
                  status: int = 200) -> Response:  # fmt: skip
    context = {"templates": list(get_config().templates.values()), "error": error}
    return _pages(session).page(request, principal, "counter.html", context, status=status)


@router.get("/counter", response_class=HTMLResponse)
def counter_form(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """The counter entry form: a commitment signed on paper at the department's window."""
    require_staff(principal, "commitments.register")
    return _counter_page(request, session, principal)


@router.post("/counter", response_class=HTMLResponse)
def counter(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    template: Annotated[str, Form(max_length=64)],
    subject_code: Annotated[str, Form(max_length=32)],
) -> Response:
    """Register a counter commitment for the staff member's department."""
    require_staff(principal, "commitments.register")
    try:
        with session.begin_nested():
            if principal.department_id is None:
                raise Forbidden(key="commit.err.other_department")
            subject = subjects_service.find_by_code(session, subject_code.strip().upper())
            if subject is None:
                raise Invalid(key="commit.err.no_subject", details={"field": "subject_code"})
            c = service.create(
                session,
                signing_=service.Signing(
                    template_code=template,
                    subject_id=subject.id,
                    department_id=principal.department_id,
                    channel="counter",
                    actor=principal.actor,
                    signed_on=beijing_today(),
                ),
            )
    except XinyongError as error:
        return _counter_page(request, session, principal, error=error, status=error.status_code)
    return RedirectResponse(f"/console/commitments/{c.number}", status_code=303)


def _own(session: Session, principal: Principal, number: str) -> Commitment:
    c = service.get(session, number)
    if not platform_wide(principal) and principal.department_id != c.department_id:
        raise NotFound(key="commit.err.not_found", params={"number": number[:20]})
    return c


def _detail(request: Request, session: Session, principal: Principal, c: Commitment,
            *, error: Any = None, status: int = 200) -> Response:  # fmt: skip
    context = {
        "c": c,
        "subject": session.get(Subject, c.subject_id),
        "template": get_config().templates.get(c.template_code),
        "conditions": service.conditions(session, c),
        "events": service.history(session, c),
        "valid": service.verify(c),
        "outcomes": performance.OUTCOMES,
        "today": beijing_today(),
        "error": error,
    }
    return _pages(session).page(request, principal, "one.html", context, status=status)


@router.get("/{number}", response_class=HTMLResponse)
def one(request: Request, number: str, session: DbSession, principal: CurrentPrincipal) -> Response:
    """One commitment as the receiving department works on it."""
    require_staff(principal, "commitments.read")
    return _detail(request, session, principal, _own(session, principal, number))


def _acting(principal: Principal) -> int | None:
    return None if acts_for_any(principal) else (principal.department_id or -1)


@router.post("/{number}/fulfil", response_class=HTMLResponse)
def fulfil(
    request: Request,
    number: str,
    session: DbSession,
    principal: CurrentPrincipal,
    condition: Annotated[str, Form(max_length=64)],
    outcome: Annotated[str, Form(max_length=16)],
    evidence: Text = "",
) -> Response:
    """Record how a condition was performed."""
    require_staff(principal, "commitments.register")
    c = _own(session, principal, number)
    try:
        with session.begin_nested():
            performance.record(
                session, c=c, condition_code=condition, outcome=outcome, evidence=evidence,
                actor=principal.actor, department_id=_acting(principal), today=beijing_today(),
            )  # fmt: skip
    except XinyongError as error:
        session.refresh(c)
        return _detail(request, session, principal, c, error=error, status=error.status_code)
    return RedirectResponse(f"/console/commitments/{c.number}", status_code=303)


@router.post("/{number}/breach", response_class=HTMLResponse)
def decide_breach(
    request: Request,
    number: str,
    session: DbSession,
    principal: CurrentPrincipal,
    reasons: Text = "",
    evidence: Text = "",
) -> Response:
    """Decide a breach: record, list proposals, notice to the subject."""
    require_staff(principal, "commitments.register")
    c = _own(session, principal, number)
    today: date = beijing_today()
    try:
        with session.begin_nested():
            breach.decide(
                session, c=c, reasons=reasons, evidence=evidence, actor=principal.actor,
                department_id=_acting(principal), today=today,
            )  # fmt: skip
    except XinyongError as error:
        session.refresh(c)
        return _detail(request, session, principal, c, error=error, status=error.status_code)
    return RedirectResponse(f"/console/commitments/{c.number}", status_code=303)


@router.post("/{number}/withdraw", response_class=HTMLResponse)
def withdraw(
    request: Request,
    number: str,
    session: DbSession,
    principal: CurrentPrincipal,
    reason: Text = "",
) -> Response:
    """Withdraw a commitment with a reason (its history keeps it)."""
    require_staff(principal, "commitments.register")
    c = _own(session, principal, number)
    try:
        with session.begin_nested():
            service.withdraw(session, c=c, reason=reason, actor=principal.actor)
    except XinyongError as error:
        session.refresh(c)
        return _detail(request, session, principal, c, error=error, status=error.status_code)
    return RedirectResponse(f"/console/commitments/{c.number}", status_code=303)
