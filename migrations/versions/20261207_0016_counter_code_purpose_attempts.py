"""counter codes: a purpose (open an account or reset its password), wrong tries counted,
void when locked out or replaced

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("counter_codes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=16), nullable=False, server_default="open")
        )
        batch_op.add_column(
            sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(op.f("ck_counter_codes_purpose"), "purpose IN ('open', 'reset')")


def downgrade() -> None:
    with op.batch_alter_table("counter_codes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_counter_codes_purpose"), type_="check")
        batch_op.drop_column("voided_at")
        batch_op.drop_column("failed_attempts")
        batch_op.drop_column("purpose")
