"""Rights cases (异议 / 信用修复): the case, its records, its timeline and its files."""

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
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, in_values, utcnow
from xinyong.rights.states import CASE_OUTCOMES, CASE_STATES

CASE_PREFIX = {"objection": "YY", "repair": "XF"}


class RightsCase(Base):
    """One objection or repair application and where it stands.

    ``version`` goes up with every change: a decision names the version it was made on,
    so of two officers deciding at once one wins and the other gets a conflict.
    """

    __tablename__ = "rights_cases"
    __table_args__ = (
        CheckConstraint("kind IN ('objection', 'repair')", name="kind"),
        CheckConstraint(in_values("state", CASE_STATES), name="state"),
        CheckConstraint(
            "outcome IS NULL OR " + in_values("outcome", CASE_OUTCOMES), name="outcome"
        ),
        CheckConstraint("channel IN ('portal', 'counter', 'api')", name="channel"),
        Index(None, "department_id", "state", "due_on"),
        Index(None, "kind", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    # The department that decides: the one that reported the record (made the finding).
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    state: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    applicant: Mapped[str] = mapped_column(String(128))  # actor string of who filed it
    applicant_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    contact: Mapped[str | None] = mapped_column(String(100))
    ground: Mapped[str] = mapped_column(String(40))
    statement: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(Date)
    # The present step's limit (register/accept, then decide); None once closed.
    due_on: Mapped[date | None] = mapped_column(Date)
    # The limit of deciding (set on registration or acceptance, moved by an extension).
    decide_due_on: Mapped[date | None] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    material_note: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    reapply_from: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    closed_on: Mapped[date | None] = mapped_column(Date)
    # Working days from receipt to closing, and whether that passed the limit.
    handling_workdays: Mapped[int | None] = mapped_column(Integer)
    overdue_at_close: Mapped[bool | None] = mapped_column(Boolean)
    commitment_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    reminded_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def number(self) -> str:
        """The case number people quote: YY (异议) or XF (修复), year, serial."""
        return f"{CASE_PREFIX[self.kind]}{self.received_on.year}-{self.id:06d}"


class CaseTarget(Base):
    """A record the case is about, the state it was in, and what the decision did to it."""

    __tablename__ = "rights_case_targets"
    __table_args__ = (UniqueConstraint("case_id", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("rights_cases.id"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    state_before: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    # The version the decision made (correction, supplement), if any.
    result_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    # An objection against a list entry (wrongly listed / not removed): the entry, while
    # ``record_id`` is the record it rests on.
    list_entry_id: Mapped[int | None] = mapped_column(ForeignKey("list_entries.id"), index=True)


class CaseEvent(Base):
    """One step of a case's timeline: who did what, when, from which state to which."""

    __tablename__ = "rights_case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("rights_cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CaseFile(Base):
    """An evidence file of a case (kept in the database, with its digest)."""

    __tablename__ = "rights_case_files"
    __table_args__ = (CheckConstraint("kind IN ('evidence', 'proof', 'material')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("rights_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
