"""Objections against list entries (名单异议): the entry is held while the objection is decided;
upheld, a notified entry is never listed and a listed one leaves the list; kept, the hold ends.

A list target of a case names the entry (``list_entry_id``) and, as ``record_id``, the record
the entry rests on: its reported record, or its first basis record for a platform entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.core.errors import Conflict, Forbidden, Invalid, both, label
from xinyong.core.i18n import Language, t
from xinyong.lists import service as lists_service
from xinyong.lists.config import get_config as lists_config
from xinyong.lists.models import ListEntry
from xinyong.lists.states import EntryState
from xinyong.records.models import Record
from xinyong.rights.models import CaseTarget, RightsCase
from xinyong.rights.states import OPEN_STATES, CaseKind, ObjectionGround, TargetOutcome

FIELD = "list_entry_ids"
MAX_ENTRIES = 20
# A notified entry is known to the subject (it was told); a listed one is on the list.
OBJECTABLE_STATES = (EntryState.notified.value, EntryState.listed.value)
LIST_GROUNDS = frozenset({ObjectionGround.wrongly_listed, ObjectionGround.not_removed})
LIST_OUTCOMES = frozenset({TargetOutcome.remove_from_list, TargetOutcome.keep})


@dataclass(frozen=True)
class EntryTarget:
    """A list entry objected to and the record it rests on (the target's ``record_id``)."""

    entry: ListEntry
    record: Record


def list_name(list_code: str, lang: Language) -> str:
    """The list's name in the page language (its code if the list is no longer configured)."""
    spec = lists_config().lists.get(list_code)
    if spec is None:
        return list_code
    return spec.name.zh if lang == "zh" else spec.name.en


def resting_record(session: Session, entry: ListEntry) -> Record | None:
    """The record an entry rests on: its reported record, else its first basis record."""
    if entry.record_id is not None:
        return session.get(Record, entry.record_id)
    basis = lists_service.basis_records(session, entry.id)
    return basis[0] if basis else None


def _open_cases(session: Session, entry_ids: list[int]) -> dict[int, list[RightsCase]]:
    """Open objections about these entries, by entry."""
    if not entry_ids:
        return {}
    stmt = (
        select(CaseTarget.list_entry_id, RightsCase)
        .join(RightsCase, RightsCase.id == CaseTarget.case_id)
        .where(
            CaseTarget.list_entry_id.in_(entry_ids),
            RightsCase.kind == CaseKind.objection.value,
            RightsCase.state.in_([s.value for s in OPEN_STATES]),
        )
        .order_by(RightsCase.id)
    )
    found: dict[int, list[RightsCase]] = {}
    for entry_id, case in session.execute(stmt).all():
        if entry_id is not None:  # the query names entries only
            found.setdefault(entry_id, []).append(case)
    return found


def open_cases_of_entry(session: Session, entry_id: int) -> list[RightsCase]:
    """Open objections about this list entry."""
    return _open_cases(session, [entry_id]).get(entry_id, [])


def why_not(entry: ListEntry, ground: ObjectionGround | None, today: date) -> Invalid | None:
    """Why the subject cannot object to this entry now (None: it can)."""
    details = {"field": FIELD, "list_entry_id": entry.id}
    if entry.state == EntryState.proposed.value:
        return Invalid(
            key="rights.err.entry_proposed",
            params={"entry_id": entry.id},
            details=details,
        )
    if entry.state not in OBJECTABLE_STATES:
        return Invalid(
            key="rights.err.entry_gone",
            params={"entry_id": entry.id, "entry_state": label(f"list.state.{entry.state}")},
            details=details,
        )
    notified = entry.state == EntryState.notified.value
    if notified and entry.objection_until is not None and today > entry.objection_until:
        until = entry.objection_until.isoformat()
        return Invalid(
            key="rights.err.entry_window",
            params={"entry_id": entry.id, "until": until},
            details={**details, "objection_until": until},
        )
    if notified and ground is ObjectionGround.not_removed:
        return Invalid(
            key="rights.err.entry_not_listed",
            params={
                "entry_id": entry.id,
                "ObjectionGround_wrongly_listed_value": ObjectionGround.wrongly_listed.value,
            },
            details={"field": "ground", "list_entry_id": entry.id},
        )
    return None


def _check_entry(
    session: Session, subject_id: int, entry_id: int, ground: ObjectionGround, today: date
) -> EntryTarget:
    details = {"field": FIELD, "list_entry_id": entry_id}
    entry = session.get(ListEntry, entry_id)
    if entry is None or entry.subject_id != subject_id:
        raise Forbidden(
            key="rights.err.not_own_entry", params={"entry_id": entry_id}, details=details
        )
    refusal = why_not(entry, ground, today)
    if refusal is not None:
        raise refusal
    open_cases = open_cases_of_entry(session, entry.id)
    if open_cases or entry.held_by_objection:
        number = open_cases[0].number if open_cases else entry.objection_ref
        raise Conflict(
            key="rights.err.entry_under_objection",
            params={"entry_id": entry.id, "number": number},
            details=details,
        )
    record = resting_record(session, entry)
    if record is None:
        raise Invalid(
            key="rights.err.entry_no_record", params={"entry_id": entry.id}, details=details
        )
    return EntryTarget(entry, record)


def check(
    session: Session,
    *,
    subject_id: int,
    entry_ids: list[int],
    ground: ObjectionGround,
    today: date,
) -> list[EntryTarget]:
    """The subject's own entries it may object to now, on a list ground, from one department."""
    unique = list(dict.fromkeys(entry_ids))
    if not unique or len(unique) > MAX_ENTRIES:
        raise Invalid(
            key="rights.err.entries_count",
            params={"MAX_ENTRIES": MAX_ENTRIES},
            details={"field": FIELD},
        )
    if ground not in LIST_GROUNDS:
        choices = ", ".join(sorted(g.value for g in LIST_GROUNDS))
        raise Invalid(
            key="rights.err.list_ground",
            params={"choices": choices},
            details={"field": "ground"},
        )
    targets = [_check_entry(session, subject_id, i, ground, today) for i in unique]
    if len({t.entry.department_id for t in targets}) > 1:
        raise Invalid(
            key="rights.err.entry_departments",
            details={"field": FIELD},
        )
    if len({t.record.id for t in targets}) < len(targets):
        raise Invalid(
            key="rights.err.same_record",
            details={"field": FIELD},
        )
    return targets


def register(session: Session, case: RightsCase, targets: list[EntryTarget], *, actor: str) -> None:
    """Add the case's list targets and hold each entry (not listed, or disputed, meanwhile)."""
    for target in targets:
        entry = target.entry
        session.add(
            CaseTarget(
                case_id=case.id,
                record_id=target.record.id,
                state_before=entry.state,
                list_entry_id=entry.id,
            )
        )
        lists_service.hold(session, entry_id=entry.id, actor=actor, ref=case.number)


def check_outcome(target: CaseTarget, outcome: TargetOutcome) -> None:
    """A list entry is removed from the list (upheld) or kept, nothing else."""
    if target.list_entry_id is not None and outcome not in LIST_OUTCOMES:
        allowed = "、".join(t(f"rights.target.{o.value}", "zh") for o in sorted(LIST_OUTCOMES))
        allowed_en = ", ".join(t(f"rights.target.{o.value}", "en") for o in sorted(LIST_OUTCOMES))
        raise Invalid(
            key="rights.err.entry_outcome",
            params={"entry_id": target.list_entry_id, "allowed": both(allowed, allowed_en)},
            details={"field": "decisions", "list_entry_id": target.list_entry_id},
        )


def _release(
    session: Session, entry: ListEntry, case: RightsCase, *, actor: str, note: str
) -> None:
    """Lift this case's hold, if the entry still carries it."""
    if entry.held_by_objection and entry.objection_ref == case.number:
        lists_service.release(session, entry_id=entry.id, actor=actor, note=note)


def decide_target(
    session: Session,
    case: RightsCase,
    target: CaseTarget,
    outcome: TargetOutcome,
    *,
    reason: str,
    actor: str,
    today: date,
) -> bool:
    """Carry out the decision on one entry; True when the objection was upheld for it."""
    assert target.list_entry_id is not None
    entry = lists_service.get(session, target.list_entry_id)
    note = f"{reason} (case {case.number})"
    if outcome is TargetOutcome.remove_from_list:
        if entry.state in OBJECTABLE_STATES:  # else it left meanwhile (withdrawn, repaired …)
            lists_service.uphold_objection(
                session, entry_id=entry.id, note=note, actor=actor, today=today
            )
        return True
    _release(session, entry, case, actor=actor, note=note)
    return False


def release_all(session: Session, case: RightsCase, *, actor: str, reason: str) -> None:
    """Lift the case's holds on its entries (the objection was withdrawn)."""
    for entry in entries_of(session, case.id).values():
        _release(session, entry, case, actor=actor, note=reason)


def entries_of(session: Session, case_id: int) -> dict[int, ListEntry]:
    """The list entries a case is about, by id."""
    stmt = (
        select(ListEntry)
        .join(CaseTarget, CaseTarget.list_entry_id == ListEntry.id)
        .where(CaseTarget.case_id == case_id)
    )
    return {entry.id: entry for entry in session.scalars(stmt)}


@dataclass(frozen=True)
class EntryRow:
    """One of the subject's live entries on its records page, and what it may do about it."""

    entry: ListEntry
    open_cases: list[RightsCase]
    can_object: bool


def entry_rows(session: Session, subject_id: int, *, today: date) -> list[EntryRow]:
    """The subject's notified and listed entries, with their open objections."""
    stmt = select(ListEntry).where(
        ListEntry.subject_id == subject_id, ListEntry.state.in_(OBJECTABLE_STATES)
    )
    found = list(session.scalars(stmt.order_by(ListEntry.id.desc())))
    open_cases = _open_cases(session, [entry.id for entry in found])
    return [
        EntryRow(
            entry,
            open_cases.get(entry.id, []),
            can_object=not open_cases.get(entry.id)
            and not entry.held_by_objection
            and why_not(entry, None, today) is None,
        )
        for entry in found
    ]


def objectable_entries(session: Session, subject_id: int, *, today: date) -> list[ListEntry]:
    """The subject's entries an objection may name today."""
    return [row.entry for row in entry_rows(session, subject_id, today=today) if row.can_object]
