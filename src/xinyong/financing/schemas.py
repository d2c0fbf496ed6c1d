"""Pydantic shapes of 信易贷: products, needs, applications, decisions, claims, webhooks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.core.text import StorableStr

MAX_YUAN = 10_000_000_000  # ten billion yuan: beyond any loan to a small firm


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Conditions(_In):
    """Machine-readable eligibility: all given conditions must hold."""

    min_grade: StorableStr | None = Field(default=None, max_length=4)
    min_years: int | None = Field(default=None, ge=0, le=100)
    no_serious_dishonesty: bool = True


class ProductCreate(_In):
    name: StorableStr = Field(min_length=2, max_length=200)
    kind: StorableStr = Field(max_length=32)
    amount_min: int = Field(gt=0, le=MAX_YUAN, description="yuan")
    amount_max: int = Field(gt=0, le=MAX_YUAN, description="yuan")
    rate_min_bp: int = Field(gt=0, le=10_000, description="annual rate, basis points")
    rate_max_bp: int = Field(gt=0, le=10_000, description="annual rate, basis points")
    term_min_months: int = Field(gt=0, le=360)
    term_max_months: int = Field(gt=0, le=360)
    eligibility: StorableStr = Field(min_length=2, max_length=4000)
    conditions: Conditions = Field(default_factory=Conditions)


class ProductRead(BaseModel):
    id: int
    bank_id: int
    bank: str
    name: str
    kind: str
    kind_name: str
    amount_min: int
    amount_max: int
    rate_min_bp: int
    rate_max_bp: int
    term_min_months: int
    term_max_months: int
    eligibility: str
    conditions: dict[str, object]


class NeedCreate(_In):
    amount: int = Field(gt=0, le=MAX_YUAN, description="yuan")
    term_months: int = Field(gt=0, le=360)
    purpose: StorableStr = Field(min_length=2, max_length=1000)
    collateral: Literal["none", "some"] = "none"


class ApplicationCreate(_In):
    product_id: int = Field(gt=0, le=2_000_000_000)
    branch_id: int | None = Field(default=None, gt=0, le=2_000_000_000)
    amount: int = Field(gt=0, le=MAX_YUAN, description="yuan")
    term_months: int = Field(gt=0, le=360)
    purpose: StorableStr = Field(min_length=2, max_length=1000)
    items: list[StorableStr] = Field(default_factory=list, max_length=20)
    days: int | None = Field(default=None, ge=1, le=366, description="authorisation days")
    contract_record_id: int | None = Field(default=None, gt=0, le=2_000_000_000)
    need_id: int | None = Field(default=None, gt=0, le=2_000_000_000)


class Decision(_In):
    """A branch's feedback. ``granted`` needs amount, rate, term and date; ``declined`` a
    reason code; ``accepted`` and ``withdrawn`` nothing more."""

    outcome: Literal["accepted", "granted", "declined", "withdrawn"]
    version: int | None = Field(default=None, ge=1, le=1_000_000)
    amount: int | None = Field(default=None, gt=0, le=MAX_YUAN)
    rate_bp: int | None = Field(default=None, gt=0, le=10_000)
    term_months: int | None = Field(default=None, gt=0, le=360)
    granted_on: date | None = None
    reason: StorableStr | None = Field(default=None, max_length=32)
    note: StorableStr | None = Field(default=None, max_length=2000)


class ApplicationRead(BaseModel):
    id: int
    subject: str
    subject_code: str | None
    product_id: int | None
    product: str | None
    bank_id: int
    branch_id: int
    branch: str
    amount: int
    term_months: int
    purpose: str
    state: str
    version: int
    submitted_at: datetime
    feedback_due: date
    overdue: bool
    authorisation_live: bool
    granted_amount: int | None
    granted_rate_bp: int | None
    granted_term_months: int | None
    granted_on: date | None
    decline_reason: str | None
    contract_record_id: int | None


class ClaimCreate(_In):
    loss_amount: int = Field(gt=0, le=MAX_YUAN)
    note: StorableStr = Field(min_length=2, max_length=2000)


class WebhookCreate(_In):
    url: StorableStr = Field(min_length=8, max_length=500, pattern=r"^https?://")
