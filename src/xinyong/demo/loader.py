"""Load the synthetic city into the configured database, fast on both stores.

SQLite gets plain ``executemany`` inside one transaction per chunk; PostgreSQL gets COPY.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Connection, Engine, func, select, text

from xinyong.catalog import service as catalog_service
from xinyong.core.config import get_settings
from xinyong.core.crypto import encrypt_text, lookup_hash
from xinyong.core.db import Base, get_engine, session_scope, utcnow
from xinyong.core.errors import Conflict
from xinyong.demo.fields import DepartmentInfo
from xinyong.demo.generator import Chunk, CityGenerator
from xinyong.demo.payloads import RecordFactory, RecordRow
from xinyong.identity import codes
from xinyong.records import service as records_service
from xinyong.subjects import service as subjects_service
from xinyong.subjects.kinds import SubjectKind
from xinyong.subjects.models import Subject

SUBJECT_COLUMNS = (
    "id",
    "kind",
    "category",
    "uscc",
    "id_number_hash",
    "id_number_enc",
    "id_number_masked",
    "name",
    "name_normalized",
    "status",
    "verified",
    "region_code",
    "registration_date",
    "industry",
    "created_at",
    "updated_at",
)
RELATION_COLUMNS = ("subject_id", "related_subject_id", "kind", "share_ratio", "valid_from")
RECORD_COLUMNS = (
    "id",
    "subject_id",
    "item_code",
    "department_id",
    "source_record_id",
    "version",
    "is_current",
    "state",
    "decision_date",
    "severity",
    "polarity",
    "disclosure_end",
    "payload",
    "protected",
    "catalog_version",
    "batch_id",
    "supersedes_id",
    "state_reason",
    "created_at",
    "updated_at",
)
BULK_TABLES = ("subjects", "subject_relations", "records", "record_events")
EVENT_COLUMNS = ("record_id", "subject_id", "from_state", "to_state", "reason", "actor", "at")


@dataclass
class DemoReport:
    seed: int
    anchor: date
    subjects: int = 0
    relations: int = 0
    records: int = 0
    expired: int = 0
    seconds: float = 0.0
    skipped: str | None = None
    by_kind: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if self.skipped:
            return f"demo not loaded: {self.skipped}"
        return (
            f"demo city (seed {self.seed}, anchor {self.anchor.isoformat()}): "
            f"{self.subjects:,} subjects, {self.relations:,} relations, {self.records:,} records "
            f"({self.expired:,} expired) in {self.seconds:.1f} s"
        )


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

    def timestamp(self) -> datetime | str:
        """Now, as the store keeps it (SQLAlchemy's text form on SQLite)."""
        now = utcnow()
        return now if self.postgres else now.strftime("%Y-%m-%d %H:%M:%S.%f")


def _subject_tuple(row: Any, now: datetime | str) -> tuple[Any, ...]:
    kind = SubjectKind(row.kind)
    secret = masked = digest = None
    if row.id_number:
        digest = lookup_hash(row.id_number)
        secret = encrypt_text(row.id_number)
        masked = codes.mask_id_number(row.id_number)
    return (
        row.id,
        row.kind,
        row.category,
        row.uscc,
        digest,
        secret,
        masked,
        row.name,
        subjects_service.normalized_name(kind, row.name),
        row.status,
        True,
        row.region_code,
        row.registration_date,
        row.industry,
        now,
        now,
    )


def _record_tuple(row: RecordRow, catalog_version: str, now: datetime | str) -> tuple[Any, ...]:
    return (
        row.id,
        row.subject_id,
        row.item_code,
        row.department_id,
        row.source_record_id,
        row.version,
        row.is_current,
        row.state,
        row.decision_date,
        row.severity,
        row.polarity,
        row.disclosure_end,
        json.dumps(row.payload, ensure_ascii=False),
        row.protected,
        catalog_version,
        row.batch_id,
        row.supersedes_id,
        row.state_reason,
        now,
        now,
    )


def _write_chunk(
    writer: _Writer, chunk: Chunk, records: list[RecordRow], catalog_version: str
) -> None:
    now = writer.timestamp()
    writer.write("subjects", SUBJECT_COLUMNS, (_subject_tuple(r, now) for r in chunk.subjects))
    writer.write(
        "subject_relations",
        RELATION_COLUMNS,
        (
            (r.subject_id, r.related_subject_id, r.kind, r.share_ratio, r.valid_from)
            for r in chunk.relations
        ),
    )
    writer.write(
        "records", RECORD_COLUMNS, (_record_tuple(r, catalog_version, now) for r in records)
    )
    events = [
        (r.id, r.subject_id, "active", r.state, r.state_reason or "", "demo:generator", now)
        for r in records
        if r.state != "active"
    ]
    writer.write("record_events", EVENT_COLUMNS, events)


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
    engine: Engine | None = None,
) -> DemoReport:
    """Generate and load a city of ``subjects`` subjects; deterministic by seed and anchor."""
    anchor = anchor or date.today()
    report = DemoReport(seed=seed, anchor=anchor)
    if _refuse_if_loaded(if_empty, report):
        return report
    engine = engine or get_engine()
    started = time.perf_counter()
    catalog = catalog_service.get_catalog()
    generator = CityGenerator(seed=seed, region=region or get_settings().city_region, anchor=anchor)
    with engine.begin() as connection:
        departments = _departments_by_kind(connection)
        first_subject, first_record = (
            _next_id(connection, "subjects"),
            _next_id(connection, "records"),
        )
    factory = RecordFactory(
        catalog=catalog,
        departments=departments,
        anchor=anchor,
        records_per_subject=records_per_subject,
        first_record_id=first_record,
        seed=seed,
    )
    with _indexes_deferred(engine):
        _load_chunks(engine, generator, factory, report, subjects, first_subject, progress)
    with session_scope() as session:
        report.expired = records_service.expire_due(session, today=anchor, actor="demo:expire")
    report.seconds = time.perf_counter() - started
    return report


def _departments_by_kind(connection: Connection) -> dict[str, list[DepartmentInfo]]:
    rows = connection.execute(text("SELECT id, kind, name_zh, code FROM departments ORDER BY id"))
    out: dict[str, list[DepartmentInfo]] = {}
    for department_id, kind, name, code in rows:
        out.setdefault(kind, []).append(DepartmentInfo(int(department_id), kind, name, code))
    return out


@contextmanager
def _indexes_deferred(engine: Engine) -> Iterator[None]:
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
        with engine.begin() as connection:
            for index in indexes:
                index.create(connection)


def _load_chunks(
    engine: Engine,
    generator: CityGenerator,
    factory: RecordFactory,
    report: DemoReport,
    total: int,
    first_subject: int,
    show_progress: bool,
) -> None:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, disable=not show_progress) as bar:
        task = bar.add_task("synthetic city", total=total)
        for chunk in generator.chunks(total, first_id=first_subject):
            records = factory.records_for_chunk(chunk)
            with engine.begin() as connection:
                _write_chunk(_Writer(connection), chunk, records, factory.catalog.version)
            report.subjects += len(chunk.subjects)
            report.relations += len(chunk.relations)
            report.records += len(records)
            for row in chunk.subjects:
                report.by_kind[row.kind] = report.by_kind.get(row.kind, 0) + 1
            bar.update(task, advance=len(chunk.subjects))
    with engine.begin() as connection:
        _reset_sequences(connection)
