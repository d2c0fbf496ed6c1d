"""Submissions (归集): a department's file or record array becomes a batch whose every row
ends accepted, corrected, unchanged or rejected — in strict mode all of them or none.

The batch runs in the caller's transaction (one per request, CLI command or job): nothing
is committed until the whole batch is decided and written, so a killed process leaves no
trace but the copy of the file it received.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, Literal

import orjson
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import CatalogItem
from xinyong.core.config import get_settings
from xinyong.core.db import utcnow
from xinyong.core.errors import Forbidden, Invalid, NotFound
from xinyong.core.text import kept
from xinyong.core.workdays import get_calendar
from xinyong.ingest import pipeline
from xinyong.ingest import subjects as new_subjects
from xinyong.ingest.mapping import ColumnMap, map_headers
from xinyong.ingest.merge import Stage
from xinyong.ingest.models import IngestBatch, RejectedRow
from xinyong.ingest.pipeline import Parsed, loose
from xinyong.ingest.readers import IngestFileError, open_source
from xinyong.ingest.review import Reviewer
from xinyong.ingest.stage import Stager
from xinyong.ingest.values import CellError, parse_mapping
from xinyong.records import effects, protect
from xinyong.records.models import Record
from xinyong.subjects.models import Department

Mode = Literal["strict", "partial"]
# Row numbers → the original cells of those rows (read again when a row is rejected late).
CellsOf = Callable[[set[int]], dict[int, dict[str, Any]]]
# Reasons a clerk reads: Chinese first, then the English text (``中文 · English``).
STRICT_NOT_LOADED = (
    "未入库：严格模式下只要有一行被拒收，整批均不入库 · "
    "not loaded: strict mode refuses the whole batch when any row is rejected"
)
NOT_AN_OBJECT = "每条记录都必须是一个 JSON 对象 · each record must be a JSON object"


@dataclass(frozen=True)
class Submission:
    """Who submits what, how: the same for every channel."""

    item_code: str
    department_key: str
    mode: Mode = "strict"
    channel: str = "cli"
    actor: str = "system"
    today: date | None = None


def new_batch_id() -> str:
    """A batch id that sorts by time and cannot be guessed."""
    return f"B{utcnow():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:12]}"


def department_for(session: Session, key: str) -> Department:
    """A source department by key (or by code), or NotFound."""
    department = session.scalar(
        select(Department).where((Department.key == key) | (Department.code == key))
    )
    if department is None:
        raise NotFound(
            key="ingest.err.no_department", params={"key": key}, details={"field": "department"}
        )
    return department


def check_source(item: CatalogItem, department: Department) -> None:
    """Only the departments the catalogue names may report an item."""
    if item.source_departments and department.kind not in item.source_departments:
        raise Forbidden(
            key="ingest.err.not_source",
            params={
                "department_key": department.key,
                "department_kind": department.kind,
                "item_code": item.code,
                "join_item_source_departments": ", ".join(item.source_departments),
            },
            details={"field": "item"},
        )


def new_batch(sub: Submission, department: Department) -> IngestBatch:
    """A new batch of this submission (status set when it is decided)."""
    batch = IngestBatch(
        id=new_batch_id(),
        item_code=sub.item_code,
        department_id=department.id,
        channel=sub.channel,
        mode=sub.mode,
        status="refused",
        submitted_by=sub.actor,
        notes=[],
    )
    return batch


@dataclass(frozen=True)
class KeptFile:
    """A received file as kept under the ingest directory."""

    path: Path
    size: int
    sha256: str


MAX_FILENAME_BYTES = 255  # the longest name a file system keeps


def upload_filename(raw: str | None) -> str:
    """The name an uploaded file is kept under: its last path part; Invalid (naming the
    field ``file``) for ``.``, ``..``, control characters such as NUL, or over 255 bytes."""
    if not raw:
        return "upload"
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    problem = None
    if name in ("", ".", ".."):
        problem = "文件名不能是 . 或 .. 或为空 · the file name may not be '.', '..' or empty"
    elif any(not ch.isprintable() for ch in name):
        problem = (
            "文件名含有控制字符(如 NUL) · the file name holds a control character (such as NUL)"
        )
    elif len(name.encode()) > MAX_FILENAME_BYTES:
        problem = (
            f"文件名超过 {MAX_FILENAME_BYTES} 字节 · "
            f"the file name is longer than {MAX_FILENAME_BYTES} bytes"
        )
    if problem:
        raise Invalid(problem, details={"field": "file", "reason": "filename"})
    return name


def keep_file(source: BinaryIO, *, batch_id: str, filename: str, max_bytes: int) -> KeptFile:
    """Copy an incoming file under the ingest directory (digesting it on the way), refusing
    it past ``max_bytes``."""
    safe = upload_filename(filename)
    folder = get_settings().ingest_dir / batch_id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe
    written = 0
    sha = hashlib.sha256()
    with target.open("wb") as out:
        while chunk := source.read(1 << 20):
            written += len(chunk)
            if written > max_bytes:
                out.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise _too_large(max_bytes)
            sha.update(chunk)
            out.write(chunk)
    return KeptFile(target, written, sha.hexdigest())


def _too_large(max_bytes: int) -> IngestFileError:
    return IngestFileError(
        f"文件超过 {max_bytes:,} 字节的上限 · file is larger than the limit of {max_bytes:,} bytes",
        details={"reason": "too_large", "limit": max_bytes},
    )


def submit_file(
    session: Session,
    *,
    path: Path,
    submission: Submission,
    filename: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> IngestBatch:
    """Load a CSV, XLSX or JSON Lines file of one item from one department."""
    item, department = parties(session, submission)
    batch = new_batch(submission, department)
    batch.filename = filename or path.name
    max_bytes = get_settings().ingest_max_bytes
    try:
        if path.stat().st_size > max_bytes:
            raise _too_large(max_bytes)
        with path.open("rb") as handle:
            received = keep_file(
                handle, batch_id=batch.id, filename=batch.filename, max_bytes=max_bytes
            )
        kept = received.path
        batch.stored_path, batch.size_bytes, batch.sha256 = (
            str(kept),
            received.size,
            received.sha256,
        )
        source = open_source(kept, filename=batch.filename, encoding=encoding, sheet=sheet)
        batch.file_format, batch.encoding, batch.sheet = (
            source.format,
            source.encoding,
            source.sheet,
        )
        batch.notes = list(source.notes)
        columns = map_headers(item, source.headers)
        batch.notes.extend(derived_notes(item, columns))
        today = submission.today or date.today()
        large = received.size >= pipeline.PARALLEL_FROM_BYTES
        processes = pipeline.workers() if large else 0
        as_copy = session.get_bind().dialect.name == "postgresql"
        chunks: Iterable[list[tuple[Any, ...]] | bytes] = (
            pipeline.parallel_chunks(
                columns, source.headers, source.rows(), today, processes, as_copy=as_copy
            )
            if processes
            else pipeline.file_chunks(columns, source.rows(), today)
        )

        def cells_of(wanted: set[int]) -> dict[int, dict[str, Any]]:
            again = open_source(kept, filename=batch.filename, encoding=encoding, sheet=sheet)
            return {r.number: r.cells for r in again.rows() if r.number in wanted}

        loaded = _load(session, batch, item, department, submission, chunks, cells_of)
        loaded.encoding = source.encoding  # GBK becomes GB18030 when a late row needs it
        return loaded
    except IngestFileError as error:
        return _refuse(session, batch, error)


def derived_notes(item: CatalogItem, columns: ColumnMap) -> list[str]:
    """What the batch summary says of fields derived because the file has no column for them."""
    notes = []
    code = item.field(item.subject_code_field).label.zh
    for name in columns.derived:
        label = item.field(name).label.zh
        notes.append(
            f"文件没有“{label}”列，已由“{code}”推断"
            "（统一社会信用代码看前两位，身份证号码为自然人） · "
            f"{label} ({name}) derived from {code}: the file has no {label} column"
        )
    return notes


def submit_records(
    session: Session, *, records: list[dict[str, Any]], submission: Submission
) -> IngestBatch:
    """Load an array of records (JSON objects keyed by field names or header aliases)."""
    item, department = parties(session, submission)
    batch = new_batch(submission, department)
    batch.file_format = "json"
    today = submission.today or date.today()

    def parsed() -> Iterator[tuple[int, dict[str, Any], Parsed]]:
        for number, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                error = CellError(number, "", str(record)[:200], NOT_AN_OBJECT)
                yield number, {"value": record}, Parsed(None, [error])
                continue
            yield number, record, _parse_record(item, record, number, today)

    def cells_of(wanted: set[int]) -> dict[int, dict[str, Any]]:
        return {n: records[n - 1] for n in wanted}

    stager = Stager(item=item, today=today, calendar=get_calendar())
    chunks = pipeline.inline_chunks(stager, parsed())
    return _load(session, batch, item, department, submission, chunks, cells_of)


def _parse_record(item: CatalogItem, record: dict[str, Any], number: int, today: date) -> Parsed:
    """One API record; a record naming its subject without a code goes to review."""
    payload, errors = parse_mapping(item, record, row=number, today=today)
    names = _keys_of(item, item.subject_name_field)
    codes = _keys_of(item, item.subject_code_field)
    name = next((str(record[k]).strip() for k in record if k in names and record[k]), "")
    code_given = any(str(record[k] or "").strip() for k in record if k in codes)
    code_errors = bool(errors) and all(e.column in codes for e in errors)
    if payload is None and name and code_errors and not code_given:
        relaxed, _ = parse_mapping(loose(item), record, row=number, today=today)
        if relaxed is not None:
            return Parsed(relaxed, [], review_name=name)
    return Parsed(payload, errors)


def _keys_of(item: CatalogItem, field: str) -> set[str]:
    """Every key an API record may use for a field: its name and its template headers."""
    spec = item.field(field)
    return {spec.name, *spec.header_names()}


def parties(session: Session, sub: Submission) -> tuple[CatalogItem, Department]:
    item = catalog_service.get_catalog().item(sub.item_code)
    department = department_for(session, sub.department_key)
    check_source(item, department)
    if sub.mode not in ("strict", "partial"):
        raise Invalid(
            key="ingest.err.mode", params={"sub_mode": sub.mode}, details={"field": "mode"}
        )
    serialise(session, item.code, department.id)
    return item, department


def serialise(session: Session, item_code: str, department_id: int) -> None:
    """One submission of an item by a department at a time: on PostgreSQL a transaction lock
    on (item, department), so the same file sent twice at once loads once and the second
    finds its rows already there (SQLite's writers are serialised by BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"ingest:{item_code}:{department_id}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _refuse(session: Session, batch: IngestBatch, error: IngestFileError) -> IngestBatch:
    """A file the platform cannot read at all: a refused batch that says why."""
    Stage(session.connection()).drop()
    batch.status = "refused"
    batch.error = error.in_both()
    batch.rows = batch.accepted = batch.corrected = batch.unchanged = batch.rejected = 0
    batch.finished_at = utcnow()
    session.add(batch)
    session.flush()
    audit_batch(session, batch)
    return batch


def _load(
    session: Session,
    batch: IngestBatch,
    item: CatalogItem,
    department: Department,
    sub: Submission,
    chunks: Iterable[list[tuple[Any, ...]] | bytes],
    cells_of: CellsOf,
) -> IngestBatch:
    stage = Stage(session.connection())
    stage.create()
    for chunk in chunks:
        stage.write(chunk)
    stage.index()
    _decide(session, stage, item, department)
    counts = stage.counts()
    refused = sub.mode == "strict" and (counts.get("rejected", 0) + counts.get("review", 0)) > 0
    if not refused:
        created = new_subjects.create_missing(session, stage, actor=sub.actor, batch_id=batch.id)
        batch.new_subjects = created
        stage.apply(
            item_code=item.code,
            department_id=department.id,
            batch_id=batch.id,
            actor=sub.actor,
            catalog=catalog_service.get_catalog().version,
        )
        report_changes(session, batch_id=batch.id, actor=sub.actor, today=sub.today)
    _finish(session, stage, batch, counts, refused=refused, cells_of=cells_of)
    return batch


def report_changes(session: Session, *, batch_id: str, actor: str, today: date | None) -> None:
    """The batch's new records are published and its new versions correct older ones: their
    consequences follow through records.effects (read back in one query by batch id)."""
    columns = (
        Record.id,
        Record.subject_id,
        Record.item_code,
        Record.department_id,
        Record.source_record_id,
        Record.state,
        Record.version,
    )
    made: dict[effects.Change, list[effects.Changed]] = {
        effects.Change.published: [],
        effects.Change.corrected: [],
    }
    rows = session.execute(select(*columns).where(Record.batch_id == batch_id))
    for record_id, subject_id, item_code, department_id, source_id, state, version in rows:
        change = effects.Change.published if version == 1 else effects.Change.corrected
        made[change].append(
            effects.Changed(record_id, subject_id, item_code, department_id, source_id, state)
        )
    cause = effects.Cause(
        actor=actor, today=today or date.today(), reason=f"报送批次 batch {batch_id}", ref=batch_id
    )
    for change, changed in made.items():
        effects.record_changed(session, change, changed, cause=cause)


def _decide(session: Session, stage: Stage, item: CatalogItem, department: Department) -> None:
    """Resolve subjects and decide every row's outcome, in SQL."""
    stage.resolve_subjects()
    stage.reject(stage.wrong_kinds(k.value for k in item.subject_kinds))
    duplicates, _ = stage.duplicates()
    stage.reject(duplicates)
    if stage.attach_current(item_code=item.code, department_id=department.id):
        missing = stage.missing_hashes()
        if missing:
            stage.set_current_hashes(_digests(session, missing))
        stage.reject(stage.conflicts())
        stage.classify()


def _digests(session: Session, record_ids: list[int]) -> dict[int, str]:
    """Content digests of versions stored before digests existed."""
    out: dict[int, str] = {}
    for record in session.scalars(select(Record).where(Record.id.in_(record_ids))):
        clear = protect.unseal(record.protected)
        out[record.id] = protect.content_hash(record.payload, clear, record.decision_date)
    return out


def _finish(
    session: Session,
    stage: Stage,
    batch: IngestBatch,
    counts: dict[str, int],
    *,
    refused: bool,
    cells_of: CellsOf,
) -> None:
    rows = sum(n for key, n in counts.items() if key != "late")
    batch.rows = rows
    if refused:
        batch.accepted = batch.corrected = batch.unchanged = 0
        batch.rejected = rows
        batch.status = "refused"
        batch.error = STRICT_NOT_LOADED
    else:
        batch.accepted = counts.get("accepted", 0)
        batch.corrected = counts.get("corrected", 0)
        batch.unchanged = counts.get("unchanged", 0)
        batch.rejected = counts.get("rejected", 0) + counts.get("review", 0)
        batch.late = counts["late"]
        batch.status = "partial" if batch.rejected else "loaded"
    batch.finished_at = utcnow()
    session.add(batch)
    session.flush()
    failed = counts.get("rejected", 0) + counts.get("review", 0)
    if failed:
        stage.keep_rejected(batch.id)  # rows rejected while parsing: set-based, memory-flat
    late = stage.rejected_without_cells() if failed else []  # by the merge: cells read again
    if late:
        cells = cells_of({number for number, _ in late})
        for number, errors in late:
            session.add(
                RejectedRow(
                    batch_id=batch.id,
                    row_number=number,
                    cells=kept(cells.get(number, {})),
                    errors=_json(errors),
                )
            )
    if not refused and counts.get("review", 0):
        reviewer = Reviewer(session, batch)
        for number, payload, name in stage.review_rows():
            batch.to_review += 1
            reviewer.queue(row=number, payload=_json(payload), name=name or "")
    stage.drop()
    session.flush()
    audit_batch(session, batch)


def _json(value: Any) -> Any:
    """A JSON column read back from the staging table (text on SQLite, parsed on PostgreSQL)."""
    return orjson.loads(value) if isinstance(value, str) else value


def audit_batch(session: Session, batch: IngestBatch) -> None:
    """One audit entry per batch: what came in, from whom, and what became of it."""
    audit_service.append(
        session,
        actor=batch.submitted_by,
        action=f"ingest.{batch.kind}",
        object_type="ingest_batch",
        object_id=batch.id,
        summary={
            "item_code": batch.item_code,
            "department_id": batch.department_id,
            "status": batch.status,
            "sha256": batch.sha256,
            "rows": batch.rows,
            "accepted": batch.accepted,
            "corrected": batch.corrected,
            "unchanged": batch.unchanged,
            "rejected": batch.rejected,
            "new_subjects": batch.new_subjects,
        },
    )
