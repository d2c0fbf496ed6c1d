"""Issue 16's findings 2, 5, 8, 9 and 10 through real HTTP requests on both stores: keys act
within their owner's scope, CSRF on the ingest API, hostile cursors and file names, the same
file submitted twice at once, audited review dismissals, purposes, security headers and the
oversight of batches."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests import factories
from tests.conftest import FreshDatabase
from tests.ingest.conftest import labelled
from xinyong.app import create_app
from xinyong.audit.models import AuditEntry
from xinyong.auth import apikeys
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate, OrganisationCreate
from xinyong.checks.models import CreditCheck
from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import session_scope
from xinyong.ingest.models import IngestBatch
from xinyong.subjects import service as subjects_service

PASSWORD = "Correct-Horse-42"
PURPOSE = "政府采购项目 SZCG-2026-118 资格审查"
ALL_SCOPES = list(apikeys.SCOPES)


@dataclass
class City:
    uscc: str
    payloads: list[dict[str, Any]]
    tokens: dict[str, str] = field(default_factory=dict)


def _account(session: Any, username: str, role: str, kind: str) -> None:
    auth_service.create_account(
        session,
        data=AccountCreate(
            username=username,
            display_name=username,
            password=PASSWORD,
            kind="staff",
            role=role,
            department_id=factories.department(session, kind).id,
        ),
    )


def _seed() -> City:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        market = factories.department(session, "market_regulation")
        companies = [factories.enterprise(session) for _ in range(40)]
        payloads = [factories.penalty_payload(c, market) for c in companies]
        for username, role, kind in (
            ("reporter", "reporter", "market_regulation"),
            ("ecology.reporter", "reporter", "ecology_environment"),
            ("auditor", "auditor", "development_reform"),
            ("admin", "admin", "development_reform"),
        ):
            _account(session, username, role, kind)
        bank = auth_service.create_organisation(
            session, data=OrganisationCreate(kind="bank", name="测试银行")
        )
        city = City(companies[0].uscc or "", payloads)
        for name, owner in (
            ("market", {"department_id": market.id}),
            ("ecology", {"department_id": factories.department(session, "ecology_environment").id}),
            ("organisation", {"organisation_id": bank.id}),
        ):
            city.tokens[name] = apikeys.create(session, name=name, scopes=ALL_SCOPES, **owner).token
    return city


@pytest.fixture(scope="module")
def city(backend: str, fresh_db: FreshDatabase) -> Iterator[City]:
    url = fresh_db.new(backend)
    migrate.upgrade(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XINYONG_DATABASE_URL", url)
        reset_settings()
        core_db.dispose_engine()
        yield _seed()
        core_db.dispose_engine()
    reset_settings()


def _as(city: City, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {city.tokens[name]}"}


def _csv(payloads: list[dict[str, Any]]) -> bytes:
    rows = [labelled("admin_penalty", p) for p in payloads]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _upload(client: TestClient, headers: dict[str, str], name: str, data: bytes) -> Any:
    return client.post(
        "/api/v1/submissions/file",
        headers=headers,
        data={"item": "admin_penalty", "mode": "partial"},
        files={"file": (name, data, "text/csv")},
    )


def _login(username: str) -> tuple[TestClient, str]:
    client = TestClient(create_app())
    token = _token(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]
    return client, _token(client.get("/portal/me").text)


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _check(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    payload = {"matter": "government_procurement", "purpose": PURPOSE, **body}
    payload.setdefault("subjects", [{"code": factories.uscc()}])
    return client.post("/api/v1/checks", headers=headers, json=payload)


# --- finding 2: every principal has one scope of action ------------------------------------


def test_an_organisation_key_acts_for_no_department(city: City) -> None:
    client = TestClient(create_app())
    batch = _upload(client, _as(city, "market"), "own.csv", _csv(city.payloads[:2]))
    assert batch.status_code == 201, batch.text
    batch_id = batch.json()["batch_id"]
    org = _as(city, "organisation")
    for method, path in (
        ("GET", f"/api/v1/submissions/{batch_id}"),
        ("GET", f"/api/v1/submissions/{batch_id}/report.xlsx"),
        ("GET", "/api/v1/ledger"),
        ("GET", "/api/v1/review-items"),
        ("POST", "/api/v1/review-items/1/dismiss"),
        ("GET", "/api/v1/checks"),
    ):
        assert client.request(method, path, headers=org).status_code == 403, path
    assert _upload(client, org, "org.csv", _csv(city.payloads[:1])).status_code == 403
    # a check "as" another department is refused and stores nothing
    with session_scope() as session:
        before = session.scalar(select(func.count()).select_from(CreditCheck))
    assert _check(client, org, department="sz_gaj").status_code == 403
    assert _check(client, org).status_code == 403
    batch_check = client.post(
        "/api/v1/checks/batch",
        headers=org,
        data={"matter": "government_procurement", "purpose": PURPOSE, "department": "sz_gaj"},
        files={"file": ("list.csv", "名称\n某某公司\n".encode(), "text/csv")},
    )
    assert batch_check.status_code == 403
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(CreditCheck)) == before


def test_a_department_key_acts_for_its_own_department_only(city: City) -> None:
    client = TestClient(create_app())
    market = _as(city, "market")
    assert _check(client, market, department="sz_gaj").status_code == 403
    ecology = _upload(client, _as(city, "ecology"), "x.csv", _csv(city.payloads[:1]))
    assert ecology.json()["department"] == "sz_sthjj"  # its own, whatever the body says
    named = client.post(
        "/api/v1/submissions",
        headers=market,
        json={"item": "admin_penalty", "department": "sz_gaj", "records": []},
    )
    assert named.status_code == 403 and named.json()["details"]["field"] == "department"
    own = _check(client, market, department="sz_scjgj")
    assert own.status_code == 200 and "市场监督" in own.json()["department"]


# --- finding 5: CSRF on the ingest API ------------------------------------------------------


def test_the_ingest_api_needs_the_csrf_token_with_a_cookie(city: City) -> None:
    client, token = _login("reporter")
    body = {"item": "admin_penalty", "mode": "partial", "records": city.payloads[:1]}
    forged = client.post("/api/v1/submissions", json=body)
    assert forged.status_code == 403 and forged.json()["code"] == "csrf"
    files = {"file": ("p.csv", _csv(city.payloads[:1]), "text/csv")}
    upload = client.post("/api/v1/submissions/file", data={"item": "admin_penalty"}, files=files)
    assert upload.json()["code"] == "csrf"
    assert client.post("/api/v1/review-items/1/dismiss").json()["code"] == "csrf"
    sent = client.post("/api/v1/submissions", json=body, headers={"X-CSRF-Token": token})
    assert sent.status_code == 201, sent.text


# --- finding 8: no 500s ---------------------------------------------------------------------


def _cursor(**position: Any) -> str:
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_huge_numbers_in_cursors_are_refused(city: City) -> None:
    client = TestClient(create_app())
    huge = 10**30
    for path, kind, extra in (
        ("/api/v1/lists/serious_dishonesty_list", "e", {}),
        ("/api/v1/double-publicity/penalty", "r", {"s": "date_desc"}),
        (f"/api/v1/subjects/{city.uscc}/public-records", "r", {"s": "date_desc"}),
    ):
        for number in (huge, -huge, 2**31, True):
            cursor = _cursor(k=kind, d="2026-01-01", i=number, **extra)
            answer = client.get(path, params={"cursor": cursor})
            assert answer.status_code == 422, (path, number, answer.text[:200])
            assert answer.json()["details"]["field"] == "cursor"


@pytest.mark.parametrize("name", [".", "..", "a\x00b.csv", "x" * 252 + ".csv", "甲" * 90])
def test_unusable_upload_filenames_are_refused(city: City, name: str) -> None:
    """The file name is written into the multipart body as sent, a NUL byte included."""
    boundary = "xinyong-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="item"\r\n\r\nadmin_penalty\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n",
    ]
    body = "".join(parts).encode() + _csv(city.payloads[:1]) + f"\r\n--{boundary}--\r\n".encode()
    headers = {**_as(city, "market"), "content-type": f"multipart/form-data; boundary={boundary}"}
    client = TestClient(create_app())
    answer = client.post("/api/v1/submissions/file", headers=headers, content=body)
    assert answer.status_code == 422, answer.text[:300]
    assert answer.json()["details"]["field"] == "file"


def test_the_same_file_submitted_twice_at_once(city: City) -> None:
    data = _csv(city.payloads)
    results: list[Any] = []

    def submit() -> None:
        results.append(_upload(TestClient(create_app()), _as(city, "market"), "twice.csv", data))

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results) == [201, 201], [r.text[:300] for r in results]
    ids = {r.json()["batch_id"] for r in results}
    with session_scope() as session:
        found = session.scalars(select(IngestBatch.id).where(IngestBatch.id.in_(ids))).all()
    assert set(found) == ids


# --- finding 9: review dismissals are audited -----------------------------------------------


def test_a_review_dismissal_is_audited(city: City) -> None:
    client = TestClient(create_app())
    market = _as(city, "market")
    name_only = {**city.payloads[-1], "subject_code": ""}
    name_only["decision_number"] += "-review"
    sent = client.post(
        "/api/v1/submissions",
        headers=market,
        json={"item": "admin_penalty", "mode": "partial", "records": [name_only]},
    )
    assert sent.status_code == 201 and sent.json()["to_review"] == 1, sent.text
    item = client.get("/api/v1/review-items", headers=market).json()[-1]
    # another department's key may not touch it
    other = client.post(f"/api/v1/review-items/{item['id']}/dismiss", headers=_as(city, "ecology"))
    assert other.status_code == 403
    assert client.post(f"/api/v1/review-items/{item['id']}/dismiss", headers=market).json() == {
        "status": "dismissed"
    }
    with session_scope() as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "review.dismiss", AuditEntry.object_id == str(item["id"])
            )
        ).one()
    assert entry.actor.startswith("apikey:") and entry.summary["batch_id"] == item["batch_id"]


# --- finding 10: purposes, headers, oversight of batches ------------------------------------


@pytest.mark.parametrize("purpose", ["核查", "a1", "....", " - . ", "审 ,,"])
def test_a_purpose_needs_four_letters_or_digits(city: City, purpose: str) -> None:
    answer = _check(TestClient(create_app()), _as(city, "market"), purpose=purpose)
    assert answer.status_code == 422 and answer.json()["details"]["field"] == "purpose"


def test_security_headers_on_every_response(city: City) -> None:
    client = TestClient(create_app())
    for path in ("/", "/login", "/api/v1/stats", "/api/v1/nope", "/static/style.css"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0], path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path
    too_large = client.post("/login", headers={"content-length": str(10**9)}, content=b"x")
    assert too_large.status_code == 413 and too_large.headers["x-frame-options"] == "DENY"
    docs = client.get("/api/v1/docs").headers["content-security-policy"]
    assert "http" not in docs and "'unsafe-inline'" not in docs.split("script-src")[1].split(";")[0]


def test_admins_and_auditors_read_other_departments_batches(city: City) -> None:
    client = TestClient(create_app())
    sent = _upload(client, _as(city, "market"), "oversight.csv", _csv(city.payloads[:1]))
    batch_id = sent.json()["batch_id"]
    for username in ("auditor", "admin"):
        reader, _ = _login(username)
        assert reader.get(f"/api/v1/submissions/{batch_id}").status_code == 200, username
    other, _ = _login("ecology.reporter")
    assert other.get(f"/api/v1/submissions/{batch_id}").status_code == 403
