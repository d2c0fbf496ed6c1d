"""Batch credit checks (统查): a department uploads a list, a background job checks it.

``submit`` reads the whole file first (XLSX or CSV through the ingest readers: encodings,
zip bombs, hidden sheets, merged cells) and only then queues the check with the file kept
as its input. ``run`` is the job: it claims the queued check with a guarded UPDATE (two
workers never run one check), resolves codes in bulk and names through one full match
index (kept per process and refreshed between jobs), and checks the rows chunk by chunk,
committing each chunk so that other sessions see the progress. It ends ``done`` with one
audit entry for the batch, or ``failed`` with the error: never silently ``running``.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import re
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from xinyong.auth.principal import Principal
from xinyong.catalog.schemas import normalize_header
from xinyong.checks import service as checks
from xinyong.checks.batch_names import INDEX_LOCK, JobNames, quiet_heap, resolver_for
from xinyong.checks.batch_report import report_xlsx as report_xlsx
from xinyong.checks.models import CheckInput, CheckRow, CreditCheck
from xinyong.checks.resolve import (
    NameResolver,
    Resolution,
    SubjectQuery,
    resolve_all,
)
from xinyong.core.config import get_settings
from xinyong.core.db import session_factory, utcnow
from xinyong.core.errors import Conflict, Invalid, NotFound, XinyongError
from xinyong.ingest.readers import IngestFileError, RawRow, Source, open_source
from xinyong.measures.catalog import get_catalog

logger = logging.getLogger(__name__)

ACTION = "measures.batch_check"
MAX_ROWS = 200_000
MAX_FILE_NAME = 255
MAX_ERROR = 2000
NAME_HEADERS = frozenset(
    {"名称", "企业名称", "主体名称", "单位名称", "姓名", "name", "subject_name"}
)
CODE_HEADERS = frozenset(
    {
        "统一社会信用代码", "社会信用代码", "信用代码", "身份证号码", "身份证号", "证件号码",
        "代码", "code", "uscc", "subject_code",
    }
)  # fmt: skip
FORMATS = ("csv", "xlsx")
_DECORATION = re.compile(r"[*＊:：]")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_SEPARATORS = re.compile(r"[/|、或]")
# Unexpected failures of a reader on a damaged workbook (the readers map the usual ones).
_DAMAGED = (TypeError, AttributeError, IndexError, OSError, UnicodeError, RecursionError)


# --- reading the list --------------------------------------------------------------------


def file_name_of(given: str | None) -> str:
    """The uploaded file's base name, without control characters, cut to fit."""
    base = Path((given or "").replace("\\", "/")).name
    text = "".join(ch for ch in base if ch.isprintable()).strip()
    return text[:MAX_FILE_NAME] or "upload"


def _header_keys(header: str) -> set[str]:
    """Ways a header may name a column: as written, without notes in brackets, each part of
    "统一社会信用代码/身份证号码", without the "*" of a required field."""
    key = _DECORATION.sub("", normalize_header(header))
    bare = _BRACKETS.sub("", key)
    return {key, bare, *_SEPARATORS.split(bare)} - {""}


@dataclass(frozen=True)
class Columns:
    """The headers holding names and codes (several: the first filled one of a row counts)."""

    names: tuple[str, ...]
    codes: tuple[str, ...]


def columns_of(headers: Sequence[str]) -> Columns:
    """The name and code columns of a header row; Invalid when there is neither."""
    codes = tuple(h for h in headers if _header_keys(h) & CODE_HEADERS)
    names = tuple(h for h in headers if h not in codes and _header_keys(h) & NAME_HEADERS)
    if not names and not codes:
        found = "、".join(headers[:20])
        raise Invalid(
            key="cb.err.columns",
            params={"found": found},
            details={"field": "file", "reason": "no_subject_column", "headers": list(headers)},
        )
    return Columns(names, codes)


