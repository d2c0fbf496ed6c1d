"""List entries: propose → notify → list → remove, each step claimed by the entry's version,
written to its timeline and to the audit log, and told to the subject."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from xinyong.audit import service as audit_service
from xinyong.catalog import service as catalog_service
from xinyong.core.errors import Conflict, IllegalTransition, Invalid, both, label
from xinyong.core.i18n import LANGUAGES, t
from xinyong.core.workdays import add_workdays
from xinyong.lists import entries, hooks
from xinyong.lists.config import ListSource, ListType, get_config
from xinyong.lists.entries import basis_records as basis_records
from xinyong.lists.entries import get as get
from xinyong.lists.entries import live_entries as live_entries
from xinyong.lists.entries import memberships as memberships
from xinyong.lists.entries import timeline as timeline
from xinyong.lists.models import ListEntry, ListEntryBasis, ListEntryEvent
from xinyong.lists.states import (
    LIVE_RECORD_STATES,
    LIVE_VALUES,
    EntrySource,
    EntryState,
    SystemReason,
)
from xinyong.records import service as records_service
from xinyong.records.effects import Changed
from xinyong.records.models import Record

IMPORT_BATCH = 500
GROUNDED_REASONS = (SystemReason.repaired.value, SystemReason.basis_revoked.value)


# --- proposing --------------------------------------------------------------------------------


def propose(
    session: Session,
    *,
    list_code: str,
    subject_id: int,
    basis_record_ids: list[int],
    legal_basis: str,
    reasons: str,
    actor: str,
    department_id: int,
    today: date,
) -> ListEntry:
    """Propose a subject for a list (拟列入), on a legal basis and the records that ground it."""
    spec = get_config().get(list_code)
    if spec.source is ListSource.records:
        raise Invalid(
            key="lc.err.records_only",
            params={"list": both(spec.name.zh, spec.name.en)},
            details={"field": "list_code"},
        )
    legal = entries.clean(legal_basis, "legal_basis")
    why = entries.clean(reasons, "reasons")
    entries.check_department(session, spec, department_id)
    entries.check_subject(session, spec, subject_id, today)
    records = entries.check_basis(session, spec, subject_id, basis_record_ids)
    entry = ListEntry(
        list_code=spec.code,
        subject_id=subject_id,
        department_id=department_id,
        legal_basis=legal,
        reasons=why,
    )
    return create_proposal(session, entry, records=records, actor=actor, today=today)


def create_proposal(
    session: Session, entry: ListEntry, *, records: list[Record], actor: str, today: date
) -> ListEntry:
    """Store a checked proposal with its basis records (proposals and escalations)."""
    entry.state, entry.source, entry.version = EntryState.proposed.value, "platform", 1
    entry.proposed_by, entry.proposed_on, entry.held_by_objection = actor, today, False
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            key="lc.err.live_entry_code",
            params={"entry_subject_id": entry.subject_id, "entry_list_code": entry.list_code},
            details={"field": "subject_id"},
        ) from exc
    session.add_all(ListEntryBasis(entry_id=entry.id, record_id=r.id) for r in records)
    entries.log(
        session,
        entry,
        actor=actor,
        action="proposed",
        basis_record_ids=[r.id for r in records],
        escalated_from_id=entry.escalated_from_id,
    )
    return entry


# --- notice, objection, listing, removal -----------------------------------------------------


def notify(
    session: Session, *, entry_id: int, actor: str, today: date, expected_version: int | None = None
) -> ListEntry:
    """Tell the subject (告知): reasons, basis, removal conditions and its time to object."""
    entry = entries.get(session, entry_id)
    spec = entries.spec_of(entry)
    before = entries.move(session, entry, EntryState.notified, expected_version=expected_version)
    entry.notified_on = today
    entry.objection_until = add_workdays(today, spec.objection_window)
    entries.log(
        session,
        entry,
        actor=actor,
        action="notified",
        from_state=before.value,
        objection_until=entry.objection_until,
    )
    entries.tell(
        session,
        entry,
        "list.notified",
        reasons=entry.reasons,
        legal_basis=entry.legal_basis,
        until=entry.objection_until.isoformat(),
        **entries.conditions(spec),
    )
    return entry


def hold(
    session: Session,
    *,
    entry_id: int,
    actor: str,
    ref: str | None = None,
    expected_version: int | None = None,
) -> ListEntry:
    """An objection against the entry is registered: it cannot be listed until decided."""
    entry = entries.get(session, entry_id)
    if entry.state not in (EntryState.notified.value, EntryState.listed.value):
        raise IllegalTransition(
            key="lc.err.nothing_to_hold",
            params={"entry_id": entry.id, "entry_state": label(f"list.state.{entry.state}")},
        )
    if entry.held_by_objection:
        raise Conflict(
            key="lc.err.already_held",
            params={"entry_id": entry.id, "entry_objection_ref": entry.objection_ref},
        )
    entries.claim(session, entry, expected_version=expected_version)
    entry.held_by_objection, entry.objection_ref = True, ref
    entries.log(session, entry, actor=actor, action="held", from_state=entry.state, note=ref)
    return entry


def release(
    session: Session,
    *,
    entry_id: int,
    actor: str,
    note: str | None = None,
    expected_version: int | None = None,
) -> ListEntry:
    """The objection ended without being upheld (rejected or withdrawn): the hold is lifted."""
    entry = entries.get(session, entry_id)
    if not entry.held_by_objection:
        raise Invalid(key="lc.err.not_held", params={"entry_id": entry.id})
    entries.claim(session, entry, expected_version=expected_version)
    entry.held_by_objection = False
    text = entries.clean(note, "note", required=False) or None
    entries.log(session, entry, actor=actor, action="released", from_state=entry.state, note=text)
    return entry


def uphold_objection(
    session: Session,
    *,
    entry_id: int,
    note: str,
    actor: str,
    today: date,
    expected_version: int | None = None,
) -> ListEntry:
    """The subject's objection is upheld: a notified entry is never listed, a listed one leaves."""
    entry = entries.get(session, entry_id)
    text = entries.clean(note, "note")
    if entry.state == EntryState.listed.value:
        reason = SystemReason.objection_upheld.value
        return end(
            session,
            entry,
            reason=reason,
            note=text,
            actor=actor,
            today=today,
            expected_version=expected_version,
        )
    before = entries.move(session, entry, EntryState.rejected, expected_version=expected_version)
    entry.removed_on, entry.removal_note = today, text
    entry.removal_reason = SystemReason.objection_upheld.value
    entry.held_by_objection = False
    hooks.entry_ended(session, entry, reason=entry.removal_reason)
    entries.log(session, entry, actor=actor, action="rejected", from_state=before.value, note=text)
    entries.tell(session, entry, "list.rejected", note=text)
    return entry


