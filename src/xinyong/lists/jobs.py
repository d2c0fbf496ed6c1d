"""Scheduled list work: terms that end, escalations, entries whose reported record changed.

Plain functions a CLI command, the scheduler or a worker can run daily; each is idempotent.
An entry an officer changed meanwhile (a stale version) is left for the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import Select, exists, not_, or_, select
from sqlalchemy.orm import Session, aliased

from xinyong.catalog.schemas import parse_period
from xinyong.core.errors import Conflict
from xinyong.lists import entries, service
from xinyong.lists.config import Escalation, get_config
from xinyong.lists.models import ListEntry, ListEntryBasis
from xinyong.lists.states import (
    LIVE_RECORD_STATES,
    LIVE_VALUES,
    EntrySource,
    EntryState,
    SystemReason,
)
from xinyong.notices import service as notices_service
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

ACTOR = "system:lists"
PAGE = 500


def _each(session: Session, stmt: Select[Any], work: Callable[[ListEntry], bool]) -> int:
    """Run ``work`` on the entries ``stmt`` selects, page by page by id; count the done ones."""
    done, after = 0, 0
    while True:
        paged = stmt.where(ListEntry.id > after).order_by(ListEntry.id).limit(PAGE)
        page = list(session.scalars(paged))
        if not page:
            return done
        after = page[-1].id
        for entry in page:
            try:
                done += work(entry)
            except Conflict:
                continue  # changed meanwhile: the next run sees it again


def end_terms(session: Session, *, today: date, actor: str = ACTOR) -> int:
    """Remove listed entries whose term ended before ``today`` (reason term_ended)."""
    stmt = select(ListEntry).where(
        ListEntry.state == EntryState.listed.value,
        ListEntry.term_end.is_not(None),
        ListEntry.term_end < today,
    )

    def work(entry: ListEntry) -> bool:
        reason = entries.system_reason(entries.spec_of(entry), SystemReason.term_ended.value)
        note = f"列入期限于 {entry.term_end} 届满"
        service.end(session, entry, reason=reason, note=note, actor=actor, today=today)
        return True

    return _each(session, stmt, work)


def _is_live(record: Record, today: date) -> bool:
    return (
        record.is_current
        and record.state in LIVE_RECORD_STATES
        and (record.disclosure_end is None or record.disclosure_end >= today)
    )


def _escalation(
    session: Session, rule: Escalation, entry: ListEntry, *, actor: str, today: date
) -> bool:
    config = get_config()
    target, origin = config.get(rule.to), config.get(rule.from_list)
    subject = session.get(Subject, entry.subject_id)
    if subject is None or subject.kind not in target.subject_kinds:
        return False
    live = entries.live_entries(session, subject_ids=[entry.subject_id], today=today)
    if all(other.id != entry.id for other in live):
        return False  # its record died or its term ended: reconcile or end_terms will act
    records = [r for r in entries.basis_records(session, entry.id) if _is_live(r, today)]
    if not records:
        return False
    proposal = ListEntry(
        list_code=target.code,
        subject_id=entry.subject_id,
        department_id=entry.department_id,
        legal_basis=rule.legal_basis,
        reasons=f"{rule.reasons}({origin.name.zh}第 {entry.id} 号，列入日期 {entry.listed_on})",
        escalated_from_id=entry.id,
    )
    service.create_proposal(session, proposal, records=records, actor=actor, today=today)
    notices_service.send(
        session,
        key="list.escalated",
        params={"entry": proposal.id, "list": target.name.zh, "list_en": target.name.en},
        department_id=proposal.department_id,
        ref=("list_entry", proposal.id),
    )
    return True


def escalate(session: Session, *, today: date, actor: str = ACTOR) -> int:
    """Propose entries listed long enough for the list their rule leads to (never list them)."""
    proposed = 0
    for rule in get_config().escalations:
        cutoff = today - parse_period(rule.after)
        child = aliased(ListEntry)
        target_live = aliased(ListEntry)
        stmt = select(ListEntry).where(
            ListEntry.list_code == rule.from_list,
            ListEntry.state == EntryState.listed.value,
            ListEntry.listed_on <= cutoff,
            not_(exists().where(child.escalated_from_id == ListEntry.id)),
            not_(
                exists().where(
                    target_live.list_code == rule.to,
                    target_live.subject_id == ListEntry.subject_id,
                    target_live.state.in_(LIVE_VALUES),
                )
            ),
        )
        proposed += _each(
            session, stmt, partial(_escalation, session, rule, actor=actor, today=today)
        )
    return proposed


def _death_reason(record: Record, today: date) -> str:
    if record.state == "repaired":
        return SystemReason.repaired.value
    if record.state == "expired" or (
        record.state in LIVE_RECORD_STATES
        and record.disclosure_end is not None
        and record.disclosure_end < today
    ):
        return SystemReason.term_ended.value
    return SystemReason.basis_revoked.value


def _follow(session: Session, entry: ListEntry, record: Record, *, actor: str) -> bool:
    """Point a listed entry at the new version of its record; False if another entry has it."""
    taken = session.scalar(
        select(ListEntry.id).where(
            ListEntry.list_code == entry.list_code,
            ListEntry.record_id == record.id,
            ListEntry.state == EntryState.listed.value,
        )
    )
    if taken is not None:
        return False
    entries.claim(session, entry, expected_version=None)
    entry.record_id, entry.term_end = record.id, record.disclosure_end
    session.add(ListEntryBasis(entry_id=entry.id, record_id=record.id))
    entries.log(
        session,
        entry,
        actor=actor,
        action="record_corrected",
        from_state=entry.state,
        note=f"record {record.id} (version {record.version})",
        record_id=record.id,
    )
    return True


def reconcile(session: Session, *, today: date, actor: str = ACTOR) -> int:
    """Entries of reported records follow them: a corrected record moves the entry to the new
    version; a revoked, repaired or expired one removes it (basis_revoked, repaired, term_ended)."""
    stmt = (
        select(ListEntry)
        .join(Record, Record.id == ListEntry.record_id)
        .where(
            ListEntry.source == EntrySource.record.value,
            ListEntry.state == EntryState.listed.value,
            or_(
                Record.is_current.is_(False),
                Record.state.not_in(LIVE_RECORD_STATES),
                Record.disclosure_end < today,
            ),
        )
    )

    def work(entry: ListEntry) -> bool:
        record = records_service.current_of(
            session, records_service.get(session, entry.record_id or 0)
        )
        moved = record.id != entry.record_id and _is_live(record, today)
        if moved and _follow(session, entry, record, actor=actor):
            return True
        reason = entries.system_reason(entries.spec_of(entry), _death_reason(record, today))
        note = f"记录 {record.source_record_id} 状态：{record.state}"
        service.end(session, entry, reason=reason, note=note, actor=actor, today=today)
        return True

    return _each(session, stmt, work)


def daily(session: Session, *, today: date, actor: str = ACTOR) -> dict[str, int]:
    """The lists' daily work, in order: import reported entries, follow their records, end
    terms, propose escalations. Returns how many entries each step touched."""
    return {
        "imported": service.import_from_records(session, today=today, actor=actor),
        "reconciled": reconcile(session, today=today, actor=actor),
        "ended": end_terms(session, today=today, actor=actor),
        "escalated": escalate(session, today=today, actor=actor),
    }
