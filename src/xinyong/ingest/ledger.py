"""Batch reports, withdrawals (撤销) and the per-department ledger (归集台账)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import normalize_header
from xinyong.core.db import utcnow
from xinyong.core.errors import NotFound
from xinyong.core.text import kept, storable
from xinyong.ingest import service
from xinyong.ingest.models import IngestBatch, RejectedRow
from xinyong.ingest.readers import IngestFileError, open_source
from xinyong.ingest.report import write_report
from xinyong.ingest.schemas import BatchReport, LedgerRow, RowError
from xinyong.ingest.values import REQUIRED
from xinyong.records import effects
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.states import RecordState
from xinyong.subjects.models import Department

STATUS_TEXT = {
    "accepted": "新增 accepted",
    "corrected": "更正 corrected",
    "unchanged": "未变 unchanged",
    "rejected": "拒收 rejected",
    "loaded": "已入库 loaded",
}


def get_batch(session: Session, batch_id: str) -> IngestBatch:
    """A batch by id, or NotFound."""
    batch = session.get(IngestBatch, batch_id)
    if batch is None:
        raise NotFound(key="ingest.err.no_batch", params={"batch_id": batch_id})
    return batch


def report(session: Session, batch: IngestBatch, *, error_limit: int | None = None) -> BatchReport:
    """The batch's report with its row errors (all, or the first ``error_limit``)."""
    stmt = (
        select(RejectedRow).where(RejectedRow.batch_id == batch.id).order_by(RejectedRow.row_number)
    )
    total = session.scalar(
        select(func.count()).select_from(RejectedRow).where(RejectedRow.batch_id == batch.id)
    )
    errors: list[RowError] = []
    for rejected in session.scalars(stmt.limit(error_limit) if error_limit else stmt):
        errors += [RowError(**e) for e in rejected.errors]
    department = session.get(Department, batch.department_id)
    return BatchReport(
        batch_id=batch.id,
        status=batch.status,
        kind=batch.kind,
        item_code=batch.item_code,
        department=department.key if department else str(batch.department_id),
        mode=batch.mode,
        channel=batch.channel,
        filename=batch.filename,
        file_format=batch.file_format,
        encoding=batch.encoding,
        sheet=batch.sheet,
        sha256=batch.sha256,
        rows=batch.rows,
        accepted=batch.accepted,
        corrected=batch.corrected,
        unchanged=batch.unchanged,
        rejected=batch.rejected,
        late=batch.late,
        new_subjects=batch.new_subjects,
        to_review=batch.to_review,
        error=batch.error,
        notes=list(batch.notes or []),
        received_at=batch.received_at,
        finished_at=batch.finished_at,
        errors=errors,
        errors_total=int(total or 0),
    )


class _Outcomes(Mapping[int, tuple[str, str]]):
    """Row number → (status, errors) for the report: rejected rows from the database, every
    other row "loaded" (or "not loaded" when a strict batch was refused)."""

    def __init__(self, rejected: dict[int, tuple[str, str]], default: tuple[str, str]) -> None:
        self.rejected = rejected
        self.default = default

    def __getitem__(self, row: int) -> tuple[str, str]:
        return self.rejected.get(row, self.default)

    def __iter__(self) -> Any:
        return iter(self.rejected)

    def __len__(self) -> int:
        return len(self.rejected)

    def get(self, row: int, default: Any = None) -> tuple[str, str]:
        return self[row]


def write_batch_report(session: Session, batch: IngestBatch, out: Path | BinaryIO) -> None:
    """The original rows with the outcome and error columns added, as XLSX."""
    if not batch.stored_path or not Path(batch.stored_path).exists():
        raise NotFound(key="ingest.err.no_file", params={"batch_id": batch.id})
    rejected = {
        r.row_number: (STATUS_TEXT["rejected"], "; ".join(_error_text(e) for e in r.errors))
        for r in session.scalars(select(RejectedRow).where(RejectedRow.batch_id == batch.id))
    }
    default = (
        ("未入库 not loaded", service.STRICT_NOT_LOADED)
        if batch.status == "refused"
        else (STATUS_TEXT["loaded"], "")
    )
    source = open_source(
        Path(batch.stored_path), filename=batch.filename, encoding=batch.encoding, sheet=batch.sheet
    )
    write_report(source, _Outcomes(rejected, default), out)


