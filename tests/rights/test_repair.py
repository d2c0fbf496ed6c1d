"""Credit repair: eligibility by tier, irreparable items, refusal waits, and what a repair does."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.rights.helpers import applicant, item_record, penalised, proof, serious_listing
from xinyong.core.errors import Invalid
from xinyong.evaluation import service as evaluation_service
from xinyong.exchange.models import OutboundEvent
from xinyong.portal import list_seam
from xinyong.records.models import Record
from xinyong.rights import eligibility, repairs
from xinyong.rights.models import RightsCase
from xinyong.rights.repairs import RepairApplication
from xinyong.rights.states import RepairOutcome


def _codes(session: Session, record: Record, today: date) -> set[str]:
    return {o.code for o in eligibility.check(session, record, today=today).obstacles}


def _apply(session: Session, subject, record, today: date) -> RightsCase:  # type: ignore[no-untyped-def]
    application = RepairApplication(record.id, "罚款已于2026年3月缴清", True, [proof()])
    return repairs.apply(
        session, applicant=applicant(subject), application=application, today=today
    )


def _decide(session: Session, case: RightsCase, outcome: RepairOutcome, today: date) -> None:
    repairs.accept(
        session, case_id=case.id, actor="staff", department_id=case.department_id, today=today
    )
    repairs.decide(
        session,
        case_id=case.id,
        outcome=outcome,
        reason="已核实履行完毕" if outcome == "repaired" else "罚款未缴清",
        actor="staff",
        department_id=case.department_id,
        today=today,
    )


def test_general_tier_waits_three_months(session: Session) -> None:
    _, record = penalised(session, decided=date(2026, 6, 1), today=date(2026, 6, 2))
    assert record.severity == "general"
    answer = eligibility.check(session, record, today=date(2026, 8, 31))
    assert not answer.eligible and answer.earliest == date(2026, 9, 1)
    assert [o.code for o in answer.obstacles] == ["too_early"]
    assert eligibility.check(session, record, today=date(2026, 9, 1)).eligible


def test_serious_tier_waits_a_year(session: Session) -> None:
    _, record = penalised(
        session, decided=date(2025, 10, 1), today=date(2025, 10, 2), fine_amount="150"
    )
    assert record.severity == "serious"
    assert _codes(session, record, date(2026, 9, 30)) == {"too_early"}
    assert eligibility.check(session, record, today=date(2026, 10, 1)).eligible


def test_minor_tier_once_the_obligation_is_fulfilled(session: Session) -> None:
    day = date(2026, 6, 1)
    _, record = penalised(session, decided=day, today=day, penalty_types=["警告"], fine_amount=None)
    assert record.severity == "minor"
    # The national catalogue publishes minor penalties for no time at all: nothing to repair.
    assert _codes(session, record, day) == {"not_published"}
    # Where a city publishes minor information (its own catalogue layer), no waiting period.
    record.state, record.disclosure_end = "active", date(2026, 8, 31)
    assert eligibility.check(session, record, today=day).eligible


def test_irreparable_items_and_positive_records(session: Session) -> None:
    subject = factories.enterprise(session)
    court = factories.department(session, "court")
    debtor = item_record(
        session,
        subject,
        "dishonest_judgment_debtor",
        {
            "case_number": "(2025)苏05执123号",
            "court_name": court.name_zh,
            "filing_date": "2025-01-02",
            "basis_document_number": "(2024)苏05民初1号",
            "basis_issuer": court.name_zh,
            "obligations": "支付货款10万元",
            "performance_status": "全部未履行",
            "dishonest_conduct": "有履行能力而拒不履行",
            "publish_date": "2025-02-01",
        },
        department_kind="court",
    )
    answer = eligibility.check(session, debtor, today=date(2026, 6, 1))
    assert [o.code for o in answer.obstacles] == ["irreparable"]
    assert "人民法院" in answer.obstacles[0].zh
    honour = item_record(
        session,
        subject,
        "honour",
        {
            "honour_kind": "荣誉",
            "honour_name": "守合同重信用企业",
            "award_document_number": "苏市监〔2025〕9号",
            "award_date": "2025-05-01",
            "awarding_body": "苏州市市场监督管理局",
        },
    )
    assert _codes(session, honour, date(2026, 6, 1)) == {"not_dishonesty"}


def test_ineligible_application_is_refused_with_the_reasons(session: Session) -> None:
    subject, record = penalised(session, decided=date(2026, 6, 1), today=date(2026, 6, 2))
    with pytest.raises(Invalid) as refused:
        _apply(session, subject, record, date(2026, 7, 1))
    assert refused.value.details["obstacles"] == ["too_early"]
    assert refused.value.details["earliest"] == "2026-09-01"


def test_proof_and_commitment_are_required(session: Session) -> None:
    subject, record = penalised(session)
    no_commitment = RepairApplication(record.id, "已缴清", False, [proof()])
    with pytest.raises(Invalid, match="commitment"):
        repairs.apply(
            session, applicant=applicant(subject), application=no_commitment, today=date(2026, 6, 1)
        )
    no_proof = RepairApplication(record.id, "已缴清", True, [])
    with pytest.raises(Invalid, match="proof"):
        repairs.apply(
            session, applicant=applicant(subject), application=no_proof, today=date(2026, 6, 1)
        )


def test_the_commitment_is_kept_as_a_repair_commitment_record(session: Session) -> None:
    subject, record = penalised(session)
    case = _apply(session, subject, record, date(2026, 6, 1))
    commitment = session.get(Record, case.commitment_record_id)
    assert commitment is not None and commitment.item_code == "credit_commitment"
    assert commitment.payload["commitment_type"] == "信用修复型"
    assert commitment.subject_id == subject.id


def test_refusal_says_when_to_apply_again(session: Session) -> None:
    subject, record = penalised(session)
    case = _apply(session, subject, record, date(2026, 6, 1))
    _decide(session, case, RepairOutcome.refused, date(2026, 6, 2))
    assert case.outcome == "refused" and case.reapply_from == date(2026, 9, 2)
    assert record.state == "active"
    assert _codes(session, record, date(2026, 9, 1)) == {"recently_refused"}
    assert eligibility.check(session, record, today=date(2026, 9, 2)).eligible


def test_a_repair_ends_publication_removes_the_list_entry_and_tells_partners(
    session: Session,
) -> None:
    subject, record = penalised(session)
    listing = serious_listing(session, subject, record)
    other = serious_listing(session, subject, penalised(session)[1])  # rests on another penalty
    assert list_seam.entries_grounded_on(session, record) == [listing]
    case = _apply(session, subject, record, date(2026, 6, 1))
    assert _codes(session, record, date(2026, 6, 1)) == {"case_open"}
    _decide(session, case, RepairOutcome.repaired, date(2026, 6, 2))
    assert record.state == "repaired" and listing.state == "repaired"
    assert other.state == "active"
    events = session.scalars(
        select(OutboundEvent).where(OutboundEvent.subject_id == subject.id)
    ).all()
    assert {(e.kind, e.record_id) for e in events} == {
        ("record.repaired", record.id),
        ("record.repaired", listing.id),
    }
    assert all(e.due_on == date(2026, 6, 5) for e in events)  # 3 working days
    assert subject.id in {f.subject_id for f in evaluation_service.flagged(session)}
    assert _codes(session, record, date(2026, 6, 3)) == {"already_repaired"}


def test_material_is_asked_for_once(session: Session) -> None:
    subject, record = penalised(session)
    case = _apply(session, subject, record, date(2026, 6, 1))
    repairs.request_material(
        session,
        case_id=case.id,
        missing="缴款凭证不清晰，请提供银行回单",
        actor="staff",
        department_id=case.department_id,
    )
    assert case.state == "material_requested" and case.due_on is None
    repairs.supplement(
        session,
        case_id=case.id,
        applicant=applicant(subject),
        files=[proof("回单.pdf")],
        today=date(2026, 6, 3),
    )
    assert case.state == "applied" and case.due_on == date(2026, 6, 4)
    with pytest.raises(Invalid, match="only once"):
        repairs.request_material(
            session,
            case_id=case.id,
            missing="再补",
            actor="staff",
            department_id=case.department_id,
        )


def test_a_repair_takes_a_platform_list_entry_off_and_its_measures_go_with_it(
    session: Session,
) -> None:
    from tests.lists.helpers import listed_serious
    from xinyong.lists import service as lists_service

    subject, penalty, entry = listed_serious(session)
    today = date(2026, 10, 12)
    assert lists_service.memberships(session, subject.id, today) == ["serious_dishonesty_list"]
    case = _apply(session, subject, penalty, today)
    _decide(session, case, RepairOutcome.repaired, today)
    assert entry.state == "removed" and entry.removal_reason == "repaired"
    assert lists_service.memberships(session, subject.id, today) == []
