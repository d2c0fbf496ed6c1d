"""Every consequence of a record's change of state, whichever path caused it.

records.effects is the one place consequences follow from: partner events, re-evaluation
flags, list entries resting on the record, notices to the subject and an audit entry. Each
test drives one real path (ingest, withdrawal, the expiry job, rights) and reads back what
each subscribed module did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.lists.helpers import listed_serious
from xinyong import registry
from xinyong.audit.models import AuditEntry
from xinyong.evaluation.models import RecomputeFlag
from xinyong.exchange.models import OutboundEvent
from xinyong.ingest import ledger
from xinyong.ingest import service as ingest_service
from xinyong.notices.models import Notice
from xinyong.records import effects
from xinyong.records.effects import Cause, Change
from xinyong.records.jobs import expire_due
from xinyong.records.models import Record

TODAY = date(2026, 10, 12)


@dataclass(frozen=True)
class Consequences:
    """What the modules did about one subject's records."""

    events: set[tuple[str, int | None]]
    flagged: bool
    notices: list[str]
    effect_audits: list[str]


def consequences(session: Session, subject_id: int) -> Consequences:
    session.flush()
    events = session.scalars(select(OutboundEvent).where(OutboundEvent.subject_id == subject_id))
    flag = session.get(RecomputeFlag, subject_id)
    notices = session.scalars(select(Notice.key).where(Notice.subject_id == subject_id))
    audits = session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("record.effects.%"))
    )
    return Consequences(
        {(e.kind, e.record_id) for e in events}, flag is not None, list(notices), list(audits)
    )


def _submit(session: Session, payloads: list[dict[str, object]]) -> str:
    market = factories.department(session, "market_regulation")
    submission = ingest_service.Submission(
        item_code="admin_penalty",
        department_key=market.key,
        mode="strict",
        channel="api",
        actor="apikey:7",
        today=TODAY,
    )
    batch = ingest_service.submit_records(session, records=payloads, submission=submission)
    assert batch.status == "loaded", batch.error
    return batch.id


def test_a_record_published_through_ingest_tells_partners_and_flags_the_subject(
    session: Session,
) -> None:
    subject = factories.enterprise(session)
    payload = factories.penalty_payload(subject, factories.department(session))
    batch_id = _submit(session, [payload])
    record = session.scalars(select(Record).where(Record.batch_id == batch_id)).one()
    found = consequences(session, subject.id)
    assert found.events == {("record.published", record.id)}
    assert found.flagged
    assert found.notices == []  # a new record is published, not announced one by one
    assert "record.effects.published" in found.effect_audits


def test_a_correction_through_ingest_is_a_corrected_change(session: Session) -> None:
    subject = factories.enterprise(session)
    payload = factories.penalty_payload(subject, factories.department(session))
    _submit(session, [payload])
    batch_id = _submit(
        session, [{**payload, "penalty_content": "罚款人民币6万元", "fine_amount": "6"}]
    )
    corrected = session.scalars(select(Record).where(Record.batch_id == batch_id)).one()
    assert corrected.version == 2
    kinds = {kind for kind, _ in consequences(session, subject.id).events}
    assert kinds == {"record.published", "record.corrected"}
    assert ("record.corrected", corrected.id) in consequences(session, subject.id).events


def test_a_withdrawal_ends_the_list_entry_tells_partners_flags_and_notifies(
    session: Session,
) -> None:
    subject, penalty, entry = listed_serious(session)
    submission = ingest_service.Submission(
        item_code=penalty.item_code,
        department_key=factories.department(session, "market_regulation").key,
        mode="strict",
        channel="api",
        actor="apikey:9",
        today=TODAY,
    )
    rows = [(1, penalty.source_record_id, "原处罚决定经行政复议被撤销")]
    assert ledger.withdraw(session, withdrawals=rows, submission=submission).status == "loaded"
    assert penalty.state == "revoked"
    assert (entry.state, entry.removal_reason) == ("removed", "basis_revoked")
    found = consequences(session, subject.id)
    assert ("record.revoked", penalty.id) in found.events
    assert found.flagged
    assert "record.revoked" in found.notices and "list.removed" in found.notices
    assert "record.effects.revoked" in found.effect_audits


def test_expiry_tells_partners_flags_and_notifies(session: Session) -> None:
    subject = factories.enterprise(session)
    record = factories.penalty(session, subject, decision_date="2026-06-01", today=date(2026, 6, 2))
    assert record.state == "active"
    record.disclosure_end = date(2026, 10, 1)  # its period ended before TODAY
    session.flush()
    assert expire_due(session, today=TODAY) >= 1
    session.refresh(record)
    assert record.state == "expired"
    found = consequences(session, subject.id)
    assert ("record.expired", record.id) in found.events
    assert found.flagged
    assert "record.expired" in found.notices
    assert "record.effects.expired" in found.effect_audits


def test_a_change_reported_before_any_module_subscribed_is_refused(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    subject = factories.enterprise(session)
    record = factories.penalty(session, subject, today=TODAY)
    empty: dict[Change, dict[str, effects.Handler]] = {change: {} for change in Change}
    monkeypatch.setattr(effects, "_HANDLERS", empty)
    cause = Cause(actor="test", today=TODAY, reason="测试")
    with pytest.raises(effects.EffectsNotWired):
        effects.record_changed(session, Change.revoked, [record], cause=cause)


def test_every_change_kind_has_its_subscribers() -> None:
    registry.wire_effects()
    registry.wire_effects()  # idempotent: a second wiring adds nothing
    everywhere = {"exchange.queue_events", "evaluation.flag_subjects"}
    for change in Change:
        assert everywhere <= set(effects.subscribers(change)), change
    assert "lists.end_grounded_entries" in effects.subscribers(Change.revoked)
    assert "lists.end_grounded_entries" in effects.subscribers(Change.repaired)
    assert "notices.tell_subjects" in effects.subscribers(Change.expired)
    assert "commitments.undo_breach" in effects.subscribers(Change.revoked)
    assert "commitments.mirror_ingested" in effects.subscribers(Change.published)
    assert len(effects.subscribers(Change.revoked)) == 5
