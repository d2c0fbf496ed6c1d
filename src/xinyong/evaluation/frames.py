"""Bulk, streamed reads of what the evaluation needs, as Polars frames.

Only what is in force on the as-of date is read: current record versions in an active or
under-objection state, decided on or before the date and still within their disclosure
period, and list entries listed on that day. PostgreSQL streams each query through
``COPY … TO STDOUT``; SQLite streams it in chunks from a server-side cursor.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Select, and_, case, literal_column, or_, select
from sqlalchemy.orm import Session

from xinyong.commitments import indicators as commitment_indicators
from xinyong.core.db import is_postgresql
from xinyong.evaluation.config import EvaluationModel, SourceKind
from xinyong.lists.models import ListEntry
from xinyong.records.models import Record
from xinyong.subjects.models import Department, Subject

IN_FORCE_STATES = ("active", "under_objection")
CHUNK = 50_000
ID_CHUNK = 5_000


@dataclass(frozen=True)
class Inputs:
    """The frames one computation reads (each sorted by subject for determinism)."""

    subjects: pl.DataFrame  # subject_id, kind, industry, registration_date
    # subject_id, record_id, item_code, severity, decision_date, ... (by subject, then record;
    # item, severity and the fields read as codes are categoricals, see ``coded_fields``)
    records: pl.DataFrame
    lists: pl.DataFrame  # subject_id, list_code
    departments: dict[int, str]  # department id -> kind
    # subject_id, status, signed_on of the commitments that count (withdrawn ones never)
    commitments: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=COMMITMENTS))

    def restricted(self, subject_ids: pl.Series) -> Inputs:
        """The same inputs for some subjects only (a partition)."""
        keep = pl.col("subject_id").is_in(subject_ids.implode())
        return Inputs(
            self.subjects.filter(keep),
            self.records.filter(keep),
            self.lists.filter(keep),
            self.departments,
            self.commitments.filter(keep),
        )


COMMITMENTS: dict[str, Any] = {"subject_id": pl.Int64, "status": pl.Utf8, "signed_on": pl.Date}


def reads_commitments(models: Sequence[EvaluationModel]) -> bool:
    """Whether an indicator of these models reads the commitments tracked."""
    return any(i.source.kind == SourceKind.commitments for m in models for i in m.indicators())


def payload_fields(models: Sequence[EvaluationModel]) -> list[str]:
    """Payload fields any indicator of these models filters, sums or reads."""
    found: set[str] = set()
    for model in models:
        for indicator in model.indicators():
            found.update(f.field for f in indicator.source.where)
            found.update(x for x in (indicator.source.field, indicator.sum_field) if x)
    return sorted(found)


def coded_fields(models: Sequence[EvaluationModel]) -> list[str]:
    """Payload fields read only as codes (compared with ``eq``/``in``, or a latest value): read
    as categoricals, so that filtering and taking the rows of an item move integers. Fields
    also parsed (``contains``, ``gte``, ``lte``, sums) stay text."""
    parsed: set[str] = set()
    for model in models:
        for indicator in model.indicators():
            parsed.update(f.field for f in indicator.source.where if f.op not in ("eq", "in"))
            parsed.update([indicator.sum_field] if indicator.sum_field else [])
    return [name for name in payload_fields(models) if name not in parsed]


def _items(models: Sequence[EvaluationModel]) -> list[str]:
    return sorted(
        {i.source.item for m in models for i in m.indicators() if i.source.item is not None}
    )


def _kinds(models: Sequence[EvaluationModel]) -> list[str]:
    return sorted({str(kind) for m in models for kind in m.subject_kinds})


def read_inputs(
    session: Session,
    *,
    models: Sequence[EvaluationModel],
    as_of: date,
    subject_ids: Sequence[int] | None = None,
) -> Inputs:
    """Subjects, records in force and live list memberships for these models' populations."""
    kinds = _kinds(models)
    subjects_stmt: Any = select(
        Subject.id.label("subject_id"),
        Subject.kind,
        Subject.industry,
        Subject.registration_date,
    ).where(Subject.kind.in_(kinds), Subject.status == "active")
    in_sql = is_postgresql(session)  # jsonb ->> on PostgreSQL; SQLite: parsed by Polars
    records_stmt = _records_stmt(models, as_of, extract=in_sql)
    lists_stmt = _lists_stmt(as_of)
    subjects_schema = {
        "subject_id": pl.Int64,
        "kind": pl.Utf8,
        "industry": pl.Utf8,
        "registration_date": pl.Date,
    }
    coded = set(coded_fields(models))
    records_schema: dict[str, Any] = {
        "subject_id": pl.Int64,
        "record_id": pl.Int64,
        "item_code": pl.Categorical,  # codes: the engine takes each item's rows by integers
        "severity": pl.Categorical,
        "decision_date": pl.Date,
        "disclosure_end": pl.Date,
        "department_id": pl.Int64,
        **(
            {
                f"f_{name}": pl.Categorical if name in coded else pl.Utf8
                for name in payload_fields(models)
            }
            if in_sql
            else {"payload": pl.Utf8}
        ),
    }
    lists_schema = {"subject_id": pl.Int64, "list_code": pl.Utf8}
    frames = []
    for stmt, schema, column in (
        (subjects_stmt, subjects_schema, Subject.id),
        (records_stmt, records_schema, Record.subject_id),
        (lists_stmt, lists_schema, ListEntry.subject_id),
    ):
        frames.append(_read(session, stmt, schema, column, subject_ids))
    departments = {
        int(dept_id): str(kind)
        for dept_id, kind in session.execute(select(Department.id, Department.kind))
    }
    subjects, records, lists = (f.sort(list(f.columns)[:2]) for f in frames)
    if not in_sql:
        fields = payload_fields(models)
        records = records.with_columns(
            pl.col("payload")
            .str.json_path_match(f"$.{name}")
            .cast(pl.Categorical if name in coded else pl.Utf8)
            .alias(f"f_{name}")
            for name in fields
        ).drop("payload")
    commitments = pl.DataFrame(schema=COMMITMENTS)
    if reads_commitments(models):  # one statement for all subjects, streamed like the rest
        stmt = commitment_indicators.performance_stmt(as_of=as_of)
        column = commitment_indicators.SUBJECT_COLUMN
        commitments = _read(session, stmt, COMMITMENTS, column, subject_ids).sort("subject_id")
    return Inputs(subjects, records, lists, departments, commitments)


