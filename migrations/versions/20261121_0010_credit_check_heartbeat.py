"""credit check heartbeat: a batch job's last sign of life, so a lost job is resumed

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 20:18:21.418828
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credit_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credit_checks", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
