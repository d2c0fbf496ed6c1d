"""Departments' batch reports: a list of subjects (500 award candidates …) → reports → a ZIP.

``create`` checks the request and keeps it queued; ``run`` claims it and issues the reports on
its own sessions, committing every few reports with a heartbeat (progress is ``done`` /
``len(codes)``), and records a per-code reason for codes it could not serve (in Chinese
first); ``start`` runs it on a daemon thread so a request answers at once; ``run_queued``
(``xinyong reports run-queued``, cron) runs queued batches and resumes those whose process
was lost. ``zip_of`` delivers the PDFs and a manifest.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from xinyong.auth import policy, queries
from xinyong.auth import service as auth_service
from xinyong.auth.models import Account
from xinyong.auth.principal import Principal
from xinyong.core.db import session_scope, utcnow
from xinyong.core.errors import Conflict, Invalid, NotFound, XinyongError
from xinyong.reports import render, service
from xinyong.reports.config import get_config
from xinyong.reports.models import Report, ReportBatch
from xinyong.subjects import service as subjects_service

MAX_CODES = 5000
COMMIT_EVERY = 20
# A running batch silent this long lost its process (a chunk of 20 PDFs takes well under it).
STALE_AFTER = timedelta(minutes=10)
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


class AlreadyClaimed(Conflict):
    """The batch is not queued (nor abandoned): another worker runs or ran it."""


def stale_before(after: timedelta = STALE_AFTER) -> datetime:
    """Running batches silent since before this moment have lost their process."""
    return utcnow() - after


def _claimable(abandoned_before: datetime | None) -> Any:
    queued = ReportBatch.state == "queued"
    if abandoned_before is None:
        return queued
    silent = or_(ReportBatch.heartbeat_at.is_(None), ReportBatch.heartbeat_at < abandoned_before)
    return or_(queued, and_(ReportBatch.state == "running", silent))


def _claim(batch_id: int, abandoned_before: datetime | None) -> None:
    """queued (or abandoned) → running by one worker only: a guarded UPDATE committed at once,
    the job's first heartbeat."""
    with session_scope() as session:
        claimed = session.execute(
            update(ReportBatch)
            .where(ReportBatch.id == batch_id, _claimable(abandoned_before))
            .values(state="running", heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return
        batch = session.get(ReportBatch, batch_id)
        if batch is None:
            raise NotFound(key="rpt.err.no_batch", params={"batch_id": batch_id})
        state = batch.state
    raise AlreadyClaimed(f"报告批次 {batch_id} 状态为 {state} · report batch {batch_id} is {state}")


def run(
    batch_id: int,
    *,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = COMMIT_EVERY,
    abandoned_before: datetime | None = None,
) -> None:
    """Issue a batch's reports, a chunk per transaction: the chunk's reports, its problems,
    the progress (``done``) and a heartbeat are committed together, so a process killed
    mid-chunk leaves nothing of that chunk and a resumed run (``abandoned_before``: take over
    a running batch silent since then) goes on after the last committed chunk — every report
    is issued exactly once."""
    _claim(batch_id, abandoned_before)
    with session_scope() as session:
        batch = session.get(ReportBatch, batch_id)
        assert batch is not None
        codes, start = list(batch.codes), batch.done
        if start:
            log.warning("report batch %s resumed after %s of %s codes", batch_id, start, len(codes))
    for offset in range(start, len(codes), chunk):
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
                for code in codes[offset : offset + chunk]
            ]
            for code, _, reason in issue_chunk(session, requests):
                if reason:
                    problems.append({"code": code, "reason": reason})
            batch.problems = problems
            done = batch.done = min(offset + chunk, len(codes))
            batch.heartbeat_at = utcnow()
        if progress:
            progress(done, len(codes))
    with session_scope() as session:
        batch = session.get(ReportBatch, batch_id)
        assert batch is not None
        batch.state = "done"
        batch.finished_at = utcnow()


def _mark_failed(batch_id: int) -> None:
    with session_scope() as session:
        batch = session.get(ReportBatch, batch_id)
        if batch is not None:
            batch.state = "failed"
            batch.finished_at = utcnow()


def _run_logged(batch_id: int, abandoned_before: datetime | None = None) -> bool:
    """Run a batch; False when another worker has it. A failure is logged and kept."""
    try:
        run(batch_id, abandoned_before=abandoned_before)
    except AlreadyClaimed:
        return False
    except Exception:
        log.exception("report batch %s failed", batch_id)
        _mark_failed(batch_id)
    return True


def start(batch_id: int) -> threading.Thread:
    """Run a committed batch on a daemon thread (the request answers at once). A server that
    stops mid-batch leaves it running with a heartbeat that goes stale; ``run_queued``
    resumes it."""
    thread = threading.Thread(target=_run_logged, args=(batch_id,), daemon=True)
    thread.name = f"report-batch-{batch_id}"
    thread.start()
    return thread


def run_queued(*, stale_after: timedelta = STALE_AFTER, limit: int | None = None) -> int:
    """Run queued batches, oldest first, and resume those whose process was lost (running and
    silent for ``stale_after``); how many this call ran."""
    cutoff = stale_before(stale_after)
    stmt = select(ReportBatch.id).where(_claimable(cutoff)).order_by(ReportBatch.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    with session_scope() as session:
        waiting = list(session.scalars(stmt))
    return sum(_run_logged(batch_id, abandoned_before=cutoff) for batch_id in waiting)


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
