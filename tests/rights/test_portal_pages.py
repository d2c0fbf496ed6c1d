"""The subject's rights pages: its records, the objection and repair forms, its cases."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import LiveCities
from tests.rights.helpers import PDF, applicant, proof
from tests.webkit import PASSWORD, csrf_of, login
from xinyong.app import create_app
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core.db import session_scope
from xinyong.records.models import Record
from xinyong.rights import repairs
from xinyong.rights.models import RightsCase
from xinyong.rights.repairs import RepairApplication
from xinyong.rights.states import RepairOutcome
from xinyong.subjects import service as subjects_service

TODAY = date.today()


@dataclass
class City:
    recent_id: int  # a general-tier penalty decided 20 days ago: too early to repair
    old_id: int  # one decided 200 days ago: repairable
    recent_number: str
    department_id: int
    subject_id: int


def _open_account(session: Session, uscc: str, username: str) -> None:
    code = auth_service.issue_counter_code(session, subject_code=uscc, issued_by=None)
    auth_service.open_subject_account(
        session,
        code=code,
        username=username,
        password=PASSWORD,
        display_name=username,
    )


def _build_city() -> City:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        company, other = factories.enterprise(session), factories.enterprise(session)
        records = [
            factories.penalty(
                session,
                company,
                decision_date=(TODAY - timedelta(days=days)).isoformat(),
                today=TODAY,
            )
            for days in (20, 200)
        ]
        _open_account(session, company.uscc or "", "owner")
        _open_account(session, other.uscc or "", "other")
        auth_service.create_account(
            session,
            data=AccountCreate(
                username="clerk",
                display_name="clerk",
                password=PASSWORD,
                kind="staff",
                role="department_user",
                department_id=records[0].department_id,
            ),
        )
        city = City(
            recent_id=records[0].id,
            old_id=records[1].id,
            recent_number=records[0].source_record_id,
            department_id=records[0].department_id,
            subject_id=company.id,
        )
    return city


@pytest.fixture
def city(live_city: LiveCities) -> Iterator[City]:
    """A company with two penalties and its own account, another company's account, staff."""
    with live_city(extras=_build_city) as built:
        yield built.facts


