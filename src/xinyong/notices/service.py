"""Sending and reading notices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from xinyong.core.db import utcnow
from xinyong.core.i18n import Language, t
from xinyong.notices.models import Notice


def send(
    session: Session,
    *,
    key: str,
    params: dict[str, Any],
    subject_id: int | None = None,
    department_id: int | None = None,
    ref: tuple[str, str | int] | None = None,
) -> Notice:
    """Queue a notice for a subject or a department (flushed with the caller's work)."""
    if subject_id is None and department_id is None:
        raise ValueError("a notice needs a subject or a department")
    notice = Notice(
        subject_id=subject_id,
        department_id=department_id,
        key=key,
        params={k: str(v) for k, v in params.items()},
        ref_type=ref[0] if ref else None,
        ref_id=str(ref[1]) if ref else None,
    )
    session.add(notice)
    session.flush()
    return notice


def send_many(session: Session, *, notices: list[dict[str, Any]]) -> int:
    """Queue many notices at once (one insert; for daily jobs): each a dict of ``send``'s
    keyword arguments. Returns how many."""
    rows = []
    for notice in notices:
        if notice.get("subject_id") is None and notice.get("department_id") is None:
            raise ValueError("a notice needs a subject or a department")
        ref = notice.get("ref")
        rows.append(
            {
                "subject_id": notice.get("subject_id"),
                "department_id": notice.get("department_id"),
                "key": notice["key"],
                "params": {k: str(v) for k, v in notice["params"].items()},
                "ref_type": ref[0] if ref else None,
                "ref_id": str(ref[1]) if ref else None,
                "created_at": utcnow(),
            }
        )
    if rows:
        session.execute(insert(Notice), rows)
    return len(rows)


def for_subject(session: Session, *, subject_id: int, limit: int = 100) -> list[Notice]:
    """A subject's notices, newest first."""
    stmt = select(Notice).where(Notice.subject_id == subject_id)
    return list(session.scalars(stmt.order_by(Notice.id.desc()).limit(limit)))


def for_department(session: Session, *, department_id: int, limit: int = 100) -> list[Notice]:
    """A department's notices, newest first."""
    stmt = select(Notice).where(Notice.department_id == department_id)
    return list(session.scalars(stmt.order_by(Notice.id.desc()).limit(limit)))


def text(notice: Notice, lang: Language) -> str:
    """The notice in the reader's language."""
    template = t(f"notice.{notice.key}", lang)
    try:
        return template.format(**notice.params)
    except (KeyError, IndexError, ValueError):
        return template


def mark_read(session: Session, *, notice_ids: list[int], subject_id: int) -> int:
    """Mark a subject's notices as read; returns how many changed."""
    notices = session.scalars(
        select(Notice).where(
            Notice.id.in_(notice_ids), Notice.subject_id == subject_id, Notice.read_at.is_(None)
        )
    ).all()
    for notice in notices:
        notice.read_at = utcnow()
    session.flush()
    return len(notices)
