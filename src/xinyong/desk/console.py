"""The console's home page (工作台): pending work with figures, and every function the
caller's role allows (thin)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from xinyong.auth import scope
from xinyong.core.errors import Forbidden, Unauthorized
from xinyong.core.localtime import local_today
from xinyong.desk import service
from xinyong.subjects.models import Department
from xinyong.web import console as kit
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.present import served_paths
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/console/", response_class=HTMLResponse)
def console_home(request: Request, principal: CurrentPrincipal, session: DbSession) -> Response:
    """The console's start page for staff: pending work, figures, every function."""
    if principal.kind == "anonymous":
        raise Unauthorized(key="auth.err.log_in")
    if principal.kind != "staff":
        raise Forbidden(key="auth.err.console_staff")
    department = (
        session.get(Department, principal.department_id) if principal.department_id else None
    )
    entries = kit.nav_entries(principal, served_paths(request).__contains__)
    figures = service.pending(session, principal=principal, today=local_today())
    context = {
        "department": department,
        "department_name": kit.department_name,
        "figures": figures,
        "functions": [(g, e) for g, e in kit.nav_groups(entries) if g != "desk"],
        "office_wide": scope.office_wide(session, principal),
        "display_name": principal.label.split(" (")[0],
    }
    return render(request, "console/desk/home.html", context)
