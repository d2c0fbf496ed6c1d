"""Objection (异议): registration marks the records at once; the source department decides."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.core.errors import Conflict, Forbidden, Invalid
from xinyong.core.workdays import add_workdays
from xinyong.ingest.cells import CellProblem, clean_text
from xinyong.portal import list_seam
from xinyong.records import protect
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.states import RecordState
from xinyong.rights import cases, effects, evidence
from xinyong.rights.config import get_config
from xinyong.rights.models import CaseTarget, RightsCase
from xinyong.rights.states import (
    CHANGING_OUTCOMES,
    CaseKind,
    CaseOutcome,
    CaseState,
    ObjectionGround,
    TargetOutcome,
)

MAX_TARGETS = 20
MAX_STATEMENT = 5000
LIST_GROUNDS = frozenset({ObjectionGround.wrongly_listed, ObjectionGround.not_removed})


def statement_text(raw: str, *, field_name: str = "statement", required: bool = True) -> str:
    """Applicant's or officer's text: control characters removed, length checked."""
    try:
        text = clean_text(raw or "", multiline=True)
    except CellProblem as problem:
        raise Invalid(f"{field_name}: {problem.reason}", details={"field": field_name}) from None
    if required and not text:
        raise Invalid(f"{field_name} must not be empty", details={"field": field_name})
    if len(text) > MAX_STATEMENT:
        raise Invalid(
            f"{field_name} is longer than {MAX_STATEMENT} characters", details={"field": field_name}
        )
    return text


def _targets(session: Session, subject_id: int, record_ids: list[int]) -> list[Record]:
    unique = list(dict.fromkeys(record_ids))
    if not unique or len(unique) > MAX_TARGETS:
        raise Invalid(f"name between 1 and {MAX_TARGETS} records", details={"field": "record_ids"})
    records = []
    for record_id in unique:
        record = session.get(Record, record_id)
        if record is None or record.subject_id != subject_id:
            raise Forbidden(
                f"record {record_id} is not a record of this subject",
                details={"field": "record_ids", "record_id": record_id},
            )
        records.append(record)
    return records


def _check_target(session: Session, record: Record, ground: ObjectionGround) -> None:
    details = {"field": "record_ids", "record_id": record.id}
    if not record.is_current:
        raise Invalid(
            f"record {record.id} has a newer version; object to that one", details=details
        )
    open_cases = cases.open_cases_of_record(session, record.id, CaseKind.objection)
    if open_cases:
        raise Conflict(
            f"record {record.id} is already under objection (case {open_cases[0].number})",
            details=details,
        )
    if record.state != RecordState.active.value:
        raise Invalid(
            f"record {record.id} is {record.state}: it is no longer published or shared",
            details=details,
        )
    if ground in LIST_GROUNDS and not list_seam.is_list_item(record.item_code):
        raise Invalid(
            f"record {record.id} is not a list entry; choose another ground", details=details
        )


@dataclass(frozen=True)
class ObjectionApplication:
    record_ids: list[int]
    ground: ObjectionGround
    statement: str
    files: list[evidence.Upload] = field(default_factory=list)


def apply(
    session: Session,
    *,
    applicant: cases.Applicant,
    application: ObjectionApplication,
    today: date | None = None,
) -> RightsCase:
    """Register an objection and mark its records 异议处理中 at once (same transaction)."""
    today = today or date.today()
    statement = statement_text(application.statement)
    records = _targets(session, applicant.subject_id, application.record_ids)
    for record in records:
        _check_target(session, record, application.ground)
    departments = {record.department_id for record in records}
    if len(departments) > 1:
        raise Invalid(
            "the records come from different departments; file one objection per department",
            details={"field": "record_ids"},
        )
    evidence.check(application.files)
    limits = get_config().deadlines.objection
    case = cases.open_case(
        session,
        kind=CaseKind.objection,
        applicant=applicant,
        department_id=departments.pop(),
        state=CaseState.accepted,
        ground=application.ground.value,
        statement=statement,
        today=today,
        due_on=add_workdays(today, limits.registration),
    )
    evidence.attach(session, case, application.files, actor=applicant.actor)
    _register(session, case, records, actor=applicant.actor, today=today)
    return case


def _register(
    session: Session, case: RightsCase, records: list[Record], *, actor: str, today: date
) -> None:
    limits = get_config().deadlines.objection
    for record in records:
        session.add(CaseTarget(case_id=case.id, record_id=record.id, state_before=record.state))
        records_service.transition(
            session,
            record_id=record.id,
            to_state=RecordState.under_objection,
            reason=f"异议受理 objection registered (case {case.number})",
            actor=actor,
        )
    case.accepted_on = today
    case.decide_due_on = add_workdays(today, limits.verify)
    case.due_on = case.decide_due_on
    cases.log(
        session,
        case,
        actor=actor,
        action="registered",
        to_state=case.state,
        data={"records": [r.id for r in records], "decide_due_on": case.decide_due_on},
    )
    effects.notify_opened(session, case)


@dataclass(frozen=True)
class TargetDecision:
    """The decision on one disputed record."""

    record_id: int
    outcome: TargetOutcome
    reason: str
    changes: dict[str, Any] = field(default_factory=dict)  # correct / supplement: field -> value


def _full_payload(record: Record) -> dict[str, Any]:
    return protect.reveal(record.payload, record.protected)


def _new_version(
    session: Session, record: Record, decision: TargetDecision, *, actor: str, today: date
) -> Record:
    details = {"field": "changes", "record_id": decision.record_id}
    if not decision.changes:
        raise Invalid(f"{decision.outcome.value} needs the changed fields", details=details)
    item = catalog_service.get_catalog().item(record.item_code)
    payload = _full_payload(record)
    for name in decision.changes:
        item.field(name)  # NotFound names an unknown field
        if decision.outcome is TargetOutcome.supplement and payload.get(name) not in (None, ""):
            raise Invalid(
                f"field {name} already has a value; a supplement only adds missing fields",
                details={**details, "changed_field": name},
            )
    payload.update(decision.changes)
    return records_service.correct(
        session,
        record_id=record.id,
        payload=payload,
        reason=decision.reason,
        actor=actor,
        today=today,
    )


def _apply_target(
    session: Session, record: Record, decision: TargetDecision, *, actor: str, today: date
) -> Record | None:
    """Carry out one decision; returns the new version where one was made."""
    reason = decision.reason
    if decision.outcome in {TargetOutcome.correct, TargetOutcome.supplement}:
        return _new_version(session, record, decision, actor=actor, today=today)
    if decision.outcome is TargetOutcome.remove_from_list:
        if not list_seam.is_list_item(record.item_code):
            raise Invalid(
                f"record {record.id} is not a list entry", details={"record_id": decision.record_id}
            )
        target_state = RecordState.revoked
    elif decision.outcome is TargetOutcome.stop_publication:
        target_state = RecordState.expired
    elif record.state == RecordState.under_objection.value:
        target_state = RecordState.active  # kept: the mark comes off
    else:
        return None  # kept, and it already left the objection state (e.g. its period ended)
    records_service.transition(
        session, record_id=record.id, to_state=target_state, reason=reason, actor=actor
    )
    return None


def _check_decisions(
    pairs: list[tuple[CaseTarget, Record]], decisions: list[TargetDecision]
) -> dict[int, TargetDecision]:
    by_record = {d.record_id: d for d in decisions}
    filed = {target.record_id for target, _ in pairs}
    if set(by_record) != filed or len(by_record) != len(decisions):
        raise Invalid(
            "decide every record of the case exactly once",
            details={"field": "decisions", "records": sorted(filed)},
        )
    return {
        record_id: replace(decision, reason=statement_text(decision.reason, field_name="reason"))
        for record_id, decision in by_record.items()
    }


def decide(
    session: Session,
    *,
    case_id: int,
    decisions: list[TargetDecision],
    actor: str,
    department_id: int | None,
    expected_version: int | None = None,
    today: date | None = None,
) -> RightsCase:
    """Decide an objection: each record corrected, supplemented, taken off publication or a
    list, or kept with reasons; the applicant is told. One transaction; first decider wins."""
    today = today or date.today()
    case = cases.get(session, case_id)
    if case.kind != CaseKind.objection.value:
        raise Invalid(f"case {case.number} is not an objection")
    cases.check_department(case, department_id)
    pairs = cases.targets(session, case.id)
    by_record = _check_decisions(pairs, decisions)
    cases.move(
        session,
        case,
        to=CaseState.decided,
        actor=actor,
        action="decided",
        expected_version=expected_version,
    )
    changed = []
    for target, filed in pairs:
        decision = by_record[target.record_id]
        record = records_service.current_of(session, filed)
        result = _apply_target(session, record, decision, actor=actor, today=today)
        target.outcome, target.outcome_reason = decision.outcome.value, decision.reason
        target.result_record_id = result.id if result else None
        if decision.outcome in CHANGING_OUTCOMES:
            changed.append((decision.outcome, result or record))
    outcome = _case_outcome(len(changed), len(pairs))
    summary = "; ".join(
        f"{d.record_id}: {d.outcome.value} — {d.reason}" for d in by_record.values()
    )
    cases.close(case, outcome=outcome.value, reason=summary, actor=actor, today=today)
    effects.records_changed(session, case, changed, today=today)
    effects.notify_decided(session, case)
    session.flush()
    return case


def _case_outcome(changed: int, total: int) -> CaseOutcome:
    if changed == 0:
        return CaseOutcome.rejected
    return CaseOutcome.upheld if changed == total else CaseOutcome.partly_upheld


def release_targets(session: Session, case: RightsCase, *, actor: str, reason: str) -> None:
    """Take the objection mark off the case's records (withdrawn case)."""
    for _, filed in cases.targets(session, case.id):
        record = records_service.current_of(session, filed)
        if record.state == RecordState.under_objection.value:
            records_service.transition(
                session,
                record_id=record.id,
                to_state=RecordState.active,
                reason=reason,
                actor=actor,
            )
