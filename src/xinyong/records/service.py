"""Record rules: versions, derived severity and disclosure end, state transitions, expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.catalog import rules
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import CatalogItem, DisclosureAttribute
from xinyong.core.errors import Conflict, IllegalTransition, Invalid, NotFound, label
from xinyong.identity.kinds import SubjectKind
from xinyong.records import protect
from xinyong.records.models import Record, RecordEvent
from xinyong.records.payload import check_payload, decision_date_of
from xinyong.records.schemas import Outcome, RecordCreate
from xinyong.records.states import ALLOWED_TRANSITIONS, PUBLISHABLE_STATES, RecordState
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department, Subject


@dataclass(frozen=True)
class Derived:
    """What the platform derives from an item's rules for one payload."""

    decision_date: date | None
    severity: str | None
    polarity: str
    disclosure_end: date | None


@dataclass(frozen=True)
class SubmitResult:
    record: Record
    outcome: Outcome


def derive(
    item: CatalogItem, payload: dict[str, Any], *, decision_date: date | None = None
) -> Derived:
    """Decision date, severity tier, polarity and disclosure end of a payload."""
    decided = decision_date or decision_date_of(item, payload)
    # Neutral items can carry dishonesty too (a breached commitment, a black rating).
    severity = rules.derive_severity(item, payload)
    end = (
        rules.disclosure_end(item, decision_date=decided, severity=severity, payload=payload)
        if decided is not None
        else None
    )
    return Derived(decided, severity.value if severity else None, item.polarity.value, end)


def _check_parties(item: CatalogItem, subject: Subject, department: Department) -> None:
    if subject.kind not in {k.value for k in item.subject_kinds}:
        raise Invalid(
            key="records.err.kind",
            params={"item_code": item.code, "subject_kind": label(f"kind.{subject.kind}")},
            details={"field": "subject_id"},
        )
    if item.source_departments and department.kind not in item.source_departments:
        raise Invalid(
            key="records.err.not_source",
            params={
                "department_key": department.key,
                "department_kind": department.kind,
                "item_code": item.code,
            },
            details={"field": "department_id"},
        )


def _check_subject_code(item: CatalogItem, subject: Subject, payload: dict[str, Any]) -> None:
    field = item.subject_code_field
    code = payload.get(field) if field else None
    if code and not subjects_service.has_code(subject, str(code)):
        raise Invalid(
            key="records.err.code_mismatch",
            params={"field": field, "subject_id": subject.id},
            details={"field": field or "subject_code"},
        )


def _current(session: Session, item_code: str, department_id: int, source_id: str) -> Record | None:
    stmt = select(Record).where(
        Record.item_code == item_code,
        Record.department_id == department_id,
        Record.source_record_id == source_id,
        Record.is_current.is_(True),
    )
    return session.scalar(stmt)


def _initial_state(derived: Derived, today: date) -> RecordState:
    if derived.disclosure_end is not None and derived.disclosure_end < today:
        return RecordState.expired
    return RecordState.active


@dataclass(frozen=True)
class _Checked:
    """A submission that passed every check, with what the platform derives from it."""

    data: RecordCreate
    item: CatalogItem
    derived: Derived
    person: bool


def _check(session: Session, data: RecordCreate, today: date) -> _Checked:
    item = catalog_service.get_catalog().item(data.item_code)
    subject = subjects_service.get(session, data.subject_id)
    department = session.get(Department, data.department_id)
    if department is None:
        raise NotFound(
            key="records.err.no_department", params={"data_department_id": data.department_id}
        )
    _check_parties(item, subject, department)
    payload = check_payload(item, data.payload)
    _check_subject_code(item, subject, payload)
    derived = derive(item, payload, decision_date=data.decision_date)
    if derived.decision_date and derived.decision_date > today:
        raise Invalid(key="records.err.future", details={"field": "decision_date"})
    data = data.model_copy(update={"payload": payload})
    return _Checked(data, item, derived, subject.kind == SubjectKind.natural_person)


