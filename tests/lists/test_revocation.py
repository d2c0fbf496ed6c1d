"""A department withdrawing (撤销) a record through ingest ends the list entries resting on it:
listed ones are removed, proposed or notified ones withdrawn, reason basis_revoked."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from tests import factories
from tests.lists.helpers import OFFICER, audit_actions, court_record, listed_serious, propose
from tests.rights.helpers import penalised
from xinyong.ingest import ledger
from xinyong.ingest.service import Mode, Submission
from xinyong.lists import service
from xinyong.notices import service as notices_service
from xinyong.records.models import Record

WITHDRAWN_ON = date(2026, 10, 8)


def _withdraw(
    session: Session, record: Record, *, mode: Mode = "strict", extra: bool = False
) -> str:
    """Withdraw the record as its department would; ``extra`` adds a row naming no record."""
    rows = [(1, record.source_record_id, "原处罚决定经行政复议被撤销")]
    if extra:
        rows.append((2, "no-such-decision", "测试"))
    department = factories.department(session, "market_regulation")
    if record.item_code == "dishonest_judgment_debtor":
        department = factories.department(session, "court")
    submission = Submission(
        item_code=record.item_code,
        department_key=department.key,
        mode=mode,
        channel="api",
        actor="apikey:9",
        today=WITHDRAWN_ON,
    )
    return ledger.withdraw(session, withdrawals=rows, submission=submission).status


def test_withdrawing_the_basis_removes_a_listed_entry(session: Session) -> None:
    subject, penalty, entry = listed_serious(session)
    assert _withdraw(session, penalty) == "loaded"
    assert penalty.state == "revoked"
    assert (entry.state, entry.removal_reason, entry.removed_on) == (
        "removed",
        "basis_revoked",
        WITHDRAWN_ON,
    )
    assert audit_actions(session, entry)[-1] == "list.removed"
    assert service.timeline(session, entry.id)[-1].actor == "apikey:9"
    assert service.memberships(session, subject.id, WITHDRAWN_ON) == []
    keys = [n.key for n in notices_service.for_subject(session, subject_id=subject.id)]
    assert "list.removed" in keys


def test_withdrawing_the_basis_withdraws_a_pending_proposal(session: Session) -> None:
    subject, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    notified = propose(session, subject, [penalty])
    service.notify(session, entry_id=notified.id, actor=OFFICER, today=date(2026, 9, 1))
    other = propose(session, subject, [penalty], list_code="key_attention_list")
    assert _withdraw(session, penalty) == "loaded"
    assert (notified.state, notified.removal_reason) == ("withdrawn", "basis_revoked")
    assert (other.state, other.removal_reason) == ("withdrawn", "basis_revoked")


def test_a_refused_withdrawal_leaves_the_entry_and_others_stay(session: Session) -> None:
    _, penalty, entry = listed_serious(session)
    _, unrelated, kept = listed_serious(session)
    assert _withdraw(session, penalty, extra=True) == "refused"  # strict: nothing revoked
    assert (penalty.state, entry.state) == ("active", "listed")
    assert _withdraw(session, penalty, mode="partial", extra=True) == "partial"
    assert (penalty.state, entry.state) == ("revoked", "removed")
    assert (unrelated.state, kept.state) == ("active", "listed")


def test_a_court_withdrawing_its_record_ends_the_imported_entry_at_once(session: Session) -> None:
    subject = factories.enterprise(session)
    record = court_record(session, subject, list_end_date="2028-03-01")
    service.import_from_records(session, today=date(2026, 6, 2))
    (entry,) = service.live_entries(session, subject_ids=[subject.id], today=WITHDRAWN_ON)
    assert _withdraw(session, record) == "loaded"
    assert (entry.state, entry.removal_reason) == ("removed", "basis_revoked")
