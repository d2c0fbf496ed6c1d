"""Evaluation runs, their per-subject results, and subjects flagged for re-evaluation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, utcnow


class RecomputeFlag(Base):
    """A subject whose evaluation is stale (the next evaluation run picks it up)."""

    __tablename__ = "evaluation_recompute"

    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    flagged_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvaluationRun(Base):
    """One run of one model as of one date: what it scored and how the scores moved.

    Runs are append-only: a later run never changes an earlier one's results.
    """

    __tablename__ = "evaluation_runs"
    __table_args__ = (
        CheckConstraint("mode IN ('full', 'incremental')", name="mode"),
        CheckConstraint("engine IN ('polars', 'dask')", name="engine"),
        Index(None, "model_code", "as_of", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    model_code: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(12))
    engine: Mapped[str] = mapped_column(String(12))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    # Milliseconds per phase: read, compute, write.
    timings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    subjects: Mapped[int] = mapped_column(Integer, default=0)
    grade_counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    score_mean: Mapped[float | None] = mapped_column(Float)
    # Monitoring: score histogram, per-indicator points histograms, PSI against the
    # previous full run of the model, per-indicator drift, and whether PSI passed 0.25.
    histograms: Mapped[dict[str, Any]] = mapped_column(default=dict)
    previous_run_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_runs.id"))
    psi: Mapped[float | None] = mapped_column(Float)
    drift: Mapped[dict[str, Any]] = mapped_column(default=dict)
    drift_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    actor: Mapped[str] = mapped_column(String(128))


class EvaluationResult(Base):
    """A subject's score and grade in one run, with every indicator that moved it.

    ``contributions`` maps indicator code to ``[value, points]`` for the indicators with a
    value or points; every other indicator of the model contributed nothing.
    """

    __tablename__ = "evaluation_results"
    __table_args__ = (
        Index(None, "subject_id", "model_code", "run_id"),
        Index(None, "run_id", "subject_id", unique=True),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # No foreign keys on run_id and subject_id: the engine writes a run's rows in bulk, in the
    # transaction that created the run, for subject ids it read from the store (subjects are
    # never deleted). Checked row by row, the two keys cost half of the write phase: each row
    # locked its subject (FOR KEY SHARE), dirtying every page of the subjects table.
    run_id: Mapped[int] = mapped_column(Integer)
    model_code: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(8))
    # The grade the score alone gives, and the override that changed it (if one did).
    band_grade: Mapped[str] = mapped_column(String(8))
    override: Mapped[str | None] = mapped_column(String(64))
    contributions: Mapped[dict[str, Any]] = mapped_column()


class GradeObjection(Base):
    """An objection (异议) against a grade: the rights case, the result objected to, and the
    result a recomputation gave when the objection was upheld."""

    __tablename__ = "evaluation_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("rights_cases.id"), unique=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    model_code: Mapped[str] = mapped_column(String(64))
    result_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("evaluation_results.id")
    )
    grade_before: Mapped[str] = mapped_column(String(8))
    score_before: Mapped[float] = mapped_column(Float)
    # Upheld: the recomputed result (a new incremental run of the model for the subject).
    new_result_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("evaluation_results.id")
    )
    grade_after: Mapped[str | None] = mapped_column(String(8))
