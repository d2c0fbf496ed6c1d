"""Issued credit reports, their signed PDF, and departments' batch requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, in_values, utcnow

CHANNELS = ("online", "authorised", "counter", "batch", "api", "cli")
AUDIENCES = ("public", "subject", "authorised", "government")
BATCH_STATES = ("queued", "running", "done", "failed")


class Report(Base):
    """One issued report: who asked, for what, the signed canonical content and PDF digest.

    ``content`` is the report's content exactly as signed (its canonical JSON is
    ``content_digest``'s input); ``basis_digest`` fingerprints the subject's data in force at
    issue, so a later change shows as "data changed since issue" on verification.
    """

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(in_values("channel", CHANNELS), name="channel"),
        CheckConstraint(in_values("audience", AUDIENCES), name="audience"),
        Index(None, "requester_actor", "issued_at"),
        Index(None, "type_code", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    type_code: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    audience: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    requester_actor: Mapped[str] = mapped_column(String(128))
    requester_kind: Mapped[str] = mapped_column(String(16))
    requester_label: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    purpose: Mapped[str] = mapped_column(Text)
    # Counter issue: who appeared and how their identity was checked.
    counter_note: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    valid_until: Mapped[date] = mapped_column(Date)
    content: Mapped[dict[str, Any]] = mapped_column()
    digest_algorithm: Mapped[str] = mapped_column(String(8))
    content_digest: Mapped[str] = mapped_column(String(64))
    basis_digest: Mapped[str] = mapped_column(String(64))
    pdf_digest: Mapped[str] = mapped_column(String(64))
    suite: Mapped[str] = mapped_column(String(8))
    key_id: Mapped[str] = mapped_column(String(32))
    content_signature: Mapped[str] = mapped_column(Text)
    pdf_signature: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("report_batches.id"), index=True)


class ReportDocument(Base):
    """The PDF exactly as issued (verification compares uploads with it byte for byte)."""

    __tablename__ = "report_documents"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


class ReportBatch(Base):
    """A department's batch request: reports for a list of subjects, delivered as a ZIP."""

    __tablename__ = "report_batches"
    __table_args__ = (CheckConstraint(in_values("state", BATCH_STATES), name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type_code: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text)
    requester_actor: Mapped[str] = mapped_column(String(128))
    requester_label: Mapped[str] = mapped_column(String(255))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # The subject codes asked for, in order; per-code problems as {code, reason}.
    codes: Mapped[list[str]] = mapped_column()
    problems: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    state: Mapped[str] = mapped_column(String(12), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    # The running job's last sign of life: a batch silent for long lost its process.
    heartbeat_at: Mapped[datetime | None] = mapped_column()