def _text(value: Any) -> str | None:
    """A cell as text (whole numbers without ".0"), None when empty."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\x00", "").strip()
    return text or None


def _first(row: RawRow, headers: tuple[str, ...]) -> str | None:
    return next((text for h in headers if (text := _text(row.cells.get(h))) is not None), None)


def _queries(source: Source) -> Iterator[SubjectQuery]:
    if source.format not in FORMATS:
        raise Invalid(
            key="cb.err.format",
            params={"source_format": source.format},
            details={"field": "file", "reason": "unsupported_format"},
        )
    columns = columns_of(source.headers)
    for count, row in enumerate(source.rows(), start=1):
        if count > MAX_ROWS:
            raise Invalid(
                key="cb.err.rows",
                params={"MAX_ROWS": MAX_ROWS, "row_number": row.number},
                details={"field": "file", "reason": "too_many_rows", "limit": MAX_ROWS},
            )
        yield SubjectQuery(row.number, _first(row, columns.names), _first(row, columns.codes))


def _refusal(exc: IngestFileError) -> Invalid:
    return Invalid(
        exc.message, key=exc.key, params=exc.params, details={**exc.details, "field": "file"}
    )


def read_rows(data: bytes, file_name: str) -> list[SubjectQuery]:
    """The subjects of an uploaded list (XLSX or CSV with a header row), row numbers as the
    spreadsheet shows them; a refused file is Invalid naming the field ``file``."""
    limit = get_settings().check_batch_max_bytes
    if len(data) > limit:
        raise Invalid(
            key="cb.err.too_large",
            params={"len_data": len(data), "limit": limit},
            details={"field": "file", "reason": "too_large", "limit": limit},
        )
    name = file_name_of(file_name)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("upload" + Path(name).suffix.lower()[:8])
        path.write_bytes(data)
        try:
            return list(_queries(open_source(path, filename=name, max_bytes=limit)))
        except IngestFileError as exc:
            raise _refusal(exc) from None
        except _DAMAGED as exc:
            raise Invalid(
                key="cb.err.unreadable",
                params={"exc": exc},
                details={"field": "file", "reason": "damaged"},
            ) from None


def submit(
    session: Session,
    *,
    principal: Principal,
    department_id: int | None,
    matter: str,
    purpose: str,
    data: bytes,
    file_name: str,
    today: date,
) -> CreditCheck:
    """Validate the uploaded list fully, then queue its batch check with the file kept."""
    name = file_name_of(file_name)
    queries = read_rows(data, name)
    check = checks.open_check(
        session,
        principal=principal,
        department_id=department_id,
        matter=matter,
        purpose=purpose,
        kind="batch",
        today=today,
        rows_total=len(queries),
        file_name=name,
    )
    digest = hashlib.sha256(data).hexdigest()
    session.add(
        CheckInput(
            check_id=check.id, file_name=name, content=data, sha256=digest, rows=len(queries)
        )
    )
    session.flush()
    return check


# --- the job ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedPrincipal(Principal):
    """A principal acting under a recorded actor string: a job on behalf of the check's
    actor, or the command line (``cli:<user>``)."""

    recorded_actor: str = "anonymous"

    @property
    def actor(self) -> str:
        """The actor string as recorded."""
        return self.recorded_actor


def principal_of(check: CreditCheck) -> RecordedPrincipal:
    """The check's actor, as the query register and the audit log name it."""
    return RecordedPrincipal(
        kind="apikey" if check.actor.startswith("apikey:") else "staff",
        department_id=check.department_id,
        label=check.actor_label,
        recorded_actor=check.actor,
    )


class AlreadyClaimed(Conflict):
    """The check is not queued: another worker runs (or ran) it."""


def stale_before() -> datetime:
    """Running jobs silent since before this moment have lost their worker."""
    return utcnow() - timedelta(minutes=get_settings().check_batch_stale_minutes)


def _claimable(abandoned_before: datetime | None) -> Any:
    """Queued checks; with ``abandoned_before``, also running ones silent since then."""
    queued = CreditCheck.state == "queued"
    if abandoned_before is None:
        return queued
    silent = or_(CreditCheck.heartbeat_at.is_(None), CreditCheck.heartbeat_at < abandoned_before)
    return or_(queued, and_(CreditCheck.state == "running", silent))


