"""Console pages of collection (归集): upload, batch result, ledger, review queue (thin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.auth import scope
from xinyong.auth.principal import Principal
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import CatalogItem
from xinyong.core.errors import XinyongError
from xinyong.ingest import api, ledger, review, service
from xinyong.subjects.models import Department
from xinyong.web.console import require_staff, staff
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import MAX_ID, PathId, lang_of
from xinyong.web.render import render

router = APIRouter(prefix="/console/ingest", include_in_schema=False)
# Staff who may submit records, and staff who may read collection (the console's guard).
Submitter = Annotated[Principal, Depends(staff("records.submit"))]
Reader = Annotated[Principal, Depends(staff("ingest.read"))]


def _items_for(department: Department | None) -> list[CatalogItem]:
    """Catalogue items the department is a source of (all, for the credit office's admin)."""
    items = catalog_service.get_catalog().items.values()
    if department is None:
        return list(items)
    return [i for i in items if not i.source_departments or department.kind in i.source_departments]


def _department(request: Request, principal: Principal, session: DbSession) -> Department | None:
    if principal.department_id is None:
        return None
    return session.get(Department, principal.department_id)


@router.get("", response_class=HTMLResponse)
def upload_page(request: Request, principal: Submitter, session: DbSession) -> Response:
    """Upload form: choose the catalogue item, drop a file, choose strict or partial."""
    department = _department(request, principal, session)
    departments = [] if department else session.query(Department).order_by(Department.key).all()
    context = {
        "items": _items_for(department),
        "department": department,
        "departments": departments,
        "error": None,
    }
    return render(request, "console/ingest/upload.html", context)


@router.post("", response_class=HTMLResponse)
def upload(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    file: Annotated[UploadFile, File()],
    item: Annotated[str, Form(max_length=64)],
    mode: Annotated[Literal["strict", "partial"], Form()] = "strict",
    department: Annotated[str | None, Form(max_length=64)] = None,
    encoding: Annotated[str | None, Form(max_length=32)] = None,
    sheet: Annotated[str | None, Form(max_length=128)] = None,
) -> Response:
    """Receive the file; show the batch's result page."""
    require_staff(principal, "records.submit")
    try:
        sub = service.Submission(
            item_code=item,
            department_key=api.department_key(session, principal, department or None),
            mode=mode,
            channel="upload",
            actor=principal.actor,
        )
        batch = api.receive_upload(session, file, sub, encoding=encoding, sheet=sheet)
    except XinyongError as error:
        own = _department(request, principal, session)
        context = {
            "items": _items_for(own),
            "department": own,
            "departments": [] if own else session.query(Department).order_by(Department.key).all(),
            "error": error.localized(lang_of(request)),
        }
        return render(request, "console/ingest/upload.html", context, status_code=error.status_code)
    return RedirectResponse(f"/console/ingest/batches/{batch.id}", status_code=303)


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(
    request: Request, batch_id: str, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """A batch's result: counts, refusal reason, the first row errors, the report link."""
    require_staff(principal, "ingest.read")
    batch = api.visible_batch(session, principal, batch_id)
    report = ledger.report(session, batch, error_limit=200)
    department = session.get(Department, batch.department_id)
    context = {
        "report": report,
        "batch": batch,
        "department_name": department.name_zh if department else report.department,
    }
    return render(request, "console/ingest/batch.html", context)


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, principal: Reader, session: DbSession) -> Response:
    """The ledger (归集台账): per department and item."""
    oversight = scope.platform_wide(principal)
    rows = ledger.ledger(session, department_id=None if oversight else principal.department_id)
    return render(request, "console/ingest/ledger.html", {"rows": rows})


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, principal: Submitter, session: DbSession) -> Response:
    """Rows waiting for a person to choose their subject among the candidates."""
    items = review.open_items(session, department_id=principal.department_id)
    return render(request, "console/ingest/review.html", {"items": items})


@router.post("/review/{review_id}", response_class=HTMLResponse)
def review_decide(
    review_id: PathId,
    principal: CurrentPrincipal,
    session: DbSession,
    action: Annotated[Literal["resolve", "dismiss"], Form()],
    subject_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
) -> Response:
    """Resolve a queued row for the chosen subject, or dismiss it."""
    require_staff(principal, "records.submit")
    api.own_review(session, principal, review_id)
    if action == "resolve" and subject_id is not None:
        review.resolve(session, review_id=review_id, subject_id=subject_id, actor=principal.actor)
    else:
        review.dismiss(session, review_id=review_id, actor=principal.actor)
    return RedirectResponse("/console/ingest/review", status_code=303)