def field_items(models: Sequence[EvaluationModel]) -> dict[str, list[str]]:
    """The items whose records each payload field is read from (an indicator reads its own
    item's records only)."""
    found: dict[str, set[str]] = {}
    for model in models:
        for indicator in model.indicators():
            source = indicator.source
            names = [f.field for f in source.where]
            names += [x for x in (source.field, indicator.sum_field) if x]
            for name in names:
                found.setdefault(name, set()).update([source.item] if source.item else [])
    return {name: sorted(items) for name, items in found.items()}


def _records_stmt(models: Sequence[EvaluationModel], as_of: date, *, extract: bool) -> Any:
    fields = payload_fields(models)
    items_of = field_items(models)
    # jsonb ->> only on the rows of the items that read the field (null on the others)
    payload: list[Any] = (
        [
            case(
                (Record.item_code.in_(items_of[name]), Record.payload[name].as_string()),
                else_=None,
            ).label(f"f_{name}")
            for name in fields
        ]
        if extract
        else [literal_column("records.payload").label("payload")]
    )
    columns: list[Any] = [
        Record.subject_id.label("subject_id"),
        Record.id.label("record_id"),
        Record.item_code,
        Record.severity,
        Record.decision_date,
        Record.disclosure_end,
        Record.department_id,
        *payload,
    ]
    items = _items(models) or ["-"]
    return select(*columns).where(
        Record.is_current.is_(True),
        Record.state.in_(IN_FORCE_STATES),
        Record.item_code.in_(items),
        or_(Record.decision_date.is_(None), Record.decision_date <= as_of),
        or_(Record.disclosure_end.is_(None), Record.disclosure_end >= as_of),
    )


def _lists_stmt(as_of: date) -> Any:
    record_live = and_(
        Record.is_current.is_(True),
        Record.state.in_(IN_FORCE_STATES),
        or_(Record.disclosure_end.is_(None), Record.disclosure_end >= as_of),
    )
    stmt: Any = (
        select(ListEntry.subject_id.label("subject_id"), ListEntry.list_code)
        .outerjoin(Record, Record.id == ListEntry.record_id)
        .where(
            ListEntry.state == "listed",
            or_(ListEntry.listed_on.is_(None), ListEntry.listed_on <= as_of),
            or_(ListEntry.term_end.is_(None), ListEntry.term_end >= as_of),
            or_(ListEntry.source == "platform", record_live),
        )
        .distinct()
    )
    return stmt


def _read(
    session: Session,
    stmt: Select[Any],
    schema: dict[str, Any],
    subject_column: Any,
    subject_ids: Sequence[int] | None,
) -> pl.DataFrame:
    if subject_ids is None:
        return _stream(session, stmt, schema)
    ids = sorted(set(subject_ids))
    parts = [
        _stream(session, stmt.where(subject_column.in_(ids[i : i + ID_CHUNK])), schema)
        for i in range(0, len(ids), ID_CHUNK)
    ]
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def _stream(session: Session, stmt: Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
    if is_postgresql(session):
        return _copy_out(session, stmt, schema)
    return _fetch_raw(session, stmt, schema)


def _fetch_raw(session: Session, stmt: Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """SQLite: the driver's rows in chunks, dates parsed by Polars (no Python object per value
    beyond the driver's tuples)."""
    connection = session.connection()
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    raw_schema = {name: (pl.Utf8 if dtype == pl.Date else dtype) for name, dtype in schema.items()}
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    parts = []
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(CHUNK):
            parts.append(pl.DataFrame(rows, schema=raw_schema, orient="row"))
    finally:
        cursor.close()
    frame = pl.concat(parts) if parts else pl.DataFrame(schema=raw_schema)
    dates = [
        pl.col(name).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
        for name, dtype in schema.items()
        if dtype == pl.Date
    ]
    return frame.with_columns(dates) if dates else frame


def _copy_out(session: Session, stmt: Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """``COPY (query) TO STDOUT`` in CSV, read by Polars (no Python object per row)."""
    connection = session.connection()
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    buffer = io.BytesIO()
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, HEADER false)") as copy:
        for block in copy:
            buffer.write(block)
    if buffer.tell() == 0:
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    return pl.read_csv(buffer, has_header=False, schema=schema)
