"""Supervision classes per subject and classification (with history), inspectors, inspection
plans and their draws (双随机)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, utcnow


class SupervisionClass(Base):
    """A subject's class under one classification from ``since`` until ``until`` (None: now)."""

    __tablename__ = "supervision_classes"
    __table_args__ = (
        Index(None, "classification", "subject_id", "until"),
        Index(None, "classification", "class_code", "until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    classification: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    class_code: Mapped[str] = mapped_column(String(16))
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    # What the class rests on: public grade, model grades, lists.
    basis: Mapped[dict[str, Any]] = mapped_column()


class Inspector(Base):
    """A law-enforcement inspector of a department, with subjects they may not inspect."""

    __tablename__ = "inspectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    # Conflicts of interest: subject ids the inspector must not be sent to.
    conflicts: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class InspectionPlan(Base):
    """A 双随机 plan: a department's matter, population, sampling ratio per class, the seed."""

    __tablename__ = "inspection_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    classification: Mapped[str] = mapped_column(String(64))
    matter: Mapped[str] = mapped_column(Text)
    # class code -> ratio (0..1); "must" subjects (abnormal earlier results) are always drawn.
    ratios: Mapped[dict[str, Any]] = mapped_column()
    seed: Mapped[str] = mapped_column(String(64))
    drawn_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InspectionDraw(Base):
    """One subject drawn by a plan, with its pair of inspectors."""

    __tablename__ = "inspection_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    class_code: Mapped[str] = mapped_column(String(16))
    must_inspect: Mapped[bool] = mapped_column(Boolean, default=False)
    inspector_ids: Mapped[list[str]] = mapped_column()
    position: Mapped[int] = mapped_column(Integer)
