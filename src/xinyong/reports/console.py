"""Console pages of credit reports: the register of issued reports, counter issue, department
batches and figures. Thin: the work is in service / batch / stats / verify."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.auth.scope import platform_wide
from xinyong.core.errors import Forbidden, Invalid, NotFound, XinyongError
from xinyong.core.i18n import pick_language
from xinyong.reports import batch as batches
from xinyong.reports import service, stats, verify
from xinyong.reports.config import Audience, get_config
from xinyong.reports.models import CHANNELS, Report, ReportBatch
from xinyong.subjects import service as subjects_service
from xinyong.web import csrf
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.render import language, render

router = APIRouter(
    prefix="/console/reports", include_in_schema=False, dependencies=[Depends(csrf.verify)]
)
PAGE_SIZE = 50
MAX_LIST_BYTES = 5 * 1024 * 1024
Text = Annotated[str, Form(max_length=500)]


def _staff(principal: Principal, action: str) -> None:
    """Console pages are for staff accounts allowed the action."""
    policy.require(principal, action)
    if principal.kind != "staff":
        raise Forbidden("控制台仅供工作人员使用 · the console is for staff accounts")


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    types = {code: spec.name.zh for code, spec in get_config().types.items()}
    full = {"type_names": types, "channels": CHANNELS, **context}
    return render(request, f"console/reports/{name}", full, status_code=status)


def _day(raw: str | None, field: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(
            f"{field}：日期格式应为 YYYY-MM-DD · bad date", details={"field": field}
        ) from None


@router.get("", response_class=HTMLResponse)
def register(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    type: str = "",
    channel: str = "",
    subject: str = "",
    since: str = "",
    until: str = "",
) -> Response:
    """The register of issued reports, with filters (a department sees its own)."""
    _staff(principal, "reports.register")
    stmt = select(Report).order_by(Report.issued_at.desc(), Report.id.desc()).limit(PAGE_SIZE)
    if not platform_wide(principal):
        stmt = stmt.where(Report.department_id == principal.department_id)
    if type:
        stmt = stmt.where(Report.type_code == type)
    if channel:
        stmt = stmt.where(Report.channel == channel)
    if subject.strip():
        found = subjects_service.find_by_code(session, subject.strip().upper())
        stmt = stmt.where(Report.subject_id == (found.id if found else -1))
    start, end = _day(since, "since"), _day(until, "until")
    if start:
        stmt = stmt.where(Report.issued_at >= _utc(start))
    if end:
        stmt = stmt.where(Report.issued_at < _utc(end + timedelta(days=1)))
    filters = {"type": type, "channel": channel, "subject": subject, "since": since, "until": until}
    reports = list(session.scalars(stmt))
    return _page(request, "register.html", {"reports": reports, "filters": filters})


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=service.BEIJING)


@router.get("/counter", response_class=HTMLResponse)
def counter(
    request: Request, session: DbSession, principal: CurrentPrincipal, code: str = ""
) -> Response:
    """Counter issue for a walk-in subject: look it up, check identity, print its report."""
    _staff(principal, "reports.counter")
    subject = subjects_service.find_by_code(session, code.strip().upper()) if code.strip() else None
    types = []
    if subject is not None:
        types = [
            (s.code, s.name.zh)
            for s in get_config().types.values()
            if subject.kind in s.subject_kinds and Audience.subject in s.requesters
        ]
    missing = bool(code.strip()) and subject is None
    context = {"code": code, "subject": subject, "types": types, "error": None, "missing": missing}
    return _page(request, "counter.html", context)


@router.post("/counter", response_class=HTMLResponse)
def counter_issue(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    code: Annotated[str, Form(max_length=40)],
    type: Annotated[str, Form(max_length=64)],
    purpose: Text,
    applicant: Annotated[str, Form(max_length=100)],
    identity_document: Annotated[str, Form(max_length=100)],
    identity_checked: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Issue the walk-in's report once the officer has checked the applicant's identity."""
    _staff(principal, "reports.counter")
    subject = subjects_service.get_by_code(session, code.strip().upper())
    if identity_checked != "yes" or not applicant.strip() or not identity_document.strip():
        error = Invalid(
            "须核验申请人身份（姓名、证件）后方可出具 · check the applicant's identity first"
        )
        context = {"code": code, "subject": subject, "types": [], "error": error, "missing": False}
        return _page(request, "counter.html", context, status=422)
    note = (
        f"申请人：{applicant.strip()}；核验证件：{identity_document.strip()}；"
        f"经办：{principal.label}"
    )
    lang = pick_language(language(request))
    issue = service.Request(
        subject.id, type, purpose, principal, "counter", counter_note=note, lang=lang
    )
    try:
        with session.begin_nested():
            report = service.issue(session, request=issue)
    except XinyongError as error:
        context = {"code": code, "subject": subject, "types": [], "error": error, "missing": False}
        return _page(request, "counter.html", context, status=error.status_code)
    return RedirectResponse(f"/reports/{report.number}", status_code=303)


