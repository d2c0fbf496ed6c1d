"""Points ledgers: organisational units (towns, villages), ledger accounts (a household or a
pupil linked to one) with members and moves, the append-only ledger, closed months with
their frozen snapshots, village shops and redemptions, staff assignments, objections."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, in_values, utcnow

UNIT_KINDS = ("district", "town", "village")
ACCOUNT_KINDS = ("household", "pupil")
MEMBER_ROLES = ("head", "member")
ENTRY_KINDS = ("deed", "correction", "redemption", "year_end")
ENTRY_STATUSES = ("pending", "approved", "rejected")
CHANNELS = ("in_person", "phone", "sms", "wechat", "app", "import")
OBJECTION_STATES = ("open", "answered")


class PointsUnit(Base):
    """A district, town (镇/街道) or village (村/社区) that runs or oversees points."""

    __tablename__ = "points_units"
    __table_args__ = (CheckConstraint(in_values("kind", UNIT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("points_units.id"), index=True)
    # The scheme a village's households follow (None for towns and districts).
    scheme: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PointsAccount(Base):
    """A ledger's holder: a household (its subject of kind ``household``) or a school pupil
    (a natural person) linked to the household's account."""

    __tablename__ = "points_accounts"
    __table_args__ = (
        CheckConstraint(in_values("kind", ACCOUNT_KINDS), name="kind"),
        UniqueConstraint("subject_id", "scheme"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("points_units.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(40))
    # What the household's card (QR) carries: a random code, never the ID number.
    card_code: Mapped[str] = mapped_column(String(16), unique=True)
    linked_account_id: Mapped[int | None] = mapped_column(ForeignKey("points_accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PointsMember(Base):
    """A person's membership of a household over time (a move ends one row, opens another)."""

    __tablename__ = "points_members"
    __table_args__ = (
        CheckConstraint(in_values("role", MEMBER_ROLES), name="role"),
        Index(None, "person_id", "valid_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    role: Mapped[str] = mapped_column(String(8))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class PointsMove(Base):
    """A household's move from one village to another (its ledger goes with it)."""

    __tablename__ = "points_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id"), index=True)
    from_village_id: Mapped[int] = mapped_column(ForeignKey("points_units.id"))
    to_village_id: Mapped[int] = mapped_column(ForeignKey("points_units.id"))
    moved_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PointsEntry(Base):
    """One ledger entry. Rows are only ever added; a pending entry is approved or rejected
    once, while its month is open. A balance is the base plus the approved entries."""

    __tablename__ = "points_entries"
    __table_args__ = (
        CheckConstraint(in_values("kind", ENTRY_KINDS), name="kind"),
        CheckConstraint(in_values("status", ENTRY_STATUSES), name="status"),
        CheckConstraint(in_values("channel", CHANNELS), name="channel"),
        CheckConstraint("kind <> 'deed' OR item_code IS NOT NULL", name="deed_has_item"),
        CheckConstraint("kind <> 'correction' OR reverses_id IS NOT NULL", name="reverses"),
        Index(None, "account_id", "status"),
        Index(None, "village_id", "period", "status"),
        Index(None, "period", "status"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id"))
    # The household's subject (large tables carry the subject id).
    subject_id: Mapped[int] = mapped_column(Integer)
    # The village the entry was booked in, and the month (YYYY-MM) it counts in.
    village_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(12))
    item_code: Mapped[str | None] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(Integer)
    deed_date: Mapped[date] = mapped_column(Date)
    declared_by: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(10))
    evidence: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column()
    reverses_id: Mapped[int | None] = mapped_column(Integer, index=True)
    reason: Mapped[str | None] = mapped_column(Text)


class PointsMonth(Base):
    """A village's closed month: after closing nothing in it changes."""

    __tablename__ = "points_months"
    __table_args__ = (UniqueConstraint("village_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("points_units.id"))
    period: Mapped[str] = mapped_column(String(7))
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by: Mapped[str] = mapped_column(String(64))
    objection_until: Mapped[date] = mapped_column(Date)
    accounts: Mapped[int] = mapped_column(Integer, default=0)
    points_total: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))


class PointsSnapshot(Base):
    """An account's frozen figures at a month's close (balance, the month's change, rank)."""

    __tablename__ = "points_snapshots"
    __table_args__ = ({"sqlite_with_rowid": False},)

    month_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    balance: Mapped[int] = mapped_column(Integer)
    change: Mapped[int] = mapped_column(Integer)
    year_points: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int] = mapped_column(Integer)


class PointsGood(Base):
    """A good in a village's points shop: its price in points and its stock."""

    __tablename__ = "points_goods"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock"),
        CheckConstraint("price > 0", name="price"),
        UniqueConstraint("village_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("points_units.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PointsRedemption(Base):
    """A redemption at the village shop, with its receipt number and ledger entry."""

    __tablename__ = "points_redemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(24), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id"), index=True)
    good_id: Mapped[int] = mapped_column(ForeignKey("points_goods.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    entry_id: Mapped[int] = mapped_column(Integer)
    clerk: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PointsStaff(Base):
    """A staff account's unit: a village clerk, a town or the district (its subtree)."""

    __tablename__ = "points_staff"
    __table_args__ = (UniqueConstraint("account_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("points_units.id"))


class PointsObjection(Base):
    """An objection to a published board (异议) within the scheme's objection days."""

    __tablename__ = "points_objections"
    __table_args__ = (CheckConstraint(in_values("state", OBJECTION_STATES), name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month_id: Mapped[int] = mapped_column(ForeignKey("points_months.id"), index=True)
    rank: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
