"""Subjects and departments on both stores."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests import factories
from xinyong.core.errors import Conflict, Invalid, NotFound
from xinyong.identity.kinds import SubjectKind
from xinyong.subjects import service
from xinyong.subjects.schemas import SubjectCreate


def test_enterprise_is_created_with_derived_category_and_region(session: Session) -> None:
    code = factories.uscc("91", "320508")
    subject = factories.enterprise(session, name="苏州市鑫达贸易有限责任公司", uscc=code)
    assert subject.uscc == code
    assert subject.category == "91"
    assert subject.region_code == "320508"
    assert subject.name_normalized  # searchable form present
    assert service.get_by_code(session, code.lower()).id == subject.id


def test_spaced_and_lowercase_code_is_normalised(session: Session) -> None:
    code = factories.uscc()
    spaced = f" {code[:2]} {code[2:8]} {code[8:].lower()} "
    subject = factories.enterprise(session, uscc=spaced)
    assert subject.uscc == code


def test_duplicate_code_is_a_conflict(session: Session) -> None:
    code = factories.uscc()
    factories.enterprise(session, uscc=code)
    with pytest.raises(Conflict, match=code):
        factories.enterprise(session, uscc=code)


def test_invalid_code_is_refused_with_its_reason(session: Session) -> None:
    code = factories.uscc()
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(Invalid) as caught:
        factories.enterprise(session, uscc=wrong)
    assert caught.value.details["field"] == "uscc"
    assert "check" in caught.value.message


def test_individual_business_needs_category_92(session: Session) -> None:
    with pytest.raises(Invalid, match="category"):
        service.create(
            session,
            data=SubjectCreate(
                kind=SubjectKind.individual_business,
                name="姑苏区张记面馆",
                uscc=factories.uscc("91"),
            ),
        )
    shop = service.create(
        session,
        data=SubjectCreate(
            kind=SubjectKind.individual_business, name="姑苏区张记面馆", uscc=factories.uscc("92")
        ),
    )
    assert shop.category == "92"


def test_person_id_number_is_encrypted_hashed_and_masked(session: Session) -> None:
    number = factories.id_number()
    person = factories.person(session, id_number=number.lower())
    stored = session.execute(
        text(
            "SELECT id_number_enc, id_number_hash, id_number_masked, name "
            "FROM subjects WHERE id = :id"
        ),
        {"id": person.id},
    ).one()
    assert number not in " ".join(str(v) for v in stored)
    assert stored.id_number_masked.startswith(number[:4]) and stored.id_number_masked.endswith(
        number[-4:]
    )
    assert "*" in stored.id_number_masked
    assert service.reveal_id_number(person) == number.upper()
    assert service.find_by_code(session, number).id == person.id


def test_same_person_twice_is_a_conflict(session: Session) -> None:
    number = factories.id_number()
    factories.person(session, id_number=number)
    with pytest.raises(Conflict):
        factories.person(session, name="张晓伟", id_number=number)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "natural_person", "name": "李雷"}, "id_number"),
        ({"kind": "legal_person", "name": "无码公司"}, "uscc"),
        (
            {"kind": "natural_person", "name": "李雷", "id_number": "110101199003070000"},
            "id_number",
        ),
    ],
)
def test_missing_or_bad_identifiers_name_the_field(
    session: Session, data: dict[str, str], field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        service.create(session, data=SubjectCreate.model_validate(data))
    assert caught.value.details["field"] == field


def test_person_cannot_carry_an_organisation_code(session: Session) -> None:
    with pytest.raises(Invalid):
        service.create(
            session,
            data=SubjectCreate(
                kind=SubjectKind.natural_person,
                name="李雷",
                id_number=factories.id_number(),
                uscc=factories.uscc(),
            ),
        )


def test_secondary_identifier_finds_the_subject(session: Session) -> None:
    number = factories.registration_number()
    subject = factories.enterprise(session, registration_number=number)
    assert service.find_by_code(session, number).id == subject.id
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(Invalid):
        factories.enterprise(session, registration_number=wrong)


def test_unknown_and_invalid_codes(session: Session) -> None:
    with pytest.raises(NotFound):
        service.get_by_code(session, factories.uscc())
    with pytest.raises(Invalid):
        service.get_by_code(session, "12345")
    with pytest.raises(NotFound):
        service.get(session, 987654321)


def test_relations_both_ways_and_rules(session: Session) -> None:
    company = factories.enterprise(session)
    branch = factories.enterprise(session, name="苏州市测试科技有限公司吴中分公司")
    boss = factories.person(session)
    service.add_relation(
        session, subject_id=company.id, related_subject_id=boss.id, kind="legal_representative"
    )
    service.add_relation(
        session, subject_id=branch.id, related_subject_id=company.id, kind="branch_of"
    )
    service.add_relation(
        session,
        subject_id=branch.id,
        related_subject_id=boss.id,
        kind="shareholder",
        share_ratio=Decimal("0.4"),
    )
    kinds = sorted(r.kind for r in service.relations(session, company.id))
    assert kinds == ["branch_of", "legal_representative"]
    with pytest.raises(Invalid):
        service.add_relation(
            session, subject_id=company.id, related_subject_id=company.id, kind="branch_of"
        )
    with pytest.raises(Invalid):
        service.add_relation(
            session, subject_id=company.id, related_subject_id=boss.id, kind="friend"
        )
    with pytest.raises(Invalid):
        service.add_relation(
            session,
            subject_id=company.id,
            related_subject_id=boss.id,
            kind="shareholder",
            share_ratio=Decimal("1.5"),
        )


def test_departments_sync_is_idempotent(session: Session) -> None:
    first = service.sync_departments(session)
    second = service.sync_departments(session)
    assert len(first) == len(second) >= 15
    assert {d.id for d in first} == {d.id for d in second}
    one = first[0]
    assert service.get_department(session, one.key).id == one.id
    assert service.get_department(session, one.code).id == one.id
    with pytest.raises(NotFound):
        service.get_department(session, "no_such_department")


def test_count_by_kind(session: Session) -> None:
    before = service.count_by_kind(session)
    factories.enterprise(session)
    factories.person(session)
    after = service.count_by_kind(session)
    assert after["legal_person"] == before.get("legal_person", 0) + 1
    assert after["natural_person"] == before.get("natural_person", 0) + 1
