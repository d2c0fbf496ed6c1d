"""Load the synthetic city into the configured database, fast on both stores.

SQLite gets plain ``executemany`` inside one transaction per chunk; PostgreSQL gets COPY.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Connection, Engine, func, select, text

from xinyong.commitments import demo as demo_commitments
from xinyong.core.config import get_settings
from xinyong.core.db import Base, get_engine, session_scope, utcnow
from xinyong.core.errors import Conflict
from xinyong.demo import rights as demo_rights
from xinyong.demo.fields import DepartmentInfo
from xinyong.demo.generator import CHUNK_SIZE
from xinyong.demo.rows import (
    EVENT_COLUMNS,
    RECORD_COLUMNS,
    RELATION_COLUMNS,
    SUBJECT_COLUMNS,
    ChunkRows,
    CitySpec,
    ProducerFailure,
    generate,
    produce,
)
from xinyong.evaluation import service as evaluation_service
from xinyong.incentives import demo as incentives_demo
from xinyong.lists import service as lists_service
from xinyong.records import jobs as records_jobs
from xinyong.subjects import search
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject
from xinyong.supervision import service as supervision_service

# Rights cases filed in a demo city (one per 20 subjects, at most this many).
RIGHTS_CASES = 60
# Credit commitments signed in a demo city (one per 25 subjects, at most this many).
COMMITMENTS = 40

BULK_TABLES = ("subjects", "subject_relations", "records", "record_events")


@dataclass
class DemoReport:
    seed: int
    anchor: date
    subjects: int = 0
    relations: int = 0
    records: int = 0
    expired: int = 0
    rights_cases: int = 0
    list_entries: int = 0
    evaluated: int = 0
    inspections: int = 0
    commitments: int = 0
    seconds: float = 0.0
    # Where the time went: waiting for generated rows, writing them, rebuilding indexes,
    # expiring records whose disclosure period has passed.
    phases: dict[str, float] = field(default_factory=dict)
    skipped: str | None = None
    by_kind: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if self.skipped:
            return f"demo not loaded: {self.skipped}"
        return (
            f"demo city (seed {self.seed}, anchor {self.anchor.isoformat()}): "
            f"{self.subjects:,} subjects, {self.relations:,} relations, {self.records:,} records "
            f"({self.expired:,} expired), {self.rights_cases} rights cases, "
            f"{self.list_entries:,} list entries, {self.evaluated:,} subjects evaluated, "
            f"{self.inspections:,} drawn for inspection, {self.commitments} commitments signed "
            f"in {self.seconds:.1f} s ("
            + ", ".join(f"{name} {value:.1f} s" for name, value in self.phases.items())
            + ")"
        )

    def add_time(self, phase: str, since: float) -> float:
        """Add the time since ``since`` to a phase; returns now."""
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - since
        return now


class _Writer:
    """Bulk insert of plain tuples: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        if not self.postgres:
            # Bulk loading touches large indexes: give SQLite a page cache that holds them.
            connection.exec_driver_sql("PRAGMA cache_size=-524288")

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        if self.postgres:
            driver = self.connection.connection.driver_connection
            assert driver is not None
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with driver.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.executemany(sql, rows)
        cursor.close()


def _write_rows(writer: _Writer, rows: ChunkRows) -> None:
    writer.write("subjects", SUBJECT_COLUMNS, rows.subjects)
    writer.write("subject_relations", RELATION_COLUMNS, rows.relations)
    writer.write("records", RECORD_COLUMNS, rows.records)
    writer.write("record_events", EVENT_COLUMNS, rows.events)