def _build(checked: _Checked, state: RecordState) -> Record:
    data, derived = checked.data, checked.derived
    masked, clear = protect.split_personal(
        checked.item, data.payload, subject_is_person=checked.person
    )
    return Record(
        subject_id=data.subject_id,
        item_code=checked.item.code,
        department_id=data.department_id,
        source_record_id=data.source_record_id,
        state=state.value,
        decision_date=derived.decision_date,
        severity=derived.severity,
        polarity=derived.polarity,
        disclosure_end=derived.disclosure_end,
        payload=masked,
        protected=protect.seal(clear),
        content_hash=protect.content_hash(masked, clear, derived.decision_date),
        catalog_version=catalog_service.get_catalog().version,
        batch_id=data.batch_id,
    )


def _unchanged(checked: _Checked, current: Record) -> bool:
    masked, clear = protect.split_personal(
        checked.item, checked.data.payload, subject_is_person=checked.person
    )
    return (
        current.payload == masked
        and protect.unseal(current.protected) == clear
        and current.decision_date == checked.derived.decision_date
    )


def submit(
    session: Session, *, data: RecordCreate, actor: str, today: date | None = None
) -> SubmitResult:
    """Load one record: new → created, same payload → unchanged, changed → a new version."""
    today = today or date.today()
    checked = _check(session, data, today)
    current = _current(session, checked.item.code, data.department_id, data.source_record_id)
    if current is None:
        record = _build(checked, _initial_state(checked.derived, today))
        session.add(record)
        session.flush()
        _audit(session, record, "record.create", actor, state=record.state, batch=data.batch_id)
        return SubmitResult(record, "created")
    if current.subject_id != data.subject_id:
        raise Conflict(
            key="records.err.source_taken",
            params={"data_source_record_id": data.source_record_id},
            details={"field": "source_record_id"},
        )
    if _unchanged(checked, current):
        return SubmitResult(current, "unchanged")
    reason = f"resubmitted with changes in batch {data.batch_id or '-'}"
    record = _new_version(session, current, checked, reason=reason, actor=actor, today=today)
    return SubmitResult(record, "corrected")


def _new_version(
    session: Session, current: Record, checked: _Checked, *, reason: str, actor: str, today: date
) -> Record:
    if current.state == RecordState.revoked:
        raise IllegalTransition(key="records.err.revoked", params={"current_id": current.id})
    state = _initial_state(checked.derived, today)
    if current.state == RecordState.repaired:
        state = RecordState.repaired  # a data fix does not restart publication
    _log(session, current, RecordState.corrected, reason, actor)
    current.state = RecordState.corrected.value
    current.is_current = False
    current.state_reason = reason
    session.flush()
    record = _build(checked, state)
    record.version = current.version + 1
    record.supersedes_id = current.id
    session.add(record)
    session.flush()
    changed = sorted(
        key
        for key in current.payload.keys() | record.payload.keys()
        if current.payload.get(key) != record.payload.get(key)
    )
    _audit(
        session,
        record,
        "record.correct",
        actor,
        supersedes=current.id,
        fields=changed,
        reason=reason,
    )
    return record


def correct(
    session: Session,
    *,
    record_id: int,
    payload: dict[str, Any],
    reason: str,
    actor: str,
    today: date | None = None,
) -> Record:
    """Correct a record: the current version is kept as ``corrected`` and a new one made."""
    today = today or date.today()
    current = get(session, record_id)
    if not current.is_current:
        raise Conflict(key="records.err.not_current", params={"record_id": record_id})
    if not reason.strip():
        raise Invalid(key="records.err.correction_reason", details={"field": "reason"})
    data = RecordCreate(
        subject_id=current.subject_id,
        item_code=current.item_code,
        department_id=current.department_id,
        source_record_id=current.source_record_id,
        payload=payload,
        batch_id=current.batch_id,
    )
    checked = _check(session, data, today)
    return _new_version(session, current, checked, reason=reason, actor=actor, today=today)


