"""Issuing credit reports: who may ask, the daily limits, content, PDF, signatures, register.

``issue`` is the one way a report comes to be, whatever the channel (online self-service,
an authorised organisation, the counter, a department batch, the API, the command line):
it decides the audience, checks the type, the subject, the authorisation and the daily
limit, assembles the content as of today, renders and signs it, keeps the PDF exactly as
issued and registers the read as a query (查询登记) the subject sees.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.auth import authorisations, policy, queries
from xinyong.auth.models import Organisation
from xinyong.auth.principal import ANONYMOUS, Principal
from xinyong.core.db import utcnow
from xinyong.core.errors import Forbidden, Invalid, NotFound, XinyongError
from xinyong.core.i18n import Language, t
from xinyong.reports import content as content_mod
from xinyong.reports import render, signing
from xinyong.reports.config import Audience, ReportType, get_config
from xinyong.reports.models import Report, ReportDocument
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department, Subject

BEIJING = ZoneInfo("Asia/Shanghai")
FORMAT = "xinyong-report/1"


class TooManyReports(XinyongError):
    """A requester reached its daily number of reports."""

    status_code = 429
    code = "report_limit"


@dataclass(frozen=True)
class Request:
    """What is asked: whose report, which type, for what; who asks and through which channel."""

    subject_id: int
    type_code: str
    purpose: str
    principal: Principal
    channel: str
    counter_note: str | None = None
    batch_id: int | None = None
    # The language of the printed report (its PDF is laid out once, in this language).
    lang: Language = "zh"
    # The command line (the credit office) names the version it issues; others get theirs.
    audience: Audience | None = None


def beijing_today(now: datetime | None = None) -> date:
    """Today's date in Beijing time."""
    return (now or utcnow()).astimezone(BEIJING).date()


def canonical(content: dict[str, Any]) -> bytes:
    """The canonical JSON of a report's content: sorted keys, UTF-8, no whitespace."""
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)


def audience_for(
    principal: Principal, subject: Subject, channel: str, requested: Audience | None = None
) -> Audience:
    """Who reads the report: the subject (online or at the counter), an organisation, a
    department, or the version the command line names; anyone else may not ask."""
    if channel == "cli" and requested is not None:
        return requested
    if channel == "counter":
        policy.require(principal, "reports.counter")
        return Audience.subject
    if principal.kind == "subject":
        if principal.subject_id != subject.id:
            raise Forbidden(
                "信用主体只能查询本主体的信用报告 · a subject may ask for its own report only"
            )
        return Audience.subject
    if principal.kind == "organisation":
        return Audience.authorised
    if principal.kind == "staff" or principal.is_government:
        return Audience.government
    raise Forbidden("请先登录后再申请信用报告 · log in to ask for a credit report")


def _check_request(
    session: Session, request: Request, spec: ReportType, subject: Subject
) -> tuple[Audience, frozenset[str]]:
    if request.channel not in ("counter", "cli"):
        policy.require(request.principal, "reports.request")
    audience = audience_for(request.principal, subject, request.channel, request.audience)
    if audience not in spec.requesters:
        who = t(f"rpt.audience.{audience.value}", "zh")
        raise Forbidden(
            f"“{spec.name.zh}”不向{who}出具 · this report type is not issued to this requester",
            details={"field": "type"},
        )
    if subject.kind not in spec.subject_kinds:
        raise Invalid(
            f"“{spec.name.zh}”不适用于{t('kind.' + subject.kind, 'zh')} · "
            f"this report type is not for {subject.kind}",
            details={"field": "type"},
        )
    authorised: frozenset[str] = frozenset()
    if audience is Audience.authorised:
        organisation_id = request.principal.organisation_id or 0
        authorised = frozenset(
            authorisations.covered_items(
                session, subject_id=subject.id, organisation_id=organisation_id
            )
        )
        if not authorised:
            raise Forbidden(
                "须经信用主体有效授权方可查询其信用报告（授权不存在、已撤回或已过期） · "
                "no live authorisation by the subject"
            )
    _check_limit(session, request.principal, request.channel)
    return audience, authorised


def actor_of(principal: Principal, channel: str) -> str:
    """The requester as the register names it (the command line is the system)."""
    return "system:cli" if channel == "cli" else principal.actor


def requester_kind(principal: Principal, channel: str) -> str:
    """The kind of requester the daily limits are set for."""
    return "system" if channel == "cli" else principal.kind


