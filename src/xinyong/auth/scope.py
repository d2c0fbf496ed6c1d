"""Which department's work a staff caller or API key sees: its own, or every department's
for the credit office's admins and auditors (oversight). Checks, list entries and rights
cases all ask here, so the rule is one rule."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.auth.principal import Principal
from xinyong.core.errors import Forbidden, Invalid, NotFound
from xinyong.subjects import service as subjects_service

OVERSIGHT = frozenset({"admin", "auditor"})  # read every department's work


def platform_wide(principal: Principal) -> bool:
    """Admins and auditors of the credit office see every department's work."""
    return principal.kind == "staff" and principal.role in OVERSIGHT


def own_department(principal: Principal) -> int:
    """The caller's department, or Forbidden for one that belongs to none."""
    if principal.department_id is None:
        raise Forbidden(f"{principal.label} belongs to no department")
    return principal.department_id


def department_id(session: Session, key_or_code: str, field: str = "department") -> int:
    """The id of a department named by key or code, or Invalid naming the field."""
    try:
        return subjects_service.get_department(session, key_or_code.strip()).id
    except NotFound as exc:
        raise Invalid(exc.message, details={"field": field}) from exc


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
        raise Forbidden(f"{principal.label} sees its own department's {what} only")
    return own
