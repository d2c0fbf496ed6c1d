"""Personal identity numbers inside payloads are masked and sealed; codes must fit the subject."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests import factories
from xinyong.core.errors import Invalid
from xinyong.records import protect, service
from xinyong.records.schemas import RecordCreate
from xinyong.subjects.models import Subject


def _qualification(session: Session, person: Subject, code: str) -> service.SubmitResult:
    dept = factories.department(session, "human_resources")
    payload = {
        "subject_name": person.name,
        "subject_code": code,
        "qualification_name": "一级建造师",
        "certificate_number": "苏建证〔2023〕1号",
        "issue_date": "2023-05-06",
        "issuing_body": dept.name_zh,
    }
    data = RecordCreate(
        subject_id=person.id,
        item_code="professional_qualification",
        department_id=dept.id,
        source_record_id="苏建证〔2023〕1号",
        payload=payload,
    )
    return service.submit(session, data=data, actor="test", today=date(2024, 1, 1))


def test_person_id_in_payload_is_masked_and_sealed(session: Session) -> None:
    number = factories.id_number()
    person = factories.person(session, id_number=number)
    record = _qualification(session, person, number.lower()).record
    assert record.payload["subject_code"] == number[:6] + "*" * 8 + number[-4:]
    raw = session.execute(
        text("SELECT payload, protected FROM records WHERE id = :id"), {"id": record.id}
    ).one()
    assert number not in str(raw.payload) and number not in str(raw.protected)
    assert protect.reveal(record.payload, record.protected)["subject_code"] == number
    again = _qualification(session, person, number)
    assert again.outcome == "unchanged" and again.record.id == record.id


def test_code_of_another_subject_is_refused(session: Session) -> None:
    person = factories.person(session)
    stranger = factories.id_number(birth=date(1970, 2, 3))
    with pytest.raises(Invalid) as caught:
        _qualification(session, person, stranger)
    assert caught.value.details["field"] == "subject_code"
    company = factories.enterprise(session)
    other = factories.enterprise(session)
    with pytest.raises(Invalid, match="subject_code"):
        factories.penalty(session, company, subject_code=other.uscc)


def test_mask_identifier_forms() -> None:
    number = factories.id_number()
    assert protect.mask_identifier(number) == number[:6] + "*" * 8 + number[-4:]
    assert protect.mask_identifier("E12345678") == "E1*****78"
    assert protect.mask_identifier("AB1") == "***"
