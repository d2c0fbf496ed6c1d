"""A department's finding of breach (违诺认定): the breach record of the catalogue item and
severity the template names, list *proposals* (never listings), a notice to the subject; and
the undoing of all of it when the record is revoked or stopped (an upheld objection)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.commitments import service
from xinyong.commitments.config import CATALOG_TYPES, Template, get_config
from xinyong.commitments.models import Commitment
from xinyong.core.db import utcnow
from xinyong.core.errors import Conflict, Forbidden, Invalid
from xinyong.lists import service as lists_service
from xinyong.lists.models import ListEntry
from xinyong.lists.states import LIVE_VALUES
from xinyong.notices import service as notices_service
from xinyong.records import effects as record_effects
from xinyong.records import service as records_service
from xinyong.records.effects import Cause, Change, Changed
from xinyong.records.models import Record
from xinyong.records.schemas import RecordCreate
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department, Subject

MAX_TEXT = 2000


def _text(raw: str, field: str) -> str:
    clean = raw.strip()
    if not clean:
        raise Invalid(key="commit.err.required", params={"field": field}, details={"field": field})
    if len(clean) > MAX_TEXT:
        raise Invalid(
            key="commit.err.evidence_too_long", params={"max": MAX_TEXT}, details={"field": field}
        )
    return clean


def _payload(session: Session, c: Commitment, template: Template, subject: Subject,
             dept: Department, reasons: str, today: date) -> dict[str, Any]:  # fmt: skip
    deadlines = [k.deadline for k in service.conditions(session, c)]
    return {
        "subject_name": subject.name,
        "subject_type": subject.kind,
        "subject_code": subject.uscc or subjects_service.reveal_id_number(subject) or "",
        "commitment_number": c.number,
        "commitment_type": CATALOG_TYPES[template.kind],
        "commitment_matter": template.matter,
        "commitment_content": c.text,
        "commitment_date": c.signed_on.isoformat(),
        "deadline": max(deadlines).isoformat(),
        "receiving_body": dept.name_zh,
        "receiving_body_code": dept.code,
        "performance_status": "未履约",
        "breach_description": reasons,
        "verified_date": today.isoformat(),
    }


def decide(
    session: Session,
    *,
    c: Commitment,
    reasons: str,
    evidence: str,
    actor: str,
    department_id: int | None,
    today: date,
) -> Record:
    """Find a breach: the record, the list proposals the template names, the notice."""
    if department_id is not None and department_id != c.department_id:
        raise Forbidden(key="commit.err.other_department")
    why, proof = _text(reasons, "reasons"), _text(evidence, "evidence")
    if c.status not in ("in_force", "overdue"):
        raise Conflict(key="commit.err.not_open", params={"number": c.number})
    failed = [
        k for k in service.conditions(session, c)
        if k.state == "not_fulfilled" or (k.state in ("pending", "partial") and k.deadline < today)
    ]  # fmt: skip
    if not failed:
        raise Conflict(key="commit.err.nothing_breached", params={"number": c.number})
    template = get_config().get(c.template_code)
    subject = session.get(Subject, c.subject_id)
    dept = session.get(Department, c.department_id)
    assert subject is not None and dept is not None
    data = RecordCreate(
        subject_id=subject.id,
        item_code=template.breach.item_code,
        department_id=dept.id,
        source_record_id=c.number,
        payload=_payload(session, c, template, subject, dept, why, today),
    )
    result = records_service.submit(session, data=data, actor=actor, today=today)
    breach_record = result.record
    if breach_record.severity != template.breach.severity:
        raise Invalid(
            key="commit.err.severity",
            params={"got": breach_record.severity or "-", "want": template.breach.severity},
        )
    cause = Cause(actor=actor, today=today, reason=f"违诺认定 breach of {c.number}", ref=c.number)
    change = Change.published if result.outcome == "created" else Change.corrected
    record_effects.record_changed(session, change, [breach_record], cause=cause)
    c.status, c.breach_record_id, c.decided_at = "breached", breach_record.id, utcnow()
    entries = _propose(session, c, template, breach_record, why, actor=actor, today=today)
    c.breach_entry_ids = [str(e.id) for e in entries]
    service.log(session, c, "breached", actor, note=why, evidence=proof,
                record=breach_record.id, proposals=",".join(c.breach_entry_ids))  # fmt: skip
    notices_service.send(
        session,
        key="commit.breach",
        params={"number": c.number, "reasons": why, "matter": template.matter},
        subject_id=c.subject_id,
        ref=("commitment", c.number),
    )
    session.flush()
    return breach_record


def _propose(session: Session, c: Commitment, template: Template, breach_record: Record,
             reasons: str, *, actor: str, today: date) -> list[ListEntry]:  # fmt: skip
    """Propose (拟列入) every list the template names; a subject already on one is skipped."""
    basis = "；".join(
        f"{b.title}{b.document_number or ''}{b.article or ''}" for b in template.breach.legal_basis
    )
    proposed = []
    for list_code in template.breach.lists:
        live = session.scalar(
            select(ListEntry.id).where(
                ListEntry.list_code == list_code,
                ListEntry.subject_id == c.subject_id,
                ListEntry.state.in_(LIVE_VALUES),
            )
        )
        if live is not None:
            continue
        proposed.append(
            lists_service.propose(
                session,
                list_code=list_code,
                subject_id=c.subject_id,
                basis_record_ids=[breach_record.id],
                legal_basis=basis,
                reasons=f"违背信用承诺（{c.number}）：{reasons}"[:1000],
                actor=actor,
                department_id=c.department_id,
                today=today,
            )
        )
    return proposed


# --- undoing: the breach record was revoked, stopped early or corrected away ----------------


def _undone(change: Change, item: Changed, today: date, session: Session) -> bool:
    if change is Change.revoked or change is Change.repaired:
        return True
    record = session.get(Record, item.record_id)
    if record is None:
        return False
    if change is Change.expired:
        return record.disclosure_end is None or record.disclosure_end > today
    current = records_service.current_of(session, record)
    return current.payload.get("performance_status") != "未履约"


def _breached(session: Session, items: Sequence[Changed]) -> list[tuple[Changed, Commitment]]:
    """The changed records that are breach records, with their breached commitment: only
    records of a breach item are looked up, in one query per chunk (the expiry job hands
    over hundreds of thousands of records at once)."""
    breach_items = {t.breach.item_code for t in get_config().templates.values()}
    wanted = {
        (i.source_record_id, i.department_id): i for i in items if i.item_code in breach_items
    }
    numbers = sorted({number for number, _ in wanted})
    found: list[tuple[Changed, Commitment]] = []
    for start in range(0, len(numbers), 1000):
        stmt = select(Commitment).where(
            Commitment.number.in_(numbers[start : start + 1000]),
            Commitment.status == "breached",
        )
        for c in session.scalars(stmt):
            item = wanted.get((c.number, c.department_id))
            if item is not None:
                found.append((item, c))
    return sorted(found, key=lambda pair: pair[0].record_id)


def undo(session: Session, change: Change, items: Sequence[Changed], cause: Cause) -> None:
    """Subscribed to record effects: a breach record that no longer stands (an upheld
    objection, a revocation) takes the breach finding and its open proposals with it."""
    for item, c in _breached(session, items):
        if not _undone(change, item, cause.today, session):
            continue
        for entry_id in c.breach_entry_ids:
            entry = session.get(ListEntry, int(entry_id))
            if entry is not None and entry.state in LIVE_VALUES:
                lists_service.end(
                    session,
                    entry,
                    reason="objection_upheld",
                    note=f"违诺认定已撤销（{c.number}）",
                    actor=cause.actor,
                    today=cause.today,
                )
        c.status = "in_force"
        service.log(session, c, "breach_undone", cause.actor, note=cause.reason[:500],
                    change=change.value)  # fmt: skip
        notices_service.send(
            session,
            key="commit.breach_undone",
            params={"number": c.number},
            subject_id=c.subject_id,
            ref=("commitment", c.number),
        )
    session.flush()
