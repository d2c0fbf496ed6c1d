"""信易+ tables: partners' scenarios, issued credit codes, their uses, verifications,
redemptions and quota counters."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, in_values, utcnow

SCENARIO_STATES = ("proposed", "published", "rejected", "withdrawn")
OUTCOMES = ("eligible", "not_eligible", "quota_reached", "expired", "already_used", "invalid")


class PartnerScenario(Base):
    """A scenario a partner organisation proposed; published once the credit office approves.

    ``definition`` is the scenario as validated by ``incentives.config.ScenarioSpec``."""

    __tablename__ = "incentive_scenarios"
    __table_args__ = (CheckConstraint(in_values("state", SCENARIO_STATES), name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="proposed")
    definition: Mapped[dict[str, Any]] = mapped_column()
    proposed_by: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CreditCode(Base):
    """One issued credit-code token: a random id, whose holder only the platform knows."""

    __tablename__ = "incentive_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[str] = mapped_column(String(32), unique=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class CodeUse(Base):
    """A code used at a partner: the primary key makes each token one use per partner."""

    __tablename__ = "incentive_code_uses"

    code_id: Mapped[int] = mapped_column(ForeignKey("incentive_codes.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    scenario_code: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Verification(Base):
    """One verification at a partner's outlet and its outcome (for figures)."""

    __tablename__ = "incentive_verifications"
    __table_args__ = (
        CheckConstraint(in_values("outcome", OUTCOMES), name="outcome"),
        Index(None, "scenario_code", "at"),
        Index(None, "organisation_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    scenario_code: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    outlet: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))


class Redemption(Base):
    """A benefit granted at an outlet: scenario, partner, holder, time and value."""

    __tablename__ = "incentive_redemptions"
    __table_args__ = (
        Index(None, "scenario_code", "at"),
        Index(None, "organisation_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    scenario_code: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("incentive_codes.id"), unique=True)
    outlet: Mapped[str | None] = mapped_column(String(200))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))


class QuotaCounter(Base):
    """Redemptions counted against a quota: a holder's in a period, or a scenario's total.

    Taken with a conditional update (``used < limit``), so concurrent redemptions never
    exceed the quota on either store."""

    __tablename__ = "incentive_quota_counters"
    __table_args__ = (CheckConstraint("used >= 0", name="used_not_negative"),)

    scenario_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(24), primary_key=True)  # "s:<id>" or "total"
    period: Mapped[str] = mapped_column(String(12), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)