@router.get("/batch", response_class=HTMLResponse)
def batch_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """Department batches: the upload form and this department's batches with progress."""
    _staff(principal, "reports.batch")
    stmt = select(ReportBatch).order_by(ReportBatch.id.desc()).limit(PAGE_SIZE)
    if not platform_wide(principal):
        stmt = stmt.where(ReportBatch.requester_actor == principal.actor)
    types = [
        (s.code, s.name.zh)
        for s in get_config().types.values()
        if Audience.government in s.requesters
    ]
    context = {"batches": list(session.scalars(stmt)), "types": types, "error": None}
    return _page(request, "batch.html", context)


@router.post("/batch", response_class=HTMLResponse)
def batch_upload(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    type: Annotated[str, Form(max_length=64)],
    purpose: Text,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Queue a batch from an uploaded list of codes (one per line or CSV first column)."""
    _staff(principal, "reports.batch")
    raw = file.file.read(MAX_LIST_BYTES + 1)
    try:
        if len(raw) > MAX_LIST_BYTES:
            raise Invalid("名单文件过大（上限5MB） · list too large", details={"field": "file"})
        text = _decode(raw)
        batch = batches.create(
            session,
            principal=principal,
            type_code=type,
            purpose=purpose,
            codes=batches.parse_codes(text),
        )
    except XinyongError as error:
        context = {"batches": [], "types": [], "error": error}
        return _page(request, "batch.html", context, status=error.status_code)
    session.commit()
    batches.start(batch.id)
    return RedirectResponse(f"/console/reports/batch/{batch.id}", status_code=303)


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid(
        "名单文件须为UTF-8或GB18030文本 · the list must be text", details={"field": "file"}
    )


@router.get("/batch/{batch_id}", response_class=HTMLResponse)
def batch_one(
    request: Request, session: DbSession, principal: CurrentPrincipal, batch_id: int
) -> Response:
    """One batch: progress, problems per code, the ZIP once done."""
    _staff(principal, "reports.batch")
    batch = session.get(ReportBatch, batch_id)
    if batch is None or not (batch.requester_actor == principal.actor or platform_wide(principal)):
        raise NotFound(f"未找到批量任务 {batch_id} · no batch {batch_id}")
    return _page(request, "batch_one.html", {"batch": batch})


@router.get("/batch/{batch_id}/zip")
def batch_zip(session: DbSession, principal: CurrentPrincipal, batch_id: int) -> Response:
    """The batch's ZIP."""
    _staff(principal, "reports.batch")
    from xinyong.reports.api import readable_batch

    batch = readable_batch(session, principal, batch_id)
    if batch.state != "done":
        raise Invalid(f"批量任务尚未完成（{batch.done}/{len(batch.codes)}） · not done yet")
    headers = {"content-disposition": f'attachment; filename="reports-batch-{batch.id}.zip"'}
    return Response(batches.zip_of(session, batch), media_type="application/zip", headers=headers)


@router.get("/figures", response_class=HTMLResponse)
def figures(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """Reports issued by type, month and channel."""
    _staff(principal, "reports.register")
    department = None if platform_wide(principal) else principal.department_id
    return _page(request, "figures.html", {"f": stats.figures(session, department_id=department)})


@router.post("/{number}/revoke")
def revoke(session: DbSession, principal: CurrentPrincipal, number: str, reason: Text) -> Response:
    """Revoke a report (admins): it then verifies as revoked."""
    _staff(principal, "reports.revoke")
    verify.revoke(session, number=number, reason=reason, actor=principal.actor)
    return RedirectResponse(f"/verify/{number}", status_code=303)
