"""Console pages of the rights procedures: queues, case pages, decisions, counter filing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import LiveCities
from tests.rights.helpers import PDF, applicant
from tests.webkit import PASSWORD, csrf_of, login
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core.db import session_scope
from xinyong.core.workdays import workdays_between
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.rights import objections
from xinyong.rights.evidence import Upload
from xinyong.rights.models import CaseEvent, CaseFile, RightsCase
from xinyong.rights.objections import ObjectionApplication
from xinyong.rights.states import ObjectionGround
from xinyong.subjects import service as subjects_service

TODAY = date.today()
CONFLICT = "该案件已被他人处理，请刷新后重试"


@dataclass
class City:
    uscc: str
    subject_id: int
    record_id: int  # a recent penalty of the market regulator: objections
    old_record_id: int  # a penalty decided long enough ago to be repaired


def _staff(
    session: Session, username: str, department_id: int, role: str = "department_user"
) -> None:
    auth_service.create_account(
        session,
        data=AccountCreate(
            username=username, display_name=username, password=PASSWORD, kind="staff",
            role=role, department_id=department_id,
        ),
    )  # fmt: skip


def _build_city() -> City:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        market = factories.department(session, "market_regulation")
        ecology = factories.department(session, "ecology_environment")
        _staff(session, "officer", market.id)
        _staff(session, "stranger", ecology.id)
        _staff(session, "auditor", ecology.id, role="auditor")
        subject = factories.enterprise(session)
        recent = factories.penalty(
            session,
            subject,
            decision_date=(TODAY - timedelta(days=40)).isoformat(),
            today=TODAY - timedelta(days=35),
        )
        old = factories.penalty(
            session,
            subject,
            decision_date=(TODAY - timedelta(days=200)).isoformat(),
            today=TODAY - timedelta(days=190),
        )
        facts = City(subject.uscc or "", subject.id, recent.id, old.id)
    return facts


@pytest.fixture
def city(live_city: LiveCities) -> Iterator[City]:
    with live_city(extras=_build_city) as built:
        yield built.facts


def _version(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found
    return found.group(1)


def _objection(city: City, *, today: date = TODAY) -> int:
    with session_scope() as session:
        subject = subjects_service.get(session, city.subject_id)
        application = ObjectionApplication(
            record_ids=[city.record_id],
            ground=ObjectionGround.wrong_information,
            statement="罚款金额应为3万元，决定书第2页可证",
            files=[Upload("决定书.pdf", PDF)],
        )
        case = objections.apply(
            session, applicant=applicant(subject), application=application, today=today
        )
        return case.id


def _decide(client: TestClient, case_id: int, page: str, **fields: str) -> Any:
    data = {
        "csrf_token": csrf_of(page),
        "version": _version(page),
        "record_id": fields.pop("record_id"),
        "outcome": fields.pop("outcome"),
        "reason": fields.pop("reason", "经核查"),
        "changes": fields.pop("changes", ""),
    }
    return client.post(f"/console/rights/cases/{case_id}/decide", data=data, follow_redirects=False)


def _current(record_id: int) -> Record:
    with session_scope() as session:
        record = records_service.current_of(session, records_service.get(session, record_id))
        session.expunge(record)
        return record


def test_queue_shows_a_new_objection_with_its_due_date(city: City) -> None:
    case_id = _objection(city)
    with session_scope() as session:
        case = session.get(RightsCase, case_id)
        assert case is not None
        number, due = case.number, case.due_on
    assert due is not None
    page = login("officer").get("/console/rights")
    assert page.status_code == 200
    assert number in page.text and due.isoformat() in page.text
    assert "异议" in page.text and "在办超期" in page.text  # the department's figures


def test_an_overdue_case_is_highlighted(city: City) -> None:
    case_id = _objection(city, today=TODAY - timedelta(days=20))
    with session_scope() as session:
        case = session.get(RightsCase, case_id)
        assert case is not None and case.due_on is not None
        number, late = case.number, workdays_between(case.due_on, TODAY)
    page = login("officer").get("/console/rights", params={"status": "overdue"})
    row = re.search(r'<tr class="rc-overdue">.*?</tr>', page.text, re.S)
    assert row and number in row.group(0)
    assert f"超期 {late} 个工作日" in row.group(0)


def test_the_department_corrects_through_the_form(city: City) -> None:
    case_id = _objection(city)
    client = login("officer")
    page = client.get(f"/console/rights/cases/{case_id}")
    assert page.status_code == 200 and "罚款金额应为3万元" in page.text
    assert "fine_amount" in page.text  # the field names offered for corrections
    bad = _decide(
        client, case_id, page.text, record_id=str(city.record_id), outcome="correct",
        changes="no_such_field=1",
    )  # fmt: skip
    assert bad.status_code == 422 and "no_such_field" in bad.text
    answer = _decide(
        client, case_id, page.text, record_id=str(city.record_id), outcome="correct",
        reason="核实后更正罚款金额", changes="fine_amount=3\n",
    )  # fmt: skip
    assert answer.status_code == 303
    current = _current(city.record_id)
    assert current.version == 2 and current.payload["fine_amount"] == "3"
    done = client.get(f"/console/rights/cases/{case_id}")
    assert "异议成立" in done.text and 'name="version"' not in done.text


def test_a_stale_form_gets_409_and_changes_nothing(city: City) -> None:
    case_id = _objection(city)
    first, second = login("officer"), login("officer")
    page_one = first.get(f"/console/rights/cases/{case_id}").text
    page_two = second.get(f"/console/rights/cases/{case_id}").text
    assert _version(page_one) == _version(page_two)
    kept = _decide(first, case_id, page_one, record_id=str(city.record_id), outcome="keep")
    assert kept.status_code == 303
    with session_scope() as session:
        events = len(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).all())
    late = _decide(
        second, case_id, page_two, record_id=str(city.record_id), outcome="correct",
        changes="fine_amount=3",
    )  # fmt: skip
    assert late.status_code == 409
    assert CONFLICT in late.text
    current = _current(city.record_id)
    assert current.version == 1 and current.state == "active"
    with session_scope() as session:
        case = session.get(RightsCase, case_id)
        assert case is not None and case.outcome == "rejected"
        after = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()
        assert len(after) == events


def test_another_department_may_not_decide(city: City) -> None:
    case_id = _objection(city)
    page = login("officer").get(f"/console/rights/cases/{case_id}").text
    stranger = login("stranger")
    assert stranger.get(f"/console/rights/cases/{case_id}").status_code == 403
    token = csrf_of(stranger.get("/console/").text)
    answer = stranger.post(
        f"/console/rights/cases/{case_id}/decide",
        data={
            "csrf_token": token, "version": _version(page), "record_id": str(city.record_id),
            "outcome": "keep", "reason": "x",
        },
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 403
    assert _current(city.record_id).state == "under_objection"
    assert city.uscc not in stranger.get("/console/rights").text  # not in its queue


def test_counter_files_an_objection_for_a_visitor(city: City) -> None:
    client = login("officer")
    page = client.get("/console/rights/counter", params={"code": city.uscc})
    assert page.status_code == 200 and f'value="{city.record_id}"' in page.text
    answer = client.post(
        "/console/rights/counter",
        data={
            "csrf_token": csrf_of(page.text), "code": city.uscc, "kind": "objection",
            "record_ids": [str(city.record_id)], "ground": "wrong_information",
            "statement": "当事人到窗口称罚款金额有误", "contact": "0512-12345678",
        },
        files=[("files", ("决定书.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303, answer.text[:500]
    case_page = client.get(answer.headers["location"])
    assert "窗口申请" in case_page.text and "0512-12345678" in case_page.text
    with session_scope() as session:
        case = session.scalars(select(RightsCase)).one()
        assert case.channel == "counter" and case.kind == "objection"
        file_id = session.scalars(select(CaseFile.id).where(CaseFile.case_id == case.id)).one()
    download = client.get(f"/console/rights/cases/{case.id}/files/{file_id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"


def test_counter_refuses_a_bad_form_with_the_field(city: City) -> None:
    client = login("officer")
    page = client.get("/console/rights/counter", params={"code": city.uscc})
    answer = client.post(
        "/console/rights/counter",
        data={
            "csrf_token": csrf_of(page.text), "code": city.uscc, "kind": "repair",
            "record_id": str(city.old_record_id), "statement": "罚款已缴清",
            "commitment": "yes",
        },
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 422 and "proof" in answer.text
    assert "罚款已缴清" in answer.text  # the officer's entries are kept
    unknown = client.get("/console/rights/counter", params={"code": factories.uscc()})
    assert unknown.status_code == 404
    malformed = client.get("/console/rights/counter", params={"code": "12345"})
    assert malformed.status_code == 422 and "不是有效的代码" in malformed.text


def test_repair_is_accepted_and_decided_through_the_forms(city: City) -> None:
    client = login("officer")
    page = client.get("/console/rights/counter", params={"code": city.uscc})
    filed = client.post(
        "/console/rights/counter",
        data={
            "csrf_token": csrf_of(page.text), "code": city.uscc, "kind": "repair",
            "record_id": str(city.old_record_id), "statement": "罚款已于上月缴清",
            "commitment": "yes",
        },
        files=[("proof", ("缴款凭证.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )  # fmt: skip
    assert filed.status_code == 303, filed.text[-1500:]
    case_url = filed.headers["location"]
    page = client.get(case_url)
    assert "/accept" in page.text and "待受理" in page.text
    accepted = client.post(
        f"{case_url}/accept",
        data={"csrf_token": csrf_of(page.text), "version": _version(page.text)},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    page = client.get(case_url)
    assert "作出修复决定" in page.text
    decided = client.post(
        f"{case_url}/decide",
        data={
            "csrf_token": csrf_of(page.text), "version": _version(page.text),
            "outcome": "repaired", "reason": "已核实罚款缴清",
        },
        follow_redirects=False,
    )  # fmt: skip
    assert decided.status_code == 303, decided.text[:500]
    assert _current(city.old_record_id).state == "repaired"
    with session_scope() as session:
        case = session.scalars(select(RightsCase)).one()
        assert (case.state, case.outcome, case.channel) == ("decided", "repaired", "counter")


def test_english_pages_render(city: City) -> None:
    case_id = _objection(city)
    client = login("officer")
    queue = client.get("/console/rights", params={"lang": "en"})
    assert queue.status_code == 200 and "Objection and repair cases" in queue.text
    page = client.get(f"/console/rights/cases/{case_id}")  # the cookie keeps English
    assert "Timeline" in page.text and "Decide the objection" in page.text
    counter = client.get("/console/rights/counter", params={"code": city.uscc, "lang": "en"})
    assert "File an objection" in counter.text


def test_auditors_read_every_department_but_decide_nothing(city: City) -> None:
    case_id = _objection(city)
    auditor = login("auditor")
    with session_scope() as session:
        case = session.get(RightsCase, case_id)
        assert case is not None
        number, department_id = case.number, case.department_id
    queue = auditor.get("/console/rights", params={"department": department_id})
    assert queue.status_code == 200 and number in queue.text
    page = auditor.get(f"/console/rights/cases/{case_id}")
    assert page.status_code == 200 and "您只能查看" in page.text
    assert 'name="version"' not in page.text
    stats = auditor.get("/console/rights/stats")
    assert stats.status_code == 200 and "苏州市市场监督管理局" in stats.text
    assert login("officer").get("/console/rights/stats").status_code == 403
