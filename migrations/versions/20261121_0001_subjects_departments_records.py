"""subjects departments records

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-21 09:35:07.819460
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=256), nullable=False),
        sa.Column("short_name", sa.String(length=64), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("parent_key", sa.String(length=64), nullable=True),
        sa.Column("is_credit_office", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("code", name=op.f("uq_departments_code")),
        sa.UniqueConstraint("key", name=op.f("uq_departments_key")),
    )
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_departments_kind"), ["kind"], unique=False)

    op.create_table(
        "subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("category", sa.String(length=2), nullable=True),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("id_number_hash", sa.String(length=64), nullable=True),
        sa.Column("id_number_enc", sa.Text(), nullable=True),
        sa.Column("id_number_masked", sa.String(length=18), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_normalized", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("registration_date", sa.Date(), nullable=True),
        sa.Column("industry", sa.String(length=4), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind <> 'natural_person' OR uscc IS NULL", name=op.f("ck_subjects_no_uscc_for_persons")
        ),
        sa.CheckConstraint(
            "kind = 'natural_person' OR id_number_hash IS NULL",
            name=op.f("ck_subjects_id_number_only_persons"),
        ),
        sa.CheckConstraint(
            "kind IN ('legal_person', 'individual_business', 'natural_person', 'household')",
            name=op.f("ck_subjects_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'deregistered', 'revoked', 'dissolved', 'deceased')",
            name=op.f("ck_subjects_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
        sa.UniqueConstraint("id_number_hash", name=op.f("uq_subjects_id_number_hash")),
        sa.UniqueConstraint("uscc", name=op.f("uq_subjects_uscc")),
    )
    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subjects_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_subjects_name_normalized"), ["name_normalized"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_subjects_region_code"), ["region_code"], unique=False)

    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("source_record_id", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("severity", sa.String(length=10), nullable=True),
        sa.Column("polarity", sa.String(length=10), nullable=False),
        sa.Column("disclosure_end", sa.Date(), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("protected", sa.Text(), nullable=True),
        sa.Column("catalog_version", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("state_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "polarity IN ('positive', 'negative', 'neutral')", name=op.f("ck_records_polarity")
        ),
        sa.CheckConstraint(
            "severity IN ('minor', 'general', 'serious')", name=op.f("ck_records_severity")
        ),
        sa.CheckConstraint(
            "state IN ('active', 'under_objection', 'corrected', 'revoked', 'repaired', 'expired')",
            name=op.f("ck_records_state"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_records_version_positive")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_records_department_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_records_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["records.id"], name=op.f("fk_records_supersedes_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_records_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_records_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_records_state_disclosure_end"), ["state", "disclosure_end"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_records_subject_id_item_code"), ["subject_id", "item_code"], unique=False
        )
        batch_op.create_index(
            "uq_records_current_version",
            ["item_code", "department_id", "source_record_id"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )
        batch_op.create_index(
            "uq_records_source_version",
            ["item_code", "department_id", "source_record_id", "version"],
            unique=True,
        )

    op.create_table(
        "subject_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "scheme IN ('registration_number', 'organization_code')",
            name=op.f("ck_subject_identifiers_scheme"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_subject_identifiers_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_identifiers")),
        sa.UniqueConstraint("scheme", "value", name=op.f("uq_subject_identifiers_scheme_value")),
    )
    with op.batch_alter_table("subject_identifiers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subject_identifiers_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "subject_relations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("related_subject_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("share_ratio", sa.Numeric(precision=7, scale=4), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('legal_representative', 'shareholder', 'branch_of', 'household_member')",
            name=op.f("ck_subject_relations_kind"),
        ),
        sa.CheckConstraint(
            "subject_id <> related_subject_id", name=op.f("ck_subject_relations_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["related_subject_id"],
            ["subjects.id"],
            name=op.f("fk_subject_relations_related_subject_id_subjects"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_subject_relations_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_relations")),
        sa.UniqueConstraint(
            "subject_id",
            "related_subject_id",
            "kind",
            name=op.f("uq_subject_relations_subject_id_related_subject_id_kind"),
        ),
    )
    with op.batch_alter_table("subject_relations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subject_relations_related_subject_id_kind"),
            ["related_subject_id", "kind"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_subject_relations_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "record_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_record_events_record_id_records")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_record_events_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_events")),
    )
    with op.batch_alter_table("record_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_events_record_id"), ["record_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_record_events_subject_id"), ["subject_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("record_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_events_subject_id"))
        batch_op.drop_index(batch_op.f("ix_record_events_record_id"))

    op.drop_table("record_events")
    with op.batch_alter_table("subject_relations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_relations_subject_id"))
        batch_op.drop_index(batch_op.f("ix_subject_relations_related_subject_id_kind"))

    op.drop_table("subject_relations")
    with op.batch_alter_table("subject_identifiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_identifiers_subject_id"))

    op.drop_table("subject_identifiers")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("uq_records_source_version")
        batch_op.drop_index(
            "uq_records_current_version",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )
        batch_op.drop_index(batch_op.f("ix_records_subject_id_item_code"))
        batch_op.drop_index(batch_op.f("ix_records_state_disclosure_end"))
        batch_op.drop_index(batch_op.f("ix_records_department_id"))
        batch_op.drop_index(batch_op.f("ix_records_batch_id"))

    op.drop_table("records")
    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subjects_region_code"))
        batch_op.drop_index(batch_op.f("ix_subjects_name_normalized"))
        batch_op.drop_index(batch_op.f("ix_subjects_kind"))

    op.drop_table("subjects")
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_departments_kind"))

    op.drop_table("departments")
