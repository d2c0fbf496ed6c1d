"""JSON API of credit reports: request, read, download PDF / XLSX, verify, batches, figures."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from xinyong.auth import policy
from xinyong.auth.scope import platform_wide
from xinyong.core.errors import API_ERRORS, Forbidden, Invalid, NotFound
from xinyong.reports import batch as batches
from xinyong.reports import render as report_render
from xinyong.reports import service, stats, verify
from xinyong.reports.config import get_config
from xinyong.reports.models import Report, ReportBatch
from xinyong.subjects import service as subjects_service
from xinyong.web import csrf
from xinyong.web.deps import CurrentPrincipal, DbSession

router = APIRouter(
    prefix="/api/v1",
    tags=["reports · 信用报告"],
    dependencies=[Depends(csrf.verify)],
    responses=API_ERRORS,
)
# Public verification: no login and no side effect, so no CSRF token either (anyone may
# upload a PDF to check it, as on the /verify page).
public_router = APIRouter(prefix="/api/v1", tags=["reports · 信用报告"], responses=API_ERRORS)
Number = Annotated[str, Path(max_length=32)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 20 * 1024 * 1024


class ReportRequest(BaseModel):
    """A report request: whose (credit code or ID number), which type, for what."""

    subject: str = Field(min_length=2, max_length=40)
    type: str = Field(min_length=1, max_length=64)
    purpose: str = Field(min_length=2, max_length=500)
    lang: Literal["zh", "en"] = Field("zh", description="Language of the PDF (zh or en).")


class BatchRequest(BaseModel):
    """A department's batch: the subjects' codes, the type and the purpose."""

    codes: list[str] = Field(min_length=1, max_length=batches.MAX_CODES)
    type: str = Field(min_length=1, max_length=64)
    purpose: str = Field(min_length=2, max_length=500)


def summary(report: Report) -> dict[str, Any]:
    """A report's particulars (its content only through GET /reports/{number})."""
    return {
        "number": report.number,
        "type": report.type_code,
        "subject": report.content["subject"],
        "audience": report.audience,
        "channel": report.channel,
        "requester": report.requester_label,
        "purpose": report.purpose,
        "issued_at": report.content["issued_at"],
        "valid_until": report.valid_until.isoformat(),
        "revoked": report.revoked_at is not None,
        "digest_algorithm": report.digest_algorithm,
        "content_digest": report.content_digest,
        "pdf_digest": report.pdf_digest,
        "key_id": report.key_id,
        "links": {
            "pdf": f"/api/v1/reports/{report.number}/pdf",
            "xlsx": f"/api/v1/reports/{report.number}/xlsx",
            "verify": f"/verify/{report.number}",
        },
    }


@router.get("/report-types")
def report_types() -> list[dict[str, Any]]:
    """The report types: who may ask, for whom, validity, sections."""
    return [spec.model_dump(mode="json") for spec in get_config().types.values()]


