"""What the public may see: every catalogue item × every record state on every public
service and API route, and a scan of a synthetic city's public answers for persons'
full names and ID numbers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests import factories
from tests.conftest import LiveCities
from tests.portal import helpers
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import DisclosureAttribute
from xinyong.core.db import session_scope
from xinyong.lists import service as lists_service
from xinyong.portal import list_seam, service
from xinyong.records import protect
from xinyong.records.models import Record
from xinyong.records.states import RECORD_STATES
from xinyong.subjects import search
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

STATES = (*RECORD_STATES, "period_over")
DOUBLE = {"admin_licence": "licence", "admin_penalty": "penalty"}
LISTS = {code: spec.code for spec in list_seam.public_specs() for code in spec.item_codes}
# Only red-list honours (守信激励名单) are entries of the red list, not other honours (荣誉).
ON_A_LIST = {"honour": {"honour_kind": "守信激励名单"}}


UNLIMITED = {"rate_anonymous_per_minute": "1000000"}


def _client() -> TestClient:
    from xinyong.app import create_app

    return TestClient(create_app())


# --- item × state ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    item: str
    state: str
    person: bool
    record_id: int
    subject_id: int
    code: str
    decided: date
    expected: bool


def _expected(item_code: str, state: str) -> bool:
    item = catalog_service.get_catalog().item(item_code)
    public = item.disclosure_attribute is DisclosureAttribute.public
    return public and state in ("active", "under_objection")


def _put_in_state(record: Record, state: str, today: date) -> None:
    """The record as it stands in ``state`` (set directly: a fixture, not a workflow)."""
    record.disclosure_end = today + timedelta(days=30)
    if state == "period_over":
        record.state, record.disclosure_end = "active", today - timedelta(days=1)
    elif state == "corrected":
        record.state, record.is_current = "corrected", False  # a superseded version
    else:
        record.state = state


def _case(code: str, state: str, person: bool, today: date, serial: int) -> Case:
    """One subject with one record of the item in the state (one subject per case, since a
    registration record is keyed by its subject's code)."""
    with session_scope() as session:
        number = None
        if person:
            subject, number = helpers.person(
                session, name="欧阳" + "甲乙丙丁戊己庚辛壬癸"[serial % 10] + "明"
            )
        else:
            subject = factories.enterprise(session, name=f"苏州霁澜第{serial}号科技有限公司")
        record = helpers.record(
            session, subject, code, days_ago=3 + serial % 7, id_number=number, today=today,
            **ON_A_LIST.get(code, {}),
        )  # fmt: skip
        _put_in_state(record, state, today)
        session.flush()
        return Case(code, state, person, record.id, subject.id, number or subject.uscc or "",
                    record.decision_date or today, _expected(code, state))  # fmt: skip


def _matrix_cases() -> list[Case]:
    today = date.today()
    cases: list[Case] = []
    for code, item in catalog_service.get_catalog().items.items():
        for person in (False, True):
            if ("natural_person" if person else "legal_person") not in item.subject_kinds:
                continue
            for state in STATES:
                cases.append(_case(code, state, person, today, len(cases)))
    with session_scope() as session:
        search.rebuild_index(session)
        lists_service.import_from_records(session, today=today)  # the daily job lists them
    return cases


@dataclass
class Matrix:
    client: TestClient
    cases: list[Case] = field(default_factory=list)


@pytest.fixture(scope="module")
def matrix(live_city: LiveCities) -> Iterator[Matrix]:
    with live_city(departments=True, extras=_matrix_cases, env=UNLIMITED) as built:
        yield Matrix(_client(), built.facts)


def _service_seen(case: Case) -> dict[str, set[int]]:
    """Record ids the public services show, per service, for the case's subject/item."""
    today = date.today()
    seen: dict[str, set[int]] = {}
    with session_scope() as session:
        if not case.person:
            profile = service.subject_profile(session, code=case.code, per_group=1000)
            seen["subject_profile"] = {r.id for g in profile.groups for r in g.records}
            page = service.subject_records(session, subject_id=case.subject_id, limit=100)
            seen["subject_records"] = {r.id for r in page.records}
        if case.item in DOUBLE:
            window = {"date_from": case.decided, "date_to": case.decided}
            rows = service.double_publicity(
                session,
                kind=DOUBLE[case.item],
                limit=100,
                today=today,
                **window,  # type: ignore[arg-type]
            )
            seen["double_publicity"] = {r.id for r in rows.records}
        if case.item in LISTS:
            entries = service.public_lists(session, list_code=LISTS[case.item], limit=100).entries
            seen["public_lists"] = {r.record_id for r in entries.entries} if entries else set()
    return seen


def _api_seen(client: TestClient, case: Case) -> dict[str, set[int]]:
    """Record ids the open API shows, per route, for the case's subject/item."""
    seen: dict[str, set[int]] = {}
    if not case.person:
        profile = client.get(f"/api/v1/subjects/{case.code}").json()
        seen["profile"] = {r["id"] for g in profile["groups"] for r in g["records"]}
        page = client.get(f"/api/v1/subjects/{case.code}/public-records", params={"limit": 100})
        seen["public-records"] = {r["id"] for r in page.json()["records"]}
    else:
        assert client.get(f"/api/v1/subjects/{case.code}").status_code == 404
    if case.item in DOUBLE:
        day = case.decided.isoformat()
        rows = client.get(
            f"/api/v1/double-publicity/{DOUBLE[case.item]}",
            params={"date_from": day, "date_to": day, "limit": 100},
        ).json()
        seen["double-publicity"] = {r["id"] for r in rows["records"]}
    if case.item in LISTS:
        body = client.get(f"/api/v1/lists/{LISTS[case.item]}", params={"limit": 100}).json()
        seen["lists"] = {r["record_id"] for r in body["entries"]["entries"]}
    return seen


def test_every_item_and_state_on_every_public_service_and_route(matrix: Matrix) -> None:
    covered = {(c.item, c.state) for c in matrix.cases}
    assert covered == {(code, s) for code in catalog_service.get_catalog().items for s in STATES}
    wrong: list[str] = []
    for case in matrix.cases:
        for where, ids in {**_service_seen(case), **_api_seen(matrix.client, case)}.items():
            if (case.record_id in ids) != case.expected:
                kind = "person" if case.person else "organisation"
                wrong.append(f"{case.item}/{case.state}/{kind} on {where}: {case.record_id in ids}")
    assert not wrong, "\n".join(wrong)


def test_published_rows_carry_public_fields_only_and_mark_objections(matrix: Matrix) -> None:
    catalog = catalog_service.get_catalog()
    with session_scope() as session:
        for case in (c for c in matrix.cases if c.expected and c.item in DOUBLE):
            rows = service.double_publicity(
                session, kind=DOUBLE[case.item], date_from=case.decided, date_to=case.decided,  # type: ignore[arg-type]
                limit=100,
            )  # fmt: skip
            row = next(r for r in rows.records if r.id == case.record_id)
            item = catalog.item(case.item)
            public = {s.name for s in item.visible_fields(DisclosureAttribute.public)}
            assert set(row.fields) <= public
            assert row.under_objection == (case.state == "under_objection")
            if case.person:
                assert row.subject_id is None and "*" in (row.subject_name or "")


# --- the scan of a synthetic city ----------------------------------------------------------


@dataclass
class Secrets:
    id_numbers: set[str]
    person_names: set[str]  # persons' full names: subjects and names inside payloads
    persons: list[tuple[str, str]]  # (ID number, name) of person subjects
    organisations: list[tuple[str, str]]  # (USCC, name)


def _secrets() -> Secrets:
    with session_scope() as session:
        people = session.scalars(select(Subject).where(Subject.kind == "natural_person")).all()
        numbers = {subjects_service.reveal_id_number(p) or "" for p in people}
        names = {p.name for p in people}
        for record in session.scalars(select(Record)):
            numbers |= {v for v in protect.unseal(record.protected).values() if v}
            representative = record.payload.get("legal_representative")
            if isinstance(representative, str) and representative:
                names.add(representative)
        orgs = session.execute(
            select(Subject.uscc, Subject.name).where(Subject.uscc.is_not(None)).order_by(Subject.id)
        ).all()
    persons = [(subjects_service.reveal_id_number(p) or "", p.name) for p in people]
    return Secrets(
        {n for n in numbers if len(n) >= 15},
        names,
        persons,
        [(code or "", name) for code, name in orgs],
    )


@pytest.fixture(scope="module")
def city(live_city: LiveCities) -> Iterator[tuple[TestClient, Secrets]]:
    with live_city(
        departments=True, subjects=600, seed=5, records_per_subject=8.0, anchor=date.today(),
        extras=_indexed_and_listed, env=UNLIMITED,
    ) as built:  # fmt: skip
        yield _client(), built.facts


def _indexed_and_listed() -> Secrets:
    """Search index and list entries of the demo city, then what must stay secret in it."""
    with session_scope() as session:
        search.rebuild_index(session)
        lists_service.import_from_records(session, today=date.today())
    return _secrets()


def _pages(client: TestClient, path: str, **params: Any) -> Iterator[str]:
    """Every page of a cursor listing, as response text."""
    cursor = None
    for _ in range(50):
        response = client.get(
            path, params={**params, "limit": 100, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status_code == 200, (path, response.text[:200])
        yield response.text
        cursor = response.json().get("next_cursor") or (response.json().get("entries") or {}).get(
            "next_cursor"
        )
        if not cursor:
            return


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for entry in value.values():
            yield from _strings(entry)
    elif isinstance(value, list):
        for entry in value:
            yield from _strings(entry)


def _leaks(body: str, secrets: Secrets) -> list[str]:
    found = [n for n in secrets.id_numbers if n in body]
    values = set(_strings(json.loads(body)))
    found += sorted(values & secrets.person_names)  # a whole value that is a full name
    long_names = {n for n in secrets.person_names if len(n) >= 3}
    found += sorted({n for n in long_names for v in values if n in v})
    return found


def _search(client: TestClient, query: str) -> str:
    """A search answer without the echo of the caller's own text (query, normalized)."""
    body = client.get("/api/v1/subjects", params={"q": query}).json()
    return json.dumps({k: v for k, v in body.items() if k not in ("query", "normalized")})


def _public_bodies(client: TestClient, secrets: Secrets) -> Iterator[tuple[str, str]]:
    for kind in ("licence", "penalty"):
        for body in _pages(client, f"/api/v1/double-publicity/{kind}"):
            yield f"double-publicity/{kind}", body
    yield "lists", client.get("/api/v1/lists").text
    for spec in list_seam.public_specs():
        for body in _pages(client, f"/api/v1/lists/{spec.code}"):
            yield f"lists/{spec.code}", body
    yield "catalog", client.get("/api/v1/catalog").text
    for number, name in secrets.persons[:80]:
        for query in (name, number, name[:2]):
            yield "subjects?q", _search(client, query)
        yield "subjects/{id}", client.get(f"/api/v1/subjects/{number}").text
        yield (
            "subjects/{id}/public-records",
            client.get(f"/api/v1/subjects/{number}/public-records").text,
        )
    for code, name in secrets.organisations[:150]:
        yield "subjects?q", _search(client, name[2:6])
        yield "subjects/{code}", client.get(f"/api/v1/subjects/{code}").text
        for body in _pages(client, f"/api/v1/subjects/{code}/public-records"):
            yield "subjects/{code}/public-records", body


def test_no_public_answer_holds_a_persons_full_name_or_id_number(
    city: tuple[TestClient, Secrets],
) -> None:
    client, secrets = city
    assert len(secrets.persons) > 30 and len(secrets.id_numbers) > 30
    calls = 0
    for route, body in _public_bodies(client, secrets):
        calls += 1
        leaks = _leaks(body, secrets)
        assert not leaks, f"{route} shows {leaks[:3]}"
    assert calls > 500
    masked = client.get("/api/v1/double-publicity/penalty", params={"limit": 100}).json()
    assert any(r["subject_id"] is None and "*" in r["subject_name"] for r in masked["records"])


def test_the_scan_would_catch_a_leak(city: tuple[TestClient, Secrets]) -> None:
    _, secrets = city
    number, name = secrets.persons[0]
    assert _leaks(json.dumps({"x": f"当事人{number}"}), secrets)
    assert _leaks(json.dumps({"subject_name": name}), secrets)
    assert re.fullmatch(r"[\dX]{18}", number)
