"""Cases as a whole: concurrent decisions, the audit trail, reminders and statistics."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.rights.helpers import applicant, penalised, proof
from xinyong.audit import jobs as audit_jobs
from xinyong.audit.models import AuditEntry
from xinyong.core.db import session_factory, session_scope
from xinyong.core.errors import Conflict
from xinyong.notices import service as notices_service
from xinyong.records.models import Record
from xinyong.rights import jobs, objections, repairs, service, stats
from xinyong.rights.models import CaseEvent, RightsCase
from xinyong.rights.objections import ObjectionApplication, TargetDecision
from xinyong.rights.repairs import RepairApplication
from xinyong.rights.states import ObjectionGround, RepairOutcome, TargetOutcome
from xinyong.subjects import service as subjects_service

TODAY = date(2026, 10, 12)


def _objection_case(session: Session) -> tuple[int, int, int]:
    subject, record = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    application = ObjectionApplication([record.id], ObjectionGround.wrong_information, "金额有误")
    case = objections.apply(
        session, applicant=applicant(subject), application=application, today=TODAY
    )
    return case.id, record.id, record.department_id


def _correct(
    session: Session, case_id: int, record_id: int, dept: int, fine: str, version: int
) -> None:
    decision = TargetDecision(
        record_id, TargetOutcome.correct, f"更正为{fine}万元", {"fine_amount": fine}
    )
    objections.decide(
        session,
        case_id=case_id,
        decisions=[decision],
        actor=f"staff:{fine}",
        department_id=dept,
        expected_version=version,
        today=TODAY,
    )


@pytest.fixture
def committed_case(configured_db: str) -> tuple[int, int, int]:
    with session_scope() as session:
        subjects_service.sync_departments(session)
    with session_scope() as session:
        return _objection_case(session)


def _outcome(case_id: int, record_id: int) -> tuple[list[str], int, int]:
    with session_scope() as session:
        base = session.get(Record, record_id)
        assert base is not None
        versions = session.scalars(
            select(Record.payload).where(Record.source_record_id == base.source_record_id)
        ).all()
        decided = session.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.case_id == case_id, CaseEvent.action == "decided")
        )
        case = session.get(RightsCase, case_id)
        assert case is not None
        return sorted(str(p.get("fine_amount")) for p in versions), int(decided or 0), case.version


def test_two_officers_deciding_in_turn_one_wins(committed_case: tuple[int, int, int]) -> None:
    case_id, record_id, dept = committed_case
    first, second = session_factory()(), session_factory()()
    try:
        seen = [s.get(RightsCase, case_id).version for s in (first, second)]  # type: ignore[union-attr]
        _correct(first, case_id, record_id, dept, "3", seen[0])
        first.commit()
        with pytest.raises(Conflict):
            _correct(second, case_id, record_id, dept, "4", seen[1])
        second.rollback()
    finally:
        first.close()
        second.close()
    fines, decided, version = _outcome(case_id, record_id)
    assert fines == ["3", "5"] and decided == 1 and version == 2


def test_two_officers_deciding_at_once_one_wins(committed_case: tuple[int, int, int]) -> None:
    case_id, record_id, dept = committed_case
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def officer(fine: str) -> None:
        session = session_factory()()
        try:
            version = session.get(RightsCase, case_id).version  # type: ignore[union-attr]
            barrier.wait()
            _correct(session, case_id, record_id, dept, fine, version)
            session.commit()
            results[fine] = "won"
        except Conflict:
            session.rollback()
            results[fine] = "conflict"
        finally:
            session.close()

    threads = [threading.Thread(target=officer, args=(fine,)) for fine in ("3", "4")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results.values()) == ["conflict", "won"]
    winner = next(fine for fine, result in results.items() if result == "won")
    fines, decided, _ = _outcome(case_id, record_id)
    assert fines == sorted([winner, "5"]) and decided == 1


def test_every_state_change_is_in_the_audit_log_and_the_chain_verifies(session: Session) -> None:
    case_id, record_id, dept = _objection_case(session)
    service.extend(session, case_id=case_id, reason="调取案卷", actor="staff", department_id=dept)
    _correct(session, case_id, record_id, dept, "3", 2)
    subject, record = penalised(session)
    repair = repairs.apply(
        session,
        applicant=applicant(subject),
        application=RepairApplication(record.id, "已缴清", True, [proof()]),
        today=TODAY,
    )
    repairs.accept(
        session, case_id=repair.id, actor="staff", department_id=repair.department_id, today=TODAY
    )
    repairs.decide(
        session,
        case_id=repair.id,
        outcome=RepairOutcome.repaired,
        reason="已履行",
        actor="staff",
        department_id=repair.department_id,
        today=TODAY,
    )
    actions = set(
        session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "rights_case"))
    )
    assert {"rights.objection.applied", "rights.objection.registered", "rights.objection.extended",
            "rights.objection.decided", "rights.repair.applied", "rights.repair.accepted",
            "rights.repair.decided"} <= actions  # fmt: skip
    transitions = session.scalars(
        select(AuditEntry.summary).where(AuditEntry.action == "record.transition")
    ).all()
    assert {"under_objection", "repaired"} <= {s["to_state"] for s in transitions}
    assert audit_jobs.verify(session).ok


def test_reminders_go_to_the_department_once_a_day(session: Session) -> None:
    case_id, _, dept = _objection_case(session)  # due Wednesday 14 October
    assert jobs.remind(session, today=date(2026, 10, 12)) == jobs.ReminderReport(due=0, overdue=0)
    assert jobs.remind(session, today=date(2026, 10, 13)) == jobs.ReminderReport(due=1, overdue=0)
    assert jobs.remind(session, today=date(2026, 10, 13)) == jobs.ReminderReport(due=0, overdue=0)
    assert jobs.remind(session, today=date(2026, 10, 15)) == jobs.ReminderReport(due=0, overdue=1)
    texts = [
        notices_service.text(n, "zh")
        for n in notices_service.for_department(session, department_id=dept)
    ]
    assert any("超期" in text for text in texts)
    case = session.get(RightsCase, case_id)
    assert case is not None and case.reminded_on == date(2026, 10, 15)


def test_statistics_count_outcomes_handling_time_and_overdue(session: Session) -> None:
    before = stats.figures(session, today=TODAY)
    case_id, record_id, dept = _objection_case(session)
    objections.decide(
        session,
        case_id=case_id,
        actor="staff",
        department_id=dept,
        today=date(2026, 10, 16),
        decisions=[TargetDecision(record_id, TargetOutcome.keep, "记录无误")],
    )
    late_id, _, _ = _objection_case(session)
    figures = stats.figures(session, today=date(2026, 10, 20))
    objection = next(k for k in figures.kinds if k.kind == "objection")
    old = next(k for k in before.kinds if k.kind == "objection")
    assert objection.total == old.total + 2
    assert objection.by_outcome.get("rejected", 0) == old.by_outcome.get("rejected", 0) + 1
    assert objection.open_overdue >= 1  # the second case, due 14 October, still open
    case = session.get(RightsCase, case_id)
    assert case is not None and case.handling_workdays == 4 and case.overdue_at_close
    assert session.get(RightsCase, late_id) is not None
