"""credit reports: issued reports with their signed content and PDF, batch requests

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-07 14:34:32.716712
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "report_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type_code", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("requester_actor", sa.String(length=128), nullable=False),
        sa.Column("requester_label", sa.String(length=255), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column(
            "codes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "problems",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_report_batches_state")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_report_batches_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_batches")),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("type_code", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("requester_actor", sa.String(length=128), nullable=False),
        sa.Column("requester_kind", sa.String(length=16), nullable=False),
        sa.Column("requester_label", sa.String(length=255), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("counter_note", sa.Text(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column(
            "content",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("digest_algorithm", sa.String(length=8), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("basis_digest", sa.String(length=64), nullable=False),
        sa.Column("pdf_digest", sa.String(length=64), nullable=False),
        sa.Column("suite", sa.String(length=8), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("content_signature", sa.Text(), nullable=False),
        sa.Column("pdf_signature", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "audience IN ('public', 'subject', 'authorised', 'government')",
            name=op.f("ck_reports_audience"),
        ),
        sa.CheckConstraint(
            "channel IN ('online', 'authorised', 'counter', 'batch', 'api', 'cli')",
            name=op.f("ck_reports_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["report_batches.id"], name=op.f("fk_reports_batch_id_report_batches")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_reports_department_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_reports_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_reports_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("number", name=op.f("uq_reports_number")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_issued_at"), ["issued_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reports_requester_actor_issued_at"),
            ["requester_actor", "issued_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_reports_subject_id"), ["subject_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reports_type_code_issued_at"), ["type_code", "issued_at"], unique=False
        )

    op.create_table(
        "report_documents",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_documents_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_documents")),
    )


def downgrade() -> None:

    op.drop_table("report_documents")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_type_code_issued_at"))
        batch_op.drop_index(batch_op.f("ix_reports_subject_id"))
        batch_op.drop_index(batch_op.f("ix_reports_requester_actor_issued_at"))
        batch_op.drop_index(batch_op.f("ix_reports_issued_at"))
        batch_op.drop_index(batch_op.f("ix_reports_batch_id"))

    op.drop_table("reports")
    op.drop_table("report_batches")
