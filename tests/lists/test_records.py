"""Entries that come from reported records, entries resting on records, and escalation."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from tests import factories
from tests.lists.helpers import (
    OFFICER,
    abnormal_record,
    audit_actions,
    court_record,
    honour_record,
    listed_serious,
    propose,
)
from xinyong.audit import jobs as audit_jobs
from xinyong.lists import jobs, service
from xinyong.lists.models import ListEntry
from xinyong.notices import service as notices_service
from xinyong.records import service as records_service
from xinyong.records.states import RecordState

IMPORTED = date(2026, 6, 2)


def _entries(session: Session, subject_id: int, list_code: str) -> list[ListEntry]:
    query = session.query(ListEntry).filter_by(subject_id=subject_id, list_code=list_code)
    return list(query.order_by(ListEntry.id))


def test_import_is_idempotent_and_a_revoked_court_record_drops_out(session: Session) -> None:
    subject = factories.enterprise(session)
    record = court_record(session, subject, list_end_date="2028-03-01")
    assert service.import_from_records(session, today=IMPORTED) == 1
    assert service.import_from_records(session, today=IMPORTED) == 0
    (entry,) = _entries(session, subject.id, "dishonest_judgment_debtor")
    assert (entry.state, entry.source, entry.record_id) == ("listed", "record", record.id)
    assert (entry.listed_on, entry.term_end) == (date(2026, 3, 2), date(2028, 3, 1))
    assert [r.id for r in service.basis_records(session, entry.id)] == [record.id]
    assert service.memberships(session, subject.id, IMPORTED) == ["dishonest_judgment_debtor"]
    records_service.transition(
        session, record_id=record.id, to_state=RecordState.revoked, reason="法院删除", actor="t"
    )
    # Credit checks see it at once, before any job runs.
    assert service.live_entries(session, subject_ids=[subject.id], today=IMPORTED) == []
    assert jobs.reconcile(session, today=IMPORTED) == 1
    assert (entry.state, entry.removal_reason) == ("removed", "basis_revoked")
    assert jobs.reconcile(session, today=IMPORTED) == 0
    assert service.import_from_records(session, today=IMPORTED) == 0
    assert audit_actions(session, entry) == ["list.removed"]  # the import is audited per batch
    assert audit_jobs.verify(session).ok


def test_a_corrected_court_record_keeps_its_entry(session: Session) -> None:
    subject = factories.enterprise(session)
    record = court_record(session, subject, list_end_date="2028-03-01")
    service.import_from_records(session, today=IMPORTED)
    (entry,) = _entries(session, subject.id, "dishonest_judgment_debtor")
    payload = {**record.payload, "list_end_date": "2029-03-01"}
    newer = records_service.correct(
        session, record_id=record.id, payload=payload, reason="法院延长期限", actor="t"
    )
    assert service.import_from_records(session, today=IMPORTED) == 0
    assert jobs.reconcile(session, today=IMPORTED) == 1
    assert (entry.state, entry.record_id, entry.term_end) == ("listed", newer.id, date(2029, 3, 1))
    assert service.memberships(session, subject.id, date(2028, 6, 1)) == [
        "dishonest_judgment_debtor"
    ]
    assert [e.action for e in service.timeline(session, entry.id)] == [
        "imported",
        "record_corrected",
    ]


def test_only_red_list_honours_make_red_list_entries(session: Session) -> None:
    subject = factories.enterprise(session)
    honour_record(session, subject, kind="荣誉", number="苏发改〔2026〕11号")
    red = honour_record(session, subject, kind="守信激励名单", number="苏发改〔2026〕12号")
    service.import_from_records(session, today=IMPORTED)
    (entry,) = _entries(session, subject.id, "red_list")
    assert entry.record_id == red.id
    assert service.memberships(session, subject.id, IMPORTED) == ["red_list"]


def test_a_repaired_basis_removes_the_entry(session: Session) -> None:
    subject, penalty, entry = listed_serious(session)
    today = date(2027, 10, 1)
    newer = records_service.correct(
        session,
        record_id=penalty.id,
        payload={**penalty.payload, "violation_facts": "当事人发布虚假宣传内容(已更正)"},
        reason="更正违法事实表述",
        actor="t",
    )
    records_service.transition(
        session, record_id=newer.id, to_state=RecordState.repaired, reason="信用修复", actor="t"
    )
    ended = service.remove_grounded_on(
        session, record=newer, reason="repaired", actor="system:rights", today=today
    )
    assert ended == [entry]
    assert (entry.state, entry.removal_reason, entry.removed_on) == ("removed", "repaired", today)
    assert service.memberships(session, subject.id, today) == []
    assert (
        service.remove_grounded_on(
            session, record=newer, reason="repaired", actor="system:rights", today=today
        )
        == []
    )


def test_a_revoked_basis_withdraws_a_pending_proposal(session: Session) -> None:
    subject, penalty, _ = listed_serious(session)
    other = factories.enterprise(session)
    court_record(session, other)
    service.import_from_records(session, today=IMPORTED)
    proposal = propose(
        session,
        subject,
        [penalty],
        list_code="key_attention_list",
        today=date(2026, 9, 20),
    )
    ended = service.remove_grounded_on(
        session, record=penalty, reason="basis_revoked", actor="system:rights", today=IMPORTED
    )
    assert {e.list_code: e.state for e in ended} == {
        "serious_dishonesty_list": "removed",
        "key_attention_list": "withdrawn",
    }
    assert proposal.removal_reason == "basis_revoked"
    # The court's entry of another subject is untouched.
    assert service.memberships(session, other.id, IMPORTED) == ["dishonest_judgment_debtor"]


def test_escalation_after_three_years_proposes_once(session: Session) -> None:
    subject = factories.enterprise(session)
    record = abnormal_record(session, subject, listing_date="2022-03-01")
    service.import_from_records(session, today=date(2022, 3, 2))
    (origin,) = _entries(session, subject.id, "abnormal_operation")
    assert origin.listed_on == date(2022, 3, 1)
    assert jobs.escalate(session, today=date(2025, 2, 28)) == 0
    assert jobs.escalate(session, today=date(2025, 3, 1)) == 1
    assert jobs.escalate(session, today=date(2025, 3, 1)) == 0
    assert jobs.escalate(session, today=date(2025, 6, 1)) == 0
    (proposal,) = _entries(session, subject.id, "serious_dishonesty_list")
    assert (proposal.state, proposal.escalated_from_id) == ("proposed", origin.id)
    assert "第十七条" in proposal.legal_basis
    assert f"第 {origin.id} 号" in proposal.reasons
    assert [r.id for r in service.basis_records(session, proposal.id)] == [record.id]
    (notice,) = notices_service.for_department(session, department_id=proposal.department_id)
    assert (notice.key, notice.ref_id) == ("list.escalated", str(proposal.id))
    # It follows the normal procedure: notice first, listing only after the window.
    service.notify(session, entry_id=proposal.id, actor=OFFICER, today=date(2025, 6, 2))
    assert proposal.state == "notified"
    assert audit_jobs.verify(session).ok
