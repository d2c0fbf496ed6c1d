"""Console: a classification's classes (counts, list, XLSX link)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from xinyong.auth import policy
from xinyong.core.errors import Forbidden
from xinyong.supervision import service
from xinyong.supervision.config import get_config
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/console/supervision/{code}", response_class=HTMLResponse)
def classes_page(
    request: Request,
    code: str,
    session: DbSession,
    principal: CurrentPrincipal,
    class_code: Annotated[str | None, Query(alias="class", max_length=16)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Subjects by class under one classification, with the counts and the XLSX download."""
    policy.require(principal, "evaluations.read")
    if principal.kind != "staff":
        raise Forbidden(key="sv.err.staff_only")
    spec = get_config().get(code)
    rows = service.current_classes(
        session, code=code, class_code=class_code, limit=200, offset=offset
    )
    context = {
        "spec": spec,
        "rows": rows,
        "counts": service.class_counts(session, code=code),
        "chosen": class_code,
        "offset": offset,
    }
    return render(request, "console/supervision/classes.html", context)
