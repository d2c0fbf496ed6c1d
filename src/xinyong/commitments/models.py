"""Commitments (信用承诺书) with the exact signed text and its signature, their conditions with
deadlines and performance, their history, and the daily number counters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, utcnow


class Commitment(Base):
    """One signed commitment: who, which template, the text as signed, the witness signature."""

    __tablename__ = "commitments"
    __table_args__ = (
        Index(None, "department_id", "status"),
        Index(None, "publicity", "kind", "status"),
        UniqueConstraint("department_id", "external_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # 6-digit area code + 8-digit date + 6-digit serial.
    number: Mapped[str] = mapped_column(String(20), unique=True)
    template_code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    matter: Mapped[str] = mapped_column(String(200))
    publicity: Mapped[str] = mapped_column(String(8))
    # in_force / overdue / fulfilled / breached / withdrawn
    status: Mapped[str] = mapped_column(String(16), default="in_force")
    # online (signed on the portal), counter, api (an approval system), import
    channel: Mapped[str] = mapped_column(String(16))
    signed_on: Mapped[date] = mapped_column(Date)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_by: Mapped[str] = mapped_column(String(128))
    # The exact text the subject saw and confirmed, its digest and the platform's witness
    # signature over number, subject, digest and time (reports.signing keys).
    text: Mapped[str] = mapped_column(Text)
    text_digest: Mapped[str] = mapped_column(String(64))
    suite: Mapped[str] = mapped_column(String(8))
    key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(Text)
    # The approval system's own reference (idempotent API pushes).
    external_ref: Mapped[str | None] = mapped_column(String(64))
    breach_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    breach_entry_ids: Mapped[list[str]] = mapped_column(default=list)
    decided_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommitmentCondition(Base):
    """One condition of a commitment, tracked to its deadline."""

    __tablename__ = "commitment_conditions"
    __table_args__ = (
        UniqueConstraint("commitment_id", "code"),
        Index(None, "state", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(500))
    deadline: Mapped[date] = mapped_column(Date)
    unit: Mapped[str] = mapped_column(String(12))
    # pending / partial / fulfilled / not_fulfilled / waived
    state: Mapped[str] = mapped_column(String(16), default="pending")
    overdue_since: Mapped[date | None] = mapped_column(Date)
    reminded_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_on: Mapped[date | None] = mapped_column(Date)


class CommitmentEvent(Base):
    """The history of a commitment (signed, fulfilled, overdue, breached, withdrawn ...)."""

    __tablename__ = "commitment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CommitmentSerial(Base):
    """The last serial number given out per area code and day (row-locked when taken)."""

    __tablename__ = "commitment_serials"

    area_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
