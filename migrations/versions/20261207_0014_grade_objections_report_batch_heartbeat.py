"""objections against grades (evaluation_objections); report batch heartbeat, so a batch whose
process was lost is resumed; evaluation results written without per-row foreign-key checks

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-07 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESULT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "evaluation_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("model_code", sa.String(length=64), nullable=False),
        sa.Column("result_id", RESULT_ID, nullable=False),
        sa.Column("grade_before", sa.String(length=8), nullable=False),
        sa.Column("score_before", sa.Float(), nullable=False),
        sa.Column("new_result_id", RESULT_ID, nullable=True),
        sa.Column("grade_after", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["rights_cases.id"],
            name=op.f("fk_evaluation_objections_case_id_rights_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_evaluation_objections_subject_id_subjects"),
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["evaluation_results.id"],
            name=op.f("fk_evaluation_objections_result_id_evaluation_results"),
        ),
        sa.ForeignKeyConstraint(
            ["new_result_id"],
            ["evaluation_results.id"],
            name=op.f("fk_evaluation_objections_new_result_id_evaluation_results"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_objections")),
        sa.UniqueConstraint("case_id", name=op.f("uq_evaluation_objections_case_id")),
    )
    op.create_index(
        op.f("ix_evaluation_objections_subject_id"), "evaluation_objections", ["subject_id"]
    )
    with op.batch_alter_table("report_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    # The engine writes results in bulk for the run it just created and subjects it read;
    # row-by-row key checks (a FOR KEY SHARE lock on every subject) were half the write.
    with op.batch_alter_table("evaluation_results", schema=None) as batch_op:
        batch_op.drop_constraint("fk_evaluation_results_run_id_evaluation_runs", type_="foreignkey")
        batch_op.drop_constraint("fk_evaluation_results_subject_id_subjects", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("evaluation_results", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_evaluation_results_run_id_evaluation_runs",
            "evaluation_runs",
            ["run_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            "fk_evaluation_results_subject_id_subjects", "subjects", ["subject_id"], ["id"]
        )
    with op.batch_alter_table("report_batches", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
    op.drop_index(op.f("ix_evaluation_objections_subject_id"), table_name="evaluation_objections")
    op.drop_table("evaluation_objections")