def _object(client: TestClient, record_id: int, token: str = "", **data: str) -> Any:
    """Open the objection form (unless a token is given) and post it with a PDF."""
    if not token:
        form = client.get(f"/portal/rights/objection?record_id={record_id}")
        assert form.status_code == 200
        token = csrf_of(form.text)
    fields = {
        "csrf_token": token,
        "record_id": str(record_id),
        "ground": "wrong_information",
        "statement": "罚款金额应为3万元，决定书第2页可证",
        **data,
    }
    return client.post(
        "/portal/rights/objection",
        data=fields,
        files=[("files", ("决定书.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )


def _state(record_id: int) -> str:
    with session_scope() as session:
        record = session.get(Record, record_id)
        assert record is not None
        return record.state


def _case_count() -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(RightsCase)) or 0)


def test_records_page_lists_the_penalty_with_its_state(city: City) -> None:
    page = login("owner").get("/portal/me/records")
    assert page.status_code == 200
    assert city.recent_number in page.text and "行政处罚" in page.text
    assert "正常" in page.text
    assert f"/portal/rights/objection?record_id={city.recent_id}" in page.text
    assert f"/portal/rights/repair?record_id={city.old_id}" in page.text


def test_objection_form_to_case_page(city: City) -> None:
    client = login("owner")
    form = client.get(f"/portal/rights/objection?record_id={city.recent_id}")
    assert "《江苏省社会信用条例》" in form.text  # the configured legal basis
    assert "1 个工作日内登记" in form.text and "2 个工作日内核查" in form.text
    assert "wrongly_listed" not in form.text  # a penalty is no list entry
    response = _object(client, city.recent_id)
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/portal/me/cases/\d+", location)
    page = client.get(location)
    assert page.status_code == 200
    assert "异议处理中" in page.text and "YY" in page.text
    with session_scope() as session:
        case = session.scalars(select(RightsCase)).one()
        assert case.decide_due_on is not None
        assert f'data-decide-due="{case.decide_due_on.isoformat()}"' in page.text
    assert _state(city.recent_id) == "under_objection"
    records = client.get("/portal/me/records").text
    assert f"/portal/rights/objection?record_id={city.recent_id}" not in records
    assert location in records  # the open case is linked from its record


def test_a_refused_objection_keeps_what_was_typed(city: City) -> None:
    client = login("owner")
    refused = _object(client, city.recent_id, statement="   ", ground="published_after_period")
    assert refused.status_code == 422
    text = refused.text
    assert 'id="statement-error"' in text and 'aria-invalid="true"' in text
    assert '<option value="published_after_period" selected>' in text
    assert _case_count() == 0 and _state(city.recent_id) == "active"
    token = csrf_of(text)
    assert _object(client, city.recent_id).status_code == 303
    again = _object(client, city.recent_id, token, statement="再次提出")
    assert again.status_code == 409
    assert "已在异议办理中" in again.text
    assert 'action="/portal/rights/objection"' not in again.text  # now it shows the case


def test_repair_of_a_recent_record_shows_the_obstacle_and_no_form(city: City) -> None:
    page = login("owner").get(f"/portal/rights/repair?record_id={city.recent_id}")
    assert page.status_code == 200
    decided = TODAY - timedelta(days=20)
    assert 'data-obstacle="too_early"' in page.text
    found = re.search(r'data-earliest="([0-9-]+)"', page.text)
    assert found and date.fromisoformat(found.group(1)) == decided + relativedelta(months=3)
    assert "3个月" in page.text  # the general tier's minimum period
    assert 'action="/portal/rights/repair"' not in page.text


def test_repair_needs_the_commitment(city: City) -> None:
    client = login("owner")
    form = client.get(f"/portal/rights/repair?record_id={city.old_id}")
    assert 'action="/portal/rights/repair"' in form.text
    assert repairs.COMMITMENT_TEXT in form.text
    data = {
        "csrf_token": csrf_of(form.text),
        "record_id": str(city.old_id),
        "statement": "罚款已于上月缴清，违法广告已全部撤下。",
    }
    files = [("proof", ("缴款凭证.pdf", PDF, "application/pdf"))]
    refused = client.post("/portal/rights/repair", data=data, files=files)
    assert refused.status_code == 422
    assert "请勾选“本主体作出上述信用承诺”" in refused.text
    assert "罚款已于上月缴清" in refused.text  # what was typed is kept
    assert _case_count() == 0
    accepted = client.post(
        "/portal/rights/repair",
        data={**data, "commitment": "yes"},
        files=files,
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    page = client.get(accepted.headers["location"])
    assert "XF" in page.text and "待受理" in page.text
    assert "缴款凭证.pdf" in page.text


def test_withdraw_makes_the_record_active_again(city: City) -> None:
    client = login("owner")
    location = _object(client, city.recent_id).headers["location"]
    page = client.get(location)
    found = re.search(r'name="version" value="(\d+)"', page.text)
    assert found
    stale = client.post(
        f"{location}/withdraw",
        data={"csrf_token": csrf_of(page.text), "version": str(int(found.group(1)) - 1)},
    )
    assert stale.status_code == 409 and _state(city.recent_id) == "under_objection"
    response = client.post(
        f"{location}/withdraw",
        data={
            "csrf_token": csrf_of(page.text),
            "version": found.group(1),
            "reason": "已与部门沟通",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert _state(city.recent_id) == "active"
    closed = client.get(location).text
    assert "已撤回" in closed and 'action="' + location + '/withdraw"' not in closed


def test_material_is_handed_in_when_asked(city: City) -> None:
    client = login("owner")
    with session_scope() as session:
        subject = subjects_service.get(session, city.subject_id)
        case = repairs.apply(
            session,
            applicant=applicant(subject),
            application=RepairApplication(city.old_id, "已缴清罚款", True, [proof()]),
        )
        repairs.request_material(
            session,
            case_id=case.id,
            missing="请补充整改完成的现场照片",
            actor="staff:1",
            department_id=city.department_id,
        )
        case_id = case.id
    page = client.get(f"/portal/me/cases/{case_id}")
    assert "请补充整改完成的现场照片" in page.text and "待补正材料" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    empty = client.post(
        f"/portal/me/cases/{case_id}/material",
        data={"csrf_token": csrf_of(page.text), "version": version.group(1)},
    )
    assert empty.status_code == 422 and 'id="files-error"' in empty.text
    handed = client.post(
        f"/portal/me/cases/{case_id}/material",
        data={"csrf_token": csrf_of(page.text), "version": version.group(1), "note": "见附件"},
        files=[("files", ("现场照片.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert handed.status_code == 303
    assert "待受理" in client.get(f"/portal/me/cases/{case_id}").text


def test_only_the_applicant_opens_its_case(city: City) -> None:
    location = _object(login("owner"), city.recent_id).headers["location"]
    assert login("other").get(location).status_code == 403
    assert login("clerk").get(location).status_code == 403  # staff use the console
    assert (
        login("other").get(f"/portal/rights/objection?record_id={city.recent_id}").status_code
        == 403
    )
    anonymous = TestClient(create_app()).get(location, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert login("owner").get("/portal/me/cases/abc").status_code == 404


def test_pages_in_english(city: City) -> None:
    client = login("owner")
    records = client.get("/portal/me/records?lang=en")
    assert "My credit records" in records.text and "Active" in records.text
    location = _object(client, city.recent_id).headers["location"]
    case = client.get(location)  # the language cookie carries over
    assert "Under objection" in case.text and "Timeline" in case.text
    repair = client.get(f"/portal/rights/repair?record_id={city.recent_id}")
    assert "can be applied for from" in repair.text
    assert "My objections and repairs" in client.get("/portal/me/cases").text


def test_account_page_lists_notices_and_links(city: City) -> None:
    client = login("owner")
    _object(client, city.recent_id)
    page = client.get("/portal/me")
    assert "/portal/me/records" in page.text and "/portal/me/cases" in page.text
    assert "已登记" in page.text  # the registration notice


def test_home_shows_the_subjects_repaired(city: City) -> None:
    with session_scope() as session:
        subject = subjects_service.get(session, city.subject_id)
        case = repairs.apply(
            session,
            applicant=applicant(subject),
            application=RepairApplication(city.old_id, "已缴清罚款", True, [proof()]),
        )
        repairs.accept(session, case_id=case.id, actor="staff:1", department_id=city.department_id)
        repairs.decide(
            session,
            case_id=case.id,
            outcome=RepairOutcome.repaired,
            reason="已履行义务",
            actor="staff:1",
            department_id=city.department_id,
        )
    page = TestClient(create_app()).get("/")
    assert "已信用修复主体" in page.text
    assert 'data-figure="subjects_repaired">1<' in page.text