@router.post("/reports", status_code=201)
def request_report(
    body: ReportRequest, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Issue a report: a subject its own, an organisation with the subject's authorisation,
    a department for its work. Registered as a query with its purpose."""
    policy.require(principal, "reports.request")
    subject = subjects_service.find_by_code(session, body.subject.strip().upper())
    if subject is None:
        raise NotFound(
            f"未找到代码为 {body.subject} 的主体 · no such subject", details={"field": "subject"}
        )
    channel = "online" if principal.kind == "subject" else "api"
    if principal.kind == "organisation":
        channel = "authorised"
    request = service.Request(
        subject.id, body.type, body.purpose, principal, channel, lang=body.lang
    )
    return summary(service.issue(session, request=request))


@router.get("/reports/{number}")
def get_report(number: Number, session: DbSession, principal: CurrentPrincipal) -> dict[str, Any]:
    """A report's particulars and content (its requester, its subject, or staff)."""
    report = service.readable(session, principal, number)
    return {**summary(report), "content": report.content}


@router.get("/reports/{number}/pdf", response_class=Response)
def report_pdf(number: Number, session: DbSession, principal: CurrentPrincipal) -> Response:
    """The PDF exactly as issued."""
    report = service.readable(session, principal, number)
    headers = {"content-disposition": f'attachment; filename="{report.number}.pdf"'}
    return Response(service.pdf_of(session, report), media_type="application/pdf", headers=headers)


@router.get("/reports/{number}/xlsx", response_class=Response)
def report_xlsx(
    number: Number,
    session: DbSession,
    principal: CurrentPrincipal,
    lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh",
) -> Response:
    """The report's data annex (XLSX)."""
    report = service.readable(session, principal, number)
    content = {**report.content, "_digest": report.content_digest}
    data = report_render.xlsx(content, lang="en" if lang == "en" else "zh")
    headers = {"content-disposition": f'attachment; filename="{report.number}.xlsx"'}
    return Response(data, media_type=XLSX, headers=headers)


@public_router.get("/reports/{number}/verify")
def verify_report(number: Number, session: DbSession) -> dict[str, Any]:
    """Public verification (no login): status, digests, signatures, masked subject."""
    return verify.check(session, number).as_dict()


@public_router.post("/reports/{number}/verify")
def verify_file(
    number: Number, session: DbSession, file: Annotated[UploadFile, File()]
) -> dict[str, Any]:
    """Whether an uploaded PDF is, byte for byte, the one issued under the number."""
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise Invalid("文件过大（上限20MB） · file too large", details={"field": "file"})
    result = verify.check(session, number)
    return {**result.as_dict(), "file_matches": verify.matches_upload(session, result.report, data)}


@public_router.get("/report-keys")
def report_keys() -> list[dict[str, str]]:
    """The public keys reports are signed with (current and previous), for offline checks."""
    from xinyong.reports import signing

    return [key.__dict__ for key in signing.public_keys().values()]


@router.post("/report-batches", status_code=202)
def create_batch(
    body: BatchRequest, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Queue a department's batch of reports (a background job; the ZIP when done)."""
    if principal.kind == "apikey":
        raise Forbidden("批量报告须由部门工作人员账户提交 · batches are for staff accounts")
    codes = list(dict.fromkeys(c.strip().upper() for c in body.codes if c.strip()))
    batch = batches.create(
        session, principal=principal, type_code=body.type, purpose=body.purpose, codes=codes
    )
    session.commit()
    batches.start(batch.id)
    return batch_view(batch)


def batch_view(batch: ReportBatch) -> dict[str, Any]:
    """A batch's progress and outcome."""
    return {
        "id": batch.id,
        "type": batch.type_code,
        "state": batch.state,
        "total": len(batch.codes),
        "done": batch.done,
        "problems": batch.problems,
        "zip": f"/api/v1/report-batches/{batch.id}/zip" if batch.state == "done" else None,
    }


def readable_batch(session: DbSession, principal: CurrentPrincipal, batch_id: int) -> ReportBatch:
    """A batch its requester (or the credit office's admins) may read."""
    policy.require(principal, "reports.batch")
    batch = session.get(ReportBatch, batch_id)
    if batch is None or not (batch.requester_actor == principal.actor or platform_wide(principal)):
        raise NotFound(f"未找到批量任务 {batch_id} · no batch {batch_id}")
    return batch


@router.get("/report-batches/{batch_id}")
def get_batch(
    batch_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: DbSession,
    principal: CurrentPrincipal,
) -> dict[str, Any]:
    """A batch's progress."""
    return batch_view(readable_batch(session, principal, batch_id))


@router.get("/report-batches/{batch_id}/zip", response_class=Response)
def batch_zip(
    batch_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: DbSession,
    principal: CurrentPrincipal,
) -> Response:
    """The batch's PDFs and manifest as a ZIP (once done)."""
    batch = readable_batch(session, principal, batch_id)
    if batch.state != "done":
        raise Invalid(f"批量任务尚未完成（{batch.done}/{len(batch.codes)}） · not done yet")
    headers = {"content-disposition": f'attachment; filename="reports-batch-{batch.id}.zip"'}
    return Response(batches.zip_of(session, batch), media_type="application/zip", headers=headers)


@router.get("/report-stats")
def report_stats(session: DbSession, principal: CurrentPrincipal) -> dict[str, Any]:
    """Reports issued by type, month and channel (a department its own; admins all)."""
    policy.require(principal, "reports.register")
    department = None if platform_wide(principal) else principal.department_id
    return stats.figures(session, department_id=department).__dict__
