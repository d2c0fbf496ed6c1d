"""A notice: a message key with its parameters, for a subject or a department's staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, utcnow


class Notice(Base):
    """A message to a subject (its account reads it) or to a department's staff.

    The text is a message key with parameters, rendered in the reader's language.
    """

    __tablename__ = "notices"
    __table_args__ = (
        CheckConstraint(
            "subject_id IS NOT NULL OR department_id IS NOT NULL", name="has_recipient"
        ),
        Index(None, "subject_id", "created_at"),
        Index(None, "department_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    key: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # What the notice is about, e.g. ("rights_case", "12").
    ref_type: Mapped[str | None] = mapped_column(String(40))
    ref_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()
