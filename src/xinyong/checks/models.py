"""Credit checks (信用核查, 逢办必查 / 统查): the check, its rows, and the measures it found.

A check is one department's question "may this subject have this matter, and what must
we apply?" for one or more subjects (a single check) or for an uploaded list (a batch
check, 统查, run in the background with progress). Each input row is resolved to a
subject (by code, or by name through the matching engine) and each measure that applies
is a hit the department reports back on (implementation feedback: applied or not, why,
when), by a due date.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, in_values, utcnow

CHECK_KINDS = ("single", "batch")
CHECK_STATES = ("queued", "running", "done", "failed")
RESOLUTIONS = ("code", "name", "ambiguous", "not_found", "invalid")
FEEDBACK = ("pending", "applied", "not_applied")


class CreditCheck(Base):
    """One check by a department in a matter, with its purpose and (for batches) progress."""

    __tablename__ = "credit_checks"
    __table_args__ = (
        CheckConstraint(in_values("kind", CHECK_KINDS), name="kind"),
        CheckConstraint(in_values("state", CHECK_STATES), name="state"),
        Index(None, "department_id", "created_at"),
        Index(None, "matter_code", "created_at"),
        Index(None, "state", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    matter_code: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    actor_label: Mapped[str] = mapped_column(String(200))
    # The day the check answers for (list terms, disclosure periods, trigger periods).
    checked_on: Mapped[date] = mapped_column(Date)
    catalog_version: Mapped[str] = mapped_column(String(64))
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    subjects_found: Mapped[int] = mapped_column(Integer, default=0)
    subjects_hit: Mapped[int] = mapped_column(Integer, default=0)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    # Batch checks: the uploaded file's name and what went wrong if the job failed.
    file_name: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    # A running batch job's last sign of life (claim, each committed chunk): a job silent
    # for ``check_batch_stale_minutes`` has lost its worker and is resumed by the next one.
    heartbeat_at: Mapped[datetime | None] = mapped_column()


class CheckRow(Base):
    """One subject asked about: the input as given, how it was resolved, what was found."""

    __tablename__ = "credit_check_rows"
    __table_args__ = (
        CheckConstraint(in_values("resolution", RESOLUTIONS), name="resolution"),
        UniqueConstraint("check_id", "row_no"),
        Index(None, "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("credit_checks.id"))
    row_no: Mapped[int] = mapped_column(Integer)
    query_name: Mapped[str | None] = mapped_column(String(255))
    # The code as given, ID numbers masked (the clear number is never stored here).
    query_code: Mapped[str | None] = mapped_column(String(32))
    resolution: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    score: Mapped[float | None] = mapped_column(Float)
    # What the check saw: ``name`` (the matching decision, evidence, candidates), ``entries``
    # (list entries in force) and ``records`` (record ids the matter's rules made relevant).
    detail: Mapped[dict[str, Any] | None] = mapped_column()
    lists: Mapped[list[str]] = mapped_column()
    hit_count: Mapped[int] = mapped_column(Integer, default=0)


class CheckHit(Base):
    """A measure that applies to a checked subject, and the department's feedback on it."""

    __tablename__ = "credit_check_hits"
    __table_args__ = (
        CheckConstraint(in_values("feedback", FEEDBACK), name="feedback"),
        CheckConstraint(in_values("measure_kind", ("incentive", "constraint")), name="kind"),
        Index(None, "check_id"),
        Index(None, "department_id", "feedback", "feedback_due"),
        Index(None, "measure_code", "feedback"),
        Index(None, "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("credit_checks.id"))
    row_id: Mapped[int] = mapped_column(ForeignKey("credit_check_rows.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    # The checking department and matter, kept on the hit for queues and statistics.
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    matter_code: Mapped[str] = mapped_column(String(64))
    measure_code: Mapped[str] = mapped_column(String(32))
    measure_kind: Mapped[str] = mapped_column(String(12))
    reasons: Mapped[list[str]] = mapped_column()
    feedback: Mapped[str] = mapped_column(String(12), default="pending")
    feedback_due: Mapped[date] = mapped_column(Date)
    feedback_on: Mapped[date | None] = mapped_column(Date)  # when it was (not) applied
    feedback_reason: Mapped[str | None] = mapped_column(Text)
    feedback_by: Mapped[str | None] = mapped_column(String(128))
    feedback_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CheckInput(Base):
    """The file a batch check was asked with, kept until (and after) the job reads it."""

    __tablename__ = "credit_check_inputs"

    check_id: Mapped[int] = mapped_column(ForeignKey("credit_checks.id"), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
