"""JSON API of batch credit checks (统查): upload a list (202, the job runs in the
background) and download the hit report once the check is done. Progress and rows are read
through ``GET /api/v1/checks/{check_id}`` (``check_api``)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from xinyong.checks import batch
from xinyong.checks import service as checks
from xinyong.checks.api import Reader, Runner, department_id_of
from xinyong.checks.batch_report import MIME
from xinyong.checks.models import CreditCheck
from xinyong.core.config import get_settings
from xinyong.core.errors import API_ERRORS, Conflict, Invalid
from xinyong.web.deps import DbSession
from xinyong.web.limits import BodyCap
from xinyong.web.params import PathId

router = APIRouter(
    prefix="/api/v1",
    tags=["checks · 信用核查(逢办必查)"],
    responses=API_ERRORS,
)
# Batch check lists (统查): their own limit, plus room for the form fields.
BODY_CAP: BodyCap = (
    re.compile(r"/api/v1/checks/batch|/console/checks/batch"),
    lambda: get_settings().check_batch_max_bytes + 1024 * 1024,
)


class BatchLinks(BaseModel):
    check: str  # progress and rows (JSON)
    report: str  # the hit report (XLSX), once done
    console: str  # the check's page


class BatchAccepted(BaseModel):
    id: int
    kind: str
    state: str
    matter: str
    rows_total: int
    file_name: str | None
    links: BatchLinks


def links_of(check_id: int) -> BatchLinks:
    """Where to follow a check."""
    return BatchLinks(
        check=f"/api/v1/checks/{check_id}",
        report=f"/api/v1/checks/{check_id}/report.xlsx",
        console=f"/console/checks/{check_id}",
    )


def read_upload(upload: UploadFile) -> bytes:
    """The uploaded file's bytes; past the size limit it is refused without reading on."""
    limit = get_settings().check_batch_max_bytes
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise Invalid(
            key="cb.err.limit",
            params={"limit": limit},
            details={"field": "file", "reason": "too_large", "limit": limit},
        )
    return data


def ready(check: CreditCheck) -> CreditCheck:
    """The check if it is done; Conflict while it is queued or running, or if it failed."""
    if check.state == "failed":
        raise Conflict(
            key="cb.err.failed", params={"check_id": check.id, "check_error": check.error}
        )
    if check.state != "done":
        raise Conflict(
            key="cb.err.not_done",
            params={
                "check_id": check.id,
                "check_state": check.state,
                "check_rows_done": check.rows_done,
                "check_rows_total": check.rows_total,
            },
            details={"state": check.state},
        )
    return check


@router.post(
    "/checks/batch",
    response_model=BatchAccepted,
    status_code=202,
    summary="批量核查(统查) · Submit a batch credit check",
)
def submit_batch(
    session: DbSession,
    principal: Runner,
    file: Annotated[UploadFile, File(description="XLSX or CSV: a header row, 名称 and/or 代码")],
    matter: Annotated[str, Form(max_length=64, description="应用事项代码 · matter code")],
    purpose: Annotated[str, Form(max_length=500, description="查询目的 · purpose")],
    department: Annotated[str | None, Form(max_length=64)] = None,
) -> BatchAccepted:
    """Upload a list of subjects (XLSX or CSV, up to 200,000 rows: a name column, a code
    column or both) to check for a matter. The whole file is validated first; the check then
    runs in the background: follow ``links.check``, download ``links.report`` when done."""
    check = batch.submit(
        session,
        principal=principal,
        department_id=department_id_of(session, department),
        matter=matter,
        purpose=purpose,
        data=read_upload(file),
        file_name=file.filename or "upload",
        today=date.today(),
    )
    accepted = BatchAccepted(
        id=check.id,
        kind=check.kind,
        state=check.state,
        matter=check.matter_code,
        rows_total=check.rows_total,
        file_name=check.file_name,
        links=links_of(check.id),
    )
    session.commit()  # the job reads the check in its own sessions
    batch.start(check.id)
    return accepted


@router.get(
    "/checks/{check_id:int}/report.xlsx",
    response_class=Response,
    responses={200: {"content": {MIME: {}}, "description": "the hit report"}},
    summary="核查结果下载 · The hit report (XLSX)",
)
def check_report(check_id: PathId, session: DbSession, principal: Reader) -> Response:
    """The check's hit report: sheet 核查结果 (one line per input row: resolution, subject,
    lists, measures, legal basis) and sheet 命中措施 (one line per hit, with its feedback due
    date). 409 while the check is queued or running."""
    check = ready(checks.readable(session, principal, check_id))
    return Response(
        batch.report_xlsx(session, check),
        media_type=MIME,
        headers={"Content-Disposition": f'attachment; filename="check-{check.id}-report.xlsx"'},
    )
