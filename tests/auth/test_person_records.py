"""Issue 16, findings 1, 3 and 4: personal data in free text, persons' records by ID number,
and other departments' reads of a person's records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.auth.test_web import PASSWORD, _csrf, _login, city  # noqa: F401  (fixture)
from xinyong.app import create_app
from xinyong.auth import queries
from xinyong.auth import service as auth_service
from xinyong.auth.principal import Principal
from xinyong.core.db import session_scope
from xinyong.core.errors import Invalid
from xinyong.records import access
from xinyong.records import service as records_service
from xinyong.records.schemas import RecordCreate
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

UNKNOWN_ID = "11010519491231002X"  # a valid number nobody in the test city has
LEAKED_ID = "320508199003071239"
MOBILE = "13912345678"


@dataclass(frozen=True)
class Person:
    id: int
    number: str


def _submit_penalty(session: Session, subject: Subject, **overrides: object) -> None:
    market = factories.department(session, "market_regulation")
    payload = factories.penalty_payload(
        subject, market, decision_date=date.today().isoformat(), **overrides
    )
    records_service.submit(
        session,
        actor="test",
        data=RecordCreate(
            subject_id=subject.id,
            item_code="admin_penalty",
            department_id=market.id,
            source_record_id=str(payload["decision_number"]),
            payload=payload,
        ),
    )


@pytest.fixture
def person(city: dict[str, object]) -> Person:  # noqa: F811
    """张小伟, a natural person with a published penalty and an account of his own."""
    with session_scope() as session:
        subject = factories.person(session, name="张小伟")
        number = subjects_service.reveal_id_number(subject) or ""
        _submit_penalty(session, subject, subject_code=number, legal_representative=None)
        code = auth_service.issue_counter_code(session, subject_code=number, issued_by=None)
        auth_service.open_subject_account(
            session, code=code, username="zhang.xw", password=PASSWORD, display_name="张小伟"
        )
        return Person(subject.id, number)


def _client(username: str | None = None) -> tuple[TestClient, dict[str, str]]:
    client = TestClient(create_app())
    if username is None:
        return client, {}
    _login(client, username)
    return client, {"X-CSRF-Token": _csrf(client.get("/login").text)}


def _query(client: TestClient, headers: dict[str, str], **body: str) -> Any:
    return client.post("/api/v1/subjects/records", json=body, headers=headers)


# --- finding 3 ------------------------------------------------------------------------------


def test_no_anonymous_route_answers_for_an_id_number(person: Person) -> None:
    anonymous = TestClient(create_app())
    known = anonymous.get(f"/api/v1/subjects/{person.number}/records")
    unknown = anonymous.get(f"/api/v1/subjects/{UNKNOWN_ID}/records")
    assert known.status_code == unknown.status_code == 404
    assert known.json() == unknown.json()  # the answer does not tell who is registered
    assert person.number not in known.text
    posted = [_query(anonymous, {}, code=n) for n in (person.number, UNKNOWN_ID)]
    assert {p.status_code for p in posted} <= {401, 403}
    assert posted[0].json() == posted[1].json()


def test_a_persons_records_open_to_the_person_and_not_to_other_subjects(person: Person) -> None:
    other, other_headers = _client("acme")  # the company's own account
    known = _query(other, other_headers, code=person.number, purpose="核查核查")
    unknown = _query(other, other_headers, code=UNKNOWN_ID, purpose="核查核查")
    assert known.status_code == unknown.status_code == 404
    assert known.json() == unknown.json()
    own, own_headers = _client("zhang.xw")
    rows = _query(own, own_headers, code=person.number).json()
    assert rows and rows[0]["fields"]["subject_name"] == "张小伟"
    # the URL route no longer takes an ID number, not even the person's own
    assert own.get(f"/api/v1/subjects/{person.number}/records").status_code == 404


# --- finding 4 ------------------------------------------------------------------------------


def test_another_departments_staff_need_a_purpose_and_are_registered(person: Person) -> None:
    with session_scope() as session:
        tax = factories.department(session, "tax")
        clerk = Principal(kind="staff", role="department_user", account_id=1, department_id=tax.id)
        with pytest.raises(Invalid):
            access.read_subject_records(session, principal=clerk, subject_id=person.id)
    client, headers = _client("tax.clerk")
    refused = _query(client, headers, code=person.number)
    assert refused.status_code == 422
    rows = _query(client, headers, code=person.number, purpose="招投标资格审查").json()
    assert rows[0]["fields"]["subject_name"] == "张小伟"  # unmasked: a registered read
    with session_scope() as session:
        log = queries.for_subject(session, subject_id=person.id)
        outcomes = [(entry.outcome, entry.purpose) for entry in log]
    assert ("allowed", "招投标资格审查") in outcomes
    assert any(outcome == "refused" for outcome, _ in outcomes)


# --- finding 1 ------------------------------------------------------------------------------


def test_free_text_is_redacted_for_the_public_and_not_for_the_department(
    city: dict[str, object],  # noqa: F811
) -> None:
    facts = (
        f"当事人李小龙(身份证号{LEAKED_ID})，联系电话+86 {MOBILE[:3]}-{MOBILE[3:7]}-{MOBILE[7:]}"
    )
    with session_scope() as session:
        factories.person(session, name="李小龙")
        company = factories.enterprise(session)
        _submit_penalty(session, company, violation_facts=facts, penalty_content="对李小龙罚款")
        uscc = company.uscc or ""
    anonymous = TestClient(create_app())
    answers = [
        anonymous.get("/api/v1/double-publicity/penalty", params={"limit": 100}).text,
        anonymous.get(f"/api/v1/subjects/{uscc}").text,
        anonymous.get(f"/api/v1/subjects/{uscc}/public-records").text,
        anonymous.get(f"/api/v1/subjects/{uscc}/records").text,
        anonymous.get(f"/subjects/{uscc}").text,
        anonymous.get("/double-publicity/penalties").text,
    ]
    for body in answers:
        assert LEAKED_ID not in body and "李小龙" not in body
        assert f"{MOBILE[:3]}-{MOBILE[3:7]}-{MOBILE[7:]}" not in body
    assert "320508********1239" in answers[2] and "李*龙" in answers[2]
    staff, headers = _client("wang.fang")  # the source department, with a purpose
    rows = _query(staff, headers, code=uscc, purpose="行政处罚复核").json()
    penalty = next(r for r in rows if r["item_code"] == "admin_penalty")
    assert LEAKED_ID in penalty["fields"]["violation_facts"]
