"""The ledger page's queries (归集台账): figures per department and item, the batches and
the late rows named, all under one filter (department, item, dates, late only); and the
CSV export of the batches (bounded, streamed; times in the city's time zone)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from xinyong.catalog import labels
from xinyong.core.i18n import Language, t
from xinyong.core.localtime import local_time, zone
from xinyong.ingest.models import IngestBatch
from xinyong.records.models import Record
from xinyong.subjects.models import Department, Subject

AnySelect = TypeVar("AnySelect", bound="Select[*tuple[Any, ...]]")
EXPORT_LIMIT = 100_000  # batches in one export
PAGE = 50


@dataclass(frozen=True)
class LedgerFilter:
    """What the ledger shows: one department (None: every one the reader sees), one item,
    batches received between two local dates (inclusive), late ones only."""

    department_id: int | None = None
    item_code: str | None = None
    since: date | None = None
    until: date | None = None
    late_only: bool = False

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The dates as stored (UTC) instants: local midnight to the next local midnight."""
        start = datetime.combine(self.since, time.min, tzinfo=zone()) if self.since else None
        end_day = self.until + timedelta(days=1) if self.until else None
        end = datetime.combine(end_day, time.min, tzinfo=zone()) if end_day else None
        return start, end

    def apply(self, stmt: AnySelect) -> AnySelect:
        b = IngestBatch
        stmt = stmt.where(b.kind == "submission")
        if self.department_id is not None:
            stmt = stmt.where(b.department_id == self.department_id)
        if self.item_code:
            stmt = stmt.where(b.item_code == self.item_code)
        start, end = self.bounds()
        if start is not None:
            stmt = stmt.where(b.received_at >= start)
        if end is not None:
            stmt = stmt.where(b.received_at < end)
        if self.late_only:
            stmt = stmt.where(b.late > 0)
        return stmt


@dataclass(frozen=True)
class FigureRow:
    department_id: int
    item_code: str
    submissions: int
    rows: int
    accepted: int
    corrected: int
    unchanged: int
    rejected: int
    late: int
    last_submission: datetime | None


def figures(session: Session, where: LedgerFilter) -> list[FigureRow]:
    """Per department and item: batches, rows, outcomes, late rows, last submission."""
    b = IngestBatch
    stmt = select(
        b.department_id, b.item_code, func.count(), func.sum(b.rows), func.sum(b.accepted),
        func.sum(b.corrected), func.sum(b.unchanged), func.sum(b.rejected), func.sum(b.late),
        func.max(b.received_at),
    )  # fmt: skip
    stmt = where.apply(stmt).group_by(b.department_id, b.item_code)
    rows = [_figure_row(tuple(found)) for found in session.execute(stmt)]
    return sorted(rows, key=lambda r: (r.department_id, r.item_code))


def _figure_row(found: tuple[Any, ...]) -> FigureRow:
    department_id, item_code, submissions, *counts, last = found
    rows, accepted, corrected, unchanged, rejected, late = (int(v or 0) for v in counts)
    return FigureRow(
        department_id, item_code, int(submissions), rows, accepted, corrected, unchanged,
        rejected, late, last,
    )  # fmt: skip


def batches(session: Session, where: LedgerFilter, *, limit: int = PAGE) -> list[IngestBatch]:
    """The latest batches under the filter, newest first."""
    stmt = where.apply(select(IngestBatch)).order_by(IngestBatch.received_at.desc())
    return list(session.scalars(stmt.limit(limit)))


@dataclass(frozen=True)
class LateRow:
    """A record that reached the platform after the item's reporting deadline."""

    record: Record
    subject: Subject
    batch_id: str | None


def late_rows(session: Session, where: LedgerFilter, *, limit: int = PAGE) -> list[LateRow]:
    """Late records of the filtered batches, the latest batch first (at most ``limit``)."""
    picked = where.apply(select(IngestBatch.id)).where(IngestBatch.late > 0)
    stmt = (
        select(Record, Subject)
        .join(Subject, Subject.id == Record.subject_id)
        .where(Record.reported_late.is_(True), Record.batch_id.in_(picked.scalar_subquery()))
        .order_by(Record.id.desc())
        .limit(limit)
    )
    return [LateRow(r, s, r.batch_id) for r, s in session.execute(stmt)]


def late_rows_of(session: Session, batch_id: str, *, limit: int = PAGE) -> list[LateRow]:
    """The late records one batch brought (at most ``limit``)."""
    stmt = (
        select(Record, Subject)
        .join(Subject, Subject.id == Record.subject_id)
        .where(Record.batch_id == batch_id, Record.reported_late.is_(True))
        .order_by(Record.id)
        .limit(limit)
    )
    return [LateRow(r, s, r.batch_id) for r, s in session.execute(stmt)]


def late_total(session: Session, where: LedgerFilter) -> int:
    """How many late rows the filtered batches hold."""
    stmt = where.apply(select(func.coalesce(func.sum(IngestBatch.late), 0)))
    return int(session.scalar(stmt) or 0)


_COUNTS = ("rows", "accepted", "corrected", "unchanged", "rejected", "late")


def export_csv(session: Session, where: LedgerFilter, lang: Language) -> Iterator[str]:
    """The filtered batches as CSV lines (a BOM first, for spreadsheet programs), at most
    ``EXPORT_LIMIT``, read in chunks; times in the city's time zone."""
    names = {
        d.id: (d.name_zh if lang == "zh" else d.name_en)
        for d in session.scalars(select(Department))
    }
    keys = ["ingest.batch", "desk.ledger.received", "ingest.department", "ingest.item"]
    keys += ["ingest.file", "desk.ledger.status", *(f"ingest.count.{key}" for key in _COUNTS)]
    header = [t(key, lang) for key in keys]
    yield "\ufeff" + _line(header)
    stmt = where.apply(select(IngestBatch)).order_by(IngestBatch.received_at.desc())
    rows = session.scalars(stmt.limit(EXPORT_LIMIT).execution_options(yield_per=1000))
    for batch in rows:
        cells: list[Any] = [
            batch.id, local_time(batch.received_at, "second"), names.get(batch.department_id, ""),
            labels.item_name(batch.item_code, lang), batch.filename or "",
            t(f"ingest.status.{batch.status}", lang),
        ]  # fmt: skip
        cells += [getattr(batch, key) for key in _COUNTS]
        yield _line(cells)


def _line(cells: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(cells)
    return out.getvalue()
