"""List entries (名单记录): the entry, the records that ground it, and its timeline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, in_values, utcnow
from xinyong.lists.states import ENTRY_SOURCES, ENTRY_STATES, LIVE_VALUES

_LIVE_PLATFORM = f"source = 'platform' AND {in_values('state', LIVE_VALUES)}"
_LISTED_RECORD = "source = 'record' AND state = 'listed'"


class ListEntry(Base):
    """One subject on one list, from the proposal to its removal.

    ``version`` goes up with every change: a step names the version it was decided on, so
    of two officers acting at once one wins and the other gets a conflict.
    """

    __tablename__ = "list_entries"
    __table_args__ = (
        CheckConstraint(in_values("state", ENTRY_STATES), name="state"),
        CheckConstraint(in_values("source", ENTRY_SOURCES), name="source"),
        CheckConstraint("version >= 1", name="version_positive"),
        # At most one live platform entry per subject and list (two proposals racing).
        Index(
            "uq_list_entries_live_platform",
            "list_code",
            "subject_id",
            unique=True,
            sqlite_where=text(_LIVE_PLATFORM),
            postgresql_where=text(_LIVE_PLATFORM),
        ),
        # At most one listed entry per reported record version (two imports racing).
        Index(
            "uq_list_entries_listed_record",
            "list_code",
            "record_id",
            unique=True,
            sqlite_where=text(_LISTED_RECORD),
            postgresql_where=text(_LISTED_RECORD),
        ),
        # An entry escalates at most once.
        UniqueConstraint("escalated_from_id"),
        Index(None, "subject_id", "list_code", "state"),
        Index(None, "list_code", "state", "term_end"),
        Index(None, "department_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_code: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    # The deciding department (for imported entries: the one that reported the record).
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    state: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10))
    legal_basis: Mapped[str] = mapped_column(Text)
    reasons: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[str] = mapped_column(String(128))
    proposed_on: Mapped[date] = mapped_column(Date)
    notified_on: Mapped[date | None] = mapped_column(Date)
    # Last day (inclusive) the subject may object; listing is possible from the day after.
    objection_until: Mapped[date | None] = mapped_column(Date)
    # An objection against the entry is being decided: it cannot be listed meanwhile.
    held_by_objection: Mapped[bool] = mapped_column(Boolean, default=False)
    objection_ref: Mapped[str | None] = mapped_column(String(64))
    listed_on: Mapped[date | None] = mapped_column(Date)
    # Last day (inclusive) on the list; None = until removed.
    term_end: Mapped[date | None] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    removal_reason: Mapped[str | None] = mapped_column(String(40))  # a removal condition code
    removal_note: Mapped[str | None] = mapped_column(Text)
    # The reported record the entry stands for (source = record), as of its last check.
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), index=True)
    escalated_from_id: Mapped[int | None] = mapped_column(ForeignKey("list_entries.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ListEntryBasis(Base):
    """A record an entry rests on (a penalty decision, a court judgment, a reported listing)."""

    __tablename__ = "list_entry_bases"

    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entries.id"), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True, index=True)


class ListEntryEvent(Base):
    """One step of an entry's timeline: who did what, when, from which state to which."""

    __tablename__ = "list_entry_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entries.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
