"""Pydantic shapes for records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.records.states import RecordState


class RecordCreate(BaseModel):
    """A record as a source department submits it (payload keys are catalogue field names)."""

    model_config = ConfigDict(extra="forbid")

    subject_id: int
    item_code: str = Field(min_length=1, max_length=64)
    department_id: int
    source_record_id: str = Field(min_length=1, max_length=128)
    payload: dict[str, Any]
    decision_date: date | None = None
    batch_id: str | None = Field(default=None, max_length=64)


class RecordRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subject_id: int
    item_code: str
    department_id: int
    source_record_id: str
    version: int
    is_current: bool
    state: RecordState
    decision_date: date | None
    severity: str | None
    polarity: str
    disclosure_end: date | None
    payload: dict[str, Any]
    catalog_version: str
    batch_id: str | None
    supersedes_id: int | None
    state_reason: str | None
    created_at: datetime


Outcome = Literal["created", "unchanged", "corrected"]
