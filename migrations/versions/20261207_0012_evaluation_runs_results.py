"""evaluation runs and per-subject results (append-only per run); supervision classes,
inspectors, inspection plans and draws

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0013"
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

    _supervision()


def _supervision() -> None:
    op.create_table(
        "supervision_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("classification", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("class_code", sa.String(length=16), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("basis", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_supervision_classes_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_classes")),
    )
    op.create_index(
        op.f("ix_supervision_classes_classification_subject_id_until"),
        "supervision_classes",
        ["classification", "subject_id", "until"],
    )
    op.create_index(
        op.f("ix_supervision_classes_classification_class_code_until"),
        "supervision_classes",
        ["classification", "class_code", "until"],
    )
    op.create_table(
        "inspectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("conflicts", JSON, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_inspectors_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspectors")),
    )
    op.create_index(op.f("ix_inspectors_department_id"), "inspectors", ["department_id"])
    op.create_table(
        "inspection_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("classification", sa.String(length=64), nullable=False),
        sa.Column("matter", sa.Text(), nullable=False),
        sa.Column("ratios", JSON, nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("drawn_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_inspection_plans_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_plans")),
    )
    op.create_table(
        "inspection_draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("class_code", sa.String(length=16), nullable=False),
        sa.Column("must_inspect", sa.Boolean(), nullable=False),
        sa.Column("inspector_ids", JSON, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["inspection_plans.id"],
            name=op.f("fk_inspection_draws_plan_id_inspection_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_inspection_draws_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_draws")),
    )
    op.create_index(op.f("ix_inspection_draws_plan_id"), "inspection_draws", ["plan_id"])
    op.create_index(op.f("ix_inspection_draws_subject_id"), "inspection_draws", ["subject_id"])


def downgrade() -> None:
    for table in ("inspection_draws", "inspection_plans", "inspectors", "supervision_classes"):
        op.drop_table(table)
    op.drop_index(op.f("ix_evaluation_results_run_id_subject_id"), table_name="evaluation_results")
    op.drop_index(
        op.f("ix_evaluation_results_subject_id_model_code_run_id"), table_name="evaluation_results"
    )
    op.drop_table("evaluation_results")
    op.drop_index(op.f("ix_evaluation_runs_model_code_as_of_id"), table_name="evaluation_runs")
    op.drop_table("evaluation_runs")