def _check_limit(session: Session, principal: Principal, channel: str) -> None:
    limit = get_config().limit_for(requester_kind(principal, channel))
    start = datetime.combine(beijing_today(), time(), tzinfo=BEIJING).astimezone(UTC)
    count = session.scalar(
        select(func.count())
        .select_from(Report)
        .where(Report.requester_actor == actor_of(principal, channel), Report.issued_at >= start)
    )
    if (count or 0) >= limit:
        raise TooManyReports(
            f"今日已出具 {count} 份信用报告，已达每日上限 {limit} 份，请明日再试 · "
            f"daily limit of {limit} reports reached"
        )


def new_number(today: date) -> str:
    """A fresh report number: XY + date + 8 random hexadecimal characters."""
    return f"XY{today:%Y%m%d}{secrets.token_hex(4).upper()}"


def requester_label(
    session: Session, principal: Principal, channel: str, lang: Language = "zh"
) -> str:
    """The requester as printed on the report: the organisation or department, and who."""
    body = None
    if principal.organisation_id is not None:
        organisation = session.get(Organisation, principal.organisation_id)
        body = organisation.name if organisation else None
    elif principal.department_id is not None and channel != "cli":
        department = session.get(Department, principal.department_id)
        if department is not None:
            body = department.name_zh if lang == "zh" else department.name_en
    if channel == "cli":
        return f"{body} · {t('rpt.channel.cli', lang)}" if body else t("rpt.channel.cli", lang)
    if channel == "counter" or principal.kind == "subject":
        return principal.label
    return f"{body} · {principal.label}" if body else principal.label


def _subject_block(subject: Subject, reader: content_mod.Reader) -> dict[str, Any]:
    return {
        "kind": subject.kind,
        "name": content_mod.subject_name(subject, reader),
        "code": content_mod.subject_code(subject),
    }


def _content(
    session: Session,
    *,
    request: Request,
    spec: ReportType,
    subject: Subject,
    reader: content_mod.Reader,
    number: str,
    issued_at: datetime,
) -> tuple[dict[str, Any], list[str]]:
    as_of = beijing_today(issued_at)
    sections, items = content_mod.build(
        session, subject=subject, spec=spec, reader=reader, as_of=as_of
    )
    label = requester_label(session, request.principal, request.channel, request.lang)
    if request.channel == "counter":
        counter = t("rpt.channel.counter", request.lang)
        label = f"{subject.name if reader.is_subject else ''}（{counter}）"
    start = content_mod.period_start(spec, as_of)
    watermark = {
        lang: getattr(spec.watermark, lang).format(requester=label, purpose=request.purpose)
        for lang in ("zh", "en")
    }
    body = {
        "format": FORMAT,
        "number": number,
        "type": spec.code,
        "type_name": {"zh": spec.name.zh, "en": spec.name.en},
        "audience": reader.audience.value,
        "audience_name": content_mod.both(f"rpt.audience.{reader.audience.value}"),
        "subject": _subject_block(subject, reader),
        "requester": label,
        "purpose": request.purpose,
        "issued_at": issued_at.astimezone(UTC).isoformat(timespec="seconds"),
        "issued_at_local": issued_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
        "as_of": as_of.isoformat(),
        "valid_until": (as_of + timedelta(days=spec.validity_days)).isoformat(),
        "period": {"from": start.isoformat(), "to": as_of.isoformat()} if start else None,
        "watermark": watermark,
        "sections": sections,
        "lang": request.lang,
    }
    return body, items


@dataclass(frozen=True)
class Prepared:
    """A report ready to be laid out: checked, its content assembled and signed, its print
    page rendered. ``complete`` adds the PDF (laid out here or by a worker process)."""

    request: Request
    subject: Subject
    audience: Audience
    body: dict[str, Any]
    items: list[str]
    issued_at: datetime
    suite: signing.Suite
    algorithm: str
    content_digest: str
    content_signature: str
    key_id: str
    page: bytes  # the print data the PDF is laid out from (render.print_data)


def _signed_content(body: dict[str, Any]) -> tuple[signing.Suite, str, str, str, str]:
    suite = signing.current_suite()
    algorithm = signing.digest_algorithm(suite)
    data = canonical(body)
    key_id, signature = signing.sign(data, suite=suite)
    return suite, algorithm, signing.digest(algorithm, data), signature, key_id


def basis_digest(session: Session, *, subject_id: int, as_of: date) -> str:
    """Digest of the subject's data in force on the day (see content.basis_fingerprint)."""
    fingerprint = content_mod.basis_fingerprint(session, subject_id=subject_id, as_of=as_of)
    return signing.digest("sha256", orjson.dumps(fingerprint))