def _next_id(connection: Connection, table: str) -> int:
    return int(
        connection.execute(text(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")).scalar_one()
    )


def _reset_sequences(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    for table in ("subjects", "records", "subject_relations", "record_events"):
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
        )


def _refuse_if_loaded(if_empty: bool, report: DemoReport) -> bool:
    with session_scope() as session:
        existing = int(session.scalar(select(func.count()).select_from(Subject)) or 0)
        subjects_service.sync_departments(session)
    if existing == 0:
        return False
    if if_empty:
        report.skipped = f"the database already holds {existing:,} subjects"
        return True
    raise Conflict(
        f"the database already holds {existing:,} subjects; load the demo into an empty "
        "database (or pass --if-empty to skip)"
    )


def load_demo(
    *,
    subjects: int,
    seed: int,
    records_per_subject: float = 10.0,
    if_empty: bool = False,
    progress: bool = False,
    anchor: date | None = None,
    region: str | None = None,
    parallel: bool | None = None,
    rights_cases: int | None = None,
    evaluate: bool = True,
) -> DemoReport:
    """Generate and load a city of ``subjects`` subjects; deterministic by seed and anchor.

    ``parallel`` (default: for cities above one chunk) generates in a producer process
    while this process writes; the rows are the same either way. ``rights_cases`` (default
    one per 20 subjects, at most 60) objections and repairs are then filed and handled;
    ``evaluate``: every evaluation model then scores the city as of the anchor date.
    """
    anchor = anchor or date.today()
    report = DemoReport(seed=seed, anchor=anchor)
    if _refuse_if_loaded(if_empty, report):
        return report
    engine = get_engine()
    started = time.perf_counter()
    with engine.begin() as connection:
        spec = CitySpec(
            subjects=subjects,
            seed=seed,
            region=region or get_settings().city_region,
            anchor=anchor,
            records_per_subject=records_per_subject,
            first_subject_id=_next_id(connection, "subjects"),
            first_record_id=_next_id(connection, "records"),
            departments=_departments_by_kind(connection),
            postgres=connection.dialect.name == "postgresql",
        )
    if parallel is None:
        parallel = subjects > CHUNK_SIZE
    with _indexes_deferred(engine, report):
        _load_chunks(engine, spec, report, parallel=parallel, progress=progress)
        # The real expiry job, run before the indexes return: one pass over the table.
        expiring = time.perf_counter()
        with session_scope() as session:
            report.expired = records_jobs.expire_due(session, today=anchor, actor="demo:expire")
        report.add_time("expire", expiring)
    filing = time.perf_counter()
    with session_scope() as session:
        wanted = min(RIGHTS_CASES, subjects // 20) if rights_cases is None else rights_cases
        cases = demo_rights.seed_cases(session, anchor=anchor, count=wanted)
        report.rights_cases = cases.objections + cases.repairs
    report.add_time("rights cases", filing)
    listing = time.perf_counter()
    with session_scope() as session:  # the daily job's import: courts' and departments' lists
        report.list_entries = lists_service.import_from_records(session, today=anchor)
    report.add_time("list entries", listing)
    indexing = time.perf_counter()
    with session_scope() as session:
        search.rebuild_index(session)  # the portal's name search covers the new subjects
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")  # fresh statistics, or plans go wrong
    report.add_time("search index", indexing)
    if evaluate:
        scoring = time.perf_counter()
        with session_scope() as session:
            runs = evaluation_service.evaluate(session, as_of=anchor, actor="demo").runs
            report.evaluated = sum(run.subjects for run in runs if run.model_code != "transport")
        with session_scope() as session:
            report.inspections = supervision_service.seed_demo(session, today=anchor)
        with session_scope() as session:
            report.commitments = demo_commitments.seed_demo(
                session, today=anchor, count=min(COMMITMENTS, subjects // 25)
            )
        report.add_time("evaluation", scoring)
    with session_scope() as session:  # 信易+ partners, a proposal and a few scans
        incentives_demo.seed_demo(session, now=utcnow())
    report.seconds = time.perf_counter() - started
    return report


def _departments_by_kind(connection: Connection) -> dict[str, list[DepartmentInfo]]:
    rows = connection.execute(text("SELECT id, kind, name_zh, code FROM departments ORDER BY id"))
    out: dict[str, list[DepartmentInfo]] = {}
    for department_id, kind, name, code in rows:
        out.setdefault(kind, []).append(DepartmentInfo(int(department_id), kind, name, code))
    return out


@contextmanager
def _indexes_deferred(engine: Engine, report: DemoReport) -> Iterator[None]:
    """Drop the secondary indexes of the bulk-loaded tables, rebuild them afterwards.

    Rebuilding sorts once instead of updating every B-tree row by row; unique indexes are
    verified when they are rebuilt, so nothing the constraints guard is skipped.
    """
    indexes = [index for table in BULK_TABLES for index in Base.metadata.tables[table].indexes]
    with engine.begin() as connection:
        for index in indexes:
            index.drop(connection)
    try:
        yield
    finally:
        started = time.perf_counter()
        with engine.begin() as connection:
            for index in indexes:
                index.create(connection)
        report.add_time("indexes", started)


def _chunks(spec: CitySpec, parallel: bool) -> Iterator[ChunkRows]:
    """Rows made inline, or by a producer process while this one writes."""
    if not parallel:
        yield from generate(spec)
        return
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=2)
    producer = context.Process(target=produce, args=(spec, queue), daemon=True)
    producer.start()
    try:
        while (item := queue.get()) is not None:
            if isinstance(item, ProducerFailure):
                raise RuntimeError(f"demo generation failed in the producer:\n{item.text}")
            yield item
    finally:
        producer.join(timeout=5)
        if producer.is_alive():
            producer.terminate()


def _load_chunks(
    engine: Engine, spec: CitySpec, report: DemoReport, *, parallel: bool, progress: bool
) -> None:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, disable=not progress) as bar:
        task = bar.add_task("synthetic city", total=spec.subjects)
        mark = time.perf_counter()
        for rows in _chunks(spec, parallel):
            mark = report.add_time("generate" if not parallel else "wait", mark)
            with engine.begin() as connection:
                _write_rows(_Writer(connection), rows)
            mark = report.add_time("write", mark)
            report.subjects += len(rows.subjects)
            report.relations += len(rows.relations)
            report.records += len(rows.records)
            for kind, count in rows.by_kind.items():
                report.by_kind[kind] = report.by_kind.get(kind, 0) + count
            bar.update(task, advance=len(rows.subjects))
    with engine.begin() as connection:
        _reset_sequences(connection)