def _claim(
    factory: sessionmaker[Session], check_id: int, abandoned_before: datetime | None = None
) -> None:
    """queued (or abandoned) → running, by one worker only (a guarded UPDATE, committed at
    once, which is the job's first heartbeat)."""
    with factory() as session:
        claimed = session.execute(
            update(CreditCheck)
            .where(
                CreditCheck.id == check_id,
                CreditCheck.kind == "batch",
                _claimable(abandoned_before),
            )
            .values(state="running", heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return
        check = session.get(CreditCheck, check_id)
    if check is None:
        raise NotFound(key="cb.err.no_check", params={"check_id": check_id})
    if check.kind != "batch":
        raise AlreadyClaimed(f"credit check {check_id} is a single check, not a batch")
    raise AlreadyClaimed(f"credit check {check_id} is {check.state}, not queued")


Progress = Callable[[int, int], None]


def run(
    check_id: int,
    *,
    chunk: int = 2000,
    names: NameResolver | None = None,
    progress: Progress | None = None,
    abandoned_before: datetime | None = None,
) -> None:
    """The job of a queued batch check: claim it, check its rows chunk by chunk (each chunk
    committed with a heartbeat), finish ``done``; on any error mark it ``failed`` with the
    error and re-raise. With ``abandoned_before`` it also takes over a running check whose
    worker fell silent before then (a killed process) and goes on after its last chunk."""
    if chunk < 1:
        raise Invalid(key="cb.err.chunk", details={"field": "chunk"})
    factory = session_factory()
    _claim(factory, check_id, abandoned_before)
    try:
        with quiet_heap():
            _execute(factory, check_id, chunk=chunk, names=names, progress=progress)
    except BaseException as exc:
        _record_failure(factory, check_id, exc)
        raise


def _resolve(
    factory: sessionmaker[Session], queries: Sequence[SubjectQuery], resolver: NameResolver
) -> list[Resolution]:
    with factory() as session, INDEX_LOCK:  # no refresh of the index while it is screened
        return resolve_all(session, queries, resolver)


def _resolved_chunks(
    factory: sessionmaker[Session],
    queries: Sequence[SubjectQuery],
    chunk: int,
    resolver: NameResolver,
) -> Iterator[list[Resolution]]:
    """The rows resolved chunk by chunk, one chunk ahead in a worker thread: screening names
    (CPU) overlaps checking the previous chunk (mostly waiting for the database)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-resolve") as pool:
        ahead: Future[list[Resolution]] | None = None
        for start in range(0, len(queries), chunk):
            submitted = pool.submit(_resolve, factory, queries[start : start + chunk], resolver)
            if ahead is not None:
                yield ahead.result()
            ahead = submitted
        if ahead is not None:
            yield ahead.result()


def _execute(
    factory: sessionmaker[Session],
    check_id: int,
    *,
    chunk: int,
    names: NameResolver | None,
    progress: Progress | None,
) -> None:
    with factory() as session:
        check = checks.get(session, check_id)
        kept = session.get(CheckInput, check_id)
        if kept is None:
            raise NotFound(key="cb.err.no_input", params={"check_id": check_id})
        # A resumed job goes on after the chunks its lost worker committed.
        queries = read_rows(kept.content, kept.file_name)[check.rows_done :]
        principal = principal_of(check)
        resolver = JobNames(names or resolver_for(session, queries))
        seen = _subjects_seen(session, check)
        if check.rows_done:
            logger.warning("batch check %s resumed after row %s", check_id, check.rows_done)
    catalog = get_catalog()
    for resolved in _resolved_chunks(factory, queries, chunk, resolver):
        with factory() as session:
            check = checks.get(session, check_id)
            checks.process(
                session, check, resolved, principal=principal, catalog=catalog, seen=seen
            )
            check.heartbeat_at = utcnow()
            session.commit()
            done, total = check.rows_done, check.rows_total
        if progress is not None:
            progress(done, total)
    with factory() as session:
        check = checks.get(session, check_id)
        check.state, check.finished_at = "done", utcnow()
        session.flush()
        checks.audit(session, check, principal=principal, action=ACTION)
        session.commit()


def _subjects_seen(session: Session, check: CreditCheck) -> set[int]:
    """Subjects the check's committed chunks registered (none for a new job)."""
    if not check.rows_done:
        return set()
    stmt = select(CheckRow.subject_id).where(
        CheckRow.check_id == check.id, CheckRow.subject_id.is_not(None)
    )
    return {sid for sid in session.scalars(stmt) if sid is not None}


def error_text(exc: BaseException) -> str:
    """What went wrong, as the check keeps it."""
    if isinstance(exc, XinyongError):
        text = exc.in_both()
    elif isinstance(exc, KeyboardInterrupt):
        text = "interrupted"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR]


def _record_failure(factory: sessionmaker[Session], check_id: int, exc: BaseException) -> None:
    """running → failed with the error, audited; a failure to record it is logged."""
    try:
        with factory() as session:
            check = checks.get(session, check_id)
            check.state, check.error, check.finished_at = "failed", error_text(exc), utcnow()
            session.flush()
            checks.audit(session, check, principal=principal_of(check), action=ACTION)
            session.commit()
    except Exception:
        logger.exception("batch check %s failed and its failure could not be recorded", check_id)


def run_queued(limit: int | None = None) -> int:
    """Run queued batch checks, oldest first, and resume those whose worker was lost (running,
    silent for ``check_batch_stale_minutes``); how many this call ran (done or failed)."""
    cutoff = stale_before()
    stmt = (
        select(CreditCheck.id)
        .where(CreditCheck.kind == "batch", _claimable(cutoff))
        .order_by(CreditCheck.id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    with session_factory()() as session:
        waiting = list(session.scalars(stmt))
    ran = 0
    for check_id in waiting:
        try:
            run(check_id, abandoned_before=cutoff)
        except AlreadyClaimed:
            continue  # another worker took it meanwhile
        except Exception:
            logger.exception("batch check %s failed (recorded on the check)", check_id)
        ran += 1
    return ran


# --- the server's batch-check thread -----------------------------------------------------------

_JOBS: queue.Queue[int] = queue.Queue()
_WORKER_LOCK = threading.Lock()
_worker: threading.Thread | None = None


def start(check_id: int) -> None:
    """Run a queued check on this process's batch-check thread, one job after another.

    The request that queued it answers at once and holds no request thread or admission
    slot while the job runs. The thread is a daemon: a server that stops mid-job leaves the
    check running with a heartbeat that goes stale, and ``run-queued`` resumes it."""
    global _worker
    with _WORKER_LOCK:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="batch-check", daemon=True)
            _worker.start()
    _JOBS.put(check_id)


def _work() -> None:
    while True:
        check_id = _JOBS.get()
        try:
            run(check_id)
        except AlreadyClaimed:
            logger.info("batch check %s was taken by another worker", check_id)
        except Exception:
            logger.exception("batch check %s failed (recorded on the check)", check_id)
        finally:
            _JOBS.task_done()


def drain() -> None:
    """Wait until every job started in this process has run (tests, orderly shutdown)."""
    _JOBS.join()
