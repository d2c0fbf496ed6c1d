"""The lifecycle of a platform entry: propose → notify → (object) → list → remove."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.lists.helpers import (
    OFFICER,
    audit_actions,
    court_record,
    honour_record,
    listed_serious,
    propose,
)
from tests.rights.helpers import penalised
from xinyong.audit import jobs as audit_jobs
from xinyong.core.errors import Conflict, IllegalTransition, Invalid
from xinyong.lists import jobs, service
from xinyong.lists.models import ListEntry
from xinyong.notices import service as notices_service
from xinyong.records import service as records_service
from xinyong.records.states import RecordState


def _texts(session: Session, subject_id: int) -> dict[str, str]:
    notices = notices_service.for_subject(session, subject_id=subject_id)
    return {n.key: notices_service.text(n, "zh") for n in notices}


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"legal_basis": "  "}, "legal_basis"),
        ({"reasons": ""}, "reasons"),
        ({"basis_record_ids": []}, "basis_record_ids"),
        ({"list_code": "dishonest_judgment_debtor"}, "list_code"),
        ({"list_code": "abnormal_operation", "department_kind": "tax"}, "department_id"),
    ],
)
def test_proposal_refused_naming_the_field(
    session: Session, override: dict[str, object], field: str
) -> None:
    subject, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    kind = override.pop("department_kind", None)
    if kind:
        override["department_id"] = factories.department(session, str(kind)).id
    with pytest.raises(Invalid) as refused:
        propose(session, subject, [penalty], **override)
    assert refused.value.details["field"] == field
    assert session.query(ListEntry).filter_by(subject_id=subject.id).count() == 0


def test_basis_must_be_the_subjects_current_live_record(session: Session) -> None:
    subject, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    _, foreign = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    with pytest.raises(Invalid, match="not a record of this subject"):
        propose(session, subject, [foreign])
    honour = honour_record(session, subject, kind="荣誉", number="苏发改〔2026〕1号")
    with pytest.raises(Invalid, match="positive record"):
        propose(session, subject, [honour])
    records_service.transition(
        session, record_id=penalty.id, to_state=RecordState.revoked, reason="复议撤销", actor="t"
    )
    with pytest.raises(Invalid) as refused:
        propose(session, subject, [penalty])
    assert refused.value.details == {"field": "basis_record_ids", "record_id": penalty.id}


def test_subject_kind_and_one_live_entry_per_list(session: Session) -> None:
    person = factories.person(session, name="李四")
    with pytest.raises(Invalid) as refused:
        propose(session, person, [], list_code="abnormal_operation")
    assert refused.value.details["field"] == "subject_id"
    subject, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    first = propose(session, subject, [penalty])
    with pytest.raises(Conflict):
        propose(session, subject, [penalty])
    # Two proposals racing past the check: the database keeps one.
    racer = ListEntry(
        list_code=first.list_code,
        subject_id=subject.id,
        department_id=first.department_id,
        legal_basis="x",
        reasons="y",
    )
    with pytest.raises(Conflict):
        service.create_proposal(session, racer, records=[penalty], actor="t", today=date.today())
    assert [e.id for e in session.query(ListEntry).filter_by(subject_id=subject.id)] == [first.id]


def test_red_list_refused_to_a_court_debtor(session: Session) -> None:
    subject = factories.enterprise(session)
    honour = honour_record(session, subject, kind="荣誉", number="苏发改〔2026〕2号")
    court_record(session, subject)
    service.import_from_records(session, today=date(2026, 6, 2))
    office = factories.department(session, "development_reform")
    with pytest.raises(Conflict, match="dishonest_judgment_debtor"):
        propose(session, subject, [honour], list_code="red_list", department_id=office.id)


def test_notice_and_objection_window_across_national_day(session: Session) -> None:
    subject, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    entry = propose(session, subject, [penalty], today=date(2026, 9, 28))
    # Wednesday 30 Sept; 1–7 Oct holiday; Sat 10 Oct a make-up workday: 8, 9, 10, 12, 13.
    service.notify(session, entry_id=entry.id, actor=OFFICER, today=date(2026, 9, 30))
    assert (entry.state, entry.objection_until) == ("notified", date(2026, 10, 13))
    text = _texts(session, subject.id)["list.notified"]
    assert "严重失信主体名单" in text and "2026-10-13" in text and "第九条" in text
    assert "异议成立" in text and "{" not in text  # removal conditions, every parameter filled
    with pytest.raises(Invalid) as early:
        service.list_entry(session, entry_id=entry.id, actor=OFFICER, today=date(2026, 10, 13))
    assert early.value.details["objection_until"] == "2026-10-13"
    assert entry.state == "notified"
    service.list_entry(session, entry_id=entry.id, actor=OFFICER, today=date(2026, 10, 14))
    assert (entry.state, entry.listed_on, entry.term_end) == (
        "listed",
        date(2026, 10, 14),
        date(2029, 10, 14),
    )
    assert "2029-10-14" in _texts(session, subject.id)["list.listed"]
    assert service.memberships(session, subject.id, date(2026, 10, 14)) == [
        "serious_dishonesty_list"
    ]


def test_a_hold_blocks_listing_until_released(session: Session) -> None:
    subject, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    entry = propose(session, subject, [penalty])
    service.notify(session, entry_id=entry.id, actor=OFFICER, today=date(2026, 9, 1))
    service.hold(session, entry_id=entry.id, actor="subject", ref="YY2026-000001")
    with pytest.raises(Conflict, match="YY2026-000001"):
        service.list_entry(session, entry_id=entry.id, actor=OFFICER, today=date(2026, 9, 30))
    service.release(session, entry_id=entry.id, actor=OFFICER, note="异议不成立")
    service.list_entry(session, entry_id=entry.id, actor=OFFICER, today=date(2026, 9, 30))
    assert entry.state == "listed"


def test_objection_upheld_entry_never_listed(session: Session) -> None:
    subject, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    entry = propose(session, subject, [penalty])
    service.notify(session, entry_id=entry.id, actor=OFFICER, today=date(2026, 9, 1))
    service.hold(session, entry_id=entry.id, actor="subject", ref="YY2026-000002")
    service.uphold_objection(
        session, entry_id=entry.id, note="处罚决定已被撤销", actor=OFFICER, today=date(2026, 9, 4)
    )
    assert (entry.state, entry.removal_reason, entry.listed_on) == (
        "rejected",
        "objection_upheld",
        None,
    )
    with pytest.raises(IllegalTransition):
        service.list_entry(session, entry_id=entry.id, actor=OFFICER, today=date(2026, 10, 1))
    assert service.live_entries(session, subject_ids=[subject.id], today=date(2026, 10, 1)) == []
    assert "异议成立" in _texts(session, subject.id)["list.rejected"]
    # A new proposal is possible once the first is closed.
    assert propose(session, subject, [penalty]).state == "proposed"


def test_term_ends_and_the_entry_leaves(session: Session) -> None:
    subject, _, entry = listed_serious(session)
    assert entry.term_end == date(2029, 9, 15)
    assert jobs.end_terms(session, today=date(2029, 9, 15)) == 0
    assert service.memberships(session, subject.id, date(2029, 9, 15)) == [
        "serious_dishonesty_list"
    ]
    assert service.memberships(session, subject.id, date(2029, 9, 16)) == []
    assert jobs.end_terms(session, today=date(2029, 9, 16)) == 1
    assert (entry.state, entry.removal_reason) == ("removed", "term_ended")
    assert service.live_entries(session, subject_ids=[subject.id], today=date(2029, 9, 16)) == []
    assert "期限届满" in _texts(session, subject.id)["list.removed"]
    assert jobs.end_terms(session, today=date(2029, 9, 17)) == 0


def test_removal_and_withdrawal_on_the_lists_conditions(session: Session) -> None:
    subject, _, entry = listed_serious(session)
    with pytest.raises(Invalid) as refused:
        service.remove(
            session, entry_id=entry.id, reason="paid", note=None, actor=OFFICER, today=date.today()
        )
    assert refused.value.details["field"] == "reason"
    service.remove(
        session,
        entry_id=entry.id,
        reason="obligation_fulfilled",
        note="已缴清罚款并整改",
        actor=OFFICER,
        today=date(2026, 12, 1),
    )
    assert (entry.state, entry.removed_on) == ("removed", date(2026, 12, 1))
    assert "已履行相关义务" in _texts(session, subject.id)["list.removed"]
    other, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    proposal = propose(session, other, [penalty])
    service.remove(
        session,
        entry_id=proposal.id,
        reason="basis_revoked",
        note="处罚决定被撤销",
        actor=OFFICER,
        today=date(2026, 9, 2),
    )
    assert proposal.state == "withdrawn"
    assert notices_service.for_subject(session, subject_id=other.id) == []  # never told


def test_stale_version_conflicts(session: Session) -> None:
    subject, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    entry = propose(session, subject, [penalty])
    assert entry.version == 1
    service.notify(
        session, entry_id=entry.id, actor=OFFICER, today=date(2026, 9, 1), expected_version=1
    )
    assert entry.version == 2
    with pytest.raises(Conflict, match="version 1"):
        service.list_entry(
            session, entry_id=entry.id, actor="other", today=date(2026, 9, 30), expected_version=1
        )
    assert entry.state == "notified"
    service.list_entry(
        session, entry_id=entry.id, actor=OFFICER, today=date(2026, 9, 30), expected_version=2
    )
    assert (entry.state, entry.version) == ("listed", 3)


def test_every_step_in_the_timeline_and_the_audit_log(session: Session) -> None:
    _, _, entry = listed_serious(session)
    service.hold(session, entry_id=entry.id, actor="subject", ref="YY2026-000003")
    service.release(session, entry_id=entry.id, actor=OFFICER)
    service.remove(
        session,
        entry_id=entry.id,
        reason="repaired",
        note=None,
        actor=OFFICER,
        today=date(2027, 10, 1),
    )
    steps = [e.action for e in service.timeline(session, entry.id)]
    assert steps == ["proposed", "notified", "listed", "held", "released", "removed"]
    assert audit_actions(session, entry) == [f"list.{step}" for step in steps]
    assert [e.to_state for e in service.timeline(session, entry.id)][-1] == "removed"
    assert audit_jobs.verify(session).ok
