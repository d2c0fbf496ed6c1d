"""Which department's work a staff caller or API key sees: its own, or every department's
for the credit office's admins and auditors (oversight); and for which department it acts:
its own, taken from the principal (only the credit office's admins act for another one).
Checks, submissions, list entries and rights cases all ask here, so the rule is one rule."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.auth.principal import Principal
from xinyong.core.errors import Forbidden, Invalid, NotFound
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department

OVERSIGHT = frozenset({"admin", "auditor"})  # read every department's work


def acts_for_any(principal: Principal) -> bool:
    """Admins of the credit office act for any department (the office's grant)."""
    return principal.kind == "staff" and principal.role == "admin"


def platform_wide(principal: Principal) -> bool:
    """Admins and auditors of the credit office see every department's work."""
    return principal.kind == "staff" and principal.role in OVERSIGHT


def office_wide(session: Session, principal: Principal) -> bool:
    """Oversight, or staff of the credit office itself: they read every department's
    collection figures (the ledger, late submissions)."""
    if platform_wide(principal):
        return True
    if principal.kind != "staff" or principal.department_id is None:
        return False
    department = session.get(Department, principal.department_id)
    return bool(department and department.is_credit_office)


def own_department(principal: Principal) -> int:
    """The caller's department, or Forbidden for one that belongs to none."""
    if principal.department_id is None:
        raise Forbidden(key="auth.err.no_department", params={"principal_label": principal.label})
    return principal.department_id


def department_id(session: Session, key_or_code: str, field: str = "department") -> int:
    """The id of a department named by key or code, or Invalid naming the field."""
    try:
        return subjects_service.get_department(session, key_or_code.strip()).id
    except NotFound as exc:
        raise Invalid(
            exc.message, key=exc.key, params=exc.params, details={"field": field}
        ) from exc


def department_scope(
    session: Session, principal: Principal, department: str | None, *, what: str
) -> int | None:
    """The department whose ``what`` a reader looks at: the one named or any (None) for
    oversight, else its own (Forbidden when it names another)."""
    wanted = department_id(session, department) if department else None
    if platform_wide(principal):
        return wanted
    own = own_department(principal)
    if wanted is not None and wanted != own:
        raise Forbidden(
            key="auth.err.own_scope", params={"principal_label": principal.label, "what": what}
        )
    return own


def acting_department(session: Session, principal: Principal, named: str | None) -> int:
    """The department an action is done for: the principal's own (a department named in the
    request must be that one); an admin of the credit office may name another. A principal
    without a department (organisation keys and accounts, subjects) acts for none."""
    if named and acts_for_any(principal):
        return department_id(session, named)
    own = own_department(principal)
    if not named:
        return own
    wanted = department_id(session, named)
    if wanted != own:
        raise Forbidden(
            key="auth.err.own_department",
            params={"principal_label": principal.label},
            details={"field": "department"},
        )
    return wanted
