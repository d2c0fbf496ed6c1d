"""Credit checks as the API and the console show them: request bodies and read models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.checks.feedback import is_overdue
from xinyong.checks.models import CheckHit, CheckRow, CreditCheck
from xinyong.checks.service import hits_of, rows_of
from xinyong.core.errors import NotFound
from xinyong.core.i18n import Language, t
from xinyong.core.text import Storable
from xinyong.measures.catalog import get_catalog
from xinyong.measures.present import BasisRead, basis_text
from xinyong.records.models import Record
from xinyong.subjects.models import Department, Subject

Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubjectAsked(_Body):
    """A subject to check: its code (USCC, ID number, old codes) or its name, or both."""

    code: Code | None = None
    name: Name | None = None

    @model_validator(mode="after")
    def _one_given(self) -> SubjectAsked:
        if not (self.code or self.name):
            raise ValueError("give a code or a name")
        return self


class CheckCreate(_Body):
    """A credit check: the matter, the purpose, the subjects (admins name the department)."""

    matter: Annotated[str, StringConstraints(max_length=64), Storable] = Field(
        description="应用事项代码 · matter code (see /api/v1/matters)"
    )
    purpose: Annotated[str, StringConstraints(max_length=500), Storable] = Field(
        description="查询目的 · purpose, e.g. the application or tender number"
    )
    subjects: list[SubjectAsked] = Field(min_length=1, max_length=100)
    department: Annotated[str, StringConstraints(max_length=64), Storable] | None = Field(
        default=None, description="核查部门 · department key or code (admins only)"
    )


class FeedbackBody(_Body):
    """Whether the measure was applied, when, and why (required when not applied)."""

    outcome: Literal["applied", "not_applied"]
    on: date = Field(description="实施或决定不实施的日期 · date applied or decided not to apply")
    reason: Annotated[str, StringConstraints(max_length=2000), Storable] | None = None
    version: int | None = Field(default=None, ge=1, description="the version you saw")


class HitRead(BaseModel):
    id: int
    measure: str
    name: str
    kind: str
    kind_label: str
    type_label: str
    legal_basis: list[BasisRead]
    reasons: list[str]
    feedback: str
    feedback_label: str
    feedback_due: date
    overdue: bool
    feedback_on: date | None
    feedback_reason: str | None
    version: int


class EntryRead(BaseModel):
    entry_id: int
    list_code: str
    list_name: str
    listed_on: date | None
    term_end: date | None
    legal_basis: str


class RecordBrief(BaseModel):
    id: int
    item: str
    item_name: str
    department: str
    document_number: str  # the source record id: the decision's document number
    decision_date: date | None
    severity: str | None
    state: str


class SubjectBrief(BaseModel):
    id: int
    name: str
    kind: str
    code: str | None  # USCC; natural persons' ID numbers masked


class RowRead(BaseModel):
    row_no: int
    query_name: str | None
    query_code: str | None
    resolution: str
    resolution_label: str
    score: float | None
    subject: SubjectBrief | None
    name_match: dict[str, Any] | None
    reason: str | None
    lists: list[EntryRead]
    measures: list[HitRead]
    records: list[RecordBrief]


class CheckRead(BaseModel):
    id: int
    kind: str
    state: str
    department: str
    matter: str
    matter_name: str
    purpose: str
    checked_on: date
    catalog_version: str
    rows_total: int
    rows_done: int
    subjects_found: int
    subjects_hit: int
    hits: int
    file_name: str | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    rows: list[RowRead]
    rows_offset: int = 0


class CheckSummary(BaseModel):
    id: int
    kind: str
    state: str
    department: str
    matter: str
    matter_name: str
    purpose: str
    checked_on: date
    rows_total: int
    rows_done: int
    subjects_hit: int
    hits: int
    created_at: datetime


class CheckPage(BaseModel):
    total: int
    checks: list[CheckSummary]


class HitPage(BaseModel):
    total: int
    hits: list[HitRead]


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


def rows_read(session: Session, rows: list[CheckRow], lang: Language, today: date) -> list[RowRead]:
    """The rows with their subjects, entries, hits and records."""
    hits = hits_of(session, [row.id for row in rows])
    ids = [row.subject_id for row in rows if row.subject_id is not None]
    subjects = {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(ids)))}
    records = _records(session, rows, lang)
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
        rows=rows_read(session, rows, lang, today),
        rows_offset=offset,
    )
