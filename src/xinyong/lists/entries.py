"""Entry plumbing shared by the lifecycle and the jobs: reading entries, version claims, the
timeline and audit log, notices to the subject, and which entries are truly live today."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.core.db import claim_version
from xinyong.core.errors import Conflict, IllegalTransition, Invalid, NotFound, both, label
from xinyong.core.i18n import t
from xinyong.core.text import TextProblem, clean_text
from xinyong.lists.config import ListKind, ListType, get_config
from xinyong.lists.models import ListEntry, ListEntryBasis, ListEntryEvent
from xinyong.lists.states import (
    LIVE_RECORD_STATES,
    LIVE_VALUES,
    EntrySource,
    EntryState,
    SystemReason,
    can_move,
)
from xinyong.notices import service as notices_service
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department
from xinyong.web.problems import invalid

MAX_TEXT = 5000
MAX_BASIS = 20
CHUNK = 1000


def get(session: Session, entry_id: int) -> ListEntry:
    """The entry with this id, or NotFound."""
    entry = session.get(ListEntry, entry_id)
    if entry is None:
        raise NotFound(key="lc.err.no_entry", params={"entry_id": entry_id})
    return entry


def spec_of(entry: ListEntry) -> ListType:
    """The list type of an entry."""
    return get_config().get(entry.list_code)


def timeline(session: Session, entry_id: int) -> list[ListEntryEvent]:
    """The entry's steps, oldest first."""
    stmt = select(ListEntryEvent).where(ListEntryEvent.entry_id == entry_id)
    return list(session.scalars(stmt.order_by(ListEntryEvent.id)))


def basis_records(session: Session, entry_id: int) -> list[Record]:
    """The records the entry rests on (as given when it was made)."""
    stmt = (
        select(Record)
        .join(ListEntryBasis, ListEntryBasis.record_id == Record.id)
        .where(ListEntryBasis.entry_id == entry_id)
    )
    return list(session.scalars(stmt.order_by(Record.id)))


def clean(raw: str | None, field: str, *, required: bool = True) -> str:
    """An officer's text: control characters removed, trimmed, length checked."""
    try:
        text = clean_text(raw or "", multiline=True)
    except TextProblem as problem:
        raise Invalid(
            key="lc.err.field_problem",
            params={"field": label(f"field.{field}"), "reason": problem.reason},
            details={"field": field},
        ) from None
    if required and not text:
        raise invalid(field, "missing")
    if len(text) > MAX_TEXT:
        raise invalid(field, "string_too_long", max_length=MAX_TEXT)
    return text


def log(
    session: Session,
    entry: ListEntry,
    *,
    actor: str,
    action: str,
    from_state: str | None = None,
    note: str | None = None,
    **data: Any,
) -> None:
    """Add a step to the entry's timeline and to the audit log."""
    session.add(
        ListEntryEvent(
            entry_id=entry.id,
            actor=actor,
            action=action,
            from_state=from_state,
            to_state=entry.state,
            note=note,
        )
    )
    audit_service.append(
        session,
        actor=actor,
        action=f"list.{action}",
        object_type="list_entry",
        object_id=entry.id,
        subject_id=entry.subject_id,
        summary={
            "list_code": entry.list_code,
            "department_id": entry.department_id,
            "from_state": from_state,
            "to_state": entry.state,
            "version": entry.version,
            "note": note,
            **data,
        },
    )


def claim(session: Session, entry: ListEntry, *, expected_version: int | None) -> None:
    """Take the entry for a change: its version must still be the one the caller saw."""
    seen = entry.version if expected_version is None else expected_version
    stale = Conflict(
        key="lc.err.stale",
        params={"entry_id": entry.id, "seen": seen},
        details={"entry_id": entry.id, "version": seen},
    )
    claim_version(session, entry, seen=seen, stale=stale)


def move(
    session: Session, entry: ListEntry, to: EntryState, *, expected_version: int | None
) -> EntryState:
    """Claim the entry and set its new state if allowed; returns the state it left."""
    current = EntryState(entry.state)
    if not can_move(current, to):
        raise IllegalTransition(
            key="lc.err.transition",
            params={
                "entry_id": entry.id,
                "current_value": label(f"list.state.{current.value}"),
                "to_value": label(f"list.state.{to.value}"),
            },
            details={"from": current.value, "to": to.value},
        )
    claim(session, entry, expected_version=expected_version)
    entry.state = to.value
    return current


def conditions(spec: ListType) -> dict[str, str]:
    """The list's removal conditions as notice parameters, in both languages."""
    return {
        "conditions": "；".join(c.zh for c in spec.removal_conditions),
        "conditions_en": "; ".join(c.en for c in spec.removal_conditions),
    }


def reason_labels(spec: ListType, reason: str) -> tuple[str, str]:
    """Chinese and English label of a removal reason of this list."""
    condition = spec.condition(reason)
    if condition is not None:
        return condition.zh, condition.en
    return t(f"list.removal.{reason}", "zh"), t(f"list.removal.{reason}", "en")