def _error_text(error: dict[str, Any]) -> str:
    column = f"[{error['column']}] " if error.get("column") else ""
    return f"{column}{error['reason']}"


def ledger(session: Session, *, department_id: int | None = None) -> list[LedgerRow]:
    """Per department and item: submissions, rows, outcomes, late rows, last submission."""
    b = IngestBatch
    stmt = (
        select(
            Department.key,
            Department.name_zh,
            b.item_code,
            func.count(),
            func.sum(func.cast(b.status == "refused", type_=Integer())),
            func.sum(b.rows),
            func.sum(b.accepted),
            func.sum(b.corrected),
            func.sum(b.unchanged),
            func.sum(b.rejected),
            func.sum(b.late),
            func.max(b.received_at),
        )
        .join(Department, Department.id == b.department_id)
        .where(b.kind == "submission")
        .group_by(Department.key, Department.name_zh, b.item_code)
        .order_by(Department.key, b.item_code)
    )
    if department_id is not None:
        stmt = stmt.where(b.department_id == department_id)
    catalog = catalog_service.get_catalog()
    out = []
    for key, name, item, n, refused, rows, acc, cor, unch, rej, late, last in session.execute(stmt):
        out.append(
            LedgerRow(
                department_key=key,
                department_name=name,
                item_code=item,
                item_name=catalog.items[item].name.zh if item in catalog.items else item,
                submissions=n,
                refused=int(refused or 0),
                rows=int(rows or 0),
                accepted=int(acc or 0),
                corrected=int(cor or 0),
                unchanged=int(unch or 0),
                rejected=int(rej or 0),
                late=int(late or 0),
                last_submission=last,
            )
        )
    return out


# --- withdrawals ---------------------------------------------------------------------------

_SOURCE_HEADERS = {"source_record_id", "源记录编号", "记录编号", "决定文书号", "行政处罚决定书文号"}
_REASON_HEADERS = {"reason", "撤销原因", "原因", "撤回原因"}
# Reasons a clerk reads: Chinese first, then the English text (``中文 · English``).
_NEEDS_REASON = "撤销必须填写撤销原因 · a withdrawal needs a reason"
_NEEDS_COLUMNS = (
    "撤销清单必须包含“源记录编号”和“撤销原因”两列 · "
    "a withdrawal list needs the columns 源记录编号 (source_record_id) and 撤销原因 (reason)"
)


