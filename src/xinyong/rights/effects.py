"""What a case's steps set off beyond the case: notices, partner events, re-evaluation, lists."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from xinyong.core.workdays import add_workdays
from xinyong.notices import service as notices_service
from xinyong.portal import list_seam
from xinyong.records import effects as record_effects
from xinyong.records import service as records_service
from xinyong.records.effects import Change as RecordChange
from xinyong.records.models import Record
from xinyong.records.states import RecordState
from xinyong.rights.config import get_config
from xinyong.rights.models import RightsCase
from xinyong.rights.states import TargetOutcome

# What each decision on a record is, as a record change (records.effects runs the rest).
CHANGES = {
    TargetOutcome.correct: RecordChange.corrected,
    TargetOutcome.supplement: RecordChange.corrected,
    TargetOutcome.stop_publication: RecordChange.expired,
    TargetOutcome.remove_from_list: RecordChange.revoked,
}


def _ref(case: RightsCase) -> tuple[str, int]:
    return ("rights_case", case.id)


def _to_subject(session: Session, case: RightsCase, key: str, **params: object) -> None:
    notices_service.send(
        session,
        key=key,
        params={"number": case.number, **params},
        subject_id=case.subject_id,
        ref=_ref(case),
    )


def _to_department(session: Session, case: RightsCase, key: str, **params: object) -> None:
    notices_service.send(
        session,
        key=key,
        params={"number": case.number, **params},
        department_id=case.department_id,
        ref=_ref(case),
    )


def notify_opened(session: Session, case: RightsCase, *, about_lists: bool = False) -> None:
    """Tell the applicant the case is received and the department it has a new case."""
    due = case.due_on.isoformat() if case.due_on else ""
    received = f"{case.kind}.list_received" if about_lists else f"{case.kind}.received"
    _to_subject(session, case, received, due=due)
    _to_department(session, case, f"{case.kind}.new", due=due)


def notify_decided(session: Session, case: RightsCase) -> None:
    """Tell the applicant the outcome and the reasons."""
    _to_subject(
        session,
        case,
        f"{case.kind}.decided.{case.outcome}",
        reason=case.outcome_reason or "",
        reapply_from=case.reapply_from.isoformat() if case.reapply_from else "",
    )


def notify(session: Session, case: RightsCase, key: str, **params: object) -> None:
    """Any other message to the applicant about its case."""
    _to_subject(session, case, key, **params)


def remind(session: Session, case: RightsCase, *, overdue: bool) -> None:
    """Remind the deciding department of a case that is due or overdue."""
    due = case.due_on.isoformat() if case.due_on else ""
    _to_department(session, case, "case.overdue" if overdue else "case.due", due=due)


def _partner_due(today: date) -> date:
    return add_workdays(today, get_config().deadlines.notify_partners)


def _cause(case: RightsCase, *, actor: str, today: date, reason: str) -> record_effects.Cause:
    return record_effects.Cause(
        actor=actor, today=today, reason=reason, ref=case.number, partner_due=_partner_due(today)
    )


def records_changed(
    session: Session,
    case: RightsCase,
    changed: list[tuple[TargetOutcome, Record]],
    *,
    actor: str,
    today: date,
) -> None:
    """The decided records' consequences (list entries, partners, re-evaluation, notices)
    through records.effects, one call per kind of change."""
    by_change: dict[RecordChange, list[Record]] = {}
    for outcome, record in changed:
        by_change.setdefault(CHANGES[outcome], []).append(record)
    cause = _cause(case, actor=actor, today=today, reason=f"异议 objection (case {case.number})")
    for change, records in by_change.items():
        record_effects.record_changed(session, change, records, cause=cause)


def repaired(
    session: Session, case: RightsCase, record: Record, *, actor: str, today: date
) -> list[Record]:
    """A repair's consequences: publication stops, list entries resting on the record come
    off, the subject is re-evaluated and partners are told. Returns the list entries removed.

    Punishment measures are not stored per subject: credit checks derive them from live list
    entries and published records, so they stop applying with this same transaction.
    """
    reason = f"信用修复 credit repair (case {case.number})"
    records_service.transition(
        session, record_id=record.id, to_state=RecordState.repaired, reason=reason, actor=actor
    )
    # Published list records naming it leave the list with it; entries decided on the
    # platform end through the lists module's handler of the change.
    removed = list_seam.entries_grounded_on(session, record)
    for entry in removed:
        records_service.transition(
            session,
            record_id=entry.id,
            to_state=RecordState.repaired,
            reason=f"移出名单: 认定依据 {record.source_record_id} 已修复 (case {case.number})",
            actor=actor,
        )
    cause = _cause(case, actor=actor, today=today, reason=reason)
    record_effects.record_changed(session, RecordChange.repaired, [record, *removed], cause=cause)
    return removed
