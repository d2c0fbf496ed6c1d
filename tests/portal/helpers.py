"""Records of any catalogue item for test subjects, with payloads from the demo generator."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tests import factories
from xinyong.catalog import service as catalog_service
from xinyong.demo.fields import DepartmentInfo
from xinyong.demo.generator import SubjectRow
from xinyong.demo.payloads import RecordFactory
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.schemas import RecordCreate
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department, Subject

TODAY = date(2026, 11, 1)
_serial = itertools.count(1)


def department_for(session: Session, item_code: str) -> Department:
    """A department allowed to report the item (the first source kind the city has)."""
    item = catalog_service.get_catalog().item(item_code)
    departments = subjects_service.list_departments(session)
    for kind in item.source_departments:
        found = [d for d in departments if d.kind == kind.value]
        if found:
            return found[0]
    raise AssertionError(f"no department reports {item_code}")


def payload_for(
    session: Session,
    subject: Subject,
    item_code: str,
    decided: date,
    *,
    id_number: str | None = None,
) -> tuple[dict[str, Any], Department]:
    """A valid payload of the item about the subject, as its department would send it."""
    catalog = catalog_service.get_catalog()
    department = department_for(session, item_code)
    info = DepartmentInfo(department.id, department.kind, department.name_zh, department.code)
    serial = next(_serial)
    factory = RecordFactory(
        catalog=catalog,
        departments={department.kind: [info]},
        anchor=decided,
        records_per_subject=1,
        first_record_id=serial,
        seed=serial,
    )
    row = SubjectRow(
        id=subject.id,
        kind=subject.kind,
        name=subject.name,
        category=subject.category,
        uscc=subject.uscc,
        id_number=id_number,
        region_code=subject.region_code,
        registration_date=subject.registration_date,
    )
    rng = random.Random(serial)
    return factory.submission_payload(rng, catalog.item(item_code), row, info, decided), department


def record(
    session: Session,
    subject: Subject,
    item_code: str,
    *,
    days_ago: int = 30,
    state: str = "active",
    id_number: str | None = None,
    today: date = TODAY,
    **overrides: Any,
) -> Record:
    """Submit one record of the item, decided ``days_ago`` before ``today``, then put it in
    ``state`` (directly: these are fixtures for what the public may see)."""
    decided = today - timedelta(days=days_ago)
    payload, department = payload_for(session, subject, item_code, decided, id_number=id_number)
    payload.update(overrides)
    item = catalog_service.get_catalog().item(item_code)
    source_id = item.source_record_id(payload) or f"{item_code}-{next(_serial)}"
    data = RecordCreate(
        subject_id=subject.id,
        item_code=item_code,
        department_id=department.id,
        source_record_id=source_id,
        payload=payload,
    )
    created = records_service.submit(session, data=data, actor="test", today=decided).record
    if state != created.state:
        created.state = state
        session.flush()
    return created


def person(session: Session, name: str = "欧阳小明") -> tuple[Subject, str]:
    """A natural person and the clear ID number it was created with."""
    # A birth date of its own per person: ID numbers never collide within a test run.
    number = factories.id_number(birth=date(1950, 1, 1) + timedelta(days=next(_serial)))
    return factories.person(session, name=name, id_number=number), number
