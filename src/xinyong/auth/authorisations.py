"""Subjects' authorisations of organisations (授权): grant, revoke, and the live check."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.auth.models import Authorisation, Organisation
from xinyong.auth.schemas import AuthorisationCreate
from xinyong.catalog import service as catalog_service
from xinyong.core.db import as_utc, utcnow
from xinyong.core.errors import Forbidden, Invalid, NotFound

ALL_ITEMS = "*"


def grant(
    session: Session, *, subject_id: int, data: AuthorisationCreate, granted_by: int | None
) -> Authorisation:
    """A subject lets an organisation read the listed items for a purpose until a date."""
    if session.get(Organisation, data.organisation_id) is None:
        raise NotFound(
            key="auth.err.no_organisation", params={"data_organisation_id": data.organisation_id}
        )
    items = catalog_service.get_catalog().items
    unknown = [code for code in data.scope if code != ALL_ITEMS and code not in items]
    if unknown:
        raise Invalid(
            key="auth.err.unknown_items",
            params={"join_unknown": ", ".join(unknown)},
            details={"field": "scope"},
        )
    expires = as_utc(data.expires_at)
    if expires is None or expires <= utcnow():
        raise Invalid(key="auth.err.expires", details={"field": "expires_at"})
    row = Authorisation(
        subject_id=subject_id,
        organisation_id=data.organisation_id,
        scope=sorted(set(data.scope)),
        purpose=data.purpose.strip(),
        granted_by=granted_by,
        expires_at=expires,
    )
    session.add(row)
    session.flush()
    _audit(session, "authorisation.grant", row, granted_by)
    return row


def _audit(session: Session, action: str, row: Authorisation, account_id: int | None) -> None:
    audit_service.append(
        session,
        actor=f"account:{account_id}" if account_id else "system",
        action=action,
        object_type="authorisation",
        object_id=row.id,
        subject_id=row.subject_id,
        summary={
            "organisation_id": row.organisation_id,
            "scope": row.scope,
            "purpose": row.purpose,
            "expires_at": row.expires_at.isoformat(),
        },
    )


def revoke(
    session: Session, *, authorisation_id: int, subject_id: int, account_id: int | None = None
) -> Authorisation:
    """The subject withdraws its authorisation; it stops at once."""
    row = session.get(Authorisation, authorisation_id)
    if row is None:
        raise NotFound(
            key="auth.err.no_authorisation", params={"authorisation_id": authorisation_id}
        )
    if row.subject_id != subject_id:
        raise Forbidden(key="auth.err.revoke_own")
    row.revoked_at = row.revoked_at or utcnow()
    session.flush()
    _audit(session, "authorisation.revoke", row, account_id)
    return row


def live(session: Session, *, subject_id: int, organisation_id: int) -> list[Authorisation]:
    """Authorisations of the organisation by the subject that are neither revoked nor expired."""
    rows = session.scalars(
        select(Authorisation).where(
            Authorisation.subject_id == subject_id,
            Authorisation.organisation_id == organisation_id,
            Authorisation.revoked_at.is_(None),
        )
    )
    now = utcnow()
    return [row for row in rows if (as_utc(row.expires_at) or now) > now]


def covered_items(session: Session, *, subject_id: int, organisation_id: int) -> set[str]:
    """Item codes the organisation may read for the subject right now (``*`` = all)."""
    items: set[str] = set()
    for row in live(session, subject_id=subject_id, organisation_id=organisation_id):
        items.update(row.scope)
    return items
