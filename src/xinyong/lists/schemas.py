"""What the lists API reads (bounded JSON bodies) and answers (XRead models)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from xinyong.catalog import service as catalog_service
from xinyong.core.errors import XinyongError
from xinyong.core.text import Storable
from xinyong.lists.config import ListType, basis_line
from xinyong.lists.entries import MAX_BASIS, MAX_TEXT
from xinyong.lists.models import ListEntry, ListEntryEvent
from xinyong.lists.queue import EntryDetail
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1, description="the entry version you saw")]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT), Storable]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64), Storable]
SubjectCode = Annotated[str, StringConstraints(min_length=1, max_length=40), Storable]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


@contextmanager
def fields_named(names: dict[str, str]) -> Iterator[None]:
    """Errors of the service name its fields (subject_id); the caller's form names others."""
    try:
        yield
    except XinyongError as exc:
        field = exc.details.get("field")
        if isinstance(field, str) and field in names:
            exc.details["field"] = names[field]
        raise


# --- bodies ---------------------------------------------------------------------------------


class ProposeBody(_Body):
    """A proposal (拟列入): the list, the subject by its code, the records it rests on."""

    list_code: Code
    subject_code: SubjectCode = Field(description="统一社会信用代码或身份证号 · USCC or ID number")
    basis_record_ids: list[RowId] = Field(min_length=1, max_length=MAX_BASIS)
    legal_basis: Text
    reasons: Text
    department: Code | None = Field(
        default=None, description="部门标识或代码 · department key or code (admins only)"
    )


class VersionBody(_Body):
    """A step decided on the version of the entry the officer saw (409 if it changed)."""

    version: Version


class RemoveBody(_Body):
    """Remove a listed entry or withdraw a proposed or notified one, on a removal condition."""

    version: Version
    reason: Code = Field(description="移出条件代码 · removal condition code of the list")
    note: Text | None = None


# --- answers --------------------------------------------------------------------------------


class RemovalConditionRead(BaseModel):
    code: str
    zh: str
    en: str


class ListTypeRead(BaseModel):
    """One list type (名单类型): who decides, about whom, how long, on what basis, how it ends."""

    code: str
    name_zh: str
    name_en: str
    kind: str
    public: bool
    source: str
    deciders: list[str]
    subject_kinds: list[str]
    term: str | None = Field(description="ISO 8601 period from listing; null = until removed")
    objection_window: int = Field(description="working days after the notice")
    removal_conditions: list[RemovalConditionRead]
    legal_basis: list[str]
    item_code: str | None
    description: str | None


def list_type_read(spec: ListType) -> ListTypeRead:
    """The API's view of a list type."""
    return ListTypeRead(
        code=spec.code,
        name_zh=spec.name.zh,
        name_en=spec.name.en,
        kind=spec.kind.value,
        public=spec.public,
        source=spec.source.value,
        deciders=[str(kind) for kind in spec.deciders],
        subject_kinds=[str(kind) for kind in spec.subject_kinds],
        term=spec.term,
        objection_window=spec.objection_window,
        removal_conditions=[
            RemovalConditionRead(code=c.code, zh=c.zh, en=c.en) for c in spec.removal_conditions
        ],
        legal_basis=[basis_line(b) for b in spec.legal_basis],
        item_code=spec.item_code,
        description=spec.description,
    )


class EntrySummaryRead(BaseModel):
    """A row of the queue."""

    id: int
    list_code: str
    state: str
    source: str
    subject_id: int
    subject_name: str
    subject_code: str
    department_id: int
    proposed_on: date
    notified_on: date | None
    objection_until: date | None
    held_by_objection: bool
    listed_on: date | None
    term_end: date | None
    removed_on: date | None
    removal_reason: str | None
    version: int


class EntryPage(BaseModel):
    total: int
    page: int
    limit: int
    items: list[EntrySummaryRead]


class BasisRecordRead(BaseModel):
    """A record the entry rests on (no contents: read it through the records API)."""

    id: int
    item_code: str
    item_name_zh: str
    source_record_id: str
    department_id: int
    decision_date: date | None
    state: str
    is_current: bool


class EventRead(BaseModel):
    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str | None
    note: str | None


class EntryRead(EntrySummaryRead):
    """One entry with its grounds, its basis records, its timeline and the steps open now."""

    legal_basis: str
    reasons: str
    proposed_by: str
    objection_ref: str | None
    removal_note: str | None
    record_id: int | None
    escalated_from_id: int | None
    basis_records: list[BasisRecordRead]
    timeline: list[EventRead]
    steps: list[str] = Field(description="notify, list, remove: the steps of its state")


def subject_code(subject: Subject | None) -> str:
    """The code shown for a subject: its USCC, or a person's masked ID number."""
    if subject is None:
        return ""
    return subject.uscc or subject.id_number_masked or ""


def summary_read(entry: ListEntry, subject: Subject | None) -> EntrySummaryRead:
    """A queue row."""
    return EntrySummaryRead.model_validate(_summary_fields(entry, subject))


def _summary_fields(entry: ListEntry, subject: Subject | None) -> dict[str, object]:
    fields: dict[str, object] = {
        name: getattr(entry, name)
        for name in EntrySummaryRead.model_fields
        if name not in ("subject_name", "subject_code")
    }
    fields["subject_name"] = subject.name if subject else ""
    fields["subject_code"] = subject_code(subject)
    return fields


def _basis_read(record: Record) -> BasisRecordRead:
    item = catalog_service.get_catalog().items.get(record.item_code)
    return BasisRecordRead(
        id=record.id,
        item_code=record.item_code,
        item_name_zh=item.name.zh if item else record.item_code,
        source_record_id=record.source_record_id,
        department_id=record.department_id,
        decision_date=record.decision_date,
        state=record.state,
        is_current=record.is_current,
    )


def _event_read(event: ListEntryEvent) -> EventRead:
    return EventRead(
        at=event.at,
        actor=event.actor,
        action=event.action,
        from_state=event.from_state,
        to_state=event.to_state,
        note=event.note,
    )


def entry_read(detail: EntryDetail) -> EntryRead:
    """The API's view of one entry."""
    entry = detail.entry
    return EntryRead.model_validate(
        {
            **_summary_fields(entry, detail.subject),
            "legal_basis": entry.legal_basis,
            "reasons": entry.reasons,
            "proposed_by": entry.proposed_by,
            "objection_ref": entry.objection_ref,
            "removal_note": entry.removal_note,
            "record_id": entry.record_id,
            "escalated_from_id": entry.escalated_from_id,
            "basis_records": [_basis_read(r) for r in detail.basis],
            "timeline": [_event_read(e) for e in detail.timeline],
            "steps": detail.steps,
        }
    )
