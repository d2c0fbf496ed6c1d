"""The open API: shapes, cursors, bounds, errors and OpenAPI text, on both stores."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests import factories
from tests.conftest import LiveCities
from tests.portal import helpers
from xinyong.core.db import session_scope
from xinyong.lists import service as lists_service
from xinyong.subjects import search
from xinyong.subjects import service as subjects_service

GENERAL = {"penalty_types": ["罚款"], "fine_amount": "5"}
PORTAL_ROUTES = (
    "/api/v1/subjects",
    "/api/v1/subjects/{code}",
    "/api/v1/subjects/{code}/public-records",
    "/api/v1/double-publicity/{kind}",
    "/api/v1/lists",
    "/api/v1/lists/{list_code}",
    "/api/v1/catalog",
    "/api/v1/catalog/{item_code}",
)


@dataclass
class Seeded:
    client: TestClient
    code: str
    person_number: str
    penalty_day: date
    department_key: str


def _seed() -> tuple[str, str, date, str]:
    today = date.today()
    with session_scope() as session:
        subjects_service.sync_departments(session)
        firm = factories.enterprise(session, name="苏州霁璟澜沅科技有限公司")
        for days in (3, 4, 5):
            helpers.record(session, firm, "admin_penalty", days_ago=days, today=today, **GENERAL)
        helpers.record(session, firm, "honour", days_ago=3, today=today, honour_kind="守信激励名单")
        person, number = helpers.person(session, name="欧阳霁明")
        helpers.record(
            session, person, "admin_penalty", days_ago=4, id_number=number, today=today, **GENERAL
        )
        for n in range(5):
            factories.enterprise(session, name=f"苏州霁沅{'甲乙丙丁戊'[n]}号贸易有限公司")
        search.rebuild_index(session)
        lists_service.import_from_records(session, today=today)  # the daily job lists them
        key = helpers.department_for(session, "admin_penalty").key
        return firm.uscc or "", number, today - timedelta(days=4), key


@pytest.fixture(scope="module")
def seeded(live_city: LiveCities) -> Iterator[Seeded]:
    with live_city(extras=_seed, env={"rate_anonymous_per_minute": "100000"}) as built:
        from xinyong.app import create_app

        yield Seeded(TestClient(create_app()), *built.facts)


def _get(seeded: Seeded, path: str, status: int = 200, **params: Any) -> Any:
    response = seeded.client.get(path, params=params)
    assert response.status_code == status, response.text[:300]
    return response.json()


def test_search_pages_with_cursor(seeded: Seeded) -> None:
    first = _get(seeded, "/api/v1/subjects", q="霁沅", limit=2)
    assert first["total"] == 5 and len(first["hits"]) == 2
    names = [hit["name"] for hit in first["hits"]]
    cursor = first["next_cursor"]
    while cursor:
        page = _get(seeded, "/api/v1/subjects", q="霁沅", limit=2, cursor=cursor)
        names += [hit["name"] for hit in page["hits"]]
        cursor = page["next_cursor"]
    assert len(names) == len(set(names)) == 5
    hit = _get(seeded, "/api/v1/subjects", q="霁璟澜沅")["hits"][0]
    assert set(hit) >= {"subject_id", "code", "name", "kind", "highlights", "match"}
    assert _get(seeded, "/api/v1/subjects", q=seeded.code)["hits"][0]["match"] == "code"
    assert _get(seeded, "/api/v1/subjects", q=seeded.person_number)["total"] == 0


def test_bounds_and_bad_input_are_json_errors(seeded: Seeded) -> None:
    for path, params in (
        ("/api/v1/subjects", {"q": "霁沅", "limit": 0}),
        ("/api/v1/subjects", {"q": "霁沅", "limit": 101}),
        ("/api/v1/subjects", {"q": "霁沅", "cursor": "%%%"}),
        ("/api/v1/subjects", {}),
        ("/api/v1/double-publicity/fines", {}),
        ("/api/v1/double-publicity/penalty", {"cursor": "bm9wZQ"}),
        ("/api/v1/double-publicity/penalty", {"region_code": "abc"}),
        ("/api/v1/double-publicity/licence", {"penalty_category": "罚款"}),
    ):
        body = _get(seeded, path, 422, **params)
        assert body["code"] == "invalid" and body["message"], (path, params)
    for path in (
        f"/api/v1/subjects/{seeded.person_number}",
        "/api/v1/subjects/NOPE",
        "/api/v1/lists/nope",
        "/api/v1/catalog/nope",
    ):
        assert _get(seeded, path, 404)["code"] == "not_found"
    assert _get(seeded, "/api/v1/double-publicity/penalty", 404, department="nope")["code"]


def test_profile_and_public_records(seeded: Seeded) -> None:
    profile = _get(seeded, f"/api/v1/subjects/{seeded.code}")
    assert profile["counts"] == {"admin_penalty": 3, "honour": 1}
    assert [entry["list_code"] for entry in profile["lists"]] == ["red_list"]
    ids: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"item": "admin_penalty", "limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = _get(seeded, f"/api/v1/subjects/{seeded.code}/public-records", **params)
        ids += [record["id"] for record in page["records"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(ids) == 3 and page["total"] == 3
    grouped = _get(seeded, f"/api/v1/subjects/{seeded.code}/public-records", category="honours")
    assert [r["item_code"] for r in grouped["records"]] == ["honour"]


def test_double_publicity_lists_and_catalogue(seeded: Seeded) -> None:
    day = seeded.penalty_day.isoformat()
    page = _get(
        seeded,
        "/api/v1/double-publicity/penalty",
        date_from=day,
        date_to=day,
        department=seeded.department_key,
    )
    assert page["total"] == 2 and not page["total_capped"]
    person_row = next(r for r in page["records"] if r["subject_id"] is None)
    assert person_row["subject_name"] == "欧**明"
    assert _get(seeded, "/api/v1/double-publicity/licence")["records"] == []
    lists = _get(seeded, "/api/v1/lists")
    assert {info["list_code"] for info in lists["lists"]} >= {"red_list", "serious_dishonesty_list"}
    assert lists["entries"] is None
    red = _get(seeded, "/api/v1/lists/honour")  # the red list's old code still opens it
    assert red["list_code"] == "red_list" and red["entries"]["total"] == 1
    catalog = _get(seeded, "/api/v1/catalog")
    assert len(catalog["items"]) >= 12
    item = _get(seeded, "/api/v1/catalog/admin_penalty")
    assert item["code"] == "admin_penalty" and item["periods"]["serious"] == "P3Y"


def test_the_authorised_records_route_still_answers(seeded: Seeded) -> None:
    rows = _get(seeded, f"/api/v1/subjects/{seeded.code}/records")
    assert {row["item_code"] for row in rows} == {"admin_penalty", "honour"}


def test_openapi_documents_every_portal_route_in_both_languages(seeded: Seeded) -> None:
    spec = _get(seeded, "/api/v1/openapi.json")
    for path in PORTAL_ROUTES:
        operation = spec["paths"][path]["get"]
        summary = operation["summary"]
        assert re.search(r"[\u4e00-\u9fff]", summary) and re.search(r"[A-Za-z]", summary), path
        assert operation["description"], path
        assert {"404", "422", "429"} <= set(operation["responses"]), path
        names = {p["name"] for p in operation.get("parameters", [])}
        if path != "/api/v1/subjects" and "limit" in names:
            assert "cursor" in names, path
