"""Departments' batch reports: a list of subjects (500 award candidates …) → reports → a ZIP.

``create`` checks the request and keeps it queued; ``run`` issues the reports on its own
sessions, committing every few reports (progress is ``done`` / ``len(codes)``), and records a
per-code reason for codes it could not serve (in Chinese first); ``start`` runs it on a
daemon thread so a request answers at once. ``zip_of`` delivers the PDFs and a manifest.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
import zipfile
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import policy, queries
from xinyong.auth import service as auth_service
from xinyong.auth.models import Account
from xinyong.auth.principal import Principal
from xinyong.core.db import session_scope, utcnow
from xinyong.core.errors import Invalid, NotFound, XinyongError
from xinyong.reports import render, service
from xinyong.reports.config import get_config
from xinyong.reports.models import Report, ReportBatch
from xinyong.subjects import service as subjects_service

MAX_CODES = 5000
COMMIT_EVERY = 20
log = logging.getLogger(__name__)


def parse_codes(text: str) -> list[str]:
    """Codes from an uploaded list: one per line (or CSV's first column), blanks skipped,
    a header line of words ignored, duplicates kept once in order."""
    codes: list[str] = []
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        value = (row[0] if row else "").strip().upper()
        if value and value.isascii() and value.isalnum():
            codes.append(value)
    return list(dict.fromkeys(codes))


def create(
    session: Session, *, principal: Principal, type_code: str, purpose: str, codes: list[str]
) -> ReportBatch:
    """Queue a batch of reports for these subject codes (checked now; issued by ``run``)."""
    policy.require(principal, "reports.batch")
    get_config().get(type_code)
    text = queries.checked_purpose(purpose)
    if not codes:
        raise Invalid(
            "名单中没有可识别的主体代码 · the list holds no codes", details={"field": "file"}
        )
    if len(codes) > MAX_CODES:
        raise Invalid(
            f"一次最多 {MAX_CODES} 个主体（本次 {len(codes)} 个） · at most {MAX_CODES} codes",
            details={"field": "file"},
        )
    batch = ReportBatch(
        type_code=type_code,
        purpose=text,
        requester_actor=principal.actor,
        requester_label=principal.label,
        department_id=principal.department_id,
        codes=codes,
        problems=[],
        state="queued",
    )
    session.add(batch)
    session.flush()
    return batch


def _principal(session: Session, batch: ReportBatch) -> Principal:
    kind, _, raw = batch.requester_actor.partition(":")
    account = session.get(Account, int(raw)) if kind == "account" and raw.isdigit() else None
    if account is None or not account.active:
        raise XinyongError("申请批量报告的账户已不可用 · the requesting account is gone", 409)
    return auth_service.principal_for(session, account)


def issue_chunk(
    session: Session, requests: list[tuple[str, service.Request | None]]
) -> list[tuple[str, Report | None, str | None]]:
    """Issue several reports, their PDFs laid out in parallel: per code, the report or the
    reason it could not be issued (None request: no such subject)."""
    prepared: list[tuple[str, service.Prepared | None, str | None]] = []
    for code, request in requests:
        if request is None:
            prepared.append((code, None, "未找到该主体 · no subject with this code"))
            continue
        try:
            prepared.append((code, service.prepare(session, request=request), None))
        except XinyongError as error:
            prepared.append((code, None, error.message))
    ready = [p for _, p, _ in prepared if p is not None]
    pdfs = iter(render.pdf_many([p.page for p in ready]))
    out: list[tuple[str, Report | None, str | None]] = []
    for code, item, reason in prepared:
        if item is None:
            out.append((code, None, reason))
            continue
        pdf = next(pdfs)
        try:
            with session.begin_nested():
                out.append((code, service.complete(session, item, pdf), None))
        except XinyongError as error:
            out.append((code, None, error.message))
    return out


def request_for(
    session: Session,
    code: str,
    *,
    type_code: str,
    purpose: str,
    principal: Principal,
    channel: str,
    batch_id: int | None = None,
) -> service.Request | None:
    """The request for one code of a list (None when no subject has the code)."""
    subject = subjects_service.find_by_code(session, code)
    if subject is None:
        return None
    return service.Request(subject.id, type_code, purpose, principal, channel, batch_id=batch_id)


def run(batch_id: int, *, progress: Callable[[int, int], None] | None = None) -> None:
    """Issue a batch's reports, committing every few so progress shows and work survives."""
    with session_scope() as session:
        batch = session.get(ReportBatch, batch_id)
        if batch is None:
            raise NotFound(key="rpt.err.no_batch", params={"batch_id": batch_id})
        batch.state = "running"
        codes, start = list(batch.codes), batch.done
    for offset in range(start, len(codes), COMMIT_EVERY):
        with session_scope() as session:
            batch = session.get(ReportBatch, batch_id)
            assert batch is not None
            principal = _principal(session, batch)
            problems = list(batch.problems)
            requests = [
                (
                    code,
                    request_for(
                        session,
                        code,
                        type_code=batch.type_code,
                        purpose=batch.purpose,
                        principal=principal,
                        channel="batch",
                        batch_id=batch.id,
                    ),
                )
                for code in codes[offset : offset + COMMIT_EVERY]
            ]
            for code, _, reason in issue_chunk(session, requests):
                if reason:
                    problems.append({"code": code, "reason": reason})
            batch.problems = problems
            done = batch.done = min(offset + COMMIT_EVERY, len(codes))
        if progress:
            progress(done, len(codes))
    with session_scope() as session:
        batch = session.get(ReportBatch, batch_id)
        assert batch is not None
        batch.state = "done"
        batch.finished_at = utcnow()


def _run_logged(batch_id: int) -> None:
    try:
        run(batch_id)
    except Exception:
        log.exception("report batch %s failed", batch_id)
        with session_scope() as session:
            batch = session.get(ReportBatch, batch_id)
            if batch is not None:
                batch.state = "failed"
                batch.finished_at = utcnow()


def start(batch_id: int) -> threading.Thread:
    """Run a committed batch on a daemon thread (the request answers at once)."""
    thread = threading.Thread(target=_run_logged, args=(batch_id,), daemon=True)
    thread.name = f"report-batch-{batch_id}"
    thread.start()
    return thread


def reports_of(session: Session, batch_id: int) -> list[Report]:
    """The reports a batch issued, in issue order."""
    return list(
        session.scalars(select(Report).where(Report.batch_id == batch_id).order_by(Report.id))
    )


def zip_of(session: Session, batch: ReportBatch) -> bytes:
    """The batch's PDFs and a manifest (code, number, subject, state or reason)."""
    buffer = io.BytesIO()
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(["主体代码", "报告编号", "主体名称", "结果"])
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for report in reports_of(session, batch.id):
            code = report.content["subject"]["code"]
            archive.writestr(f"{code}_{report.number}.pdf", service.pdf_of(session, report))
            writer.writerow([code, report.number, report.content["subject"]["name"], "已出具"])
        for problem in batch.problems:
            writer.writerow([problem["code"], "", "", problem["reason"]])
        archive.writestr("manifest.csv", "\ufeff" + manifest.getvalue())
    return buffer.getvalue()
