"""Steps shared by both procedures (extension, withdrawal) and what a case shows to its readers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.core.errors import Forbidden, Invalid
from xinyong.core.workdays import add_workdays
from xinyong.lists.models import ListEntry
from xinyong.records.models import Record
from xinyong.rights import cases, effects, list_objections, objections
from xinyong.rights.config import get_config
from xinyong.rights.models import CaseEvent, CaseFile, CaseTarget, RightsCase
from xinyong.rights.objections import statement_text
from xinyong.rights.states import CaseKind, CaseOutcome, CaseState


def extend(
    session: Session,
    *,
    case_id: int,
    reason: str,
    actor: str,
    department_id: int | None,
    expected_version: int | None = None,
) -> RightsCase:
    """Extend the decision limit once, by the configured working days, with the approval reason."""
    case = cases.get(session, case_id)
    cases.check_department(case, department_id)
    if case.state != CaseState.accepted.value or case.decide_due_on is None:
        raise Invalid(key="rights.err.extend_when", params={"case_number": case.number})
    if case.extended:
        raise Invalid(key="rights.err.extended", params={"case_number": case.number})
    text = statement_text(reason, field_name="reason")
    limits = get_config().deadlines
    more = (
        limits.objection.verify_extension
        if case.kind == CaseKind.objection.value
        else limits.repair.decide_extension
    )
    if more == 0:
        raise Invalid(key="rights.err.no_extension")
    cases.claim(session, case, expected_version=expected_version)
    case.extended, case.extension_reason = True, text
    case.decide_due_on = add_workdays(case.decide_due_on, more)
    case.due_on = case.decide_due_on
    cases.log(
        session,
        case,
        actor=actor,
        action="extended",
        note=text,
        data={"decide_due_on": case.decide_due_on},
    )
    effects.notify(session, case, "case.extended", due=case.decide_due_on.isoformat(), reason=text)
    session.flush()
    return case


def withdraw(
    session: Session,
    *,
    case_id: int,
    subject_id: int | None,
    actor: str,
    reason: str = "",
    expected_version: int | None = None,
    today: date | None = None,
) -> RightsCase:
    """The applicant withdraws its open case; disputed records lose their mark, disputed list
    entries their hold."""
    today = today or date.today()
    case = cases.get(session, case_id)
    if subject_id != case.subject_id:
        raise Forbidden(key="rights.err.not_own_case", params={"case_number": case.number})
    text = statement_text(reason, field_name="reason", required=False) or "申请人撤回"
    cases.move(
        session,
        case,
        to=CaseState.withdrawn,
        actor=actor,
        action="withdrawn",
        expected_version=expected_version,
        note=text,
    )
    if case.kind == CaseKind.objection.value:
        objections.release_targets(
            session, case, actor=actor, reason=f"异议撤回 objection withdrawn ({case.number})"
        )
    cases.close(case, outcome=CaseOutcome.withdrawn.value, reason=text, actor=actor, today=today)
    session.flush()
    return case


def may_read(principal: Principal, case: RightsCase) -> bool:
    """The applicant, the deciding department, and the credit office's admins and auditors."""
    if principal.kind == "subject":
        return principal.subject_id == case.subject_id
    if not policy.can(principal, "rights.read"):
        return False
    if principal.kind == "staff" and principal.role in {"admin", "auditor"}:
        return True
    return principal.department_id == case.department_id


def readable(session: Session, principal: Principal, case_id: int) -> RightsCase:
    """The case, if this principal may read it (else Forbidden; NotFound if none)."""
    case = cases.get(session, case_id)
    if not may_read(principal, case):
        raise Forbidden(
            key="rights.err.may_not_read",
            params={"principal_label": principal.label, "case_number": case.number},
        )
    return case


@dataclass(frozen=True)
class CaseDetail:
    case: RightsCase
    targets: list[tuple[CaseTarget, Record]]
    timeline: list[CaseEvent]
    files: list[CaseFile]
    overdue: bool
    entries: dict[int, ListEntry]  # the list entries of list targets, by id


def detail(session: Session, case: RightsCase, *, today: date | None = None) -> CaseDetail:
    """Everything a case page or the API shows about one case."""
    today = today or date.today()
    return CaseDetail(
        case=case,
        targets=cases.targets(session, case.id),
        timeline=cases.timeline(session, case.id),
        files=cases.files(session, case.id),
        overdue=cases.is_overdue(case, today),
        entries=list_objections.entries_of(session, case.id),
    )
