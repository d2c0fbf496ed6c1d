"""Objections against a grade through the JSON API: the subject files and follows its own,
counter staff file for a walk-in, the credit office lists, reads and decides; the rights
workflow's generic decision and console case page send callers to the evaluation ones."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests import factories
from tests.conftest import LiveCities
from tests.webkit import PASSWORD, login
from xinyong.auth import service as auth_service
from xinyong.core.db import session_scope
from xinyong.evaluation import service
from xinyong.evaluation.models import EvaluationResult
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department

TODAY = date.today()
MODEL = "city_legal_person"


@dataclass
class City:
    uscc: str
    subject_id: int
    clients: dict[str, TestClient] = field(default_factory=dict)


def _build() -> City:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        firm = factories.enterprise(session, registration_date=date(2020, 1, 15))
        for months in (2, 4):
            factories.penalty(
                session,
                firm,
                today=TODAY,
                decision_date=date.fromordinal(TODAY.toordinal() - 30 * months).isoformat(),
                fine_amount="5",
                penalty_types=["罚款"],
            )
        service.evaluate(session, as_of=TODAY, actor="test", model_code=MODEL)
        code = auth_service.issue_counter_code(
            session, subject_code=firm.uscc or "", issued_by=None
        )
        auth_service.open_subject_account(
            session, code=code, username="owner", password=PASSWORD, display_name="owner"
        )
        office = session.scalar(select(Department).where(Department.is_credit_office.is_(True)))
        assert office is not None
        market = factories.department(session, "market_regulation")
        factories.staff(session, "office", office.id)
        factories.staff(session, "market", market.id)
        return City(firm.uscc or "", firm.id)


@pytest.fixture
def city(live_city: LiveCities) -> Iterator[City]:
    with live_city(extras=_build) as built:
        built.facts.clients = {n: login(n, csrf_header=True) for n in ("owner", "office", "market")}
        yield built.facts


def test_file_follow_and_decide_through_the_api(city: City) -> None:
    owner, office, market = (city.clients[n] for n in ("owner", "office", "market"))
    missing = owner.post("/api/v1/me/evaluation/objections", json={"model": MODEL})
    assert missing.status_code == 422
    assert missing.json()["details"]["problems"][0]["field"] == "statement"
    unknown = owner.post(
        "/api/v1/me/evaluation/objections", json={"model": "nope", "statement": "理由"}
    )
    assert unknown.status_code == 404 and "nope" in unknown.json()["message"]

    filed = owner.post(
        "/api/v1/me/evaluation/objections",
        json={"model": MODEL, "statement": "处罚已履行完毕，请重新评价"},
    )
    assert filed.status_code == 201, filed.text
    case = filed.json()
    assert case["number"].startswith("YY") and case["state"] == "accepted"
    assert case["channel"] == "api" and case["model"] == MODEL and case["grade_before"]
    assert case["model_name"] and case["model_name"] != MODEL
    assert case["grade_after"] is None and case["due_on"] is not None
    again = owner.post(
        "/api/v1/me/evaluation/objections", json={"model": MODEL, "statement": "再次提出"}
    )
    assert again.status_code == 409 and case["number"] in again.json()["message"]

    mine = owner.get("/api/v1/me/evaluation/objections").json()
    assert mine["total"] == 1 and mine["items"][0]["number"] == case["number"]
    assert owner.get("/api/v1/evaluations/objections").status_code == 403  # staff only
    listed = office.get("/api/v1/evaluations/objections", params={"open_only": True}).json()
    assert [i["number"] for i in listed["items"]] == [case["number"]]
    # another department decides nothing and lists nothing of the credit office's
    assert market.get("/api/v1/evaluations/objections").json()["total"] == 0
    detail = office.get(f"/api/v1/evaluations/objections/{case['case_id']}")
    assert detail.status_code == 200
    assert [e["action"] for e in detail.json()["timeline"]] == ["applied", "registered"]
    assert owner.get(f"/api/v1/evaluations/objections/{case['case_id']}").status_code == 200

    # the rights workflow's generic decision says where a grade case is decided
    generic = office.post(
        f"/api/v1/cases/{case['case_id']}/decision",
        json={"version": case["version"], "outcome": "refused", "reason": "测试"},
    )
    assert generic.status_code == 422
    decide_at = f"/api/v1/evaluations/objections/{case['case_id']}/decision"
    assert generic.json()["details"]["decide_at"] == decide_at
    assert decide_at in generic.json()["message"]

    bad = office.post(decide_at, json={"outcome": "maybe", "reason": "x", "version": 1})
    assert bad.status_code == 422
    assert bad.json()["details"]["problems"][0]["field"] == "outcome"
    foreign = market.post(
        decide_at, json={"outcome": "rejected", "reason": "x", "version": case["version"]}
    )
    assert foreign.status_code == 403
    stale = office.post(
        decide_at, json={"outcome": "upheld", "reason": "x", "version": case["version"] + 3}
    )
    assert stale.status_code == 409
    decided = office.post(
        decide_at,
        json={
            "outcome": "upheld",
            "reason": "处罚已履行，依据现有信息重新评价",
            "version": case["version"],
        },
    )
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["state"] == "decided" and body["outcome"] == "upheld"
    assert body["grade_after"] and body["new_result_id"] not in (None, body["result_id"])
    assert "regraded" in [e["action"] for e in body["timeline"]]
    with session_scope() as session:
        result = session.get(EvaluationResult, body["new_result_id"])
        assert result is not None and result.subject_id == city.subject_id
        assert result.grade == body["grade_after"]
    twice = office.post(
        decide_at, json={"outcome": "rejected", "reason": "x", "version": body["version"]}
    )
    assert twice.status_code in (409, 422)

    # the subject came to the counter: staff file for it (the first case is closed)
    counter = office.post(
        "/api/v1/evaluations/objections",
        json={
            "subject_code": city.uscc.lower(),
            "model": MODEL,
            "statement": "窗口代为提出",
            "contact": "0512-12345678",
        },
    )
    assert counter.status_code == 201, counter.text
    assert counter.json()["channel"] == "counter"
    assert owner.get("/api/v1/me/evaluation/objections").json()["total"] == 2
    nobody = office.post(
        "/api/v1/evaluations/objections",
        json={"subject_code": "91110000MAURQ2839X", "model": MODEL, "statement": "x"},
    )
    assert nobody.status_code == 404
    malformed = office.post(
        "/api/v1/evaluations/objections",
        json={"subject_code": "9111000000000000XX", "model": MODEL, "statement": "x"},
    )
    assert malformed.status_code == 422


def test_the_rights_console_sends_grade_cases_to_their_page(city: City) -> None:
    owner, office = city.clients["owner"], city.clients["office"]
    case = owner.post(
        "/api/v1/me/evaluation/objections", json={"model": MODEL, "statement": "请核查"}
    ).json()
    page = office.get(f"/console/rights/cases/{case['case_id']}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/console/evaluation/objections/{case['case_id']}"
    queue = office.get("/console/rights", params={"status": "all"})
    assert f'href="/console/evaluation/objections/{case["case_id"]}"' in queue.text
    landed = office.get(page.headers["location"])
    assert landed.status_code == 200 and case["number"] in landed.text
