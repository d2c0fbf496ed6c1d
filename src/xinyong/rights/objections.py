"""Objection (异议): registration marks the records at once; the source department decides."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.core.errors import Conflict, Forbidden, Invalid, label
from xinyong.core.text import TextProblem, clean_text
from xinyong.core.workdays import add_workdays
from xinyong.portal import list_seam
from xinyong.records import protect
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.states import RecordState
from xinyong.rights import cases, effects, evidence, hooks, list_objections
from xinyong.rights.config import get_config
from xinyong.rights.list_objections import LIST_GROUNDS as LIST_GROUNDS
from xinyong.rights.models import CaseTarget, RightsCase
from xinyong.rights.states import (
    CHANGING_OUTCOMES,
    CaseKind,
    CaseOutcome,
    CaseState,
    ObjectionGround,
    TargetOutcome,
)
from xinyong.web.problems import invalid

MAX_TARGETS = 20
MAX_STATEMENT = 5000


def statement_text(raw: str, *, field_name: str = "statement", required: bool = True) -> str:
    """Applicant's or officer's text: control characters removed, length checked."""
    try:
        text = clean_text(raw or "", multiline=True)
    except TextProblem as problem:
        raise Invalid(
            key="rights.err.text_problem",
            params={"field": label(f"field.{field_name}"), "reason": problem.reason},
            details={"field": field_name},
        ) from None
    if required and not text:
        raise invalid(field_name, "missing")
    if len(text) > MAX_STATEMENT:
        raise invalid(field_name, "string_too_long", max_length=MAX_STATEMENT)
    return text


def _targets(session: Session, subject_id: int, record_ids: list[int]) -> list[Record]:
    unique = list(dict.fromkeys(record_ids))
    if not unique or len(unique) > MAX_TARGETS:
        raise Invalid(
            key="rights.err.records_count",
            params={"MAX_TARGETS": MAX_TARGETS},
            details={"field": "record_ids"},
        )
    records = []
    for record_id in unique:
        record = session.get(Record, record_id)
        if record is None or record.subject_id != subject_id:
            raise Forbidden(
                key="rights.err.not_own_record",
                params={"record_id": record_id},
                details={"field": "record_ids", "record_id": record_id},
            )
        records.append(record)
    return records


def _check_target(session: Session, record: Record, ground: ObjectionGround) -> None:
    details = {"field": "record_ids", "record_id": record.id}
    if not record.is_current:
        raise Invalid(
            key="rights.err.newer_version", params={"record_id": record.id}, details=details
        )
    open_cases = cases.open_cases_of_record(session, record.id, CaseKind.objection)
    if open_cases:
        raise Conflict(
            key="rights.err.under_objection",
            params={"record_id": record.id, "open_cases_0_number": open_cases[0].number},
            details=details,
        )
    if record.state != RecordState.active.value:
        raise Invalid(
            key="rights.err.record_gone",
            params={"record_id": record.id, "record_state": label(f"record.state.{record.state}")},
            details=details,
        )
    if ground in LIST_GROUNDS and not list_seam.is_list_item(record.item_code):
        raise Invalid(
            key="rights.err.not_list_ground", params={"record_id": record.id}, details=details
        )


@dataclass(frozen=True)
class ObjectionApplication:
    """What is objected to: records, or (``list_entry_ids``) list entries; one of the two."""

    record_ids: list[int]
    ground: ObjectionGround
    statement: str
    files: list[evidence.Upload] = field(default_factory=list)
    list_entry_ids: list[int] = field(default_factory=list)


def _checked_records(
    session: Session, subject_id: int, application: ObjectionApplication
) -> tuple[list[Record], int]:
    """The records objected to, each checked, and the one department that decides."""
    records = _targets(session, subject_id, application.record_ids)
    for record in records:
        _check_target(session, record, application.ground)
    departments = {record.department_id for record in records}
    if len(departments) > 1:
        raise Invalid(
            key="rights.err.departments",
            details={"field": "record_ids"},
        )
    return records, departments.pop()


def _checked(
    session: Session, applicant: cases.Applicant, application: ObjectionApplication, today: date
) -> tuple[list[Record], list[list_objections.EntryTarget], int]:
    """The records or the list entries objected to, checked, and the department deciding."""
    if not application.list_entry_ids and not application.record_ids:
        raise Invalid(
            key="rights.err.name_targets",
            details={"field": "record_ids"},
        )
    if not application.list_entry_ids:
        records, department_id = _checked_records(session, applicant.subject_id, application)
        return records, [], department_id
    if application.record_ids:
        raise Invalid(
            key="rights.err.not_both",
            details={"field": "record_ids"},
        )
    entries = list_objections.check(
        session,
        subject_id=applicant.subject_id,
        entry_ids=application.list_entry_ids,
        ground=application.ground,
        today=today,
    )
    return [], entries, entries[0].entry.department_id


def apply(
    session: Session,
    *,
    applicant: cases.Applicant,
    application: ObjectionApplication,
    today: date | None = None,
) -> RightsCase:
    """Register an objection and mark its records 异议处理中 (or hold its list entries) at once,
    in the same transaction."""
    today = today or date.today()
    statement = statement_text(application.statement)
    records, entries, department_id = _checked(session, applicant, application, today)
    evidence.check(application.files)
    case = cases.open_case(
        session,
        kind=CaseKind.objection,
        applicant=applicant,
        department_id=department_id,
        state=CaseState.accepted,
        ground=application.ground.value,
        statement=statement,
        today=today,
        due_on=add_workdays(today, get_config().deadlines.objection.registration),
    )
    evidence.attach(session, case, application.files, actor=applicant.actor)
    _mark_records(session, case, records, actor=applicant.actor)
    list_objections.register(session, case, entries, actor=applicant.actor)
    _registered(session, case, records, entries, actor=applicant.actor, today=today)
    return case


def _mark_records(session: Session, case: RightsCase, records: list[Record], *, actor: str) -> None:
    for record in records:
        session.add(CaseTarget(case_id=case.id, record_id=record.id, state_before=record.state))
        records_service.transition(
            session,
            record_id=record.id,
            to_state=RecordState.under_objection,
            reason=f"异议受理 objection registered (case {case.number})",
            actor=actor,
        )


def _registered(
    session: Session,
    case: RightsCase,
    records: list[Record],
    entries: list[list_objections.EntryTarget],
    *,
    actor: str,
    today: date,
) -> None:
    """The verification limit starts; the step is logged and both sides are told."""
    case.accepted_on = today
    case.decide_due_on = add_workdays(today, get_config().deadlines.objection.verify)
    case.due_on = case.decide_due_on
    data: dict[str, Any] = {"records": [r.id for r in records] or [t.record.id for t in entries]}
    if entries:
        data["list_entries"] = [t.entry.id for t in entries]
    data["decide_due_on"] = case.decide_due_on
    cases.log(session, case, actor=actor, action="registered", to_state=case.state, data=data)
    effects.notify_opened(session, case, about_lists=bool(entries))


@dataclass(frozen=True)
class TargetDecision:
    """The decision on one disputed record (for a list entry: the record its target names)."""

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
        raise Invalid(
            key="rights.err.needs_changes",
            params={"decision_outcome_value": decision.outcome.value},
            details=details,
        )
    item = catalog_service.get_catalog().item(record.item_code)
    payload = _full_payload(record)
    for name in decision.changes:
        item.field(name)  # NotFound names an unknown field
        if decision.outcome is TargetOutcome.supplement and payload.get(name) not in (None, ""):
            raise Invalid(
                key="rights.err.supplement",
                params={"name": name},
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
                key="rights.err.not_list_entry",
                params={"record_id": record.id},
                details={"record_id": decision.record_id},
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
            key="rights.err.decide_once",
            details={"field": "decisions", "records": sorted(filed)},
        )
    for target, _ in pairs:
        list_objections.check_outcome(target, by_record[target.record_id].outcome)
    return {
        record_id: replace(decision, reason=statement_text(decision.reason, field_name="reason"))
        for record_id, decision in by_record.items()
    }


def _carry_out(
    session: Session,
    case: RightsCase,
    pairs: list[tuple[CaseTarget, Record]],
    by_record: dict[int, TargetDecision],
    *,
    actor: str,
    today: date,
) -> tuple[list[tuple[TargetOutcome, Record]], int]:
    """Apply each decision: the records changed, and how many list entries it upheld."""
    changed: list[tuple[TargetOutcome, Record]] = []
    upheld_entries = 0
    for target, filed in pairs:
        decision = by_record[target.record_id]
        target.outcome, target.outcome_reason = decision.outcome.value, decision.reason
        if target.list_entry_id is not None:
            upheld_entries += list_objections.decide_target(
                session,
                case,
                target,
                decision.outcome,
                reason=decision.reason,
                actor=actor,
                today=today,
            )
            continue
        record = records_service.current_of(session, filed)
        result = _apply_target(session, record, decision, actor=actor, today=today)
        target.result_record_id = result.id if result else None
        if decision.outcome in CHANGING_OUTCOMES:
            changed.append((decision.outcome, result or record))
    return changed, upheld_entries


def refuse_if_decided_elsewhere(case: RightsCase) -> None:
    """A case another module decides (an objection to a grade) is refused here, naming
    where it is decided."""
    owner = hooks.owner_of(case.ground)
    if owner is not None:
        path = owner.api_decision(case.id)
        raise Invalid(
            key="rights.err.decided_elsewhere",
            params={"case_number": case.number, "path": path},
            details={"case": case.number, "decide_at": path},
        )


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
        raise Invalid(key="rights.err.not_objection", params={"case_number": case.number})
    cases.check_department(case, department_id)
    pairs = cases.targets(session, case.id)
    if not pairs:  # an objection against a grade: evaluation decides it (it names no record)
        refuse_if_decided_elsewhere(case)
        raise Invalid(
            key="rights.err.names_no_record",
            params={"case_number": case.number},
            details={"case": case.number},
        )
    by_record = _check_decisions(pairs, decisions)
    cases.move(
        session,
        case,
        to=CaseState.decided,
        actor=actor,
        action="decided",
        expected_version=expected_version,
    )
    changed, upheld_entries = _carry_out(session, case, pairs, by_record, actor=actor, today=today)
    outcome = _case_outcome(len(changed) + upheld_entries, len(pairs))
    summary = _summary(pairs, by_record)
    cases.close(case, outcome=outcome.value, reason=summary, actor=actor, today=today)
    effects.records_changed(session, case, changed, actor=actor, today=today)
    effects.notify_decided(session, case)
    session.flush()
    return case


def _summary(pairs: list[tuple[CaseTarget, Record]], by_record: dict[int, TargetDecision]) -> str:
    """The decision per record (or list entry), as the case's outcome reason."""
    lines = []
    for target, _ in pairs:
        decision = by_record[target.record_id]
        what = target.record_id if target.list_entry_id is None else f"名单 {target.list_entry_id}"
        lines.append(f"{what}: {decision.outcome.value} — {decision.reason}")
    return "; ".join(lines)


def _case_outcome(changed: int, total: int) -> CaseOutcome:
    if changed == 0:
        return CaseOutcome.rejected
    return CaseOutcome.upheld if changed == total else CaseOutcome.partly_upheld


def release_targets(session: Session, case: RightsCase, *, actor: str, reason: str) -> None:
    """Take the objection mark off the case's records and its holds off its list entries
    (withdrawn case)."""
    list_objections.release_all(session, case, actor=actor, reason=reason)
    for target, filed in cases.targets(session, case.id):
        if target.list_entry_id is not None:
            continue  # the record only names what the entry rests on; it was never marked
        record = records_service.current_of(session, filed)
        if record.state == RecordState.under_objection.value:
            records_service.transition(
                session,
                record_id=record.id,
                to_state=RecordState.active,
                reason=reason,
                actor=actor,
            )
