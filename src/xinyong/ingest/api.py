"""JSON routes for submissions (归集): records, files, withdrawals, reports, ledger, review."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from xinyong.auth import policy, scope
from xinyong.auth.principal import Principal
from xinyong.core.config import get_settings
from xinyong.core.errors import API_ERRORS, Forbidden, Invalid, XinyongError
from xinyong.ingest import ledger, review, service
from xinyong.ingest.models import IngestBatch
from xinyong.ingest.schemas import (
    BatchReport,
    LedgerRow,
    RecordsSubmission,
    WithdrawalSubmission,
)
from xinyong.subjects.models import Department
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.limits import BodyCap
from xinyong.web.params import PathId

router = APIRouter(prefix="/api/v1", tags=["ingest · 归集"], responses=API_ERRORS)
API_ERROR_LIMIT = 1000
# Submission files may be larger than other requests (multipart parts spool to disk).
BODY_CAP: BodyCap = (
    re.compile(r"/api/v1/submissions/file|/console/ingest"),
    lambda: get_settings().ingest_max_bytes,
)


class BatchRefused(XinyongError):
    """A strict batch with rejected rows, or a file the platform cannot read: nothing loaded."""

    def __init__(self, report: BatchReport) -> None:
        super().__init__(
            f"batch {report.batch_id} refused: {report.error}",
            422,
            "batch_refused",
            details={"report": report.model_dump(mode="json")},
        )


def department_key(session: Session, principal: Principal, requested: str | None) -> str:
    """The department a caller submits for: its own (taken from the principal); only the
    credit office's admins may name another (see ``auth.scope.acting_department``)."""
    department = session.get(Department, scope.acting_department(session, principal, requested))
    assert department is not None
    return department.key


def _answer(session: Session, batch: IngestBatch) -> JSONResponse:
    report = ledger.report(session, batch, error_limit=API_ERROR_LIMIT)
    # A file that could not be read at all (no rows) has no report to give.
    readable = bool(batch.stored_path) and batch.rows > 0
    report.report_url = f"/api/v1/submissions/{batch.id}/report.xlsx" if readable else None
    if batch.status == "refused":
        session.commit()  # the refused batch and its row errors stay on record
        raise BatchRefused(report)
    return JSONResponse(report.model_dump(mode="json"), status_code=201)


@router.post("/submissions", response_model=BatchReport, status_code=201)
def submit_records(
    body: RecordsSubmission, principal: CurrentPrincipal, session: DbSession
) -> JSONResponse:
    """Submit an array of records of one item · 报送信用记录(JSON).

    strict: all rows or none; partial: valid rows load, the others are kept as rejected.
    """
    policy.require(principal, "records.submit")
    sub = service.Submission(
        item_code=body.item,
        department_key=department_key(session, principal, body.department),
        mode=body.mode,  # type: ignore[arg-type]
        channel="api",
        actor=principal.actor,
    )
    return _answer(session, service.submit_records(session, records=body.records, submission=sub))


@router.post("/submissions/file", response_model=BatchReport, status_code=201)
def submit_file(
    principal: CurrentPrincipal,
    session: DbSession,
    file: Annotated[UploadFile, File(description="CSV (UTF-8/GBK/GB18030), XLSX or JSON Lines")],
    item: Annotated[str, Form(max_length=64)],
    department: Annotated[str | None, Form(max_length=64)] = None,
    mode: Annotated[Literal["strict", "partial"], Form()] = "strict",
    encoding: Annotated[str | None, Form(max_length=32)] = None,
    sheet: Annotated[str | None, Form(max_length=128)] = None,
) -> JSONResponse:
    """Submit a file of one item · 报送文件(CSV/XLSX/JSONL)."""
    policy.require(principal, "records.submit")
    sub = service.Submission(
        item_code=item,
        department_key=department_key(session, principal, department),
        mode=mode,
        channel="file_api",
        actor=principal.actor,
    )
    batch = receive_upload(session, file, sub, encoding=encoding, sheet=sheet)
    return _answer(session, batch)


def receive_upload(
    session: Session,
    upload: UploadFile,
    sub: service.Submission,
    *,
    encoding: str | None,
    sheet: str | None,
) -> IngestBatch:
    """Spool an uploaded file to disk (size-checked) and submit it."""
    limit = get_settings().ingest_max_bytes
    name = service.upload_filename(upload.filename)
    with tempfile.TemporaryDirectory() as folder:
        path = FilePath(folder) / name
        with path.open("wb") as out:
            written = 0
            while chunk := upload.file.read(1 << 20):
                written += len(chunk)
                if written > limit:
                    raise Invalid(
                        key="ingest.err.too_large",
                        params={"limit": limit},
                        details={"field": "file", "limit": limit},
                    )
                out.write(chunk)
        return service.submit_file(
            session, path=path, submission=sub, filename=name, encoding=encoding or None,
            sheet=sheet or None,
        )  # fmt: skip