def get(session: Session, record_id: int) -> Record:
    """The record version with this id, or NotFound."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFound(key="records.err.no_record", params={"record_id": record_id})
    return record


def versions(session: Session, record_id: int) -> list[Record]:
    """All versions of the record that this version belongs to, oldest first."""
    record = get(session, record_id)
    stmt = select(Record).where(
        Record.item_code == record.item_code,
        Record.department_id == record.department_id,
        Record.source_record_id == record.source_record_id,
    )
    return list(session.scalars(stmt.order_by(Record.version)))


def current_of(session: Session, record: Record) -> Record:
    """The current version of the record this version belongs to (itself if current)."""
    if record.is_current:
        return record
    current = _current(session, record.item_code, record.department_id, record.source_record_id)
    return current or record


def for_subject(session: Session, subject_id: int, *, current_only: bool = True) -> list[Record]:
    """A subject's records, newest decision first."""
    stmt = select(Record).where(Record.subject_id == subject_id)
    if current_only:
        stmt = stmt.where(Record.is_current.is_(True))
    return list(session.scalars(stmt.order_by(Record.decision_date.desc(), Record.id.desc())))


def _log(session: Session, record: Record, to_state: RecordState, reason: str, actor: str) -> None:
    session.add(
        RecordEvent(
            record_id=record.id,
            subject_id=record.subject_id,
            from_state=record.state,
            to_state=to_state.value,
            reason=reason,
            actor=actor,
        )
    )


def _audit(session: Session, record: Record, action: str, actor: str, **change: Any) -> None:
    """Append the write to the audit log (the payload stays out: only what identifies it)."""
    audit_service.append(
        session,
        actor=actor,
        action=action,
        object_type="record",
        object_id=record.id,
        subject_id=record.subject_id,
        summary={
            "item_code": record.item_code,
            "department_id": record.department_id,
            "source_record_id": record.source_record_id,
            "version": record.version,
            **change,
        },
    )


def transition(
    session: Session, *, record_id: int, to_state: RecordState, reason: str, actor: str
) -> Record:
    """Move a record to another state if the platform allows it; the change is logged."""
    record = get(session, record_id)
    current = RecordState(record.state)
    if to_state == RecordState.corrected:
        raise IllegalTransition(key="records.err.corrected")
    if to_state not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED_TRANSITIONS[current])) or "none"
        raise IllegalTransition(
            key="records.err.transition",
            params={
                "record_id": record_id,
                "current_value": current.value,
                "to_state_value": to_state.value,
                "allowed": allowed,
            },
            details={"from": current.value, "to": to_state.value},
        )
    if not reason.strip():
        raise Invalid(key="records.err.state_reason", details={"field": "reason"})
    _log(session, record, to_state, reason, actor)
    record.state = to_state.value
    record.state_reason = reason
    session.flush()
    _audit(
        session,
        record,
        "record.transition",
        actor,
        from_state=current,
        to_state=to_state,
        reason=reason,
    )
    return record


# --- what is published: the one definition every "published" figure and listing uses -------


def public_item_codes() -> list[str]:
    """Items whose records can be public at all (disclosure attribute public)."""
    catalog = catalog_service.get_catalog()
    return sorted(
        code
        for code, item in catalog.items.items()
        if item.disclosure_attribute is DisclosureAttribute.public
    )


def live_clause(today: date) -> list[ColumnElement[bool]]:
    """SQL conditions of the records in force on ``today``: the current version, a
    publishable state (``PUBLISHABLE_STATES``) and inside the disclosure period."""
    return [
        Record.is_current.is_(True),
        Record.state.in_(sorted(s.value for s in PUBLISHABLE_STATES)),
        or_(Record.disclosure_end.is_(None), Record.disclosure_end >= today),
    ]


def published_clause(today: date) -> list[ColumnElement[bool]]:
    """SQL conditions of the records the public may see on ``today``: in force
    (``live_clause``) and of an item disclosed to the public (the access policy still has
    the last word on each row shown)."""
    return [*live_clause(today), Record.item_code.in_(public_item_codes())]


def count_published(session: Session, *, today: date) -> int:
    """How many records the public may see on ``today`` (``published_clause``)."""
    stmt = select(func.count()).select_from(Record).where(*published_clause(today))
    return int(session.scalar(stmt) or 0)
