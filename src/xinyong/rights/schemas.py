"""What the rights API reads (JSON bodies with bounded sizes) and answers (XRead models)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from xinyong.core.text import Storable
from xinyong.rights.objections import MAX_STATEMENT, MAX_TARGETS
from xinyong.rights.service import CaseDetail
from xinyong.rights.states import RepairOutcome, TargetOutcome

RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1, description="the case version you saw")]
Text = Annotated[str, StringConstraints(max_length=MAX_STATEMENT), Storable]
Contact = Annotated[str, StringConstraints(max_length=100), Storable]
SubjectCode = Annotated[str, StringConstraints(max_length=40), Storable]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=64), Storable]
ShortText = Annotated[str, StringConstraints(max_length=500), Storable]
Number = Annotated[float, Field(allow_inf_nan=False)]
Integer = Annotated[int, Field(ge=-(10**15), le=10**15)]
FieldValue = (
    Text | Integer | Number | bool | None | Annotated[list[ShortText], Field(max_length=50)]
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- bodies ---------------------------------------------------------------------------------


class TargetDecisionIn(_Body):
    """The decision on one disputed record; ``changes`` for correct / supplement. A list entry
    is decided by its target's ``record_id``: ``remove_from_list`` (upheld) or ``keep``."""

    record_id: RowId
    outcome: TargetOutcome
    reason: Text
    changes: dict[FieldName, FieldValue] = Field(default_factory=dict, max_length=50)


class DecisionBody(_Body):
    """Objection: ``decisions`` (one per record). Repair: ``outcome``, ``reason``,
    optionally ``reapply_from`` (a refusal's earliest new application)."""

    version: Version
    decisions: list[TargetDecisionIn] | None = Field(default=None, max_length=MAX_TARGETS)
    outcome: RepairOutcome | None = None
    reason: Text | None = None
    reapply_from: date | None = None


class VersionBody(_Body):
    version: Version


class MaterialRequestBody(_Body):
    version: Version
    missing: Text


class ReasonBody(_Body):
    version: Version
    reason: Text


class WithdrawBody(_Body):
    reason: Text = ""
    version: Version | None = None  # the version the applicant saw (409 if it changed)


# --- answers --------------------------------------------------------------------------------


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ObstacleRead(_Read):
    code: str
    zh: str
    en: str


class EligibilityRead(_Read):
    """Whether the record can be repaired now; if not, why (zh / en) and from when."""

    record_id: int
    tier: str | None
    eligible: bool
    obstacles: list[ObstacleRead]
    earliest: date | None
    minimum_period: str | None
    legal_basis: str


class CaseSummaryRead(_Read):
    id: int
    number: str
    kind: str
    state: str
    department_id: int
    received_on: date
    due_on: date | None
    overdue: bool
    outcome: str | None


class CasePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CaseSummaryRead]


class TargetEntryRead(_Read):
    """A disputed list entry as it stands now."""

    id: int
    list_code: str
    state: str
    held_by_objection: bool
    notified_on: date | None
    objection_until: date | None = Field(description="last day to object before listing")
    listed_on: date | None
    term_end: date | None
    removed_on: date | None
    removal_reason: str | None


class TargetRead(_Read):
    """A disputed record as filed (no payload: read the record itself for its fields).

    For an objection against a list entry, ``list_entry`` is the entry and the record is the
    one it rests on; ``state_before`` is then the entry's state. Decide it by ``record_id``."""

    record_id: int
    item_code: str
    source_record_id: str
    state_before: str
    outcome: str | None
    reason: str | None
    result_record_id: int | None
    list_entry: TargetEntryRead | None = None


class EventRead(_Read):
    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str | None
    note: str | None
    data: dict[str, Any]


class FileRead(_Read):
    """A case file's metadata; the content is downloaded separately."""

    id: int
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class CaseRead(_Read):
    id: int
    number: str
    kind: str
    state: str
    subject_id: int
    department_id: int
    channel: str
    contact: str | None
    ground: str
    statement: str
    received_on: date
    due_on: date | None
    decide_due_on: date | None
    accepted_on: date | None
    extended: bool
    extension_reason: str | None
    material_note: str | None
    outcome: str | None
    outcome_reason: str | None
    reapply_from: date | None
    closed_on: date | None
    handling_workdays: int | None
    commitment_record_id: int | None
    overdue: bool
    version: int
    targets: list[TargetRead]
    timeline: list[EventRead]
    files: list[FileRead]


class KindFiguresRead(_Read):
    kind: str
    total: int
    open: int
    open_overdue: int
    by_outcome: dict[str, int]
    median_workdays: float | None
    overdue_rate: float | None


class RightsFiguresRead(_Read):
    department_id: int | None = Field(description="null: the whole platform")
    kinds: list[KindFiguresRead]
    subjects_repaired: int
    records_under_objection: int


class NoticeRead(_Read):
    id: int
    key: str
    text: str
    ref_type: str | None
    ref_id: str | None
    created_at: datetime
    read_at: datetime | None


def case_read(detail: CaseDetail) -> CaseRead:
    """The API's view of a case: its fields, records as filed (no contents), steps, files."""
    case = detail.case
    own = {name: getattr(case, name) for name in CaseRead.model_fields if name not in _DERIVED}
    targets = [
        TargetRead(
            record_id=target.record_id,
            item_code=record.item_code,
            source_record_id=record.source_record_id,
            state_before=target.state_before,
            outcome=target.outcome,
            reason=target.outcome_reason,
            result_record_id=target.result_record_id,
            list_entry=_entry_read(detail, target.list_entry_id),
        )
        for target, record in detail.targets
    ]
    return CaseRead(
        **own,
        overdue=detail.overdue,
        targets=targets,
        timeline=[EventRead.model_validate(event) for event in detail.timeline],
        files=[FileRead.model_validate(row) for row in detail.files],
    )


def _entry_read(detail: CaseDetail, entry_id: int | None) -> TargetEntryRead | None:
    entry = detail.entries.get(entry_id) if entry_id is not None else None
    return TargetEntryRead.model_validate(entry) if entry is not None else None


_DERIVED = frozenset({"overdue", "targets", "timeline", "files"})
