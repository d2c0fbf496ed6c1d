"""The lists API over HTTP: list types, the queue, propose → notify → list → remove, who may
act on which department's entries, version conflicts and hostile input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.lists import web
from tests.lists.helpers import BASIS, REASONS
from tests.lists.web import TODAY, City, Company, company, notified_long_ago
from xinyong.app import create_app
from xinyong.core.db import session_scope
from xinyong.core.workdays import add_workdays
from xinyong.lists.models import ListEntry

city = web.city  # one database per module


def _proposal(firm: Company, **overrides: Any) -> dict[str, Any]:
    return {
        "list_code": "serious_dishonesty_list",
        "subject_code": firm.uscc,
        "basis_record_ids": [firm.penalty],
        "legal_basis": BASIS,
        "reasons": REASONS,
        **overrides,
    }


def _entries_of(firm: Company) -> int:
    with session_scope() as session:
        stmt = select(func.count()).where(ListEntry.subject_id == firm.id)
        return int(session.scalar(stmt) or 0)


def test_list_types_are_public_with_their_rules(city: City) -> None:
    answer = city.clients["anonymous"].get("/api/v1/list-types")
    assert answer.status_code == 200
    types = {t["code"]: t for t in answer.json()}
    assert set(types) == {
        "red_list",
        "serious_dishonesty_list",
        "key_attention_list",
        "abnormal_operation",
        "dishonest_judgment_debtor",
    }
    serious = types["serious_dishonesty_list"]
    assert (serious["kind"], serious["public"], serious["term"]) == ("black", True, "P3Y")
    assert serious["objection_window"] == 5 and "market_regulation" in serious["deciders"]
    assert {"repaired", "objection_upheld"} <= {c["code"] for c in serious["removal_conditions"]}
    assert any("国办发〔2020〕49号" in line for line in serious["legal_basis"])
    assert types["key_attention_list"]["public"] is False
    assert types["abnormal_operation"]["term"] is None


def test_propose_notify_list_remove_over_http(city: City) -> None:
    firm, officer = company(), city.clients["officer"]
    made = officer.post("/api/v1/list-entries", json=_proposal(firm))
    assert made.status_code == 201, made.text
    entry = made.json()
    assert (entry["state"], entry["version"]) == ("proposed", 1)
    assert entry["steps"] == ["notify", "remove"]
    assert entry["subject_code"] == firm.uscc and entry["proposed_by"].startswith("account:")
    assert [r["id"] for r in entry["basis_records"]] == [firm.penalty]
    path = f"/api/v1/list-entries/{entry['id']}"
    notified = officer.post(f"{path}/notify", json={"version": 1}).json()
    assert notified["state"] == "notified"
    assert notified["objection_until"] == add_workdays(TODAY, 5).isoformat()
    stale = officer.post(f"{path}/notify", json={"version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "illegal_transition"
    early = officer.post(f"{path}/list", json={"version": 2})
    assert early.status_code == 422 and "异议期至" in early.json()["message"]
    with session_scope() as session:  # the window passes
        stored = session.get(ListEntry, entry["id"])
        assert stored is not None
        stored.objection_until = TODAY - timedelta(days=1)
    assert officer.post(f"{path}/list", json={"version": 1}).status_code == 409  # stale
    listed = officer.post(f"{path}/list", json={"version": 2}).json()
    assert (listed["state"], listed["listed_on"]) == ("listed", TODAY.isoformat())
    assert listed["term_end"] is not None and listed["steps"] == ["remove"]
    for reason in ("term_ended", "objection_upheld", "nope"):
        refused = officer.post(f"{path}/remove", json={"version": 3, "reason": reason})
        assert refused.status_code == 422 and refused.json()["details"]["field"] == "reason"
    body = {"version": 3, "reason": "obligation_fulfilled", "note": "已履行"}
    removed = officer.post(f"{path}/remove", json=body).json()
    assert (removed["state"], removed["removal_reason"]) == ("removed", "obligation_fulfilled")
    detail = officer.get(path).json()
    actions = [e["action"] for e in detail["timeline"]]
    assert actions == ["proposed", "notified", "listed", "removed"]
    assert detail["removal_note"] == "已履行" and detail["steps"] == []


@pytest.mark.parametrize(
    ("who", "overrides", "field"),
    [
        ("officer", {"subject_code": "91320505MA1XXXXXXX"}, "subject_code"),
        ("officer", {"list_code": "no_such_list"}, "list_code"),
        ("officer", {"list_code": "dishonest_judgment_debtor"}, "list_code"),
        ("taxman", {"list_code": "abnormal_operation"}, "list_code"),  # tax does not decide it
        ("officer", {"basis_record_ids": []}, "basis_record_ids"),
        ("officer", {"basis_record_ids": ["x"]}, "basis_record_ids.0"),
        ("officer", {"legal_basis": "   "}, "legal_basis"),
        ("officer", {"reasons": "a\x00b"}, "reasons"),
        ("officer", {"reasons": "理" * 5001}, "reasons"),
        ("officer", {"extra": 1}, "extra"),
        ("admin", {"department": "no_such_department"}, "department"),
    ],
)
def test_a_bad_proposal_names_the_field_and_writes_nothing(
    city: City, who: str, overrides: dict[str, Any], field: str
) -> None:
    firm = company()
    answer = city.clients[who].post("/api/v1/list-entries", json=_proposal(firm, **overrides))
    assert answer.status_code == 422, answer.text
    assert answer.json()["details"]["field"] == field
    assert _entries_of(firm) == 0


def test_the_basis_is_the_subjects_own_record_and_one_live_entry_per_list(city: City) -> None:
    firm, other, officer = company(), company(), city.clients["officer"]
    foreign = _proposal(firm, basis_record_ids=[other.penalty])
    refused = officer.post("/api/v1/list-entries", json=foreign)
    assert refused.status_code == 422 and refused.json()["details"]["field"] == "basis_record_ids"
    assert officer.post("/api/v1/list-entries", json=_proposal(firm)).status_code == 201
    again = officer.post("/api/v1/list-entries", json=_proposal(firm))
    assert again.status_code == 409 and _entries_of(firm) == 1


def test_a_department_reads_and_acts_on_its_own_entries_only(city: City) -> None:
    entry_id = notified_long_ago(city, company())
    path = f"/api/v1/list-entries/{entry_id}"
    stranger, auditor, admin = (city.clients[n] for n in ("stranger", "auditor", "admin"))
    seen = {row["id"] for row in stranger.get("/api/v1/list-entries").json()["items"]}
    assert entry_id not in seen
    assert stranger.get(path).status_code == 403
    assert stranger.post(f"{path}/list", json={"version": 2}).status_code == 403
    mine = stranger.get("/api/v1/list-entries", params={"department": city.market_key})
    assert mine.status_code == 403
    assert auditor.get(path).status_code == 200
    assert auditor.post(f"{path}/list", json={"version": 2}).status_code == 403
    market = admin.get("/api/v1/list-entries", params={"department": city.market_key}).json()
    assert entry_id in {row["id"] for row in market["items"]}
    listed = admin.post(f"{path}/list", json={"version": 2})
    assert listed.status_code == 200 and listed.json()["state"] == "listed"
    assert city.clients["anonymous"].get("/api/v1/list-entries").status_code == 401


def test_admins_propose_for_a_department_others_for_their_own(city: City) -> None:
    firm, admin, stranger = company(), city.clients["admin"], city.clients["stranger"]
    for_market = _proposal(firm, department=city.market_key)
    other = stranger.post("/api/v1/list-entries", json=for_market)
    assert other.status_code == 403 and _entries_of(firm) == 0
    made = admin.post("/api/v1/list-entries", json=for_market)
    assert made.status_code == 201 and made.json()["department_id"] == city.market_id


def test_api_keys_need_the_lists_scope_and_act_for_their_department(city: City) -> None:
    firm, plain = company(), TestClient(create_app())
    keyed = {"Authorization": f"Bearer {city.key}"}
    made = plain.post("/api/v1/list-entries", json=_proposal(firm), headers=keyed)
    assert made.status_code == 201 and made.json()["proposed_by"].startswith("apikey:")
    listed = plain.get("/api/v1/list-entries", headers=keyed).json()
    assert made.json()["id"] in {row["id"] for row in listed["items"]}
    reader = {"Authorization": f"Bearer {city.read_key}"}
    assert plain.get("/api/v1/list-entries", headers=reader).status_code == 403
    refused = plain.post("/api/v1/list-entries", json=_proposal(company()), headers=reader)
    assert refused.status_code == 403


def test_the_queue_filters_and_pages(city: City) -> None:
    officer = city.clients["officer"]
    before = officer.get("/api/v1/list-entries").json()["total"]
    firm = company()
    serious = notified_long_ago(city, firm)
    abnormal = _proposal(
        firm, list_code="abnormal_operation", legal_basis="《企业信息公示暂行条例》"
    )
    made = officer.post("/api/v1/list-entries", json=abnormal).json()["id"]
    assert officer.get("/api/v1/list-entries").json()["total"] == before + 2
    notified = officer.get("/api/v1/list-entries", params={"state": "notified", "limit": 200})
    assert serious in {r["id"] for r in notified.json()["items"]}
    assert made not in {r["id"] for r in notified.json()["items"]}
    query = {"list_code": "abnormal_operation", "state": "proposed", "limit": 200}
    rows = officer.get("/api/v1/list-entries", params=query).json()["items"]
    assert made in {r["id"] for r in rows} and {r["list_code"] for r in rows} == {
        query["list_code"]
    }
    first = officer.get("/api/v1/list-entries", params={"limit": 1}).json()["items"]
    second = officer.get("/api/v1/list-entries", params={"limit": 1, "page": 2}).json()["items"]
    assert [r["id"] for r in first] == [made] and [r["id"] for r in second] == [serious]
    for params in ({"state": "bogus"}, {"list_code": "bogus"}, {"page": 0}, {"limit": 500}):
        bad = officer.get("/api/v1/list-entries", params=params)
        assert bad.status_code == 422, params
        assert bad.json()["details"]["field"] == next(iter(params))
    assert officer.get("/api/v1/list-entries/999999").status_code == 404
    assert officer.get("/api/v1/list-entries/0").status_code == 422
