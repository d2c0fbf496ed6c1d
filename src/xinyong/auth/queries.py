"""查询登记: reads of a subject's non-public data, each with a stated purpose, recorded."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.auth.models import QueryLog
from xinyong.auth.principal import Principal
from xinyong.core.db import utcnow
from xinyong.core.errors import Invalid

MAX_PURPOSE = 500
MIN_MEANINGFUL = 4  # letters or digits (汉字 count), not punctuation or spaces


def checked_purpose(purpose: str | None) -> str:
    """A usable purpose (a matter code such as ``GP-2025-01``, or a description with at least
    four letters or digits), or Invalid naming the field."""
    text = (purpose or "").strip()
    if sum(ch.isalnum() for ch in text) < MIN_MEANINGFUL:
        raise Invalid(
            "查询非公开信息须说明目的(事项代码，或至少 4 个文字或数字的说明) · reading non-public "
            "data needs a purpose: a matter code or a description of at least 4 letters or digits",
            details={"field": "purpose"},
        )
    if len(text) > MAX_PURPOSE:
        raise Invalid(
            key="auth.err.purpose_long",
            params={"MAX_PURPOSE": MAX_PURPOSE},
            details={"field": "purpose"},
        )
    return text


def register(
    session: Session,
    *,
    principal: Principal,
    subject_id: int,
    what: list[str],
    purpose: str,
    outcome: str,
    matter_code: str | None = None,
    detail: dict[str, Any] | None = None,
) -> QueryLog:
    """Record one read (or refused read) of a subject's non-public data."""
    entry = QueryLog(
        actor=principal.actor,
        actor_label=principal.label,
        subject_id=subject_id,
        what=sorted(set(what)),
        purpose=purpose,
        matter_code=matter_code,
        outcome=outcome,
        detail=detail,
    )
    session.add(entry)
    session.flush()
    audit_service.append(
        session,
        actor=principal.actor,
        action="query.register",
        object_type="query",
        object_id=entry.id,
        subject_id=subject_id,
        summary={
            "what": entry.what,
            "purpose": purpose,
            "matter_code": matter_code,
            "outcome": outcome,
        },
    )
    return entry


def for_subject(session: Session, *, subject_id: int, limit: int = 200) -> list[QueryLog]:
    """Who looked at the subject's data and why, newest first."""
    stmt = (
        select(QueryLog)
        .where(QueryLog.subject_id == subject_id)
        .order_by(QueryLog.at.desc(), QueryLog.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def register_many(
    session: Session,
    *,
    principal: Principal,
    subject_ids: list[int],
    what: list[str],
    purpose: str,
    outcome: str,
    matter_code: str | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Record one read per subject in bulk (a batch check); the caller audits the batch as
    one entry naming what it read and why. Returns the number of rows written."""
    rows = [
        {
            "actor": principal.actor,
            "actor_label": principal.label,
            "subject_id": subject_id,
            "what": sorted(set(what)),
            "purpose": purpose,
            "matter_code": matter_code,
            "outcome": outcome,
            "detail": detail,
            "at": utcnow(),
        }
        for subject_id in dict.fromkeys(subject_ids)
    ]
    if rows:
        session.execute(insert(QueryLog), rows)
    return len(rows)