def tell(session: Session, entry: ListEntry, key: str, **params: object) -> None:
    """Send the subject a notice about this entry (key ``list.x``, text ``notice.list.x``)."""
    spec = spec_of(entry)
    notices_service.send(
        session,
        key=key,
        params={"list": spec.name.zh, "list_en": spec.name.en, **params},
        subject_id=entry.subject_id,
        ref=("list_entry", entry.id),
    )


def system_reason(spec: ListType, reason: str) -> str:
    """The reason as the list names it: one it does not name becomes ``basis_revoked``."""
    return reason if spec.condition(reason) is not None else SystemReason.basis_revoked.value


def _chunks(ids: Iterable[int]) -> list[list[int]]:
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + CHUNK] for i in range(0, len(unique), CHUNK)]


def live_entries(session: Session, *, subject_ids: Iterable[int], today: date) -> list[ListEntry]:
    """Entries truly on their list today: listed, within their term, their record still live."""
    record_live = and_(*records_service.live_clause(today))
    found: list[ListEntry] = []
    for chunk in _chunks(subject_ids):
        stmt = (
            select(ListEntry)
            .outerjoin(Record, Record.id == ListEntry.record_id)
            .where(
                ListEntry.subject_id.in_(chunk),
                ListEntry.state == EntryState.listed.value,
                or_(ListEntry.term_end.is_(None), ListEntry.term_end >= today),
                or_(ListEntry.source == EntrySource.platform.value, record_live),
            )
        )
        found.extend(session.scalars(stmt.order_by(ListEntry.subject_id, ListEntry.id)))
    return found


def memberships(session: Session, subject_id: int, today: date) -> list[str]:
    """The codes of the lists the subject is on today."""
    entries = live_entries(session, subject_ids=[subject_id], today=today)
    return sorted({entry.list_code for entry in entries})


# --- checks of a proposal --------------------------------------------------------------------


def check_department(session: Session, spec: ListType, department_id: int) -> None:
    """The department exists and its kind decides this list."""
    department = session.get(Department, department_id)
    field = {"field": "department_id"}
    if department is None:
        raise Invalid(
            key="lc.err.no_department", params={"department_id": department_id}, details=field
        )
    if department.kind not in spec.deciders:
        raise Invalid(
            key="lc.err.not_decider",
            params={
                "department_key": department.key,
                "department_kind": department.kind,
                "list": both(spec.name.zh, spec.name.en),
            },
            details=field,
        )


def check_subject(session: Session, spec: ListType, subject_id: int, today: date) -> None:
    """The list takes this subject: its kind, no live entry yet, no incompatible list."""
    subject = subjects_service.get(session, subject_id)
    if subject.kind not in spec.subject_kinds:
        raise Invalid(
            key="lc.err.subject_kind",
            params={
                "list": both(spec.name.zh, spec.name.en),
                "subject_kind": label(f"kind.{subject.kind}"),
            },
            details={"field": "subject_id"},
        )
    live = session.scalar(
        select(ListEntry.id).where(
            ListEntry.list_code == spec.code,
            ListEntry.subject_id == subject_id,
            ListEntry.state.in_(LIVE_VALUES),
        )
    )
    if live is not None:
        raise Conflict(
            key="lc.err.live_entry",
            params={
                "subject_id": subject_id,
                "live": live,
                "list": both(spec.name.zh, spec.name.en),
            },
            details={"entry_id": live},
        )
    clash = sorted(set(spec.incompatible_with) & set(memberships(session, subject_id, today)))
    if clash:
        raise Conflict(
            key="lc.err.incompatible",
            params={
                "subject_id": subject_id,
                "clash": clash,
                "list": both(spec.name.zh, spec.name.en),
            },
            details={"field": "subject_id", "lists": clash},
        )


def _wrong_polarity(spec: ListType, record: Record) -> bool:
    if spec.kind is ListKind.red:
        return record.polarity == "negative"
    return record.polarity == "positive"


def check_basis(
    session: Session, spec: ListType, subject_id: int, record_ids: list[int]
) -> list[Record]:
    """The records, current and live, of this subject, of a polarity that fits the list."""
    unique = list(dict.fromkeys(record_ids))
    if not unique or len(unique) > MAX_BASIS:
        raise Invalid(
            key="lc.err.basis_count",
            params={"MAX_BASIS": MAX_BASIS},
            details={"field": "basis_record_ids"},
        )
    records = []
    for record_id in unique:
        details = {"field": "basis_record_ids", "record_id": record_id}
        record = session.get(Record, record_id)
        if record is None or record.subject_id != subject_id:
            raise Invalid(
                key="lc.err.not_subjects_record", params={"record_id": record_id}, details=details
            )
        if not record.is_current or record.state not in LIVE_RECORD_STATES:
            raise Invalid(
                key="lc.err.record_not_live",
                params={
                    "record_id": record_id,
                    "record_state": label(f"record.state.{record.state}"),
                },
                details=details,
            )
        if _wrong_polarity(spec, record):
            raise Invalid(
                key="lc.err.polarity",
                params={
                    "record_polarity": both(
                        t(f"polarity.{record.polarity}", "zh"), record.polarity
                    ),
                    "list": both(spec.name.zh, spec.name.en),
                },
                details=details,
            )
        records.append(record)
    return records
