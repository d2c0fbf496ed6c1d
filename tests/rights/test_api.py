"""The rights API over HTTP: objection and repair flows, locking, departments, hostile input."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests import factories
from tests.conftest import LiveCities
from tests.rights.helpers import PDF, PNG
from tests.webkit import PASSWORD, login
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core.db import session_scope
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.rights.config import get_config
from xinyong.rights.models import RightsCase
from xinyong.subjects import service as subjects_service

STATEMENT = "罚款金额应为3万元，决定书第2页可证"


@dataclass
class City:
    uscc: str
    recent: int  # a penalty decided 20 days ago: too early to repair
    old: int  # a general-tier penalty decided 2024-01-31: repairable
    foreign: int  # another subject's penalty
    market_key: str
    clients: dict[str, TestClient] = field(default_factory=dict)


def _staff(username: str, role: str, department_id: int) -> AccountCreate:
    return AccountCreate(
        username=username,
        display_name=username,
        password=PASSWORD,
        kind="staff",
        role=role,
        department_id=department_id,
    )


def _seed() -> City:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        market = factories.department(session, "market_regulation")
        ecology = factories.department(session, "ecology_environment")
        reform = factories.department(session, "development_reform")
        company, other = factories.enterprise(session), factories.enterprise(session)
        recent = (date.today() - timedelta(days=20)).isoformat()
        records = (
            factories.penalty(session, company, decision_date=recent, today=date.today()),
            factories.penalty(session, company, decision_date="2024-01-31"),
            factories.penalty(session, other, decision_date="2024-01-31"),
        )
        for data in (
            _staff("officer", "department_user", market.id),
            _staff("stranger", "department_user", ecology.id),
            _staff("admin", "admin", reform.id),
        ):
            auth_service.create_account(session, data=data)
        code = auth_service.issue_counter_code(
            session, subject_code=company.uscc or "", issued_by=None
        )
        auth_service.open_subject_account(
            session, code=code, username="owner", password=PASSWORD, display_name="企业"
        )
        return City(company.uscc or "", *(r.id for r in records), market_key=market.key)


@pytest.fixture
def city(live_city: LiveCities) -> Iterator[City]:
    with live_city(extras=_seed) as built:
        yield _logged_in(built.facts)


def _logged_in(city: City) -> City:
    city.clients = {
        name: login(name, csrf_header=True) for name in ("owner", "officer", "stranger", "admin")
    }
    return city


def _object(client: TestClient, record_id: int, **form: Any) -> Any:
    files = form.pop("files", [("files", ("决定书.pdf", PDF, "application/pdf"))])
    data = {"record_ids": [record_id], "ground": "wrong_information", "statement": STATEMENT}
    return client.post("/api/v1/objections", data={**data, **form}, files=files)


def _record(record_id: int) -> tuple[str, bool]:
    with session_scope() as session:
        record = session.get(Record, record_id)
        assert record is not None
        return record.state, record.is_current


def _case_count() -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(RightsCase)) or 0)


def test_objection_flow(city: City) -> None:
    owner, officer = city.clients["owner"], city.clients["officer"]
    answer = _object(owner, city.recent)
    assert answer.status_code == 201, answer.text
    case = answer.json()
    assert case["number"].startswith("YY") and case["state"] == "accepted"
    assert case["channel"] == "portal" and case["version"] >= 1
    assert case["targets"][0]["record_id"] == city.recent
    assert "payload" not in case["targets"][0] and "content" not in case["files"][0]
    assert _record(city.recent) == ("under_objection", True)
    listed = owner.get("/api/v1/cases").json()
    assert listed["total"] == 1 and listed["items"][0]["number"] == case["number"]
    download = owner.get(f"/api/v1/cases/{case['id']}/files/{case['files'][0]['id']}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-type"] == "application/pdf"
    assert (
        "filename*=UTF-8''%E5%86%B3%E5%AE%9A%E4%B9%A6.pdf"
        in download.headers["content-disposition"]
    )
    decision = {
        "decisions": [
            {
                "record_id": city.recent,
                "outcome": "correct",
                "reason": "核实后更正罚款金额",
                "changes": {"fine_amount": "3"},
            }
        ]
    }
    url = f"/api/v1/cases/{case['id']}/decision"
    stale = officer.post(url, json={**decision, "version": case["version"] + 5})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    foreign = city.clients["stranger"].post(url, json={**decision, "version": case["version"]})
    assert foreign.status_code == 403
    assert city.clients["stranger"].get(f"/api/v1/cases/{case['id']}").status_code == 403
    assert officer.get("/api/v1/cases").json()["total"] == 1
    decided = officer.post(url, json={**decision, "version": case["version"]})
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["state"] == "decided" and body["outcome"] == "upheld"
    assert body["targets"][0]["result_record_id"] is not None
    assert [e["action"] for e in body["timeline"]][-1] == "decided"
    with session_scope() as session:
        current = records_service.current_of(session, records_service.get(session, city.recent))
        assert (current.version, current.state, current.payload["fine_amount"]) == (
            2,
            "active",
            "3",
        )
    english = owner.get("/api/v1/me/notices", params={"lang": "en"}).json()
    assert any(case["number"] in n["text"] and "upheld" in n["text"] for n in english)
    chinese = owner.get("/api/v1/me/notices").json()
    assert any("异议成立" in n["text"] for n in chinese)


def test_counter_staff_file_for_a_subject(city: City) -> None:
    officer = city.clients["officer"]
    missing = _object(officer, city.recent)
    assert missing.status_code == 422 and missing.json()["details"]["field"] == "subject_code"
    answer = _object(officer, city.recent, subject_code=city.uscc, contact="0512-12345678")
    assert answer.status_code == 201, answer.text
    assert answer.json()["channel"] == "counter" and answer.json()["contact"] == "0512-12345678"
    withdrawn = city.clients["owner"].post(
        f"/api/v1/cases/{answer.json()['id']}/withdraw", json={"reason": "已与部门沟通"}
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert _record(city.recent) == ("active", True)


def _repair(client: TestClient, record_id: int, **form: Any) -> Any:
    files = form.pop("files", [("proof", ("缴款凭证.pdf", PDF, "application/pdf"))])
    data = {"record_id": record_id, "statement": "罚款已缴清", "commitment": "true"}
    return client.post("/api/v1/repairs", data={**data, **form}, files=files)


def test_repair_flow(city: City) -> None:
    owner, officer = city.clients["owner"], city.clients["officer"]
    early = owner.get(f"/api/v1/records/{city.recent}/repair-eligibility").json()
    assert not early["eligible"] and early["earliest"] > date.today().isoformat()
    assert early["obstacles"][0]["code"] == "too_early" and early["obstacles"][0]["zh"]
    assert owner.get(f"/api/v1/records/{city.foreign}/repair-eligibility").status_code == 403
    ready = officer.get(f"/api/v1/records/{city.old}/repair-eligibility").json()
    assert ready["eligible"] and ready["tier"] == "general"
    refused = _repair(owner, city.old, commitment="false")
    assert refused.status_code == 422 and refused.json()["details"]["field"] == "commitment"
    answer = _repair(owner, city.old)
    assert answer.status_code == 201, answer.text
    case = answer.json()
    assert case["number"].startswith("XF") and case["state"] == "applied"
    url = f"/api/v1/cases/{case['id']}"
    asked = officer.post(
        f"{url}/request-material", json={"version": case["version"], "missing": "缴款回执原件"}
    )
    assert asked.status_code == 200 and asked.json()["state"] == "material_requested"
    handed = owner.post(
        f"{url}/material", data={"note": "补交回执"}, files=[("files", ("回执.png", PNG))]
    )
    assert handed.status_code == 200 and handed.json()["state"] == "applied"
    version = handed.json()["version"]
    accepted = officer.post(f"{url}/accept", json={"version": version})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    again = officer.post(f"{url}/accept", json={"version": version})
    assert again.status_code == 409
    decided = officer.post(
        f"{url}/decision",
        json={"version": accepted.json()["version"], "outcome": "repaired", "reason": "已核实"},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["outcome"] == "repaired"
    assert _record(city.old) == ("repaired", True)


def test_figures_and_lists_by_department(city: City) -> None:
    assert _object(city.clients["owner"], city.recent).status_code == 201
    officer, admin = city.clients["officer"], city.clients["admin"]
    own = officer.get("/api/v1/rights/stats").json()
    objection = next(k for k in own["kinds"] if k["kind"] == "objection")
    assert objection["open"] == 1 and own["records_under_objection"] == 1
    stranger = city.clients["stranger"].get("/api/v1/rights/stats").json()
    assert stranger["records_under_objection"] == 0
    assert city.clients["stranger"].get("/api/v1/cases").json()["total"] == 0
    peek = city.clients["stranger"].get("/api/v1/cases", params={"department": city.market_key})
    assert peek.status_code == 403
    market = admin.get("/api/v1/rights/stats", params={"department": city.market_key}).json()
    assert market["department_id"] is not None and market["records_under_objection"] == 1
    assert admin.get("/api/v1/cases", params={"kind": "objection"}).json()["total"] == 1
    assert admin.get("/api/v1/cases", params={"kind": "repair"}).json()["total"] == 0
    assert city.clients["owner"].get("/api/v1/rights/stats").status_code == 403
    assert admin.get("/api/v1/cases", params={"limit": 201}).status_code == 422
    unknown = admin.get("/api/v1/rights/stats", params={"department": "nowhere"})
    assert unknown.status_code == 422 and unknown.json()["details"]["field"] == "department"


def test_hostile_inputs_leave_nothing_behind(city: City) -> None:
    owner = city.clients["owner"]
    limits = get_config().evidence
    fake = _object(
        owner, city.recent, files=[("files", ("决定书.pdf", b"MZ\x90\x00", "application/pdf"))]
    )
    assert fake.status_code == 422 and "决定书.pdf" in fake.json()["message"]
    big = b"%PDF-1.4\n" + b"0" * limits.max_file_bytes
    oversize = _object(owner, city.recent, files=[("files", ("大文件.pdf", big))])
    assert oversize.status_code in (413, 422)
    if oversize.status_code == 422:
        assert "大文件.pdf" in oversize.json()["message"]
    many = [("files", (f"{n}.pdf", PDF)) for n in range(limits.max_files + 1)]
    too_many = _object(owner, city.recent, files=many)
    assert too_many.status_code == 422 and too_many.json()["details"]["field"] == "files"
    ground = _object(owner, city.recent, ground="bad_mood")
    assert ground.status_code == 422 and ground.json()["details"]["field"] == "ground"
    assert _object(owner, city.foreign).status_code == 403
    long = _object(owner, city.recent, statement="长" * 6000)
    assert long.status_code == 422 and long.json()["details"]["field"] == "statement"
    huge_id = _object(owner, 2**40)
    assert huge_id.status_code == 422
    nul = _object(owner, city.recent, contact="a\x00b")
    assert nul.status_code == 422 and nul.json()["details"]["field"] == "contact"
    surrogate = city.clients["officer"].post(
        "/api/v1/cases/1/decision",
        content=b'{"version": 1, "outcome": "refused", "reason": "\\ud800"}',
        headers={"Content-Type": "application/json"},
    )
    assert surrogate.status_code == 422
    no_proof = _repair(owner, city.old, files=[("files", ("x.pdf", PDF))])
    assert no_proof.status_code == 422 and no_proof.json()["details"]["field"] == "proof"
    assert _case_count() == 0
    assert _record(city.recent) == ("active", True)
    assert _record(city.old) == ("active", True)
