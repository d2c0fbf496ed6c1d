"""Commitment performance as the evaluation reads it: one set-based statement for every
subject (the evaluation streams it in bulk). Withdrawn commitments never count."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from xinyong.commitments.models import Commitment

# Statuses that count: in force (pending, overdue) and decided (fulfilled, breached).
COUNTED = ("in_force", "overdue", "fulfilled", "breached")
SUBJECT_COLUMN = Commitment.subject_id


def performance_stmt(*, as_of: date) -> Any:
    """subject_id, status, signed_on of every counted commitment signed by ``as_of``."""
    return select(
        Commitment.subject_id.label("subject_id"),
        Commitment.status.label("status"),
        Commitment.signed_on.label("signed_on"),
    ).where(Commitment.status.in_(COUNTED), Commitment.signed_on <= as_of)