def _check_listable(session: Session, entry: ListEntry, today: date) -> None:
    if entry.state != EntryState.notified.value:
        raise IllegalTransition(
            key="lc.err.only_notified",
            params={"entry_id": entry.id, "entry_state": label(f"list.state.{entry.state}")},
            details={"from": entry.state, "to": EntryState.listed.value},
        )
    if entry.held_by_objection:
        raise Conflict(
            key="lc.err.held",
            params={"entry_id": entry.id, "ref": entry.objection_ref or ""},
            details={"entry_id": entry.id},
        )
    if entry.objection_until is not None and today <= entry.objection_until:
        raise Invalid(
            key="lc.err.objection_window",
            params={"entry_objection_until": entry.objection_until.isoformat()},
            details={"field": "today", "objection_until": entry.objection_until.isoformat()},
        )
    for record in entries.basis_records(session, entry.id):
        if not record.is_current or record.state not in LIVE_RECORD_STATES:
            raise Invalid(
                key="lc.err.basis_not_live",
                params={
                    "record_id": record.id,
                    "record_state": label(f"record.state.{record.state}"),
                },
                details={"field": "basis_record_ids", "record_id": record.id},
            )


def _term_params(term_end: date | None) -> dict[str, str]:
    if term_end is None:
        return {"term_zh": t("list.term.open", "zh"), "term_en": t("list.term.open", "en")}
    return {
        f"term_{lang}": t("list.term.until", lang).format(term_end=term_end.isoformat())
        for lang in LANGUAGES
    }


