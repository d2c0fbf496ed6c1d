"""portal search index (bigram postings) and the publication index on records

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subject_search",
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("trade_key", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_subject_search_subject_id_subjects"),
        ),
        sa.PrimaryKeyConstraint("subject_id", name=op.f("pk_subject_search")),
    )
    op.create_index(
        op.f("ix_subject_search_name_key"), "subject_search", ["name_key"], unique=False
    )
    op.create_index(
        op.f("ix_subject_search_trade_key"), "subject_search", ["trade_key"], unique=False
    )
    op.create_table(
        "subject_search_grams",
        sa.Column("gram", sa.String(length=4), nullable=False),
        sa.Column("subject_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("gram", "subject_id", name=op.f("pk_subject_search_grams")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_records_publication",
        "records",
        ["item_code", "decision_date", "id", "state", "disclosure_end", "is_current"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_records_publication", table_name="records")
    op.drop_table("subject_search_grams")
    op.drop_table("subject_search")
