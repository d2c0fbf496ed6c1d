"""Record lifecycle: versions, transitions, disclosure ends and expiry — on both stores."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests import factories
from xinyong.core.errors import Conflict, IllegalTransition, Invalid, NotFound
from xinyong.records import jobs, service
from xinyong.records.models import Record, RecordEvent
from xinyong.records.schemas import RecordCreate
from xinyong.records.states import ALLOWED_TRANSITIONS, RecordState

TODAY = date(2024, 6, 1)


def _submit(
    session: Session, record: Record, payload: dict[str, object], today: date = TODAY
) -> service.SubmitResult:
    data = RecordCreate(
        subject_id=record.subject_id,
        item_code=record.item_code,
        department_id=record.department_id,
        source_record_id=record.source_record_id,
        payload=payload,
    )
    return service.submit(session, data=data, actor="test", today=today)


def _events(session: Session, record_id: int) -> list[tuple[str | None, str]]:
    rows = session.scalars(
        select(RecordEvent).where(RecordEvent.record_id == record_id).order_by(RecordEvent.id)
    )
    return [(e.from_state, e.to_state) for e in rows]


def test_new_record_gets_severity_and_disclosure_end(session: Session) -> None:
    record = factories.penalty(session, factories.enterprise(session))
    assert (record.version, record.is_current, record.state) == (1, True, "active")
    assert record.severity == "general"
    assert record.polarity == "negative"
    assert record.decision_date == date(2024, 1, 31)
    assert record.disclosure_end == date(2025, 1, 31)
    assert record.payload["penalty_types"] == ["罚款"]
    assert record.catalog_version


def test_resubmitting_the_same_payload_is_unchanged(session: Session) -> None:
    record = factories.penalty(session, factories.enterprise(session))
    result = _submit(session, record, dict(record.payload))
    assert result.outcome == "unchanged"
    assert result.record.id == record.id
    assert len(service.versions(session, record.id)) == 1


def test_changed_payload_makes_a_new_version_and_keeps_the_old(session: Session) -> None:
    record = factories.penalty(session, factories.enterprise(session))
    changed = {**record.payload, "fine_amount": "8", "penalty_content": "罚款人民币8万元"}
    result = _submit(session, record, changed)
    assert result.outcome == "corrected"
    new = result.record
    assert (new.version, new.is_current, new.supersedes_id) == (2, True, record.id)
    session.refresh(record)
    assert (record.state, record.is_current) == ("corrected", False)
    assert record.payload["fine_amount"] == "5"  # the old version is kept as it was
    assert [v.version for v in service.versions(session, record.id)] == [1, 2]
    assert _events(session, record.id) == [("active", "corrected")]
    with pytest.raises(Conflict):
        service.correct(session, record_id=record.id, payload=changed, reason="x", actor="test")


def test_explicit_correction_needs_a_reason(session: Session) -> None:
    record = factories.penalty(session, factories.enterprise(session))
    with pytest.raises(Invalid):
        service.correct(
            session, record_id=record.id, payload=dict(record.payload), reason=" ", actor="t"
        )
    fixed = service.correct(
        session,
        record_id=record.id,
        payload={**record.payload, "violation_type": "商业贿赂"},
        reason="文号对应的违法类型录入错误",
        actor="dept:sz_scjgj",
        today=TODAY,
    )
    assert fixed.version == 2 and fixed.payload["violation_type"] == "商业贿赂"


def test_one_current_version_is_enforced_by_the_database(session: Session) -> None:
    record = factories.penalty(session, factories.enterprise(session))
    clone = Record(
        subject_id=record.subject_id,
        item_code=record.item_code,
        department_id=record.department_id,
        source_record_id=record.source_record_id,
        version=2,
        is_current=True,
        state="active",
        polarity="negative",
        payload=record.payload,
        catalog_version="x",
    )
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(clone)
        session.flush()


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (current, target)
        for current in RecordState
        for target in RecordState
        if target not in ALLOWED_TRANSITIONS[current] and target != RecordState.corrected
    ],
)
def test_illegal_transitions_are_refused_clearly(
    session: Session, current: RecordState, target: RecordState
) -> None:
    record = factories.penalty(session, factories.enterprise(session))
    session.execute(update(Record).where(Record.id == record.id).values(state=current.value))
    session.expire_all()
    with pytest.raises(IllegalTransition) as caught:
        service.transition(session, record_id=record.id, to_state=target, reason="test", actor="t")
    assert current.value in caught.value.message and target.value in caught.value.message
    assert caught.value.status_code == 409


def test_corrected_is_reached_only_by_correction(session: Session) -> None:
    record = factories.penalty(session, factories.enterprise(session))
    with pytest.raises(IllegalTransition, match="correction"):
        service.transition(
            session, record_id=record.id, to_state=RecordState.corrected, reason="x", actor="t"
        )


def test_objection_repair_and_withdrawal_of_repair_are_logged(session: Session) -> None:
    record = factories.penalty(session, factories.enterprise(session))
    for target in (
        RecordState.under_objection,
        RecordState.active,
        RecordState.repaired,
        RecordState.active,
    ):
        service.transition(
            session, record_id=record.id, to_state=target, reason=f"to {target}", actor="t"
        )
    assert _events(session, record.id) == [
        ("active", "under_objection"),
        ("under_objection", "active"),
        ("active", "repaired"),
        ("repaired", "active"),
    ]
    with pytest.raises(Invalid):
        service.transition(
            session, record_id=record.id, to_state=RecordState.revoked, reason="", actor="t"
        )


def test_correcting_a_repaired_record_keeps_it_repaired(session: Session) -> None:
    record = factories.penalty(session, factories.enterprise(session))
    service.transition(
        session, record_id=record.id, to_state=RecordState.repaired, reason="修复", actor="t"
    )
    result = _submit(session, record, {**record.payload, "remarks": "补充说明"})
    assert result.outcome == "corrected" and result.record.state == "repaired"


def test_a_revoked_record_cannot_be_resubmitted_with_changes(session: Session) -> None:
    record = factories.penalty(session, factories.enterprise(session))
    service.transition(
        session, record_id=record.id, to_state=RecordState.revoked, reason="决定被撤销", actor="t"
    )
    with pytest.raises(IllegalTransition):
        _submit(session, record, {**record.payload, "remarks": "x"})


@pytest.mark.parametrize(
    ("decided", "overrides", "severity", "end"),
    [
        ("2024-01-31", {}, "general", date(2025, 1, 31)),
        ("2024-02-29", {}, "general", date(2025, 2, 28)),
        ("2023-02-28", {}, "general", date(2024, 2, 28)),
        ("2024-02-29", {"penalty_types": ["罚款", "吊销许可证件"]}, "serious", date(2027, 2, 28)),
        ("2021-08-31", {"fine_amount": "120"}, "serious", date(2024, 8, 31)),
        (
            "2024-03-31",
            {"penalty_types": ["警告"], "fine_amount": None},
            "minor",
            date(2024, 3, 30),
        ),
    ],
)
def test_disclosure_end_across_month_ends_and_leap_years(
    session: Session, decided: str, overrides: dict[str, object], severity: str, end: date
) -> None:
    record = factories.penalty(
        session, factories.enterprise(session), decision_date=decided, **overrides
    )
    session.expire_all()
    stored = session.get(Record, record.id)
    assert stored is not None
    assert (stored.severity, stored.disclosure_end) == (severity, end)
    expected_state = "expired" if end < TODAY else "active"
    assert stored.state == expected_state  # a minor penalty is never published


def test_expiry_is_inclusive_of_the_last_day_and_idempotent(session: Session) -> None:
    company = factories.enterprise(session)
    ending = factories.penalty(session, company, decision_date="2024-01-31")  # last day 2025-01-31
    disputed = factories.penalty(session, company, decision_date="2024-01-30")
    service.transition(
        session,
        record_id=disputed.id,
        to_state=RecordState.under_objection,
        reason="异议",
        actor="t",
    )
    repaired = factories.penalty(session, company, decision_date="2024-01-29")
    service.transition(
        session, record_id=repaired.id, to_state=RecordState.repaired, reason="修复", actor="t"
    )
    later = factories.penalty(session, company, decision_date="2024-05-01")
    ids = [ending.id, disputed.id, repaired.id, later.id]

    def states() -> list[str]:
        session.expire_all()
        return [session.get(Record, i).state for i in ids]  # type: ignore[union-attr]

    jobs.expire_due(session, today=date(2025, 1, 31))
    assert states() == ["active", "expired", "repaired", "active"]
    jobs.expire_due(session, today=date(2025, 2, 1))
    assert states() == ["expired", "expired", "repaired", "active"]
    assert jobs.expire_due(session, today=date(2025, 2, 1)) == 0
    assert _events(session, ending.id) == [("active", "expired")]
    assert _events(session, disputed.id) == [
        ("active", "under_objection"),
        ("under_objection", "expired"),
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"violation_type": None}, "violation_type"),
        ({"decision_date": "2024-13-01"}, "decision_date"),
        ({"penalty_types": ["罚款", "打板子"]}, "penalty_types"),
        ({"fine_amount": "五万"}, "fine_amount"),
        ({"authority_code": "123"}, "authority_code"),
        ({"no_such_field": "x"}, "no_such_field"),
        ({"decision_date": "2030-01-01"}, "decision_date"),
    ],
)
def test_bad_payloads_name_the_field(
    session: Session, overrides: dict[str, object], field: str
) -> None:
    company = factories.enterprise(session)
    with pytest.raises(Invalid) as caught:
        factories.penalty(session, company, **overrides)
    assert caught.value.details["field"] == field


def test_item_must_fit_subject_kind_and_department(session: Session) -> None:
    company = factories.enterprise(session)
    court = factories.department(session, "court")
    market = factories.department(session, "market_regulation")
    payload = factories.penalty_payload(company, market)
    with pytest.raises(Invalid, match="not a source"):
        service.submit(
            session,
            data=RecordCreate(
                subject_id=company.id,
                item_code="admin_penalty",
                department_id=court.id,
                source_record_id="x-1",
                payload=payload,
            ),
            actor="t",
            today=TODAY,
        )
    with pytest.raises(Invalid, match="does not apply"):
        service.submit(
            session,
            data=RecordCreate(
                subject_id=company.id,
                item_code="professional_qualification",
                department_id=market.id,
                source_record_id="x-2",
                payload={},
            ),
            actor="t",
            today=TODAY,
        )
    with pytest.raises(NotFound):
        service.submit(
            session,
            data=RecordCreate(
                subject_id=company.id,
                item_code="no_such_item",
                department_id=market.id,
                source_record_id="x-3",
                payload={},
            ),
            actor="t",
            today=TODAY,
        )


def test_source_record_of_another_subject_is_a_conflict(session: Session) -> None:
    first = factories.penalty(session, factories.enterprise(session))
    other = factories.enterprise(session)
    dept = factories.department(session)
    with pytest.raises(Conflict):
        service.submit(
            session,
            data=RecordCreate(
                subject_id=other.id,
                item_code="admin_penalty",
                department_id=dept.id,
                source_record_id=first.source_record_id,
                payload=factories.penalty_payload(other, dept),
            ),
            actor="t",
            today=TODAY,
        )


@pytest.mark.parametrize(("status", "severity"), [("未履约", "general"), ("已履约", None)])
def test_a_breached_commitment_is_dishonesty_information(
    session: Session, status: str, severity: str | None
) -> None:
    company = factories.enterprise(session)
    dept = factories.department(session, "development_reform")
    payload = {
        "subject_name": company.name,
        "subject_type": "legal_person",
        "subject_code": company.uscc,
        "commitment_number": f"CN-{status}",
        "commitment_type": "审批替代型",
        "commitment_matter": "申请食品经营许可",
        "commitment_date": "2024-02-01",
        "receiving_body": dept.name_zh,
        "performance_status": status,
    }
    data = RecordCreate(
        subject_id=company.id,
        item_code="credit_commitment",
        department_id=dept.id,
        source_record_id=f"CN-{status}",
        payload=payload,
    )
    record = service.submit(session, data=data, actor="t", today=TODAY).record
    assert (record.polarity, record.severity) == ("neutral", severity)
