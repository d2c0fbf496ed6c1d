"""Console pages of collection (归集): upload, batch result, ledger, review queue (thin)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong.auth import scope
from xinyong.auth.principal import Principal
from xinyong.catalog import labels
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import CatalogItem
from xinyong.core.db import session_scope
from xinyong.core.errors import Invalid, XinyongError
from xinyong.core.i18n import Language
from xinyong.ingest import api, ledger, ledger_view, review, service
from xinyong.subjects.models import Department
from xinyong.web import console as kit
from xinyong.web.console import require_staff, staff
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import MAX_ID, PathId, lang_of
from xinyong.web.present import href
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
    context = {
        "report": report,
        "batch": batch,
        "late_rows": ledger_view.late_rows_of(session, batch.id) if batch.late else [],
        "item_name": labels.item_name,
        "departments": kit.departments_by_id(session),
        "department_name": kit.department_name,
    }
    return render(request, "console/ingest/batch.html", context)


def _ledger_filter(
    session: Session, principal: Principal, filters: LedgerQuery
) -> tuple[ledger_view.LedgerFilter, bool]:
    """The reader's filter (its own department unless the credit office), and whether it
    sees every department."""
    wide = scope.office_wide(session, principal)
    if wide:
        department = (
            scope.department_id(session, filters.department) if filters.department else None
        )
    else:
        department = scope.own_department(principal)
    if filters.since and filters.until and filters.since > filters.until:
        raise Invalid(key="portal.err.date_order", details={"field": "since"})
    where = ledger_view.LedgerFilter(
        department_id=department,
        item_code=filters.item or None,
        since=filters.since,
        until=filters.until,
        late_only=filters.late,
    )
    return where, wide


class LedgerQuery(BaseModel):
    """The ledger's filters, as the query string gives them."""

    department: str = Field("", max_length=64)
    item: str = Field("", max_length=64)
    since: date | None = None
    until: date | None = None
    late: bool = False


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(
    request: Request,
    principal: Reader,
    session: DbSession,
    filters: Annotated[LedgerQuery, Query()],
) -> Response:
    """The ledger (归集台账): figures per department and item, the batches and the late rows
    named, under filters; the credit office sees every department."""
    where, wide = _ledger_filter(session, principal, filters)
    context = {
        "figures": ledger_view.figures(session, where),
        "batches": ledger_view.batches(session, where),
        "late_rows": ledger_view.late_rows(session, where),
        "late_total": ledger_view.late_total(session, where),
        "wide": wide,
        "filters": filters,
        "departments": kit.departments_by_id(session),
        "department_name": kit.department_name,
        "item_name": labels.item_name,
        "items": sorted(catalog_service.get_catalog().items.values(), key=lambda i: i.code),
        "export_href": href(
            "/console/ingest/ledger.csv", filters.model_dump(exclude_defaults=True)
        ),
    }
    return render(request, "console/ingest/ledger.html", context)


@router.get("/ledger.csv")
def ledger_export(
    request: Request,
    principal: Reader,
    session: DbSession,
    filters: Annotated[LedgerQuery, Query()],
) -> Response:
    """The ledger's batches under the filters as CSV (at most 100,000; Beijing time)."""
    where, _ = _ledger_filter(session, principal, filters)
    headers = {"content-disposition": 'attachment; filename="ledger.csv"'}
    lines = _streamed(where, lang_of(request))
    return StreamingResponse(lines, media_type="text/csv; charset=utf-8", headers=headers)


def _streamed(where: ledger_view.LedgerFilter, lang: Language) -> Iterator[str]:
    """The export read in chunks by a session of its own (the request's is closed by then)."""
    with session_scope() as session:
        yield from ledger_view.export_csv(session, where, lang)


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
