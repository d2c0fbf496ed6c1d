"""Banks and their branches as organisations (auth's ``organisations`` rows, kind ``bank``),
their staff accounts by role, and which branches a bank caller acts for."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.auth import service as auth_service
from xinyong.auth.models import Account, Organisation
from xinyong.auth.principal import Principal
from xinyong.auth.schemas import AccountCreate, OrganisationCreate
from xinyong.core.errors import Forbidden, Invalid, NotFound
from xinyong.financing.models import Institution

BANK_ROLES = ("product_manager", "loan_officer", "branch_admin")


def create_bank(
    session: Session,
    *,
    name: str,
    short_name: str,
    uscc: str | None = None,
    region_code: str | None = None,
    parent_id: int | None = None,
    actor: str = "system",
) -> Organisation:
    """Register a bank (``parent_id`` None) or a branch of one, as an organisation."""
    if parent_id is not None:
        parent = session.get(Institution, parent_id)
        if parent is None or parent.parent_id is not None:
            raise Invalid(key="fin.err.no_bank", params={"id": parent_id})
    organisation = auth_service.create_organisation(
        session, data=OrganisationCreate(kind="bank", name=name, uscc=uscc)
    )
    session.add(
        Institution(
            organisation_id=organisation.id,
            parent_id=parent_id,
            short_name=short_name,
            region_code=region_code,
        )
    )
    session.flush()
    audit_service.append(
        session,
        actor=actor,
        action="financing.institution.create",
        object_type="organisation",
        object_id=organisation.id,
        summary={"name": name, "parent_id": parent_id},
    )
    return organisation


def create_staff(
    session: Session,
    *,
    organisation_id: int,
    username: str,
    display_name: str,
    password: str,
    role: str,
    actor: str = "system",
) -> Account:
    """A branch's staff account: product manager, loan officer or branch admin."""
    if role not in BANK_ROLES:
        raise Invalid(key="fin.err.role", params={"role": role}, details={"field": "role"})
    if session.get(Institution, organisation_id) is None:
        raise Invalid(key="fin.err.no_bank", params={"id": organisation_id})
    data = AccountCreate(
        username=username,
        display_name=display_name,
        password=password,
        kind="organisation",
        role=role,
        organisation_id=organisation_id,
    )
    return auth_service.create_account(session, data=data, actor=actor)


def get(session: Session, organisation_id: int) -> Institution:
    """The institution row of a bank or branch, or NotFound."""
    found = session.get(Institution, organisation_id)
    if found is None:
        raise NotFound(key="fin.err.no_bank", params={"id": organisation_id})
    return found


def bank_of(session: Session, organisation_id: int) -> int:
    """The bank (head institution) a bank or branch belongs to."""
    found = get(session, organisation_id)
    return found.parent_id or found.organisation_id


def branches(session: Session, bank_id: int) -> list[Institution]:
    """The bank itself and its branches, the bank first."""
    rows = session.scalars(
        select(Institution)
        .where((Institution.organisation_id == bank_id) | (Institution.parent_id == bank_id))
        .order_by(Institution.parent_id.is_not(None), Institution.organisation_id)
    )
    return list(rows)


def banks(session: Session) -> list[Institution]:
    """Every bank (head institutions), by id."""
    stmt = select(Institution).where(Institution.parent_id.is_(None))
    return list(session.scalars(stmt.order_by(Institution.organisation_id)))


def acting_scope(session: Session, principal: Principal) -> set[int]:
    """Branches a bank caller acts for: a bank's own staff and keys all of its branches, a
    branch's only its own; Forbidden for an organisation that is no financing institution."""
    if principal.organisation_id is None:
        raise Forbidden(key="fin.err.not_bank")
    found = session.get(Institution, principal.organisation_id)
    if found is None:
        raise Forbidden(key="fin.err.not_bank")
    if found.parent_id is None:
        return {row.organisation_id for row in branches(session, found.organisation_id)}
    return {found.organisation_id}


def names(session: Session, ids: set[int] | list[int]) -> dict[int, str]:
    """Organisation names by id."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.scalars(select(Organisation).where(Organisation.id.in_(wanted)))
    return {row.id: row.name for row in rows}
