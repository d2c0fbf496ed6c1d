"""The console page where counter staff issue opening and reset codes (thin)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xinyong.auth import counter
from xinyong.auth.models import Account
from xinyong.auth.principal import Principal
from xinyong.core.db import utcnow
from xinyong.core.errors import XinyongError
from xinyong.core.localtime import local_time
from xinyong.identity import names
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject
from xinyong.web.console import require_staff, staff
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.render import render_page

router = APIRouter(include_in_schema=False)
PATH = "/console/accounts/codes"
FOUND = 20
ORGANISATION_KINDS = ("legal_person", "individual_business")


def find_subjects(session: Session, query: str) -> list[Subject]:
    """Subjects by code (USCC, ID number …), or organisations by a part of the name, at most
    ``FOUND``: a person is found by the ID number on the card in hand, never by name."""
    query = query.strip()
    if len(query) < 2:
        return []
    by_code = subjects_service.find_by_code(session, query.upper())
    if by_code is not None:
        return [by_code]
    needles = {names.normalize_org_name(query), query} - {""}
    stmt = (
        select(Subject)
        .where(or_(*(Subject.name_normalized.contains(n, autoescape=True) for n in needles)))
        .where(Subject.kind.in_(ORGANISATION_KINDS))
        .order_by(Subject.name)
        .limit(FOUND)
    )
    return list(session.scalars(stmt))


def _page(
    request: Request, session: Session, principal: Principal, query: str, **extra: Any
) -> Response:
    found = find_subjects(session, query)
    ids = [s.id for s in found]
    with_account = (
        set(session.scalars(select(Account.subject_id).where(Account.subject_id.in_(ids))))
        if ids
        else set()
    )
    context = {
        "principal": principal,
        "q": query,
        "found": found,
        "with_account": with_account,
        "issued": None,
        "error": None,
        **extra,
    }
    response = render_page(
        request, "console/auth/codes.html", context, status_code=extra.get("status", 200)
    )
    response.headers["cache-control"] = "no-store"
    return response


@router.get(PATH, response_class=HTMLResponse)
def codes_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Find a subject by code or name to issue it a counter code."""
    require_staff(principal, "counter.issue_code")
    return _page(request, session, principal, q)


@router.post(PATH, response_class=HTMLResponse)
def issue_code(
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, Depends(staff("counter.issue_code"))],
    subject_id: Annotated[int, Form(ge=1)],
    purpose: Annotated[str, Form(max_length=16)],
    q: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Issue an opening or reset code for the subject; the code is shown this once."""
    subject = subjects_service.get(session, subject_id)
    try:
        code = counter.issue_for(
            session, subject=subject, purpose=purpose, issued_by=principal.account_id
        )
    except XinyongError as error:
        return _page(request, session, principal, q, error=error, status=error.status_code)
    minutes = counter.VALID_MINUTES[purpose]
    issued = {
        "code": code,
        "name": subject.name,
        "purpose": purpose,
        "hours": minutes // 60,
        "until": local_time(utcnow() + timedelta(minutes=minutes)),
    }
    return _page(request, session, principal, q, issued=issued)