def withdraw(
    session: Session,
    *,
    withdrawals: Iterable[tuple[int, str, str]],
    submission: service.Submission,
    batch_file: tuple[str, str | None, str] | None = None,
) -> IngestBatch:
    """Revoke records by source record id with a reason; nothing is deleted. Rows: already
    revoked → unchanged; unknown id or empty reason → rejected (strict: nothing revoked)."""
    item, department = service.parties(session, submission)
    batch = service.new_batch(submission, department)
    batch.kind = "withdrawal"
    if batch_file:
        batch.filename, batch.file_format, batch.stored_path = batch_file
    plan: list[tuple[int, Record]] = []
    rejected: list[tuple[int, dict[str, Any], list[dict[str, Any]]]] = []
    unchanged = 0
    for row, source_id, reason in withdrawals:
        cells = kept({"source_record_id": source_id, "reason": reason})
        problem = _unstorable(source_record_id=source_id, reason=reason)
        record = None if problem else _current(session, item.code, department.id, source_id)
        problem = problem or _withdrawal_problem(record, source_id, reason)
        if problem:
            error = {"row": row, "column": problem[0], "value": problem[1], "reason": problem[2]}
            rejected.append((row, cells, [error]))
        elif record is not None and record.state == RecordState.revoked:
            unchanged += 1
        elif record is not None:
            plan.append((row, record))
            record.state_reason = reason  # kept on the transition below
    refuse = submission.mode == "strict" and bool(rejected)
    if not refuse:
        _revoke(session, [record for _, record in plan], submission, batch_id=batch.id)
    total = len(plan) + unchanged + len(rejected)
    batch.rows = total
    batch.accepted = 0 if refuse else len(plan)
    batch.unchanged = 0 if refuse else unchanged
    batch.rejected = total if refuse else len(rejected)
    batch.status = "refused" if refuse else ("partial" if rejected else "loaded")
    batch.error = service.STRICT_NOT_LOADED if refuse else None
    batch.finished_at = utcnow()
    session.add(batch)
    session.flush()
    for row, cells, errors in rejected:
        session.add(RejectedRow(batch_id=batch.id, row_number=row, cells=cells, errors=errors))
    session.flush()
    service.audit_batch(session, batch)
    return batch


def _revoke(
    session: Session, records: list[Record], submission: service.Submission, *, batch_id: str
) -> None:
    """Revoke the records; their consequences (list entries resting on them end, partners
    are told, the subjects are re-evaluated and notified) follow through records.effects."""
    today = submission.today or date.today()
    for record in records:
        records_service.transition(
            session,
            record_id=record.id,
            to_state=RecordState.revoked,
            reason=record.state_reason or "",
            actor=submission.actor,
        )
    cause = effects.Cause(
        actor=submission.actor,
        today=today,
        reason="撤销 withdrawn by the source department",
        ref=batch_id,
    )
    effects.record_changed(session, effects.Change.revoked, records, cause=cause)


def _current(session: Session, item: str, department_id: int, source_id: str) -> Record | None:
    return session.scalar(
        select(Record).where(
            Record.item_code == item,
            Record.department_id == department_id,
            Record.source_record_id == source_id,
            Record.is_current.is_(True),
        )
    )


def _unstorable(**fields: str) -> tuple[str, str, str] | None:
    """A withdrawal's text no store keeps (a NUL, a lone surrogate): refused for its row."""
    for name, value in fields.items():
        try:
            storable(value)
        except ValueError as error:
            return (name, kept(value), f"含有无法保存的字符 · {error}")
    return None


def _withdrawal_problem(
    record: Record | None, source_id: str, reason: str
) -> tuple[str, str, str] | None:
    if not source_id.strip():
        return ("source_record_id", "", REQUIRED)
    if not reason.strip():
        return ("reason", "", _NEEDS_REASON)
    if record is None:
        return (
            "source_record_id",
            source_id,
            f"找不到本部门报送的该事项记录 {source_id} · "
            f"no record {source_id} of this item from this department",
        )
    return None


def read_withdrawals(
    path: Path, *, filename: str | None = None, encoding: str | None = None
) -> list[tuple[int, str, str]]:
    """Rows of a withdrawal list file: (row, source record id, reason)."""
    source = open_source(path, filename=filename, encoding=encoding)
    keys = {normalize_header(h): h for h in source.headers}
    id_header = next((keys[k] for k in map(normalize_header, _SOURCE_HEADERS) if k in keys), None)
    reason_header = next(
        (keys[k] for k in map(normalize_header, _REASON_HEADERS) if k in keys), None
    )
    if id_header is None or reason_header is None:
        raise IngestFileError(_NEEDS_COLUMNS, details={"reason": "missing_column"})
    return [
        (
            row.number,
            str(row.cells.get(id_header) or "").strip(),
            str(row.cells.get(reason_header) or "").strip(),
        )
        for row in source.rows()
    ]
