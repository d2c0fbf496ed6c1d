"""The name-matching index over the subjects in the database (identity.matching builds
indexes from rows; this module feeds it the store's subjects)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.identity.matching.index import MatchIndex, naive_utc
from xinyong.subjects.models import Subject, SubjectIdentifier


def build_index(session: Session, *, batch: int = 10_000) -> MatchIndex:
    """An index over every subject in the database."""
    index = MatchIndex()
    secondary = _secondary_identifiers(session)
    columns = (Subject.id, Subject.kind, Subject.name, Subject.uscc, Subject.id_number_hash)
    with index.bulk():
        for sid, kind, name, uscc, digest in session.execute(
            select(*columns).order_by(Subject.id).execution_options(yield_per=batch)
        ):
            index.add(
                sid, kind=kind, name=name, uscc=uscc, id_number_digest=digest or "",
                secondary=secondary.get(sid, ()),
            )  # fmt: skip
    latest = session.scalar(select(func.max(Subject.updated_at)))
    index.watermark = naive_utc(latest) if latest is not None else None
    return index


def refresh_index(index: MatchIndex, session: Session) -> int:
    """Re-read the subjects changed since the index's last build or refresh; how many.

    Subjects updated at the watermark's very instant are read again (adding is idempotent),
    so that none updated in the same clock tick is missed.
    """
    query = select(Subject)
    if index.watermark is not None:
        query = query.where(Subject.updated_at >= index.watermark)
    changed = list(session.scalars(query))
    for subject in changed:
        index_subject(index, subject)
        stamp = naive_utc(subject.updated_at)
        if index.watermark is None or stamp > index.watermark:
            index.watermark = stamp
    return len(changed)


def index_subject(index: MatchIndex, subject: Subject) -> None:
    """Add or replace a subject (a database row) in the index."""
    index.add(
        subject.id,
        kind=subject.kind,
        name=subject.name,
        uscc=subject.uscc,
        id_number_digest=subject.id_number_hash or "",
        secondary=[(i.scheme, i.value) for i in subject.identifiers],
    )


def _secondary_identifiers(session: Session) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    rows = session.execute(
        select(SubjectIdentifier.subject_id, SubjectIdentifier.scheme, SubjectIdentifier.value)
    )
    for subject_id, scheme, value in rows:
        found.setdefault(subject_id, []).append((scheme, value))
    return found
