"""Credit checks as the API and the console show them: request bodies and read models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from xinyong.core.text import Storable
from xinyong.measures.present import BasisRead
from xinyong.web.problems import KeyedValueError

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
            raise KeyedValueError("ckc.err.give_code")
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


class DueConditionRead(BaseModel):
    text: str
    deadline: date
    state: str
    state_label: str
    overdue: bool


class CommitmentBrief(BaseModel):
    """A live (in force, overdue) or breached commitment of the subject (信用承诺)."""

    number: str
    template: str
    template_name: str
    kind_label: str
    matter: str
    department: str
    publicity: str
    status: str
    status_label: str
    signed_on: date
    breach_record_id: int | None
    conditions: list[DueConditionRead]


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
    commitments: list[CommitmentBrief] = []


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
