"""Pydantic shapes for accounts, organisations, API keys and authorisations."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from xinyong.core.text import StorableStr

USERNAME = r"^[A-Za-z0-9_.@-]{3,64}$"


class AccountCreate(BaseModel):
    """A new account; which of department / organisation / subject is needed follows its kind."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME)
    display_name: StorableStr = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=256)
    kind: str = Field(pattern=r"^(staff|organisation|subject)$")
    role: StorableStr = Field(max_length=32)
    department_id: int | None = None
    organisation_id: int | None = None
    subject_id: int | None = None


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    kind: str
    role: str
    department_id: int | None
    organisation_id: int | None
    subject_id: int | None
    active: bool
    last_login_at: datetime | None


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(pattern=r"^(bank|provider|other)$")
    name: StorableStr = Field(min_length=2, max_length=200)
    uscc: StorableStr | None = None


class AuthorisationCreate(BaseModel):
    """A subject's grant to an organisation: which items, for what purpose, until when."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: int
    scope: list[StorableStr] = Field(min_length=1, max_length=50)
    purpose: StorableStr = Field(min_length=2, max_length=500)
    expires_at: datetime
