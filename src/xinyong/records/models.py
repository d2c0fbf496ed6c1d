"""Versioned credit records (信用记录) and their state history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, in_values, utcnow
from xinyong.records.states import RECORD_STATES


class Record(Base):
    """One version of one catalogue item about one subject from one source department.

    ``(item_code, department_id, source_record_id)`` names the record; every version
    keeps a row, and exactly one version (``is_current``) is the record's present state.
    """

    __tablename__ = "records"
    __table_args__ = (
        # A unique index rather than a table constraint, so bulk loads can rebuild it.
        Index(
            "uq_records_source_version",
            "item_code",
            "department_id",
            "source_record_id",
            "version",
            unique=True,
        ),
        Index(
            "uq_records_current_version",
            "item_code",
            "department_id",
            "source_record_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index(None, "subject_id", "item_code"),
        Index(None, "state", "disclosure_end"),
        CheckConstraint(in_values("state", RECORD_STATES), name="state"),
        CheckConstraint("severity IN ('minor', 'general', 'serious')", name="severity"),
        CheckConstraint("polarity IN ('positive', 'negative', 'neutral')", name="polarity"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    item_code: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    source_record_id: Mapped[str] = mapped_column(String(128))
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(20), default="active")
    decision_date: Mapped[date | None] = mapped_column(Date)
    severity: Mapped[str | None] = mapped_column(String(10))
    polarity: Mapped[str] = mapped_column(String(10))
    # Last day of publication (inclusive); None = no end while the record is active.
    disclosure_end: Mapped[date | None] = mapped_column(Date)
    payload: Mapped[dict[str, Any]] = mapped_column()
    # Personal identity numbers of the payload, encrypted (the payload holds them masked).
    protected: Mapped[str | None] = mapped_column(Text)
    # Timeliness of a collected record: working days from decision to receipt, and whether
    # that passed the item's reporting deadline (None: not collected through a batch).
    reported_workdays: Mapped[int | None] = mapped_column(Integer)
    reported_late: Mapped[bool | None] = mapped_column(Boolean)
    # Digest of what makes two submissions the same (payload, sealed numbers, decision
    # date): a resubmission with the same digest is "unchanged" (set-based on bulk loads).
    content_hash: Mapped[str | None] = mapped_column(String(64))
    catalog_version: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[str | None] = mapped_column(String(64), index=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    state_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RecordEvent(Base):
    """A state change of a record version: who, when, from, to, why."""

    __tablename__ = "record_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(default=utcnow)
