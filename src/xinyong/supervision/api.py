"""``/api/v1/supervision/…``: classes per classification (JSON, XLSX), plans and draws."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from xinyong.auth import policy
from xinyong.core.errors import API_ERRORS
from xinyong.supervision import export, service
from xinyong.supervision.config import get_config
from xinyong.web.deps import CurrentPrincipal, DbSession

router = APIRouter(
    prefix="/api/v1/supervision", tags=["supervision · 分级分类监管"], responses=API_ERRORS
)


@router.get("/classifications/{code}/classes")
def classes(
    code: str,
    session: DbSession,
    principal: CurrentPrincipal,
    class_code: Annotated[str | None, Query(alias="class", max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """分级分类结果 · Subjects and their current class under a classification."""
    policy.require(principal, "evaluations.read")
    rows = service.current_classes(
        session, code=code, class_code=class_code, limit=limit, offset=offset
    )
    return {
        "classification": code,
        "counts": service.class_counts(session, code=code),
        "items": [
            {
                "uscc": s.uscc,
                "name": s.name,
                "class": r.class_code,
                "since": r.since.isoformat(),
                "basis": r.basis,
            }
            for r, s in rows
        ],
    }


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/classifications/{code}/classes.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "XLSX"}},
)
def classes_xlsx(code: str, session: DbSession, principal: CurrentPrincipal) -> Response:
    """分级分类结果(XLSX) · The class list as a workbook for the department."""
    policy.require(principal, "evaluations.read")
    spec = get_config().get(code)
    rows = service.current_classes(session, code=code, limit=1_000_000)
    return Response(
        export.classes_xlsx(spec, rows),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{code}-classes.xlsx"'},
    )
