"""financing (信易贷): institutions, products, needs, applications and events, the risk-
compensation fund (claims, append-only ledger), webhook endpoints and deliveries

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 17:28:27.233587
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "financing_institutions",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("short_name", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_financing_institutions_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["organisations.id"],
            name=op.f("fk_financing_institutions_parent_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_financing_institutions")),
    )
    with op.batch_alter_table("financing_institutions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_financing_institutions_parent_id"), ["parent_id"], unique=False
        )

    op.create_table(
        "financing_products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "amount_min", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "amount_max", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("rate_min_bp", sa.Integer(), nullable=False),
        sa.Column("rate_max_bp", sa.Integer(), nullable=False),
        sa.Column("term_min_months", sa.Integer(), nullable=False),
        sa.Column("term_max_months", sa.Integer(), nullable=False),
        sa.Column("eligibility", sa.Text(), nullable=False),
        sa.Column(
            "conditions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "amount_min > 0 AND amount_min <= amount_max",
            name=op.f("ck_financing_products_amounts"),
        ),
        sa.CheckConstraint(
            "rate_min_bp > 0 AND rate_min_bp <= rate_max_bp",
            name=op.f("ck_financing_products_rates"),
        ),
        sa.CheckConstraint(
            "term_min_months > 0 AND term_min_months <= term_max_months",
            name=op.f("ck_financing_products_terms"),
        ),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["organisations.id"],
            name=op.f("fk_financing_products_bank_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financing_products")),
    )
    with op.batch_alter_table("financing_products", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_financing_products_bank_id"), ["bank_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_financing_products_kind"), ["kind"], unique=False)

    op.create_table(
        "financing_webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret_enc", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_financing_webhooks_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financing_webhooks")),
    )
    with op.batch_alter_table("financing_webhooks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_financing_webhooks_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "financing_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("collateral", sa.String(length=8), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "collateral IN ('none', 'some')", name=op.f("ck_financing_needs_collateral")
        ),
        sa.CheckConstraint(
            "amount > 0 AND term_months > 0", name=op.f("ck_financing_needs_positive")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_financing_needs_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_financing_needs_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financing_needs")),
    )
    with op.batch_alter_table("financing_needs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_financing_needs_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "financing_webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'delivered', 'failed')",
            name=op.f("ck_financing_webhook_deliveries_state"),
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["financing_webhooks.id"],
            name=op.f("fk_financing_webhook_deliveries_endpoint_id_financing_webhooks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financing_webhook_deliveries")),
    )
    with op.batch_alter_table("financing_webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_financing_webhook_deliveries_state_next_attempt_at"),
            ["state", "next_attempt_at"],
            unique=False,
        )

    op.create_table(
        "financing_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("authorisation_id", sa.Integer(), nullable=False),
        sa.Column("contract_record_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("feedback_due", sa.Date(), nullable=False),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "granted_amount", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("granted_rate_bp", sa.Integer(), nullable=True),
        sa.Column("granted_term_months", sa.Integer(), nullable=True),
        sa.Column("granted_on", sa.Date(), nullable=True),
        sa.Column("decline_reason", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "state <> 'declined' OR decline_reason IS NOT NULL",
            name=op.f("ck_financing_applications_declined"),
        ),
        sa.CheckConstraint(
            "state <> 'granted' OR (granted_amount > 0 AND granted_rate_bp > 0 AND "
            "granted_term_months > 0 AND granted_on IS NOT NULL)",
            name=op.f("ck_financing_applications_granted_fields"),
        ),
        sa.CheckConstraint(
            "state IN ('submitted', 'accepted', 'granted', 'declined', 'withdrawn')",
            name=op.f("ck_financing_applications_state"),
        ),
        sa.CheckConstraint(
            "amount > 0 AND term_months > 0", name=op.f("ck_financing_applications_positive")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_financing_applications_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["authorisation_id"],
            ["authorisations.id"],
            name=op.f("fk_financing_applications_authorisation_id_authorisations"),
        ),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["organisations.id"],
            name=op.f("fk_financing_applications_bank_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["organisations.id"],
            name=op.f("fk_financing_applications_branch_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_record_id"],
            ["records.id"],
            name=op.f("fk_financing_applications_contract_record_id_records"),
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["financing_needs.id"],
            name=op.f("fk_financing_applications_need_id_financing_needs"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["financing_products.id"],
            name=op.f("fk_financing_applications_product_id_financing_products"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_financing_applications_subject_id_subjects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financing_applications")),
    )
    with op.batch_alter_table("financing_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_financing_applications_branch_id_state"),
            ["branch_id", "state"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_financing_applications_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "financing_application_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["financing_applications.id"],
            name=op.f("fk_financing_application_events_application_id_financing_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_financing_application_events_subject_id_subjects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financing_application_events")),
    )
    with op.batch_alter_table("financing_application_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_financing_application_events_application_id"),
            ["application_id"],
            unique=False,
        )

    op.create_table(
        "financing_fund_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column(
            "loss_amount", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "compensation", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(length=64), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('filed', 'approved', 'rejected')",
            name=op.f("ck_financing_fund_claims_state"),
        ),
        sa.CheckConstraint(
            "loss_amount > 0 AND compensation >= 0", name=op.f("ck_financing_fund_claims_amounts")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["financing_applications.id"],
            name=op.f("fk_financing_fund_claims_application_id_financing_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["organisations.id"],
            name=op.f("fk_financing_fund_claims_bank_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_financing_fund_claims_subject_id_subjects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financing_fund_claims")),
    )
    with op.batch_alter_table("financing_fund_claims", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_financing_fund_claims_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "financing_fund_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "balance_after", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('contribution', 'compensation')", name=op.f("ck_financing_fund_ledger_kind")
        ),
        sa.CheckConstraint(
            "amount > 0 AND balance_after >= 0", name=op.f("ck_financing_fund_ledger_amounts")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["financing_fund_claims.id"],
            name=op.f("fk_financing_fund_ledger_claim_id_financing_fund_claims"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financing_fund_ledger")),
    )


def downgrade() -> None:

    op.drop_table("financing_fund_ledger")
    with op.batch_alter_table("financing_fund_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_financing_fund_claims_application_id"))

    op.drop_table("financing_fund_claims")
    with op.batch_alter_table("financing_application_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_financing_application_events_application_id"))

    op.drop_table("financing_application_events")
    with op.batch_alter_table("financing_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_financing_applications_subject_id"))
        batch_op.drop_index(batch_op.f("ix_financing_applications_branch_id_state"))

    op.drop_table("financing_applications")
    with op.batch_alter_table("financing_webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_financing_webhook_deliveries_state_next_attempt_at"))

    op.drop_table("financing_webhook_deliveries")
    with op.batch_alter_table("financing_needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_financing_needs_subject_id"))

    op.drop_table("financing_needs")
    with op.batch_alter_table("financing_webhooks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_financing_webhooks_organisation_id"))

    op.drop_table("financing_webhooks")
    with op.batch_alter_table("financing_products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_financing_products_kind"))
        batch_op.drop_index(batch_op.f("ix_financing_products_bank_id"))

    op.drop_table("financing_products")
    with op.batch_alter_table("financing_institutions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_financing_institutions_parent_id"))

    op.drop_table("financing_institutions")
