"""Checks as the API and the console read them: rows, hits, summaries (queries here, the
shapes in schemas.py)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.checks.feedback import is_overdue
from xinyong.checks.models import CheckHit, CheckRow, CreditCheck
from xinyong.checks.schemas import (
    CheckRead,
    CheckSummary,
    CommitmentBrief,
    EntryRead,
    HitRead,
    RecordBrief,
    RowRead,
    SubjectBrief,
)
from xinyong.checks.service import hits_of, rows_of
from xinyong.commitments import checked as commitments_checked
from xinyong.core.errors import NotFound
from xinyong.core.i18n import Language, t
from xinyong.measures.catalog import get_catalog
from xinyong.measures.present import BasisRead, basis_text
from xinyong.records.models import Record
from xinyong.subjects.models import Department, Subject


def hit_read(hit: CheckHit, lang: Language, today: date) -> HitRead:
    """A hit with its measure's name, kind and legal basis in ``lang``."""
    catalog = get_catalog()
    try:
        measure = catalog.measure(hit.measure_code)
        name = measure.name.zh if lang == "zh" else measure.name.en
        basis = [BasisRead(**b.model_dump(), text=basis_text(b)) for b in measure.legal_basis]
        type_label = t(f"ms.type.{measure.type.value}", lang)
    except NotFound:  # a measure a city has since disabled: the hit keeps its code
        name, basis, type_label = hit.measure_code, [], ""
    return HitRead(
        id=hit.id,
        measure=hit.measure_code,
        name=name,
        kind=hit.measure_kind,
        kind_label=t(f"ms.kind.{hit.measure_kind}", lang),
        type_label=type_label,
        legal_basis=basis,
        reasons=list(hit.reasons),
        feedback=hit.feedback,
        feedback_label=t(f"ck.feedback.{hit.feedback}", lang),
        feedback_due=hit.feedback_due,
        overdue=is_overdue(hit, today),
        feedback_on=hit.feedback_on,
        feedback_reason=hit.feedback_reason,
        version=hit.version,
    )


def _department_name(session: Session, department_id: int, lang: Language) -> str:
    department = session.get(Department, department_id)
    if department is None:
        return str(department_id)
    return department.name_zh if lang == "zh" else department.name_en


def _matter_name(code: str, lang: Language) -> str:
    matter = get_catalog().matters.get(code)
    if matter is None:
        return code
    return matter.name.zh if lang == "zh" else matter.name.en


def _subject(subject: Subject) -> SubjectBrief:
    return SubjectBrief(
        id=subject.id,
        name=subject.name,
        kind=subject.kind,
        code=subject.uscc or subject.id_number_masked,
    )


def _records(session: Session, rows: list[CheckRow], lang: Language) -> dict[int, RecordBrief]:
    ids = sorted({i for row in rows for i in (row.detail or {}).get("records", [])})
    if not ids:
        return {}
    catalog = catalog_service.get_catalog()
    found: dict[int, RecordBrief] = {}
    for record in session.scalars(select(Record).where(Record.id.in_(ids))):
        item = catalog.items.get(record.item_code)
        item_name = (item.name.zh if lang == "zh" else item.name.en) if item else record.item_code
        found[record.id] = RecordBrief(
            id=record.id,
            item=record.item_code,
            item_name=item_name,
            department=_department_name(session, record.department_id, lang),
            document_number=record.source_record_id,
            decision_date=record.decision_date,
            severity=record.severity,
            state=record.state,
        )
    return found


def _entries(row: CheckRow, lang: Language) -> list[EntryRead]:
    return [
        EntryRead(
            entry_id=e["entry_id"],
            list_code=e["list_code"],
            list_name=t(f"ms.list.{e['list_code']}", lang),
            listed_on=e.get("listed_on"),
            term_end=e.get("term_end"),
            legal_basis=e.get("legal_basis") or "",
        )
        for e in (row.detail or {}).get("entries", [])
    ]


def _commitments(
    session: Session, ids: list[int], department_id: int | None, lang: Language, today: date
) -> dict[int, list[CommitmentBrief]]:
    found = commitments_checked.for_check(
        session, subject_ids=ids, department_id=department_id, today=today, lang=lang
    )
    return {
        subject_id: [CommitmentBrief.model_validate(asdict(c)) for c in rows]
        for subject_id, rows in found.items()
    }


def rows_read(
    session: Session,
    rows: list[CheckRow],
    lang: Language,
    today: date,
    *,
    department_id: int | None = None,
) -> list[RowRead]:
    """The rows with their subjects, entries, hits, records and live commitments and breaches
    (``department_id``: the checking department, the only one to see its 不公开 commitments)."""
    hits = hits_of(session, [row.id for row in rows])
    ids = [row.subject_id for row in rows if row.subject_id is not None]
    subjects = {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(ids)))}
    records = _records(session, rows, lang)
    commitments = _commitments(session, ids, department_id, lang, today)
    read: list[RowRead] = []
    for row in rows:
        detail = row.detail or {}
        subject = subjects.get(row.subject_id or 0)
        read.append(
            RowRead(
                row_no=row.row_no,
                query_name=row.query_name,
                query_code=row.query_code,
                resolution=row.resolution,
                resolution_label=t(f"ck.resolution.{row.resolution}", lang),
                score=row.score,
                subject=_subject(subject) if subject is not None else None,
                name_match=detail.get("name"),
                reason=detail.get("reason"),
                lists=_entries(row, lang),
                measures=[hit_read(h, lang, today) for h in hits.get(row.id, [])],
                records=[records[i] for i in detail.get("records", []) if i in records],
                commitments=commitments.get(row.subject_id or 0, []),
            )
        )
    return read


def summary(session: Session, check: CreditCheck, lang: Language) -> CheckSummary:
    """The check without its rows."""
    return CheckSummary(
        id=check.id,
        kind=check.kind,
        state=check.state,
        department=_department_name(session, check.department_id, lang),
        matter=check.matter_code,
        matter_name=_matter_name(check.matter_code, lang),
        purpose=check.purpose,
        checked_on=check.checked_on,
        rows_total=check.rows_total,
        rows_done=check.rows_done,
        subjects_hit=check.subjects_hit,
        hits=check.hits,
        created_at=check.created_at,
    )


def check_read(
    session: Session,
    check: CreditCheck,
    lang: Language,
    *,
    today: date,
    offset: int = 0,
    limit: int = 200,
) -> CheckRead:
    """The check and a page of its rows (all of a single check's)."""
    head = summary(session, check, lang).model_dump()
    rows = rows_of(session, check.id, offset=offset, limit=limit)
    return CheckRead(
        **head,
        catalog_version=check.catalog_version,
        subjects_found=check.subjects_found,
        file_name=check.file_name,
        error=check.error,
        finished_at=check.finished_at,
        rows=rows_read(session, rows, lang, today, department_id=check.department_id),
        rows_offset=offset,
    )
