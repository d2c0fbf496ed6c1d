"""imported list entries: their proposal date is the decision date of the record they
stand for (it was the day of the import)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # An imported entry was listed on its record's decision date (or the import day when the
    # record had none): the same day is its proposal date.
    op.execute(
        "UPDATE list_entries SET proposed_on = listed_on "
        "WHERE source = 'record' AND listed_on IS NOT NULL AND listed_on < proposed_on"
    )


def downgrade() -> None:
    # The import days are not kept elsewhere; the corrected dates stay.
    pass
