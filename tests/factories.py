"""Factories for tests: valid subjects and records built from the identity generators."""

from __future__ import annotations

import itertools
import random
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong.auth import service as auth_service
from xinyong.auth.models import Account
from xinyong.auth.schemas import AccountCreate
from xinyong.identity import codes
from xinyong.identity.kinds import SubjectKind
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.schemas import RecordCreate
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectCreate

PASSWORD = "Correct-Horse-42"  # every account the tests open has it (tests.webkit logs in)
_rng = random.Random(20261121)
_serial = itertools.count(1)


def uscc(category: str = "91", region: str = "320505") -> str:
    return codes.generate_uscc(_rng, category=category, region=region)


def registration_number(region: str = "320505") -> str:
    """An old 15-digit business registration number (ISO 7064 MOD 11,10 check digit)."""
    from stdnum.iso7064 import mod_11_10

    body = region + "".join(str(_rng.randrange(10)) for _ in range(8))
    return body + mod_11_10.calc_check_digit(body)


def id_number(region: str = "320508", birth: date = date(1985, 6, 15), sex: str = "F") -> str:
    return codes.generate_id_number(_rng, region=region, birth_date=birth, sex=sex)


def enterprise(session: Session, name: str | None = None, **extra: Any) -> Subject:
    n = next(_serial)
    data = SubjectCreate(
        kind=SubjectKind.legal_person,
        name=name or f"苏州市测试{n}号科技有限公司",
        uscc=extra.pop("uscc", None) or uscc(),
        **extra,
    )
    return subjects_service.create(session, data=data)


def person(session: Session, name: str = "张小伟", **extra: Any) -> Subject:
    data = SubjectCreate(
        kind=SubjectKind.natural_person,
        name=name,
        id_number=extra.pop("id_number", None) or id_number(),
        **extra,
    )
    return subjects_service.create(session, data=data)


def department(session: Session, kind: str = "market_regulation") -> Department:
    found = [d for d in subjects_service.list_departments(session) if d.kind == kind]
    assert found, f"no department of kind {kind}"
    return found[0]


def penalty_payload(subject: Subject, dept: Department, **overrides: Any) -> dict[str, Any]:
    n = next(_serial)
    payload: dict[str, Any] = {
        "subject_name": subject.name,
        "subject_type": subject.kind,
        "subject_code": subject.uscc,
        "decision_number": f"苏市监罚〔2024〕{n}号",
        "violation_type": "虚假宣传",
        "violation_facts": "当事人在其网站发布虚假宣传内容",
        "penalty_basis": "《中华人民共和国反不正当竞争法》第二十条",
        "penalty_types": ["罚款"],
        "penalty_content": "罚款人民币5万元",
        "fine_amount": "5",
        "decision_date": "2024-01-31",
        "authority_name": dept.name_zh,
        "authority_code": dept.code,
        "source_unit": dept.name_zh,
        "source_unit_code": dept.code,
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


def penalty(
    session: Session,
    subject: Subject,
    *,
    source_record_id: str | None = None,
    today: date = date(2024, 6, 1),
    **overrides: Any,
) -> Record:
    dept = department(session)
    payload = penalty_payload(subject, dept, **overrides)
    data = RecordCreate(
        subject_id=subject.id,
        item_code="admin_penalty",
        department_id=dept.id,
        source_record_id=source_record_id or payload["decision_number"],
        payload=payload,
    )
    return records_service.submit(session, data=data, actor="test", today=today).record


def staff(
    session: Session, username: str, department_id: int, role: str = "department_user"
) -> Account:
    """A staff account of the department (display name = username, the tests' password)."""
    data = AccountCreate(
        username=username,
        display_name=username,
        password=PASSWORD,
        kind="staff",
        role=role,
        department_id=department_id,
    )
    return auth_service.create_account(session, data=data)
