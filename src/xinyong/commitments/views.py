"""Portal pages of commitments: the public browse page, one commitment, a subject's own
commitments and the sign flow (see the full text, confirm, sign)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.commitments import service
from xinyong.commitments.config import Kind, get_config
from xinyong.core.errors import Forbidden, Unauthorized, XinyongError
from xinyong.core.i18n import Language, t
from xinyong.reports.service import beijing_today
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department, Subject
from xinyong.web import csrf
from xinyong.web.console import departments_by_id
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.render import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.verify)])
PAGE_SIZE = 20
PUBLICITY_KEYS = {"社会公开": "public", "特定范围": "government", "不公开": "none"}


def kind_label(value: str, lang: Language) -> str:
    """A kind's name in the page language (the stored value is the Chinese name)."""
    try:
        return t(f"commit.kindname.{Kind(value).name}", lang)
    except ValueError:
        return value


def helpers(session: Any) -> dict[str, Any]:
    """What the commitment templates call: department names, labels, times."""
    return {
        "departments": departments_by_id(session),
        "publicity_key": PUBLICITY_KEYS,
        "local_time": service.signed_at_local,
        "kinds": [k.value for k in Kind],
        "kind_label": kind_label,
        "statuses": service.STATUSES,
    }


def _subject_only(principal: Principal) -> int:
    if principal.kind == "anonymous":
        raise Unauthorized("请先登录 · log in first")
    policy.require(principal, "commitments.sign")
    if principal.subject_id is None:
        raise Forbidden(key="commit.err.subjects_only")
    return principal.subject_id


@router.get("/commitments", response_class=HTMLResponse)
def browse(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    kind: Annotated[str, Query(max_length=16)] = "",
    department: Annotated[str, Query(max_length=12)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    subject: Annotated[str, Query(max_length=32)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """信用承诺公示: commitments the caller may see, by kind, department and status."""
    subject_id = None
    if subject.strip():
        found = subjects_service.find_by_code(session, subject.strip().upper())
        subject_id = found.id if found else -1
    department_id = int(department) if department.isdigit() else None
    filters = service.Filters(kind, department_id, status, subject_id)
    stmt = service.browse_query(principal, filters)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    subjects = {
        s.id: s
        for s in session.scalars(
            select(Subject).where(Subject.id.in_({c.subject_id for c in rows}))
        )
    }
    context = {
        **helpers(session),
        "rows": rows,
        "subjects": subjects,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "filters": {
            "kind": kind,
            "department": department_id,
            "status": status,
            "subject": subject,
        },
        "department_list": sorted(
            session.scalars(select(Department).where(Department.active.is_(True))),
            key=lambda d: d.id,
        ),
    }
    return render(request, "portal/commitments/browse.html", context)


@router.get("/commitments/{number}", response_class=HTMLResponse)
def one(
    request: Request,
    number: str,
    session: DbSession,
    principal: CurrentPrincipal,
    purpose: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """One commitment: its text, signature check, conditions and history."""
    c = service.readable(session, principal, number, purpose=purpose)
    template = get_config().templates.get(c.template_code)
    context = {
        **helpers(session),
        "c": c,
        "template": template,
        "subject": session.get(Subject, c.subject_id),
        "conditions": service.conditions(session, c),
        "events": service.history(session, c),
        "valid": service.verify(c),
    }
    return render(request, "portal/commitments/one.html", context)


@router.get("/portal/me/commitments", response_class=HTMLResponse)
def mine(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """A subject's own commitments (every publicity) and the templates it may sign."""
    subject_id = _subject_only(principal)
    context = {
        **helpers(session),
        "rows": service.of_subject(session, subject_id),
        "templates": list(get_config().templates.values()),
    }
    return render(request, "portal/commitments/me.html", context)


@router.get("/portal/commitments/sign", response_class=HTMLResponse)
def sign_form(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    template: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """The full text the subject is about to sign, with its deadlines filled in."""
    subject_id = _subject_only(principal)
    spec = get_config().get(template)
    department = service.default_department(session, spec)
    subject = subjects_service.get(session, subject_id)
    text = service.render_text(spec, subject, department, beijing_today())
    context = {**helpers(session), "template": spec, "department": department, "text": text,
               "error": None}  # fmt: skip
    return render(request, "portal/commitments/sign.html", context)


@router.post("/portal/commitments/sign", response_class=HTMLResponse)
def sign(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    template: Annotated[str, Form(max_length=64)],
    text: Annotated[str, Form(max_length=10_000)],
    confirm: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Sign the text the subject saw (it must still be the template's text)."""
    _subject_only(principal)
    if confirm != "yes":
        return RedirectResponse(f"/portal/commitments/sign?template={template}", status_code=303)
    try:
        with session.begin_nested():
            c = service.sign_online(session, principal=principal, template_code=template, text=text)
    except XinyongError as error:
        if isinstance(error, Unauthorized | Forbidden):
            raise
        spec = get_config().templates.get(template)
        context = {**helpers(session), "template": spec, "department": None, "text": text,
                   "error": error}  # fmt: skip
        return render(
            request, "portal/commitments/sign.html", context, status_code=error.status_code
        )
    return RedirectResponse(f"/commitments/{c.number}", status_code=303)