def list_entry(
    session: Session, *, entry_id: int, actor: str, today: date, expected_version: int | None = None
) -> ListEntry:
    """List a notified entry (列入) once its objection window has passed without a hold."""
    entry = entries.get(session, entry_id)
    spec = entries.spec_of(entry)
    _check_listable(session, entry, today)
    before = entries.move(session, entry, EntryState.listed, expected_version=expected_version)
    entry.listed_on, entry.term_end = today, spec.term_end(today)
    entries.log(session, entry, actor=actor, action="listed", from_state=before.value)
    entries.tell(
        session,
        entry,
        "list.listed",
        listed_on=today.isoformat(),
        **_term_params(entry.term_end),
        **entries.conditions(spec),
    )
    return entry


def remove(
    session: Session,
    *,
    entry_id: int,
    reason: str,
    note: str | None,
    actor: str,
    today: date,
    expected_version: int | None = None,
) -> ListEntry:
    """Remove a listed entry (移出) or withdraw a proposed or notified one, on a condition."""
    entry = entries.get(session, entry_id)
    spec = entries.spec_of(entry)
    if spec.condition(reason) is None:
        codes = [c.code for c in spec.removal_conditions]
        raise Invalid(
            key="lc.err.not_condition",
            params={"reason": reason, "list": both(spec.name.zh, spec.name.en), "codes": codes},
            details={"field": "reason", "conditions": codes},
        )
    text = entries.clean(note, "note", required=False) or None
    return end(
        session,
        entry,
        reason=reason,
        note=text,
        actor=actor,
        today=today,
        expected_version=expected_version,
    )


def end(
    session: Session,
    entry: ListEntry,
    *,
    reason: str,
    note: str | None,
    actor: str,
    today: date,
    expected_version: int | None = None,
) -> ListEntry:
    """End a live entry: listed → removed, proposed or notified → withdrawn; the subject is told."""
    listed = entry.state == EntryState.listed.value
    target = EntryState.removed if listed else EntryState.withdrawn
    before = entries.move(session, entry, target, expected_version=expected_version)
    entry.removed_on, entry.removal_reason, entry.removal_note = today, reason, note
    entry.held_by_objection = False
    hooks.entry_ended(session, entry, reason=reason)
    entries.log(
        session,
        entry,
        actor=actor,
        action=target.value,
        from_state=before.value,
        note=note,
        reason=reason,
    )
    zh, en = entries.reason_labels(entries.spec_of(entry), reason)
    if listed or before is EntryState.notified:
        key = "list.removed" if listed else "list.withdrawn"
        entries.tell(
            session,
            entry,
            key,
            reason=zh,
            reason_en=en,
            note=note or "",
            removed_on=today.isoformat(),
        )
    return entry


def remove_grounded_on(
    session: Session, *, record: Record | Changed, reason: str, actor: str, today: date
) -> list[ListEntry]:
    """End the live entries resting on this record (any version): it was repaired or revoked."""
    if reason not in GROUNDED_REASONS:
        raise Invalid(
            key="lc.err.grounded_reason",
            params={"list_GROUNDED_REASONS": list(GROUNDED_REASONS)},
            details={"field": "reason"},
        )
    version = aliased(Record)
    grounded = (
        select(ListEntryBasis.entry_id)
        .join(version, version.id == ListEntryBasis.record_id)
        .where(
            version.item_code == record.item_code,
            version.department_id == record.department_id,
            version.source_record_id == record.source_record_id,
        )
    )
    stmt = select(ListEntry).where(ListEntry.id.in_(grounded), ListEntry.state.in_(LIVE_VALUES))
    ended = []
    note = f"依据记录 {record.source_record_id} 已{'修复' if reason == 'repaired' else '撤销'}"
    for entry in session.scalars(stmt.order_by(ListEntry.id)).all():
        why = entries.system_reason(entries.spec_of(entry), reason)
        ended.append(end(session, entry, reason=why, note=note, actor=actor, today=today))
    return ended


