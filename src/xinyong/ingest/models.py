"""Submission batches (归集批次), the rows they rejected, and rows waiting for a subject."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, in_values, utcnow

BATCH_KINDS = ("submission", "withdrawal")
BATCH_MODES = ("strict", "partial")
BATCH_CHANNELS = ("upload", "api", "file_api", "cli")
# loaded: every row loaded; partial: valid rows loaded, others kept as rejected;
# refused: nothing loaded (strict mode with a bad row, or a file-level error).
BATCH_STATUSES = ("loaded", "partial", "refused")
REVIEW_STATUSES = ("open", "resolved", "dismissed")


class IngestBatch(Base):
    """One submission by one department for one catalogue item, and what became of its rows."""

    __tablename__ = "ingest_batches"
    __table_args__ = (
        CheckConstraint(in_values("kind", BATCH_KINDS), name="kind"),
        CheckConstraint(in_values("mode", BATCH_MODES), name="mode"),
        CheckConstraint(in_values("channel", BATCH_CHANNELS), name="channel"),
        CheckConstraint(in_values("status", BATCH_STATUSES), name="status"),
        CheckConstraint(
            "rows = accepted + corrected + unchanged + rejected", name="every_row_accounted"
        ),
        Index(None, "department_id", "item_code", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="submission")
    item_code: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    channel: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str | None] = mapped_column(String(255))
    file_format: Mapped[str | None] = mapped_column(String(16))
    encoding: Mapped[str | None] = mapped_column(String(32))
    sheet: Mapped[str | None] = mapped_column(String(128))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    # The original file as received, kept for the report and as provenance.
    stored_path: Mapped[str | None] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    corrected: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # Rows whose decision reached the platform after the item's reporting deadline.
    late: Mapped[int] = mapped_column(Integer, default=0)
    # Subjects created from valid but unknown codes (marked unverified).
    new_subjects: Mapped[int] = mapped_column(Integer, default=0)
    # Rows with a name but no code, waiting in the review queue (counted as rejected).
    to_review: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)  # file-level refusal, if any
    notes: Mapped[list[str]] = mapped_column(default=list)
    submitted_by: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()


class RejectedRow(Base):
    """An input row that was not loaded: its original cells and every reason, kept for
    correction and resubmission."""

    __tablename__ = "ingest_rejected_rows"
    __table_args__ = (Index(None, "batch_id", "row_number", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("ingest_batches.id"))
    row_number: Mapped[int] = mapped_column(Integer)
    cells: Mapped[dict[str, Any]] = mapped_column()
    errors: Mapped[list[dict[str, Any]]] = mapped_column()


class ReviewItem(Base):
    """A row naming its subject only by name: a person picks the subject among candidates
    (never guessed by the platform)."""

    __tablename__ = "ingest_review_items"
    __table_args__ = (
        CheckConstraint(in_values("status", REVIEW_STATUSES), name="status"),
        Index(None, "department_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("ingest_batches.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    item_code: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    subject_name: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column()
    candidates: Mapped[list[dict[str, Any]]] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolved_subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    resolved_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    resolved_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
