"""village points ledgers, months, shops

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 17:28:58.020150
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "points_snapshots",
        sa.Column("month_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.Column("change", sa.Integer(), nullable=False),
        sa.Column("year_points", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month_id", "account_id", name=op.f("pk_points_snapshots")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("points_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_points_snapshots_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "points_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("scheme", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('district', 'town', 'village')", name=op.f("ck_points_units_kind")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["points_units.id"], name=op.f("fk_points_units_parent_id_points_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_units")),
        sa.UniqueConstraint("code", name=op.f("uq_points_units_code")),
    )
    with op.batch_alter_table("points_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_points_units_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "points_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("card_code", sa.String(length=16), nullable=False),
        sa.Column("linked_account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('household', 'pupil')", name=op.f("ck_points_accounts_kind")),
        sa.ForeignKeyConstraint(
            ["linked_account_id"],
            ["points_accounts.id"],
            name=op.f("fk_points_accounts_linked_account_id_points_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_points_accounts_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["points_units.id"],
            name=op.f("fk_points_accounts_village_id_points_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_accounts")),
        sa.UniqueConstraint("card_code", name=op.f("uq_points_accounts_card_code")),
        sa.UniqueConstraint(
            "subject_id", "scheme", name=op.f("uq_points_accounts_subject_id_scheme")
        ),
    )
    with op.batch_alter_table("points_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_points_accounts_subject_id"), ["subject_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_points_accounts_village_id"), ["village_id"], unique=False
        )

    op.create_table(
        "points_goods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("price > 0", name=op.f("ck_points_goods_price")),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_points_goods_stock")),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["points_units.id"],
            name=op.f("fk_points_goods_village_id_points_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_goods")),
        sa.UniqueConstraint("village_id", "name", name=op.f("uq_points_goods_village_id_name")),
    )
    with op.batch_alter_table("points_goods", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_points_goods_village_id"), ["village_id"], unique=False
        )

    op.create_table(
        "points_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=64), nullable=False),
        sa.Column("objection_until", sa.Date(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column(
            "points_total", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["points_units.id"],
            name=op.f("fk_points_months_village_id_points_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_months")),
        sa.UniqueConstraint(
            "village_id", "period", name=op.f("uq_points_months_village_id_period")
        ),
    )
    op.create_table(
        "points_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("item_code", sa.String(length=16), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("deed_date", sa.Date(), nullable=False),
        sa.Column("declared_by", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('in_person', 'phone', 'sms', 'wechat', 'app', 'import')",
            name=op.f("ck_points_entries_channel"),
        ),
        sa.CheckConstraint(
            "kind <> 'correction' OR reverses_id IS NOT NULL",
            name=op.f("ck_points_entries_reverses"),
        ),
        sa.CheckConstraint(
            "kind <> 'deed' OR item_code IS NOT NULL", name=op.f("ck_points_entries_deed_has_item")
        ),
        sa.CheckConstraint(
            "kind IN ('deed', 'correction', 'redemption', 'year_end')",
            name=op.f("ck_points_entries_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name=op.f("ck_points_entries_status")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["points_accounts.id"],
            name=op.f("fk_points_entries_account_id_points_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_entries")),
    )
    with op.batch_alter_table("points_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_points_entries_account_id_status"),
            ["account_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_points_entries_period_status"), ["period", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_points_entries_village_id_period_status"),
            ["village_id", "period", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_points_entries_reverses_id"), ["reverses_id"], unique=False
        )

    op.create_table(
        "points_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint("role IN ('head', 'member')", name=op.f("ck_points_members_role")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["points_accounts.id"],
            name=op.f("fk_points_members_account_id_points_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["subjects.id"], name=op.f("fk_points_members_person_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_members")),
    )
    with op.batch_alter_table("points_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_points_members_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_points_members_person_id_valid_to"),
            ["person_id", "valid_to"],
            unique=False,
        )

    op.create_table(
        "points_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("from_village_id", sa.Integer(), nullable=False),
        sa.Column("to_village_id", sa.Integer(), nullable=False),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["points_accounts.id"],
            name=op.f("fk_points_moves_account_id_points_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["from_village_id"],
            ["points_units.id"],
            name=op.f("fk_points_moves_from_village_id_points_units"),
        ),
        sa.ForeignKeyConstraint(
            ["to_village_id"],
            ["points_units.id"],
            name=op.f("fk_points_moves_to_village_id_points_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_moves")),
    )
    with op.batch_alter_table("points_moves", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_points_moves_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "points_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('open', 'answered')", name=op.f("ck_points_objections_state")
        ),
        sa.ForeignKeyConstraint(
            ["month_id"],
            ["points_months.id"],
            name=op.f("fk_points_objections_month_id_points_months"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_objections")),
    )
    with op.batch_alter_table("points_objections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_points_objections_month_id"), ["month_id"], unique=False
        )

    op.create_table(
        "points_redemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_no", sa.String(length=24), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("good_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("clerk", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["points_accounts.id"],
            name=op.f("fk_points_redemptions_account_id_points_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["good_id"],
            ["points_goods.id"],
            name=op.f("fk_points_redemptions_good_id_points_goods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_redemptions")),
        sa.UniqueConstraint("receipt_no", name=op.f("uq_points_redemptions_receipt_no")),
    )
    with op.batch_alter_table("points_redemptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_points_redemptions_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "points_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_points_staff_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["points_units.id"], name=op.f("fk_points_staff_unit_id_points_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_staff")),
        sa.UniqueConstraint(
            "account_id", "unit_id", name=op.f("uq_points_staff_account_id_unit_id")
        ),
    )
    with op.batch_alter_table("points_staff", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_points_staff_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("points_staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_staff_account_id"))

    op.drop_table("points_staff")
    with op.batch_alter_table("points_redemptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_redemptions_account_id"))

    op.drop_table("points_redemptions")
    with op.batch_alter_table("points_objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_objections_month_id"))

    op.drop_table("points_objections")
    with op.batch_alter_table("points_moves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_moves_account_id"))

    op.drop_table("points_moves")
    with op.batch_alter_table("points_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_members_person_id_valid_to"))
        batch_op.drop_index(batch_op.f("ix_points_members_account_id"))

    op.drop_table("points_members")
    with op.batch_alter_table("points_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_entries_reverses_id"))
        batch_op.drop_index(batch_op.f("ix_points_entries_village_id_period_status"))
        batch_op.drop_index(batch_op.f("ix_points_entries_period_status"))
        batch_op.drop_index(batch_op.f("ix_points_entries_account_id_status"))

    op.drop_table("points_entries")
    op.drop_table("points_months")
    with op.batch_alter_table("points_goods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_goods_village_id"))

    op.drop_table("points_goods")
    with op.batch_alter_table("points_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_accounts_village_id"))
        batch_op.drop_index(batch_op.f("ix_points_accounts_subject_id"))

    op.drop_table("points_accounts")
    with op.batch_alter_table("points_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_units_parent_id"))

    op.drop_table("points_units")
    with op.batch_alter_table("points_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_snapshots_account_id"))

    op.drop_table("points_snapshots")