# --- entries reported as records; what credit checks read --------------------------------------


def _importable_ids(session: Session, spec: ListType, today: date) -> list[int]:
    """Ids of the current live records of the list's item that no entry stands for yet, and
    whose decision (any version) is not already listed. Three flat reads compared here: a
    correlated anti-join degrades quadratically while one transaction imports thousands."""
    live = session.execute(
        select(Record.id, Record.department_id, Record.source_record_id).where(
            Record.item_code == spec.item_code, *records_service.live_clause(today)
        )
    ).all()
    version = aliased(Record)
    listed: set[tuple[int, str]] = set(
        (department_id, source_id)
        for department_id, source_id in session.execute(
            select(version.department_id, version.source_record_id)
            .join(ListEntry, ListEntry.record_id == version.id)
            .where(
                ListEntry.list_code == spec.code,
                ListEntry.state == EntryState.listed.value,
                version.item_code == spec.item_code,
            )
        )
    )
    seen = set(
        session.scalars(
            select(ListEntry.record_id).where(
                ListEntry.list_code == spec.code, ListEntry.record_id.is_not(None)
            )
        )
    )
    return sorted(
        record_id
        for record_id, department_id, source_id in live
        if record_id not in seen and (department_id, source_id) not in listed
    )


def _imported(
    spec: ListType, record: Record, *, reasons: str, actor: str, today: date
) -> ListEntry:
    return ListEntry(
        list_code=spec.code,
        subject_id=record.subject_id,
        department_id=record.department_id,
        state=EntryState.listed.value,
        source=EntrySource.record.value,
        legal_basis=spec.legal_basis_text(),
        reasons=f"{reasons}(文书号：{record.source_record_id})",
        proposed_by=actor,
        # The department decided on the record's decision date: that is when it was proposed.
        proposed_on=record.decision_date or today,
        listed_on=record.decision_date or today,
        term_end=record.disclosure_end,
        record_id=record.id,
        version=1,
    )


def _import_batch(
    session: Session, spec: ListType, records: list[Record], *, actor: str, today: date
) -> None:
    item = catalog_service.get_catalog().item(str(spec.item_code))
    why = f"据报送的{item.name.zh}记录列入"
    made = [_imported(spec, r, reasons=why, actor=actor, today=today) for r in records]
    session.add_all(made)
    session.flush()
    for entry, record in zip(made, records, strict=True):
        session.add(ListEntryBasis(entry_id=entry.id, record_id=record.id))
        note = f"record {record.id}"
        session.add(
            ListEntryEvent(
                entry_id=entry.id, actor=actor, action="imported", to_state=entry.state, note=note
            )
        )
    audit_service.append(
        session,
        actor=actor,
        action="list.imported",
        object_type="list_entries",
        object_id=f"import:{spec.code}:{made[0].id}-{made[-1].id}",
        summary={
            "list_code": spec.code,
            "count": len(made),
            "entry_ids": [e.id for e in made],
            "record_ids": [r.id for r in records],
            "as_of": today,
        },
    )


def import_from_records(session: Session, *, today: date, actor: str = "system:lists") -> int:
    """List every current live record of a list's item that has no entry yet; idempotent.

    The reporting court or department decided and notified; the platform records the entry
    (one audit entry per batch) and tells no one again."""
    created = 0
    for spec in get_config().carrying():
        wanted = _importable_ids(session, spec, today)
        for start in range(0, len(wanted), IMPORT_BATCH):
            chunk = wanted[start : start + IMPORT_BATCH]
            stmt = select(Record).where(Record.id.in_(chunk)).order_by(Record.id)
            chosen = [record for record in session.scalars(stmt) if spec.matches(record.payload)]
            if chosen:
                _import_batch(session, spec, chosen, actor=actor, today=today)
                created += len(chosen)
    return created
