"""Subjects (信用主体), their secondary identifiers and relations, and source departments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.core.db import Base, in_values, utcnow

SUBJECT_KINDS = ("legal_person", "individual_business", "natural_person", "household")
SUBJECT_STATUSES = ("active", "deregistered", "revoked", "dissolved", "deceased")
RELATION_KINDS = ("legal_representative", "shareholder", "branch_of", "household_member")


class Department(Base):
    """A source department (数据来源单位) that reports records to the platform."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    code: Mapped[str] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(256))
    short_name: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(String(6))
    # Key of the department this one reports to (a district bureau's municipal bureau).
    parent_key: Mapped[str | None] = mapped_column(String(64))
    # The platform's operator (社会信用体系建设牵头单位).
    is_credit_office: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Subject(Base):
    """An enterprise, organisation, individual business, person or household."""

    __tablename__ = "subjects"
    __table_args__ = (
        CheckConstraint(in_values("kind", SUBJECT_KINDS), name="kind"),
        CheckConstraint(in_values("status", SUBJECT_STATUSES), name="status"),
        CheckConstraint(
            "kind = 'natural_person' OR id_number_hash IS NULL", name="id_number_only_persons"
        ),
        CheckConstraint("kind <> 'natural_person' OR uscc IS NULL", name="no_uscc_for_persons"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    # The USCC's category pair (e.g. 91 enterprise, 92 individual business, N2 village).
    category: Mapped[str | None] = mapped_column(String(2))
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    # Natural persons: ID number encrypted at rest, keyed hash for look-up, mask for display.
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_number_enc: Mapped[str | None] = mapped_column(Text)
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(255))
    name_normalized: Mapped[str] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # False for subjects created from a valid but unknown code (to be confirmed).
    verified: Mapped[bool] = mapped_column(Boolean, default=True)
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    registration_date: Mapped[date | None] = mapped_column(Date)
    # GB/T 4754 industry section letter (A-T).
    industry: Mapped[str | None] = mapped_column(String(4))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    identifiers: Mapped[list[SubjectIdentifier]] = relationship(
        back_populates="subject", cascade="all, delete-orphan"
    )


class SubjectIdentifier(Base):
    """A secondary identifier: old registration number (注册号) or organisation code."""

    __tablename__ = "subject_identifiers"
    __table_args__ = (
        UniqueConstraint("scheme", "value"),
        CheckConstraint(
            in_values("scheme", ("registration_number", "organization_code")), name="scheme"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(32))

    subject: Mapped[Subject] = relationship(back_populates="identifiers")


class SubjectRelation(Base):
    """``subject`` has ``related`` as its legal representative / shareholder / head office /
    household member."""

    __tablename__ = "subject_relations"
    __table_args__ = (
        UniqueConstraint("subject_id", "related_subject_id", "kind"),
        CheckConstraint(in_values("kind", RELATION_KINDS), name="kind"),
        CheckConstraint("subject_id <> related_subject_id", name="not_self"),
        Index(None, "related_subject_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    related_subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    kind: Mapped[str] = mapped_column(String(32))
    share_ratio: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


# The search index: bigram postings over organisations' normalised names. ``subject_search``
# holds one row per indexed subject (organisations only: legal persons and individual
# businesses; natural persons and households are never indexed) with the keys ranking
# compares; ``subject_search_grams`` one row per distinct character bigram of the name. Both
# are derived data: ``subjects.search.rebuild_index`` recreates them at any time.


class SubjectSearch(Base):
    """The ranking keys of one indexed subject."""

    __tablename__ = "subject_search"

    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), primary_key=True)
    # Normalised name without brackets, spaces or punctuation (what grams are cut from).
    name_key: Mapped[str] = mapped_column(String(255), index=True)
    # The trade name (字号) read from the name, same folding; None when none is found.
    trade_key: Mapped[str | None] = mapped_column(String(255), index=True)


class SearchGram(Base):
    """One distinct bigram of an indexed subject's ``name_key``.

    The primary key (gram, subject_id) is the postings list: a gram's subjects are one
    index range, and "does subject S hold gram G" is one probe. No foreign key, so that
    a rebuild of millions of rows is one COPY; ``subject_search`` carries the key.
    """

    __tablename__ = "subject_search_grams"
    __table_args__ = ({"sqlite_with_rowid": False},)

    gram: Mapped[str] = mapped_column(String(4), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
