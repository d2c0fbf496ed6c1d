"""Flagging subjects for re-evaluation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.core.db import utcnow
from xinyong.evaluation.models import RecomputeFlag


def flag_for_recompute(session: Session, *, subject_id: int, reason: str) -> RecomputeFlag:
    """Mark a subject's evaluation stale (one flag per subject; the newest reason wins)."""
    flag = session.get(RecomputeFlag, subject_id)
    if flag is None:
        flag = RecomputeFlag(subject_id=subject_id, reason=reason[:200])
        session.add(flag)
    else:
        flag.reason, flag.flagged_at = reason[:200], utcnow()
    session.flush()
    return flag


def flagged(session: Session, *, limit: int = 10000) -> list[RecomputeFlag]:
    """Subjects waiting for re-evaluation, oldest flag first."""
    stmt = select(RecomputeFlag).order_by(RecomputeFlag.flagged_at).limit(limit)
    return list(session.scalars(stmt))
