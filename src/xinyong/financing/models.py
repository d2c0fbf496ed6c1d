"""信易贷 tables: institutions (banks and branches as organisations), loan products, needs,
applications and their events, the risk-compensation fund (claims, append-only ledger) and
webhook endpoints with their delivery queue. Money in yuan (integers), rates in basis points."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, in_values, utcnow

APPLICATION_STATES = ("submitted", "accepted", "granted", "declined", "withdrawn")
FINAL_STATES = ("granted", "declined", "withdrawn")
COLLATERAL = ("none", "some")
CLAIM_STATES = ("filed", "approved", "rejected")
LEDGER_KINDS = ("contribution", "compensation")
DELIVERY_STATES = ("pending", "delivered", "failed")

Money = BigInteger().with_variant(Integer, "sqlite")


class Institution(Base):
    """A bank (``parent_id`` None) or one of its branches; the organisation row is auth's."""

    __tablename__ = "financing_institutions"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    short_name: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str | None] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Product(Base):
    """A loan product a bank publishes, with machine-readable eligibility conditions."""

    __tablename__ = "financing_products"
    __table_args__ = (
        CheckConstraint("amount_min > 0 AND amount_min <= amount_max", name="amounts"),
        CheckConstraint("rate_min_bp > 0 AND rate_min_bp <= rate_max_bp", name="rates"),
        CheckConstraint("term_min_months > 0 AND term_min_months <= term_max_months", name="terms"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    amount_min: Mapped[int] = mapped_column(Money)
    amount_max: Mapped[int] = mapped_column(Money)
    rate_min_bp: Mapped[int] = mapped_column(Integer)
    rate_max_bp: Mapped[int] = mapped_column(Integer)
    term_min_months: Mapped[int] = mapped_column(Integer)
    term_max_months: Mapped[int] = mapped_column(Integer)
    eligibility: Mapped[str] = mapped_column(Text)
    # {"min_grade": "B", "min_years": 2, "no_serious_dishonesty": true}
    conditions: Mapped[dict[str, Any]] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Need(Base):
    """A firm's financing need (融资需求) posted for banks to answer."""

    __tablename__ = "financing_needs"
    __table_args__ = (
        CheckConstraint(in_values("collateral", COLLATERAL), name="collateral"),
        CheckConstraint("amount > 0 AND term_months > 0", name="positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    amount: Mapped[int] = mapped_column(Money)
    term_months: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(Text)
    collateral: Mapped[str] = mapped_column(String(8))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Application(Base):
    """A firm's application to one branch (for a product or answering its need)."""

    __tablename__ = "financing_applications"
    __table_args__ = (
        CheckConstraint(in_values("state", APPLICATION_STATES), name="state"),
        CheckConstraint("amount > 0 AND term_months > 0", name="positive"),
        CheckConstraint(
            "state <> 'granted' OR (granted_amount > 0 AND granted_rate_bp > 0 AND "
            "granted_term_months > 0 AND granted_on IS NOT NULL)",
            name="granted_fields",
        ),
        CheckConstraint("state <> 'declined' OR decline_reason IS NOT NULL", name="declined"),
        Index(None, "branch_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("financing_products.id"))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("financing_needs.id"))
    bank_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    authorisation_id: Mapped[int] = mapped_column(ForeignKey("authorisations.id"))
    contract_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    amount: Mapped[int] = mapped_column(Money)
    term_months: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="submitted")
    version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    feedback_due: Mapped[date] = mapped_column(Date)
    feedback_at: Mapped[datetime | None] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()
    granted_amount: Mapped[int | None] = mapped_column(Money)
    granted_rate_bp: Mapped[int | None] = mapped_column(Integer)
    granted_term_months: Mapped[int | None] = mapped_column(Integer)
    granted_on: Mapped[date | None] = mapped_column(Date)
    decline_reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class ApplicationEvent(Base):
    """One step of an application's history (submitted, accepted, granted …)."""

    __tablename__ = "financing_application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("financing_applications.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class FundClaim(Base):
    """A bank's loss claim on a granted loan against the risk-compensation fund."""

    __tablename__ = "financing_fund_claims"
    __table_args__ = (
        CheckConstraint(in_values("state", CLAIM_STATES), name="state"),
        CheckConstraint("loss_amount > 0 AND compensation >= 0", name="amounts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("financing_applications.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    bank_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    loss_amount: Mapped[int] = mapped_column(Money)
    compensation: Mapped[int] = mapped_column(Money)
    state: Mapped[str] = mapped_column(String(12), default="filed")
    note: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column()


class FundEntry(Base):
    """The fund's ledger: append-only; each row carries the balance after it."""

    __tablename__ = "financing_fund_ledger"
    __table_args__ = (
        CheckConstraint(in_values("kind", LEDGER_KINDS), name="kind"),
        CheckConstraint("amount > 0 AND balance_after >= 0", name="amounts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(Money)
    balance_after: Mapped[int] = mapped_column(Money)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("financing_fund_claims.id"))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)


class WebhookEndpoint(Base):
    """Where a bank's system wants new applications pushed; the secret is stored sealed."""

    __tablename__ = "financing_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    secret_enc: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """One event to push to one endpoint, retried with backoff until delivered or given up."""

    __tablename__ = "financing_webhook_deliveries"
    __table_args__ = (
        CheckConstraint(in_values("state", DELIVERY_STATES), name="state"),
        Index(None, "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("financing_webhooks.id"))
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column()
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
