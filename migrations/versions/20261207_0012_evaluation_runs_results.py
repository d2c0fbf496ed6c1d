"""evaluation runs and per-subject results (append-only per run)

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "evaluation_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_code", sa.String(length=64), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("engine", sa.String(length=12), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("timings", JSON, nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("grade_counts", JSON, nullable=False),
        sa.Column("score_mean", sa.Float(), nullable=True),
        sa.Column("histograms", JSON, nullable=False),
        sa.Column("previous_run_id", sa.Integer(), nullable=True),
        sa.Column("psi", sa.Float(), nullable=True),
        sa.Column("drift", JSON, nullable=False),
        sa.Column("drift_flagged", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.CheckConstraint("mode IN ('full', 'incremental')", name=op.f("ck_evaluation_runs_mode")),
        sa.CheckConstraint("engine IN ('polars', 'dask')", name=op.f("ck_evaluation_runs_engine")),
        sa.ForeignKeyConstraint(
            ["previous_run_id"],
            ["evaluation_runs.id"],
            name=op.f("fk_evaluation_runs_previous_run_id_evaluation_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_runs")),
    )
    op.create_index(
        op.f("ix_evaluation_runs_model_code_as_of_id"),
        "evaluation_runs",
        ["model_code", "as_of", "id"],
    )
    op.create_table(
        "evaluation_results",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("model_code", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(length=8), nullable=False),
        sa.Column("band_grade", sa.String(length=8), nullable=False),
        sa.Column("override", sa.String(length=64), nullable=True),
        sa.Column("contributions", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["evaluation_runs.id"],
            name=op.f("fk_evaluation_results_run_id_evaluation_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_evaluation_results_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_results")),
    )
    op.create_index(
        op.f("ix_evaluation_results_subject_id_model_code_run_id"),
        "evaluation_results",
        ["subject_id", "model_code", "run_id"],
    )
    op.create_index(
        op.f("ix_evaluation_results_run_id_subject_id"),
        "evaluation_results",
        ["run_id", "subject_id"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_evaluation_results_run_id_subject_id"), table_name="evaluation_results")
    op.drop_index(
        op.f("ix_evaluation_results_subject_id_model_code_run_id"), table_name="evaluation_results"
    )
    op.drop_table("evaluation_results")
    op.drop_index(op.f("ix_evaluation_runs_model_code_as_of_id"), table_name="evaluation_runs")
    op.drop_table("evaluation_runs")