@router.post("/withdrawals", response_model=BatchReport, status_code=201)
def withdraw(
    body: WithdrawalSubmission, principal: CurrentPrincipal, session: DbSession
) -> JSONResponse:
    """Revoke records with a reason · 撤销信用记录 (nothing is deleted)."""
    policy.require(principal, "records.submit")
    sub = service.Submission(
        item_code=body.item,
        department_key=department_key(session, principal, body.department),
        channel="api",
        actor=principal.actor,
    )
    rows = [(n, w.source_record_id, w.reason) for n, w in enumerate(body.withdrawals, start=1)]
    return _answer(session, ledger.withdraw(session, withdrawals=rows, submission=sub))


def visible_batch(session: Session, principal: Principal, batch_id: str) -> IngestBatch:
    """A batch the caller may see: its own department's, or any for admins and auditors."""
    policy.require(principal, "ingest.read")
    batch = ledger.get_batch(session, batch_id[:40])
    if (
        not scope.platform_wide(principal)
        and scope.own_department(principal) != batch.department_id
    ):
        raise Forbidden(key="ingest.err.batch_other", params={"batch_id": batch.id})
    return batch


@router.get("/submissions/{batch_id}", response_model=BatchReport)
def batch_report(
    batch_id: Annotated[str, Path(max_length=40)], principal: CurrentPrincipal, session: DbSession
) -> BatchReport:
    """A batch's report with its row errors · 批次处理报告."""
    batch = visible_batch(session, principal, batch_id)
    return ledger.report(session, batch, error_limit=API_ERROR_LIMIT)


@router.get("/submissions/{batch_id}/report.xlsx", response_class=FileResponse)
def batch_report_xlsx(
    batch_id: str, principal: CurrentPrincipal, session: DbSession
) -> FileResponse:
    """The original rows with outcome and error columns, as XLSX · 下载处理结果."""
    batch = visible_batch(session, principal, batch_id)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    ledger.write_batch_report(session, batch, FilePath(handle.name))
    return FileResponse(
        handle.name,
        filename=f"{batch.id}-report.xlsx",
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        background=BackgroundTask(FilePath(handle.name).unlink, missing_ok=True),
    )


@router.get("/ledger", response_model=list[LedgerRow])
def department_ledger(
    principal: CurrentPrincipal,
    session: DbSession,
    department: Annotated[str | None, Query(max_length=64)] = None,
) -> list[LedgerRow]:
    """Submissions per department and item · 归集台账."""
    policy.require(principal, "ingest.read")
    department_id = scope.department_scope(session, principal, department, what="ledger")
    return ledger.ledger(session, department_id=department_id)


class ReviewOut(BaseModel):
    id: int
    batch_id: str
    row_number: int
    item_code: str
    subject_name: str
    candidates: list[dict[str, object]]
    status: str


class ReviewDecision(BaseModel):
    subject_id: int = Field(ge=1, le=2**31 - 1)


@router.get("/review-items", response_model=list[ReviewOut])
def review_items(principal: CurrentPrincipal, session: DbSession) -> list[ReviewOut]:
    """Rows waiting for a person to choose their subject · 待确认主体."""
    policy.require(principal, "records.submit")
    items = review.open_items(session, department_id=scope.own_department(principal))
    return [ReviewOut.model_validate(i, from_attributes=True) for i in items]


@router.post("/review-items/{review_id}/resolve")
def resolve_review(
    review_id: PathId, body: ReviewDecision, principal: CurrentPrincipal, session: DbSession
) -> dict[str, int]:
    """Load a queued row for the chosen subject · 确认主体并入库."""
    policy.require(principal, "records.submit")
    own_review(session, principal, review_id)
    record = review.resolve(
        session, review_id=review_id, subject_id=body.subject_id, actor=principal.actor
    )
    return {"record_id": record.id, "subject_id": record.subject_id}


@router.post("/review-items/{review_id}/dismiss")
def dismiss_review(
    review_id: PathId, principal: CurrentPrincipal, session: DbSession
) -> dict[str, str]:
    """Drop a queued row (resubmit it with a code) · 退回."""
    policy.require(principal, "records.submit")
    own_review(session, principal, review_id)
    item = review.dismiss(session, review_id=review_id, actor=principal.actor)
    return {"status": item.status}


def own_review(session: Session, principal: Principal, review_id: int) -> None:
    """Refuse a review item of another department."""
    item = review.get(session, review_id)
    if item.department_id != scope.own_department(principal):
        raise Forbidden(key="ingest.err.review_other", params={"review_id": review_id})
