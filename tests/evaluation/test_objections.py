"""Objections against a grade (评价结果异议) through the rights workflow, on both stores: the case
is the credit office's with the objection's working-day limit; upheld, the subject is scored
again on the data as it stands and told its new grade; kept, the grade stays."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from xinyong.audit.models import AuditEntry
from xinyong.core.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.core.workdays import add_workdays
from xinyong.evaluation import objections, service
from xinyong.evaluation.models import EvaluationResult, EvaluationRun
from xinyong.notices import service as notices_service
from xinyong.records import service as records_service
from xinyong.records.states import RecordState
from xinyong.rights import cases
from xinyong.rights import objections as rights_objections
from xinyong.rights.states import CaseOutcome, CaseState
from xinyong.subjects.models import Department, Subject

AS_OF = date(2026, 12, 1)  # a Tuesday
SUBMITTED = date(2026, 11, 30)
MODEL = "city_legal_person"


def _graded_d(session: Session) -> tuple[Subject, list[int]]:
    """A firm with three penalties in the last year, evaluated D (see the golden subject)."""
    firm = factories.enterprise(session, registration_date=date(2020, 1, 15))
    penalties = [
        factories.penalty(
            session,
            firm,
            today=SUBMITTED,
            decision_date=decided,
            fine_amount="5",
            penalty_types=["罚款"],
        )
        for decided in ("2026-03-01", "2026-06-01", "2026-09-01")
    ]
    service.evaluate(session, as_of=AS_OF, actor="test", model_code=MODEL)
    return firm, [p.id for p in penalties]


def _applicant(firm: Subject, channel: str = "portal") -> cases.Applicant:
    return cases.Applicant(actor="account:1", subject_id=firm.id, channel=channel)


def _office(session: Session) -> Department:
    office = session.scalar(select(Department).where(Department.is_credit_office.is_(True)))
    assert office is not None
    return office


def _grade(session: Session, firm: Subject) -> str:
    current = service.current_results(session, subject_id=firm.id)
    return next(r.grade for r in current if r.model_code == MODEL)


def _object(session: Session, firm: Subject, **kwargs: object) -> objections.GradeCase:
    return objections.apply(
        session,
        applicant=_applicant(firm),
        model_code=MODEL,
        statement="两项处罚已被复议撤销，评价等级应重新计算",
        today=AS_OF,
        **kwargs,  # type: ignore[arg-type]
    )


def test_upheld_objection_regrades_on_corrected_data(session: Session) -> None:
    firm, penalty_ids = _graded_d(session)
    assert _grade(session, firm) == "D"
    found = _object(session, firm)
    case, link = found.case, found.link
    assert (case.kind, case.state, case.ground) == ("objection", "accepted", "wrong_grade")
    assert case.department_id == _office(session).id
    assert case.due_on == add_workdays(AS_OF, 2)  # the objection's verification limit
    assert (link.grade_before, link.model_code) == ("D", MODEL)
    assert objections.open_objection(session, subject_id=firm.id, model_code=MODEL) is not None
    with pytest.raises(Conflict):
        _object(session, firm)  # one open objection per grade
    with pytest.raises(Invalid):  # the record-objection decision refuses a case without records
        rights_objections.decide(
            session, case_id=case.id, decisions=[], actor="x", department_id=case.department_id
        )
    # The department revokes two penalties meanwhile (the data is corrected).
    for record_id in penalty_ids[:2]:
        records_service.transition(
            session, record_id=record_id, to_state=RecordState.revoked, reason="撤销", actor="t"
        )
    runs_before = len(service.runs(session, model_code=MODEL))
    objections.decide(
        session,
        case_id=case.id,
        upheld=True,
        reason="处罚决定已撤销，依据现有信息重新评价",
        actor="account:2",
        department_id=case.department_id,
        today=AS_OF,
    )
    assert (case.state, case.outcome) == (CaseState.decided.value, CaseOutcome.upheld.value)
    assert link.new_result_id is not None and link.grade_after is not None
    assert link.grade_after != "D" and _grade(session, firm) == link.grade_after
    new = session.get(EvaluationResult, link.new_result_id)
    assert new is not None and new.score > link.score_before
    runs = service.runs(session, model_code=MODEL)
    assert len(runs) == runs_before + 1
    run = session.get(EvaluationRun, new.run_id)
    assert run is not None and run.mode == "incremental" and run.subjects == 1
    actions = set(
        session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(case.id)))
    )
    assert {"rights.objection.registered", "rights.objection.regraded"} <= actions
    keys = [n.key for n in notices_service.for_subject(session, subject_id=firm.id)]
    assert "grade_objection.received" in keys and "grade_objection.decided.upheld" in keys
    assert objections.open_objection(session, subject_id=firm.id, model_code=MODEL) is None


def test_kept_grade_stays_and_the_subject_is_told(session: Session) -> None:
    firm, _ = _graded_d(session)
    found = _object(session, firm)
    objections.decide(
        session,
        case_id=found.case.id,
        upheld=False,
        reason="处罚信息准确，评价依据无误",
        actor="account:2",
        department_id=found.case.department_id,
        today=AS_OF,
    )
    assert found.case.outcome == CaseOutcome.rejected.value
    assert found.link.new_result_id is None and _grade(session, firm) == "D"
    keys = [n.key for n in notices_service.for_subject(session, subject_id=firm.id)]
    assert "grade_objection.decided.rejected" in keys


def test_only_the_credit_office_decides_and_only_the_current_grade(session: Session) -> None:
    firm, _ = _graded_d(session)
    stale_run = service.current_results(session, subject_id=firm.id)[0].run_id
    service.evaluate(session, as_of=AS_OF, actor="test", model_code=MODEL)
    with pytest.raises(Invalid):
        _object(session, firm, run_id=stale_run)  # the page showed an older result
    with pytest.raises(NotFound):
        objections.apply(
            session,
            applicant=_applicant(firm),
            model_code="transport",
            statement="没有这个评价",
            today=AS_OF,
        )
    found = _object(session, firm)
    other = factories.department(session)
    with pytest.raises(Forbidden):
        objections.decide(
            session,
            case_id=found.case.id,
            upheld=True,
            reason="不是本部门的案件",
            actor="account:3",
            department_id=other.id,
            today=AS_OF,
        )
    assert found.case.state == CaseState.accepted.value
