"""Subjects flagged for re-evaluation after their records changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, utcnow


class RecomputeFlag(Base):
    """A subject whose evaluation is stale (the next evaluation run picks it up)."""

    __tablename__ = "evaluation_recompute"

    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    flagged_at: Mapped[datetime] = mapped_column(default=utcnow)
