"""Objection: registration marks at once; the department corrects, supplements, stops or keeps."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.rights.helpers import PDF, applicant, penalised
from xinyong.core.errors import Conflict, Forbidden, Invalid
from xinyong.notices import service as notices_service
from xinyong.records import service as records_service
from xinyong.rights import cases, objections
from xinyong.rights.evidence import Upload
from xinyong.rights.objections import ObjectionApplication, TargetDecision
from xinyong.rights.states import ObjectionGround, TargetOutcome

TODAY = date(2026, 9, 25)  # a Friday before the National Day holiday


def _apply(session: Session, subject, record, **kw) -> object:
    application = ObjectionApplication(
        record_ids=[record.id],
        ground=kw.pop("ground", ObjectionGround.wrong_information),
        statement=kw.pop("statement", "罚款金额应为3万元，决定书第2页可证"),
        files=kw.pop("files", [Upload("决定书.pdf", PDF)]),
    )
    return objections.apply(
        session, applicant=applicant(subject), application=application, today=TODAY
    )


def test_registration_marks_the_record_at_once(session: Session) -> None:
    subject, record = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    case = _apply(session, subject, record)
    assert case.state == "accepted"
    assert record.state == "under_objection"
    assert case.number.startswith("YY2026-")
    # Received Friday 25 Sept: 2 working days → Monday 28, Tuesday 29 Sept.
    assert case.decide_due_on == date(2026, 9, 29)
    texts = [
        notices_service.text(n, "zh")
        for n in notices_service.for_subject(session, subject_id=subject.id)
    ]
    assert any(case.number in text and "异议处理中" in text for text in texts)


def test_correction_makes_a_new_version_and_tells_the_applicant(session: Session) -> None:
    subject, record = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    case = _apply(session, subject, record)
    decided = objections.decide(
        session,
        case_id=case.id,
        decisions=[
            TargetDecision(
                record.id, TargetOutcome.correct, "核实后更正罚款金额", {"fine_amount": "3"}
            )
        ],
        actor="staff:1",
        department_id=record.department_id,
        today=TODAY,
    )
    assert decided.state == "decided" and decided.outcome == "upheld"
    assert record.state == "corrected" and not record.is_current
    current = records_service.current_of(session, record)
    assert current.payload["fine_amount"] == "3" and current.state == "active"
    assert current.version == 2
    texts = [
        notices_service.text(n, "en")
        for n in notices_service.for_subject(session, subject_id=subject.id)
    ]
    assert any("upheld" in text for text in texts)


def test_keep_takes_the_mark_off_and_needs_reasons(session: Session) -> None:
    subject, record = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    case = _apply(session, subject, record)
    with pytest.raises(Invalid):
        objections.decide(
            session,
            case_id=case.id,
            actor="staff:1",
            department_id=record.department_id,
            decisions=[TargetDecision(record.id, TargetOutcome.keep, "  ")],
            today=TODAY,
        )
    objections.decide(
        session,
        case_id=case.id,
        actor="staff:1",
        department_id=record.department_id,
        decisions=[TargetDecision(record.id, TargetOutcome.keep, "经核查记录准确")],
        today=TODAY,
    )
    assert record.state == "active" and case.outcome == "rejected"


def test_only_the_reporting_department_decides(session: Session) -> None:
    subject, record = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    case = _apply(session, subject, record)
    with pytest.raises(Forbidden):
        objections.decide(
            session,
            case_id=case.id,
            actor="staff:2",
            department_id=record.department_id + 1,
            decisions=[TargetDecision(record.id, TargetOutcome.keep, "x")],
            today=TODAY,
        )


def test_a_record_is_disputed_once_at_a_time(session: Session) -> None:
    subject, record = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    _apply(session, subject, record)
    with pytest.raises(Conflict):
        _apply(session, subject, record)


def test_list_grounds_need_a_list_entry(session: Session) -> None:
    subject, record = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    with pytest.raises(Invalid, match="not a list entry"):
        _apply(session, subject, record, ground=ObjectionGround.wrongly_listed)


def test_evidence_is_checked_by_content(session: Session) -> None:
    subject, record = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    with pytest.raises(Invalid, match="accepted types"):
        _apply(session, subject, record, files=[Upload("证明.pdf", b"MZ\x90\x00 not a pdf")])
    assert record.state == "active"
    assert cases.open_cases_of_record(session, record.id, cases.CaseKind.objection) == []
