"""Console page of batch credit checks (统查): the upload form and its POST. The check's
progress and result are shown on the check's own page, ``/console/checks/{check_id}``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth.principal import Principal
from xinyong.checks import batch
from xinyong.checks.api import department_id_of
from xinyong.checks.batch_api import read_upload
from xinyong.core.config import get_settings
from xinyong.core.errors import Invalid, XinyongError
from xinyong.measures.catalog import get_catalog
from xinyong.subjects.models import Department
from xinyong.web.console import require_staff
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.render import render

router = APIRouter(prefix="/console/checks", include_in_schema=False)


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    form: dict[str, str],
    error: XinyongError | None = None,
) -> Response:
    settings, catalog = get_settings(), get_catalog()
    admin = principal.role == "admin"
    own = session.get(Department, principal.department_id) if principal.department_id else None
    departments = (
        list(session.scalars(select(Department).order_by(Department.key))) if admin else []
    )
    context: dict[str, Any] = {
        "form": form,
        "matters": sorted(catalog.matters.values(), key=lambda m: m.code),
        "department": own,
        "departments": departments,
        "admin": admin,
        "error": error,
        "error_field": (error.details.get("field") if error else None) or "",
        "max_rows": f"{batch.MAX_ROWS:,}",
        "max_mib": settings.check_batch_max_bytes // (1024 * 1024),
    }
    status = error.status_code if error else 200
    return render(request, "console/checks/batch.html", context, status_code=status)


@router.get("/batch", response_class=HTMLResponse)
def batch_form(request: Request, principal: CurrentPrincipal, session: DbSession) -> Response:
    """The upload form: matter, purpose, the list file (admins also name the department)."""
    require_staff(principal, "checks.run")
    return _form_page(request, session, principal, form={})


def _blank(value: str, field: str, message: str) -> None:
    if not value.strip():
        raise Invalid(message, details={"field": field})


@router.post("/batch", response_class=HTMLResponse)
def batch_upload(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    file: Annotated[UploadFile | None, File()] = None,
    matter: Annotated[str, Form(max_length=64)] = "",
    purpose: Annotated[str, Form(max_length=500)] = "",
    department: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Validate and queue the batch, start it in the background, show the check's page."""
    require_staff(principal, "checks.run")
    form = {"matter": matter, "purpose": purpose, "department": department}
    try:
        _blank(matter, "matter", "matter: choose the matter (应用事项)")
        _blank(purpose, "purpose", "purpose: state the purpose of the check (查询目的)")
        if file is None or not file.filename:
            raise Invalid(key="cb.err.choose_file", details={"field": "file"})
        check = batch.submit(
            session,
            principal=principal,
            department_id=department_id_of(session, department.strip() or None),
            matter=matter.strip(),
            purpose=purpose,
            data=read_upload(file),
            file_name=file.filename,
            today=date.today(),
        )
    except XinyongError as error:
        session.rollback()
        return _form_page(request, session, principal, form=form, error=error)
    session.commit()  # the job reads the check in its own sessions
    batch.start(check.id)
    return RedirectResponse(f"/console/checks/{check.id}", status_code=303)
