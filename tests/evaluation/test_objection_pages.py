"""Objections against a grade on the pages: the subject files on /portal/me/evaluation, the
credit office decides on the console and counter staff file for a walk-in subject."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests import factories
from tests.conftest import LiveCities
from tests.webkit import PASSWORD, csrf_of, login
from xinyong.app import create_app
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core.db import session_scope
from xinyong.evaluation import service
from xinyong.evaluation.models import GradeObjection
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department

TODAY = date.today()


@dataclass
class City:
    uscc: str
    subject_id: int


def _build() -> City:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        firm = factories.enterprise(session, registration_date=date(2020, 1, 15))
        for months in (2, 4, 6):
            factories.penalty(
                session,
                firm,
                today=TODAY,
                decision_date=date.fromordinal(TODAY.toordinal() - 30 * months).isoformat(),
                fine_amount="5",
                penalty_types=["罚款"],
            )
        service.evaluate(session, as_of=TODAY, actor="test", model_code="city_legal_person")
        code = auth_service.issue_counter_code(
            session, subject_code=firm.uscc or "", issued_by=None
        )
        auth_service.open_subject_account(
            session, code=code, username="owner", password=PASSWORD, display_name="owner"
        )
        office = session.scalar(select(Department).where(Department.is_credit_office.is_(True)))
        assert office is not None
        auth_service.create_account(
            session,
            data=AccountCreate(
                username="office",
                display_name="office",
                password=PASSWORD,
                kind="staff",
                role="department_user",
                department_id=office.id,
            ),
        )
        return City(firm.uscc or "", firm.id)


@pytest.fixture
def city(live_city: LiveCities) -> Iterator[City]:
    with live_city(extras=_build) as built:
        yield built.facts


def _case_id() -> int:
    with session_scope() as session:
        return max(session.scalars(select(GradeObjection.case_id)))


def test_subject_objects_and_the_office_regrades(city: City) -> None:
    owner = login("owner")
    page = owner.get("/portal/me/evaluation")
    assert page.status_code == 200 and "对评价结果提出异议" in page.text
    empty = owner.post(
        "/portal/me/evaluation/objections",
        data={"csrf_token": csrf_of(page.text), "model": "city_legal_person", "statement": ""},
    )
    assert empty.status_code == 422 and "statement" in empty.text
    filed = owner.post(
        "/portal/me/evaluation/objections",
        data={
            "csrf_token": csrf_of(page.text),
            "model": "city_legal_person",
            "statement": "处罚已履行完毕，请重新评价",
        },
        follow_redirects=False,
    )
    assert filed.status_code == 303
    again = owner.get(filed.headers["location"])
    assert "已登记" in again.text and "异议处理中" in again.text
    assert "提交异议" not in again.text  # one open objection per grade
    office = login("office")
    listing = office.get("/console/evaluation/objections")
    case_id = _case_id()
    assert (
        listing.status_code == 200 and f"/console/evaluation/objections/{case_id}" in listing.text
    )
    case_page = office.get(f"/console/evaluation/objections/{case_id}")
    assert case_page.status_code == 200 and "作出决定" in case_page.text
    refused = office.post(
        f"/console/evaluation/objections/{case_id}/decide",
        data={"csrf_token": csrf_of(case_page.text), "reason": "理由"},
    )
    assert refused.status_code == 422 and "请选择异议成立或维持原等级" in refused.text
    decided = office.post(
        f"/console/evaluation/objections/{case_id}/decide",
        data={
            "csrf_token": csrf_of(case_page.text),
            "outcome": "upheld",
            "reason": "依据现有信息重新评价",
        },
        follow_redirects=False,
    )
    assert decided.status_code == 303
    shown = office.get(f"/console/evaluation/objections/{case_id}")
    assert "重新评价" in shown.text and "data-grade-after" in shown.text
    assert "作出决定</button>" not in shown.text
    assert "异议处理中" not in owner.get("/portal/me/evaluation").text


def test_the_public_page_and_open_api_show_the_published_grade(city: City) -> None:
    visitor = TestClient(create_app())
    page = visitor.get(f"/subjects/{city.uscc}")
    assert page.status_code == 200
    assert 'data-public-grade="city_legal_person"' in page.text and "公共信用综合评价" in page.text
    profile = visitor.get(f"/api/v1/subjects/{city.uscc}").json()
    assert [g["model_code"] for g in profile["grades"]] == ["city_legal_person"]
    assert profile["grades"][0]["grade"] in {"A", "B", "C", "D"}


def test_counter_files_for_a_walk_in_subject(city: City) -> None:
    office = login("office")
    page = office.get("/console/evaluation/objections?lang=en")
    assert "File an objection to a grade at the counter" in page.text
    unknown = office.post(
        "/console/evaluation/objections",
        data={"csrf_token": csrf_of(page.text), "code": "", "model": "city_legal_person"},
    )
    assert unknown.status_code == 422
    filed = office.post(
        "/console/evaluation/objections",
        data={
            "csrf_token": csrf_of(page.text),
            "code": city.uscc,
            "model": "city_legal_person",
            "statement": "窗口代办：主体认为评价等级有误",
            "contact": "13800000000",
        },
        follow_redirects=False,
    )
    assert filed.status_code == 303 and "filed=YY" in filed.headers["location"]
    listing = office.get(filed.headers["location"])
    assert "is registered" in listing.text
    with session_scope() as session:
        link = session.scalar(
            select(GradeObjection).where(GradeObjection.subject_id == city.subject_id)
        )
        assert link is not None and link.model_code == "city_legal_person"
