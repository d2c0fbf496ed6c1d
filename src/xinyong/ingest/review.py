"""The review queue: rows that name their subject only by name wait for a person to pick
the subject among the matching engine's candidates — the platform never guesses."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.catalog import service as catalog_service
from xinyong.core.db import utcnow
from xinyong.core.errors import Conflict, Invalid, NotFound
from xinyong.identity.kinds import SubjectKind
from xinyong.identity.matching.index import MatchIndex
from xinyong.identity.matching.service import screen
from xinyong.ingest.models import IngestBatch, ReviewItem
from xinyong.records import effects
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.schemas import RecordCreate
from xinyong.subjects import service as subjects_service
from xinyong.subjects.matching import build_index


class Reviewer:
    """Queues a batch's name-only rows with their candidates (the match index is built
    once per batch, and only when a batch has such rows)."""

    def __init__(self, session: Session, batch: IngestBatch) -> None:
        self.session = session
        self.batch = batch
        self._index: MatchIndex | None = None

    def queue(self, *, row: int, payload: dict[str, Any], name: str) -> ReviewItem:
        """Put one row in the queue with up to five candidates (a row resubmitted while
        its twin still waits is not queued twice)."""
        waiting = self.session.scalars(
            select(ReviewItem).where(
                ReviewItem.status == "open",
                ReviewItem.item_code == self.batch.item_code,
                ReviewItem.department_id == self.batch.department_id,
                ReviewItem.subject_name == name,
            )
        )
        twin = next((item for item in waiting if item.payload == payload), None)
        if twin is not None:
            return twin
        if self._index is None:
            self._index = build_index(self.session)
        candidates = [c.to_dict() for c in screen(self._index, name, limit=5)]
        item = ReviewItem(
            batch_id=self.batch.id,
            row_number=row,
            item_code=self.batch.item_code,
            department_id=self.batch.department_id,
            subject_name=name,
            payload=payload,
            candidates=candidates,
            status="open",
        )
        self.session.add(item)
        return item


def open_items(
    session: Session, *, department_id: int | None = None, limit: int = 100
) -> list[ReviewItem]:
    """Open review items, oldest first (one department's, or all)."""
    stmt = select(ReviewItem).where(ReviewItem.status == "open")
    if department_id is not None:
        stmt = stmt.where(ReviewItem.department_id == department_id)
    return list(session.scalars(stmt.order_by(ReviewItem.id).limit(limit)))


def get(session: Session, review_id: int) -> ReviewItem:
    """A review item by id, or NotFound."""
    item = session.get(ReviewItem, review_id)
    if item is None:
        raise NotFound(key="ingest.err.no_review", params={"review_id": review_id})
    return item


def _get_open(session: Session, review_id: int) -> ReviewItem:
    item = get(session, review_id)
    if item.status != "open":
        raise Conflict(
            key="ingest.err.review_done",
            params={"review_id": review_id, "item_status": item.status},
        )
    return item


def resolve(session: Session, *, review_id: int, subject_id: int, actor: str) -> Record:
    """Load the row for the subject a person chose; the record is created as usual."""
    review = _get_open(session, review_id)
    subject = subjects_service.get(session, subject_id)
    item = catalog_service.get_catalog().item(review.item_code)
    if subject.kind == SubjectKind.natural_person:
        code = subjects_service.reveal_id_number(subject)
    else:
        code = subject.uscc
    if not code:
        raise Invalid(
            key="ingest.err.no_code",
            params={"subject_id": subject_id},
            details={"field": "subject_id"},
        )
    payload = {**review.payload, item.subject_code_field: code}
    source_id = item.source_record_id(payload)
    if not source_id:
        raise Invalid(key="ingest.err.no_source_id", details={"field": "payload"})
    result = records_service.submit(
        session,
        data=RecordCreate(
            subject_id=subject.id,
            item_code=item.code,
            department_id=review.department_id,
            source_record_id=source_id,
            payload=payload,
            batch_id=review.batch_id,
        ),
        actor=actor,
    )
    if result.outcome in {"created", "corrected"}:
        change = (
            effects.Change.published if result.outcome == "created" else effects.Change.corrected
        )
        cause = effects.Cause(
            actor=actor,
            today=date.today(),
            reason=f"确认主体 review {review.id}",
            ref=review.batch_id,
        )
        effects.record_changed(session, change, [result.record], cause=cause)
    _close(review, "resolved", actor)
    review.resolved_subject_id = subject.id
    review.resolved_record_id = result.record.id
    session.flush()
    return result.record


def dismiss(session: Session, *, review_id: int, actor: str) -> ReviewItem:
    """Drop a row from the queue (the department resubmits it with a code)."""
    review = _get_open(session, review_id)
    _close(review, "dismissed", actor)
    session.flush()
    audit_service.append(
        session,
        actor=actor,
        action="review.dismiss",
        object_type="review_item",
        object_id=review.id,
        summary={
            "batch_id": review.batch_id,
            "row_number": review.row_number,
            "item_code": review.item_code,
            "department_id": review.department_id,
        },
    )
    return review


def _close(review: ReviewItem, status: str, actor: str) -> None:
    review.status = status
    review.resolved_by = actor
    review.resolved_at = utcnow()