def prepare(session: Session, *, request: Request) -> Prepared:
    """Checks, content as of today, its signature and the print page (no PDF yet)."""
    spec = get_config().get(request.type_code)
    purpose = queries.checked_purpose(request.purpose)
    request = Request(**{**request.__dict__, "purpose": purpose})
    subject = subjects_service.get(session, request.subject_id)
    audience, authorised = _check_request(session, request, spec, subject)
    reader_principal = request.principal
    if audience is Audience.subject:  # online or at the counter: the subject reads it
        reader_principal = Principal(kind="subject", subject_id=subject.id, label=subject.name)
    elif audience is Audience.public:  # the public version: what anyone may read
        reader_principal = ANONYMOUS
    reader = content_mod.Reader(audience, reader_principal, authorised)
    issued_at = utcnow().replace(microsecond=0)
    number = new_number(beijing_today(issued_at))
    body, items = _content(
        session,
        request=request,
        spec=spec,
        subject=subject,
        reader=reader,
        number=number,
        issued_at=issued_at,
    )
    suite, algorithm, digest, signature, key_id = _signed_content(body)
    shown = {**body, "_digest": digest, "_digest_algorithm": algorithm.upper()}
    page = render.print_data(shown, lang=request.lang)
    return Prepared(
        request,
        subject,
        audience,
        body,
        items,
        issued_at,
        suite,
        algorithm,
        digest,
        signature,
        key_id,
        page,
    )


def complete(session: Session, prepared: Prepared, pdf: bytes) -> Report:
    """Sign the PDF's digest, keep report and PDF, register the query (查询登记)."""
    pdf_digest = signing.digest(prepared.algorithm, pdf)
    message = signing.pdf_message(prepared.body["number"], pdf_digest)
    _, pdf_signature = signing.sign(message, suite=prepared.suite)
    report = _store(session, prepared, pdf, pdf_digest, pdf_signature)
    request = prepared.request
    queries.register(
        session,
        principal=request.principal,
        subject_id=prepared.subject.id,
        what=[f"report:{request.type_code}", *prepared.items],
        purpose=request.purpose,
        outcome="allowed",
        detail={
            "report": report.number,
            "channel": request.channel,
            "audience": prepared.audience.value,
        },
    )
    return report


def issue(session: Session, *, request: Request) -> Report:
    """Issue one report: checks, content as of today, PDF, signatures, query register."""
    prepared = prepare(session, request=request)
    return complete(session, prepared, render.pdf(prepared.page))


def _store(
    session: Session, prepared: Prepared, pdf: bytes, pdf_digest: str, pdf_signature: str
) -> Report:
    body, request = prepared.body, prepared.request
    as_of = date.fromisoformat(body["as_of"])
    report = Report(
        number=body["number"],
        type_code=body["type"],
        subject_id=prepared.subject.id,
        audience=body["audience"],
        channel=request.channel,
        requester_actor=actor_of(request.principal, request.channel),
        requester_kind=requester_kind(request.principal, request.channel),
        requester_label=body["requester"],
        organisation_id=request.principal.organisation_id,
        department_id=request.principal.department_id,
        purpose=request.purpose,
        counter_note=request.counter_note,
        issued_at=prepared.issued_at,
        valid_until=date.fromisoformat(body["valid_until"]),
        content=body,
        digest_algorithm=prepared.algorithm,
        content_digest=prepared.content_digest,
        basis_digest=basis_digest(session, subject_id=prepared.subject.id, as_of=as_of),
        pdf_digest=pdf_digest,
        suite=prepared.suite,
        key_id=prepared.key_id,
        content_signature=prepared.content_signature,
        pdf_signature=pdf_signature,
        batch_id=request.batch_id,
    )
    session.add(report)
    session.flush()
    session.add(ReportDocument(report_id=report.id, pdf=pdf))
    session.flush()
    return report


def get(session: Session, number: str) -> Report:
    """The report with this number, or NotFound (in Chinese first)."""
    report = session.scalar(select(Report).where(Report.number == number.strip().upper()))
    if report is None:
        raise NotFound(f"未找到编号为 {number} 的信用报告 · no report {number}")
    return report


def pdf_of(session: Session, report: Report) -> bytes:
    """The PDF exactly as issued."""
    document = session.get(ReportDocument, report.id)
    if document is None:
        raise NotFound(f"报告 {report.number} 的文件缺失 · the file of {report.number} is missing")
    return bytes(document.pdf)


def readable(session: Session, principal: Principal, number: str) -> Report:
    """The report, if this principal may read it: its requester, its subject, or staff with
    the register (a department its own); NotFound for everyone else (no probing)."""
    report = get(session, number)
    own = principal.kind != "anonymous" and principal.actor == report.requester_actor
    subject = principal.kind == "subject" and principal.subject_id == report.subject_id
    staff = policy.can(principal, "reports.register") and (
        principal.role in ("admin", "auditor") or principal.department_id == report.department_id
    )
    if not (own or subject or staff):
        raise NotFound(f"未找到编号为 {number} 的信用报告 · no report {number}")
    return report
