"""Who may read and decide list entries: the service does not check it, the routes ask here.

A department (its staff and its API keys) reads and decides the entries it decided; the
credit office's admins read and decide every department's, its auditors read them all.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.auth.scope import (
    department_id,
    department_scope,
    own_department,
    platform_wide,
)
from xinyong.core.errors import Forbidden, Invalid, both
from xinyong.lists import entries
from xinyong.lists.config import ListType
from xinyong.lists.models import ListEntry
from xinyong.lists.states import SystemReason

# Removal reasons with their own procedure: the term job and an upheld objection (rights).
NOT_BY_OFFICERS = frozenset({SystemReason.term_ended.value, SystemReason.objection_upheld.value})


def is_admin(principal: Principal) -> bool:
    """An admin of the credit office acts for any department."""
    return principal.kind == "staff" and principal.role == "admin"


def scope(session: Session, principal: Principal, department: str | None) -> int | None:
    """The department whose entries a reader sees: its own, or any (admins, auditors)."""
    policy.require(principal, "lists.read")
    return department_scope(session, principal, department, what="list entries")


def readable(session: Session, principal: Principal, entry_id: int) -> ListEntry:
    """The entry, if this principal may read it (Forbidden otherwise; NotFound if none)."""
    policy.require(principal, "lists.read")
    entry = entries.get(session, entry_id)
    if not platform_wide(principal) and entry.department_id != own_department(principal):
        raise Forbidden(
            key="lc.err.may_not_read",
            params={"principal_label": principal.label, "entry_id": entry.id},
        )
    return entry


def actionable(session: Session, principal: Principal, entry_id: int) -> ListEntry:
    """The entry, if this principal may decide on it: its own department's, or an admin."""
    policy.require(principal, "lists.decide")
    entry = entries.get(session, entry_id)
    if not is_admin(principal) and entry.department_id != own_department(principal):
        raise Forbidden(
            key="lc.err.other_department",
            params={"entry_id": entry.id, "principal_label": principal.label},
        )
    return entry


def proposing_department(session: Session, principal: Principal, department: str | None) -> int:
    """The department a proposal is made for: the caller's own, or the one an admin names."""
    policy.require(principal, "lists.decide")
    if is_admin(principal) and department:
        return department_id(session, department)
    own = own_department(principal)
    if department and department_id(session, department) != own:
        raise Forbidden(
            key="lc.err.own_department",
            params={"principal_label": principal.label},
            details={"field": "department"},
        )
    return own


def check_officer_reason(spec: ListType, reason: str) -> None:
    """An officer removes on one of the list's conditions, not on a procedure's own reason."""
    if reason in NOT_BY_OFFICERS:
        raise Invalid(
            key="lc.err.own_procedure",
            params={"reason": reason},
            details={"field": "reason"},
        )
    if spec.condition(reason) is None:
        codes = officer_reasons(spec)
        raise Invalid(
            key="lc.err.not_condition",
            params={"reason": reason, "list": both(spec.name.zh, spec.name.en), "codes": codes},
            details={"field": "reason", "conditions": codes},
        )


def officer_reasons(spec: ListType) -> list[str]:
    """The removal conditions an officer may choose for entries of this list."""
    return [c.code for c in spec.removal_conditions if c.code not in NOT_BY_OFFICERS]
