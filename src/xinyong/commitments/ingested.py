"""Commitments collected through ingest (归集): a department's ``credit_commitment`` records,
once published, become tracked commitments when a template fits (its kind gives the record's
commitment_type and its department kind is the submitter's). The record's number becomes the
commitment's reference; a record already 已履约 is kept as fulfilled. Records that fit no
template stay records only; the platform's own breach records are never mirrored back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinyong.commitments import bulk, service
from xinyong.commitments.config import CATALOG_TYPES, Template, get_config
from xinyong.commitments.models import Commitment, CommitmentCondition
from xinyong.records.effects import Cause, Change, Changed
from xinyong.records.models import Record
from xinyong.subjects.models import Department, Subject

ITEM = "credit_commitment"
CHUNK = 2000


def template_for(commitment_type: str, department_kind: str) -> Template | None:
    """The first template of this catalogue commitment type handled by this department kind."""
    for template in get_config().templates.values():
        if (
            CATALOG_TYPES[template.kind] == commitment_type
            and template.department.value == department_kind
        ):
            return template
    return None


def _known(session: Session, items: list[Changed]) -> set[tuple[int, str]]:
    """(department, source id) pairs that are already commitments (numbers or references)."""
    ids = sorted({i.source_record_id for i in items})
    known: set[tuple[int, str]] = set()
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        for dept, number, ref in session.execute(
            select(Commitment.department_id, Commitment.number, Commitment.external_ref).where(
                Commitment.number.in_(part) | Commitment.external_ref.in_(part)
            )
        ).all():
            known.add((dept, number))
            if ref:
                known.add((dept, ref))
    return known


def _rows(session: Session, items: list[Changed]) -> tuple[list[bulk.Row], list[str]]:
    departments = {d.id: d for d in session.scalars(select(Department))}
    rows: list[bulk.Row] = []
    fulfilled: list[str] = []
    for start in range(0, len(items), CHUNK):
        part = items[start : start + CHUNK]
        records = session.scalars(select(Record).where(Record.id.in_([i.record_id for i in part])))
        subjects = {
            s.id: s
            for s in session.scalars(
                select(Subject).where(Subject.id.in_({i.subject_id for i in part}))
            )
        }
        for record in records:
            dept, subject = departments.get(record.department_id), subjects.get(record.subject_id)
            ref = record.source_record_id
            if dept is None or subject is None or record.decision_date is None or len(ref) > 64:
                continue
            template = template_for(str(record.payload.get("commitment_type")), dept.kind)
            if template is None or subject.kind not in service.SUBJECT_KINDS:
                continue
            rows.append(bulk.Row(template, dept, subject, record.decision_date, None, ref))
            if record.payload.get("performance_status") == "已履约":
                fulfilled.append(ref)
    return rows, fulfilled


def _mark_fulfilled(session: Session, refs: list[str], today: date) -> None:
    for start in range(0, len(refs), CHUNK):
        ids = select(Commitment.id).where(Commitment.external_ref.in_(refs[start : start + CHUNK]))
        session.execute(
            update(CommitmentCondition)
            .where(CommitmentCondition.commitment_id.in_(ids))
            .values(
                state="fulfilled", evidence="归集：已履约", decided_by="ingest", decided_on=today
            )
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(Commitment)
            .where(Commitment.id.in_(ids))
            .values(status="fulfilled")
            .execution_options(synchronize_session=False)
        )


def mirror(session: Session, change: Change, items: Sequence[Changed], cause: Cause) -> None:
    """Subscribed to published records: collected commitments become tracked ones."""
    wanted = [i for i in items if i.item_code == ITEM]
    if not wanted:
        return
    known = _known(session, wanted)
    fresh = [i for i in wanted if (i.department_id, i.source_record_id) not in known]
    rows, fulfilled = _rows(session, fresh)
    if not rows:
        return
    bulk.store(session, rows, actor=cause.actor, channel="import")
    _mark_fulfilled(session, fulfilled, cause.today)
