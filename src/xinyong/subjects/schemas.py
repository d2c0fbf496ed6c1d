"""Pydantic shapes for subjects and departments."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from xinyong.identity.kinds import SubjectKind


class SubjectCreate(BaseModel):
    """A new subject: organisations carry a USCC, natural persons an ID number."""

    model_config = ConfigDict(extra="forbid")

    kind: SubjectKind
    name: str = Field(min_length=1, max_length=255)
    uscc: str | None = None
    id_number: str | None = None
    registration_number: str | None = None
    organization_code: str | None = None
    status: str = "active"
    verified: bool = True
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    registration_date: date | None = None
    industry: str | None = Field(default=None, max_length=4)


class SubjectRead(BaseModel):
    """A subject as shown to staff (ID numbers always masked)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: SubjectKind
    category: str | None
    uscc: str | None
    id_number_masked: str | None
    name: str
    name_normalized: str
    status: str
    verified: bool
    region_code: str | None
    registration_date: date | None
    industry: str | None


class DepartmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    code: str
    kind: str
    name_zh: str
    name_en: str
    short_name: str | None
    level: str
    region_code: str
    parent_key: str | None
    is_credit_office: bool
    active: bool
