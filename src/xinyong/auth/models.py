"""Who can act: accounts (staff, organisation users, subjects), organisations, API keys,
subjects' authorisations of organisations, counter codes, and the query register."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, in_values, utcnow

STAFF_ROLES = ("admin", "reporter", "department_user", "auditor")
ACCOUNT_KINDS = ("staff", "organisation", "subject")
ORGANISATION_KINDS = ("bank", "provider", "other")
# What a counter code is for: opening the subject's own account, or setting a new password.
COUNTER_CODE_PURPOSES = ("open", "reset")


class Organisation(Base):
    """A body outside government that uses the platform: a bank, a benefit provider."""

    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint(in_values("kind", ORGANISATION_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), unique=True)
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Account(Base):
    """A person who logs in: staff of a department, a user of an organisation, or a
    subject's own account (an enterprise by its USCC, a person by ID number)."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(in_values("kind", ACCOUNT_KINDS), name="kind"),
        CheckConstraint(
            "kind <> 'staff' OR (department_id IS NOT NULL AND "
            + in_values("role", STAFF_ROLES)
            + ")",
            name="staff_in_department",
        ),
        CheckConstraint(
            "kind <> 'organisation' OR organisation_id IS NOT NULL", name="org_user_has_org"
        ),
        CheckConstraint("kind <> 'subject' OR subject_id IS NOT NULL", name="subject_bound"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    # Bumped by "log out everywhere": sessions carry the epoch they were issued in.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """A key for system-to-system calls; only a hash of the secret is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    scopes: Mapped[list[str]] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Authorisation(Base):
    """A subject's grant letting an organisation read its non-public data (授权查询)."""

    __tablename__ = "authorisations"
    __table_args__ = (Index(None, "subject_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # Catalogue item codes the grant covers; ["*"] = every item.
    scope: Mapped[list[str]] = mapped_column()
    purpose: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class CounterCode(Base):
    """A one-time code staff hand a subject at a counter to open its own account or to set
    a new password; it expires, is used once, and is void after repeated wrong tries or when
    a newer code of the same purpose is issued."""

    __tablename__ = "counter_codes"
    __table_args__ = (CheckConstraint(in_values("purpose", COUNTER_CODE_PURPOSES), name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    voided_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QueryLog(Base):
    """查询登记: every read of a subject's non-public data, with its purpose and outcome."""

    __tablename__ = "query_log"
    __table_args__ = (Index(None, "subject_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    actor_label: Mapped[str] = mapped_column(String(200))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    what: Mapped[list[str]] = mapped_column()
    purpose: Mapped[str] = mapped_column(Text)
    matter_code: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any] | None] = mapped_column()
