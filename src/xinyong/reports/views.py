"""Portal pages of credit reports: self-service, authorised requests, the report view, and the
public verification page (no login)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import policy, queries
from xinyong.auth.principal import Principal
from xinyong.core.errors import Forbidden, Invalid, NotFound, Unauthorized, XinyongError
from xinyong.core.i18n import pick_language
from xinyong.reports import render as report_render
from xinyong.reports import service, verify
from xinyong.reports.config import Audience, get_config
from xinyong.reports.models import Report
from xinyong.subjects import service as subjects_service
from xinyong.web import csrf
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.render import language, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.verify)])
MAX_UPLOAD = 20 * 1024 * 1024
Text = Annotated[str, Form(max_length=500)]


def _person(principal: Principal) -> None:
    if principal.kind == "anonymous":
        raise Unauthorized("请先登录 · log in first")
    if principal.account_id is None:
        raise Forbidden("本页面供登录用户使用 · this page is for people who log in")


def _types_for(kind: str, audience: Audience) -> list[tuple[str, str]]:
    return [
        (spec.code, spec.name.zh)
        for spec in get_config().types.values()
        if kind in spec.subject_kinds and audience in spec.requesters
    ]


@router.get("/portal/me/reports", response_class=HTMLResponse)
def my_reports(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """A subject's reports and who asked for reports about it; the self-service form."""
    _person(principal)
    if principal.subject_id is None:
        raise Forbidden("本页面供信用主体本人使用 · for subjects' own accounts")
    subject = subjects_service.get(session, principal.subject_id)
    reports = session.scalars(
        select(Report)
        .where(Report.subject_id == subject.id)
        .order_by(Report.issued_at.desc(), Report.id.desc())
        .limit(200)
    )
    asked = [
        q for q in queries.for_subject(session, subject_id=subject.id) if _is_report_query(q.what)
    ]
    context = {
        "subject": subject,
        "reports": list(reports),
        "queries": asked,
        "types": _types_for(subject.kind, Audience.subject),
        "error": request.query_params.get("error"),
    }
    return render(request, "portal/reports/me.html", context)


def _is_report_query(what: list[str]) -> bool:
    return any(str(w).startswith("report:") for w in what)


def _issue_or_page(
    request: Request, session: Session, issue: service.Request, back: str
) -> Response:
    try:
        with session.begin_nested():
            report = service.issue(session, request=issue)
    except XinyongError as error:
        if isinstance(error, Unauthorized):
            raise
        context = {"error": error, "back": back}
        return render(
            request, "portal/reports/refused.html", context, status_code=error.status_code
        )
    return RedirectResponse(f"/reports/{report.number}", status_code=303)


@router.post("/portal/me/reports", response_class=HTMLResponse)
def request_own(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    type: Annotated[str, Form(max_length=64)],
    purpose: Text,
) -> Response:
    """Issue the subject's own report at once."""
    _person(principal)
    if principal.subject_id is None:
        raise Forbidden("本页面供信用主体本人使用 · for subjects' own accounts")
    lang = pick_language(language(request))
    issue = service.Request(principal.subject_id, type, purpose, principal, "online", lang=lang)
    return _issue_or_page(request, session, issue, "/portal/me/reports")


@router.get("/reports/request", response_class=HTMLResponse)
def request_form(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """The form an authorised organisation (a bank) or a department uses to ask for a report."""
    _person(principal)
    policy.require(principal, "reports.request")
    audience = Audience.authorised if principal.kind == "organisation" else Audience.government
    types = [
        (spec.code, spec.name.zh)
        for spec in get_config().types.values()
        if audience in spec.requesters
    ]
    return render(request, "portal/reports/request.html", {"types": types, "error": None})


@router.post("/reports/request", response_class=HTMLResponse)
def request_report(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    subject: Annotated[str, Form(max_length=40)],
    type: Annotated[str, Form(max_length=64)],
    purpose: Text,
) -> Response:
    """Issue a report to an organisation holding the subject's authorisation (or to staff)."""
    _person(principal)
    policy.require(principal, "reports.request")
    found = subjects_service.find_by_code(session, subject.strip().upper())
    if found is None:
        context = {
            "error": NotFound(f"未找到代码为 {subject} 的主体 · no such subject"),
            "back": "/reports/request",
        }
        return render(request, "portal/reports/refused.html", context, status_code=404)
    channel = "authorised" if principal.kind == "organisation" else "online"
    lang = pick_language(language(request))
    issue = service.Request(found.id, type, purpose, principal, channel, lang=lang)
    return _issue_or_page(request, session, issue, "/reports/request")


@router.get("/reports/{number}", response_class=HTMLResponse)
def report_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, number: str
) -> Response:
    """The report as a page (its requester, its subject, or staff)."""
    report = service.readable(session, principal, number)
    lang = pick_language(language(request))
    links = [
        ("下载PDF" if lang == "zh" else "PDF", f"/reports/{report.number}/pdf"),
        (
            "数据附件(XLSX)" if lang == "zh" else "Data annex (XLSX)",
            f"/reports/{report.number}/xlsx",
        ),
        ("核验" if lang == "zh" else "Verify", f"/verify/{report.number}"),
    ]
    shown = {
        **report.content,
        "_digest": report.content_digest,
        "_digest_algorithm": report.digest_algorithm.upper(),
    }
    return HTMLResponse(report_render.html(shown, lang=lang, links=links))


@router.get("/reports/{number}/pdf")
def report_pdf(session: DbSession, principal: CurrentPrincipal, number: str) -> Response:
    """The PDF exactly as issued."""
    report = service.readable(session, principal, number)
    headers = {"content-disposition": f'attachment; filename="{report.number}.pdf"'}
    return Response(service.pdf_of(session, report), media_type="application/pdf", headers=headers)


@router.get("/reports/{number}/xlsx")
def report_xlsx(
    request: Request, session: DbSession, principal: CurrentPrincipal, number: str
) -> Response:
    """The data annex of a report (XLSX)."""
    report = service.readable(session, principal, number)
    lang = pick_language(language(request))
    headers = {"content-disposition": f'attachment; filename="{report.number}.xlsx"'}
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    content = {**report.content, "_digest": report.content_digest}
    return Response(report_render.xlsx(content, lang=lang), media_type=kind, headers=headers)


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request, number: str | None = None) -> Response:
    """Enter a report number to verify it (no login)."""
    if number and number.strip():
        return RedirectResponse(f"/verify/{number.strip().upper()}", status_code=303)
    return render(request, "portal/reports/verify_form.html", {})


def _verification_page(
    request: Request, session: Session, number: str, upload: bool | None, status: int = 200
) -> Response:
    try:
        result = verify.check(session, number)
    except NotFound:
        return render(
            request, "portal/reports/verify_form.html", {"missing": number}, status_code=404
        )
    context = {"v": result.as_dict(), "upload": upload}
    return render(request, "portal/reports/verify.html", context, status_code=status)


@router.get("/verify/{number}", response_class=HTMLResponse)
def verify_page(request: Request, session: DbSession, number: str) -> Response:
    """Public verification: issue time, type, masked subject, validity, digest, status."""
    return _verification_page(request, session, number, None)


@router.post("/verify/{number}", response_class=HTMLResponse)
def verify_upload(
    request: Request, session: DbSession, number: str, file: Annotated[UploadFile, File()]
) -> Response:
    """Check an uploaded PDF against the one issued under the number, byte for byte."""
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise Invalid("文件过大（上限20MB） · file too large", details={"field": "file"})
    report = service.get(session, number)
    return _verification_page(
        request, session, number, verify.matches_upload(session, report, data)
    )
