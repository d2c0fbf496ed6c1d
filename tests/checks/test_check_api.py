"""The credit-check API over HTTP with departments' API keys: a check, its reading,
feedback, queues, figures, and hostile bodies answered with 4xx and nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests import factories
from tests.conftest import LiveCities
from tests.lists.helpers import listed_serious
from xinyong.app import create_app
from xinyong.auth import apikeys
from xinyong.checks.models import CheckHit, CreditCheck
from xinyong.core.db import session_scope
from xinyong.subjects import service as subjects_service

PURPOSE = "政府采购项目 SZCG-2026-118 资格审查"


@dataclass
class Desk:
    client: TestClient
    finance: str  # token of the finance department's key
    ecology: str
    submit_only: str
    listed: str  # USCC of a subject on the serious-dishonesty list
    clean: str


def _build_desk() -> tuple[str, ...]:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        subject, _, _ = listed_serious(session)
        clean = factories.enterprise(session)
        finance = factories.department(session, "finance")
        ecology = factories.department(session, "ecology_environment")

        def key(department_id: int, scope: str) -> str:
            issued = apikeys.create(
                session, name="system", scopes=[scope], department_id=department_id
            )
            return issued.token

        tokens = key(finance.id, "checks:run"), key(ecology.id, "checks:run")
        submit = key(finance.id, "records:submit")
        codes = subject.uscc or "", clean.uscc or ""
    return (*tokens, submit, *codes)


@pytest.fixture
def desk(live_city: LiveCities) -> Iterator[Desk]:
    with live_city(extras=_build_desk) as built:
        yield Desk(TestClient(create_app()), *built.facts)


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _check(desk: Desk, token: str | None = None, **body: Any) -> Any:
    payload = {
        "matter": "government_procurement",
        "purpose": PURPOSE,
        "subjects": [{"code": desk.listed}, {"code": desk.clean}],
        **body,
    }
    return desk.client.post("/api/v1/checks", json=payload, headers=_as(token or desk.finance))


def _count() -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(CreditCheck)) or 0)


def test_check_read_feedback_and_figures(desk: Desk) -> None:
    answer = _check(desk)
    assert answer.status_code == 200, answer.text
    check = answer.json()
    assert check["state"] == "done" and check["subjects_found"] == 2
    listed, clean = check["rows"]
    assert listed["resolution"] == "code" and listed["subject"]["code"] == desk.listed
    assert [e["list_code"] for e in listed["lists"]] == ["serious_dishonesty_list"]
    assert listed["lists"][0]["list_name"] == "严重失信主体名单"
    hit = next(m for m in listed["measures"] if m["measure"] == "C-PROC-01")
    assert hit["kind"] == "constraint" and hit["legal_basis"][0]["document_number"]
    assert hit["feedback"] == "pending" and not hit["overdue"]
    assert clean["measures"] == [] and clean["lists"] == []
    english = desk.client.get(f"/api/v1/checks/{check['id']}?lang=en", headers=_as(desk.finance))
    assert english.json()["matter_name"] == "Government procurement"
    # another department cannot see it, nor answer its hits
    other = desk.client.get(f"/api/v1/checks/{check['id']}", headers=_as(desk.ecology))
    assert other.status_code == 404
    url = f"/api/v1/checks/{check['id']}/hits/{hit['id']}/feedback"
    body = {"outcome": "applied", "on": date.today().isoformat(), "reason": "不予采购"}
    assert desk.client.post(url, json=body, headers=_as(desk.ecology)).status_code == 404
    missing = {**body, "outcome": "not_applied", "reason": ""}
    refused = desk.client.post(url, json=missing, headers=_as(desk.finance))
    assert refused.status_code == 422 and refused.json()["details"]["field"] == "reason"
    done = desk.client.post(url, json={**body, "version": 1}, headers=_as(desk.finance))
    assert done.status_code == 200 and done.json()["feedback"] == "applied"
    stale = desk.client.post(url, json={**body, "version": 1}, headers=_as(desk.finance))
    assert stale.status_code == 409
    pending = desk.client.get("/api/v1/check-hits?state=pending", headers=_as(desk.finance))
    assert pending.json()["total"] == check["hits"] - 1
    listing = desk.client.get("/api/v1/checks", headers=_as(desk.finance)).json()
    assert listing["total"] == 1 and listing["checks"][0]["id"] == check["id"]
    assert desk.client.get("/api/v1/checks", headers=_as(desk.ecology)).json()["total"] == 0
    figures = desk.client.get("/api/v1/check-stats", headers=_as(desk.finance)).json()
    assert figures["total"]["checks"] == 1 and figures["total"]["applied"] == 1
    assert figures["total"]["hits"] == check["hits"]


def test_name_check_and_future_feedback_date(desk: Desk) -> None:
    with session_scope() as session:
        firm = factories.enterprise(session, name="苏州市恒泰精密机械有限公司")
        firm_id = firm.id
    answer = _check(desk, subjects=[{"name": "苏州市恒泰精密机械有限公司"}])
    row = answer.json()["rows"][0]
    assert row["resolution"] == "name" and row["subject"]["id"] == firm_id
    assert row["name_match"]["decision"] == "match"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"matter": "no_such_matter"}, 422),
        ({"purpose": ""}, 422),
        ({"purpose": "x" * 501}, 422),
        ({"subjects": []}, 422),
        ({"subjects": [{"code": "91320505MA1X2Y3Z4Q"}] * 101}, 422),
        ({"subjects": [{}]}, 422),
        ({"subjects": [{"name": "名" * 300}]}, 422),
        ({"unexpected": 1}, 422),
        ({"department": "no-such-department"}, 422),
        ({"subjects": "91320505MA1X2Y3Z4Q"}, 422),
    ],
)
def test_hostile_bodies_are_refused_and_write_nothing(
    desk: Desk, body: dict[str, Any], status: int
) -> None:
    answer = _check(desk, **body)
    assert answer.status_code == status, answer.text
    assert answer.json()["code"]
    assert _count() == 0


def test_broken_bytes_and_control_characters(desk: Desk) -> None:
    broken = desk.client.post(
        "/api/v1/checks",
        content=b'{"matter": "bidding", "purpose": "\xff\xfe", "subjects": []}',
        headers={**_as(desk.finance), "Content-Type": "application/json"},
    )
    assert broken.status_code == 400 and broken.json()["code"] and _count() == 0
    nul = _check(desk, purpose="采购\x00项目")  # SQLite would keep it, PostgreSQL cannot
    assert nul.status_code == 422 and nul.json()["details"]["field"] == "purpose"
    assert _count() == 0
    answer = _check(desk, subjects=[{"code": "\x00913205\x07", "name": "\x00公司\u200b"}])
    assert answer.status_code == 200, answer.text
    row = answer.json()["rows"][0]
    assert row["resolution"] == "invalid" and "\x00" not in (row["query_code"] or "")
    assert row["query_name"] == "公司"


def test_who_may_check(desk: Desk) -> None:
    assert _check(desk, token=desk.submit_only).status_code == 403
    anonymous = desk.client.post("/api/v1/checks", json={})
    assert anonymous.status_code in (401, 403)  # no key: refused (CSRF or login first)
    # a department key checks in its own name only
    with session_scope() as session:
        market = factories.department(session, "market_regulation").key
    assert _check(desk, department=market).status_code == 403
    assert _count() == 0


def test_overdue_hits_are_listed(desk: Desk) -> None:
    check = _check(desk).json()
    with session_scope() as session:
        for hit in session.scalars(select(CheckHit).where(CheckHit.check_id == check["id"])):
            hit.feedback_due = date.today() - timedelta(days=1)
    overdue = desk.client.get("/api/v1/check-hits?overdue=true", headers=_as(desk.finance))
    assert overdue.json()["total"] == check["hits"]
    assert all(h["overdue"] for h in overdue.json()["hits"])
