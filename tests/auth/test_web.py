"""Login, sessions, CSRF, lock-out, query registration and limits through real HTTP requests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests import factories
from tests.conftest import LiveCities
from xinyong.app import create_app
from xinyong.audit.models import AuditEntry
from xinyong.auth import apikeys
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core.config import reset_settings
from xinyong.core.db import session_scope, utcnow
from xinyong.records import service as records_service
from xinyong.records.schemas import RecordCreate
from xinyong.subjects import service as subjects_service

PASSWORD = "Correct-Horse-42"


def _build_city() -> dict[str, object]:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        company = factories.enterprise(session)
        tax = factories.department(session, "tax")
        market = factories.department(session, "market_regulation")
        rated = date.today() - timedelta(days=30)  # inside its one-year publication
        payload = {
            "subject_name": company.name,
            "subject_code": company.uscc,
            "grade": "A",
            "evaluation_year": rated.year - 1,
            "score": "95",
            "evaluation_date": rated.isoformat(),
            "evaluating_body": tax.name_zh,
        }
        records_service.submit(
            session,
            actor="test",
            data=RecordCreate(
                subject_id=company.id,
                item_code="tax_credit_rating",
                department_id=tax.id,
                source_record_id="t-1",
                payload=payload,
            ),
        )
        for username, dept in (("wang.fang", market), ("tax.clerk", tax)):
            auth_service.create_account(
                session,
                data=AccountCreate(
                    username=username,
                    display_name=username,
                    password=PASSWORD,
                    kind="staff",
                    role="department_user",
                    department_id=dept.id,
                ),
            )
        code = auth_service.issue_counter_code(
            session, subject_code=company.uscc or "", issued_by=None
        )
        auth_service.open_subject_account(
            session, code=code, username="acme", password=PASSWORD, display_name=company.name
        )
        key = apikeys.create(session, name="feed", scopes=["records:read"], department_id=market.id)
        facts: dict[str, object] = {"uscc": company.uscc, "token": key.token}
    return facts


@pytest.fixture
def city(live_city: LiveCities) -> Iterator[dict[str, object]]:
    """Departments, a company with a tax rating, staff, the company's own account, a key."""
    with live_city(extras=_build_city) as built:
        yield built.facts


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _login(client: TestClient, username: str, password: str = PASSWORD) -> object:
    token = _csrf(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_login_session_cookie_and_logout(city: dict[str, object]) -> None:
    client = TestClient(create_app())
    response = _login(client, "wang.fang")
    assert response.status_code == 303 and response.headers["location"] == "/console/"
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert client.get("/api/v1/me").json()["kind"] == "staff"
    page = client.get("/console/")
    assert page.status_code == 200 and "工作台" in page.text
    assert "records.read" not in page.text  # the home names functions, not permission codes
    client.post("/logout", data={"csrf_token": _csrf(page.text)})
    assert client.get("/api/v1/me").json()["kind"] == "anonymous"
    assert client.get("/console/", follow_redirects=False).headers["location"].startswith("/login")


def test_forms_need_the_csrf_token(city: dict[str, object]) -> None:
    client = TestClient(create_app())
    client.get("/login")
    refused = client.post("/login", data={"username": "wang.fang", "password": PASSWORD})
    assert refused.status_code == 403 and "CSRF" in refused.text
    forged = client.post(
        "/login", data={"username": "wang.fang", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403


def test_lockout_through_the_login_form(city: dict[str, object]) -> None:
    client = TestClient(create_app())
    for _ in range(5):
        assert _login(client, "wang.fang", "Wrong-Password-99").status_code == 401
    locked = _login(client, "wang.fang")
    unknown = _login(client, "nobody.here")
    # one answer for a locked account and an unknown username: no account enumeration
    assert locked.status_code == unknown.status_code == 401  # type: ignore[attr-defined]
    assert _error_of(locked) == _error_of(unknown) and "锁定" in _error_of(locked)


def _error_of(response: object) -> str:
    found = re.search(r'class="error"[^>]*>(.*?)<', response.text, re.S)  # type: ignore[attr-defined]
    assert found, response.text[:500]  # type: ignore[attr-defined]
    return found.group(1).strip()


def test_a_cookie_saved_before_logout_no_longer_works(city: dict[str, object]) -> None:
    """Finding 6: logout ends the session on the server, not only in the browser."""
    client = TestClient(create_app())
    _login(client, "wang.fang")
    saved = dict(client.cookies)
    page = client.get("/console/")
    client.post("/logout", data={"csrf_token": _csrf(page.text)}, follow_redirects=False)
    replay = TestClient(create_app(), cookies=saved)
    assert replay.get("/api/v1/me").json()["kind"] == "anonymous"
    assert replay.get("/console/", follow_redirects=False).status_code == 303
    with session_scope() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions[-1] == "account.logout"


def test_logout_everywhere_ends_other_sessions(city: dict[str, object]) -> None:
    first, second = TestClient(create_app()), TestClient(create_app())
    _login(first, "wang.fang")
    _login(second, "wang.fang")
    token = _csrf(first.get("/console/").text)
    first.post("/logout-everywhere", data={"csrf_token": token})
    assert second.get("/api/v1/me").json()["kind"] == "anonymous"


def test_purpose_bound_reads_are_registered_and_shown_to_the_subject(
    city: dict[str, object],
) -> None:
    uscc = city["uscc"]
    anonymous = TestClient(create_app())
    assert anonymous.get(f"/api/v1/subjects/{uscc}/records").json() == []  # government-only item
    staff = TestClient(create_app())
    _login(staff, "wang.fang")
    refused = staff.get(f"/api/v1/subjects/{uscc}/records")
    assert refused.status_code == 422 and refused.json()["details"]["field"] == "purpose"
    rows = staff.get(f"/api/v1/subjects/{uscc}/records", params={"purpose": "行政许可审查"}).json()
    assert rows[0]["fields"]["grade"] == "A" and "score" not in rows[0]["fields"]
    keyed = TestClient(create_app())
    headers = {"Authorization": f"Bearer {city['token']}"}
    assert (
        keyed.get(
            f"/api/v1/subjects/{uscc}/records", params={"matter": "GP-2025-01"}, headers=headers
        ).status_code
        == 200
    )
    owner = TestClient(create_app())
    _login(owner, "acme")
    own = owner.get(f"/api/v1/subjects/{uscc}/records").json()
    assert own[0]["fields"]["score"] == "95"  # the subject sees all of its own data
    log = owner.get("/api/v1/me/queries").json()
    assert [(q["outcome"], q["purpose"]) for q in log] == [  # newest first
        ("allowed", "GP-2025-01"),
        ("allowed", "行政许可审查"),
        ("refused", ""),
    ]
    assert any("wang.fang" in q["who"] for q in log) and any("API key" in q["who"] for q in log)
    page = owner.get("/portal/me")
    assert "行政许可审查" in page.text


def test_rate_limit_answers_429_with_retry_after(
    city: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XINYONG_RATE_ANONYMOUS_PER_MINUTE", "3")
    reset_settings()
    client = TestClient(create_app())
    codes = [client.get("/api/v1/stats").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    limited = client.get("/api/v1/stats")
    assert int(limited.headers["retry-after"]) >= 1 and limited.json()["code"] == "rate_limited"


def test_rate_limit_trusts_only_verified_keys(
    city: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 7: forged tokens with a real key's prefix do not use up that key's quota, and
    a made-up prefix per request is counted against the client's address."""
    monkeypatch.setenv("XINYONG_RATE_ANONYMOUS_PER_MINUTE", "3")
    monkeypatch.setenv("XINYONG_RATE_KEY_PER_MINUTE", "5")
    reset_settings()
    client = TestClient(create_app())
    prefix = str(city["token"]).split("_")[1]
    forged = [
        client.get("/api/v1/stats", headers={"Authorization": f"Bearer xy_{prefix}_forged{n}"})
        for n in range(4)
    ]
    assert [r.status_code for r in forged] == [200, 200, 200, 429]  # the address's limit
    real = {"Authorization": f"Bearer {city['token']}"}
    assert [client.get("/api/v1/stats", headers=real).status_code for _ in range(6)] == [
        *[200] * 5,
        429,
    ]
    fresh = TestClient(create_app())
    made_up = [
        fresh.get("/api/v1/stats", headers={"Authorization": f"Bearer xy_fake{n}_secret"})
        for n in range(4)
    ]
    assert [r.status_code for r in made_up] == [200, 200, 200, 429]


def test_oversized_requests_are_refused(
    city: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XINYONG_MAX_REQUEST_BYTES", "1000")
    reset_settings()
    client = TestClient(create_app())
    form = {"content-type": "application/x-www-form-urlencoded"}
    response = client.post("/login", content=b"x" * 5000, headers=form)
    assert response.status_code == 413


def test_expired_key_and_wrong_scope(city: dict[str, object]) -> None:
    with session_scope() as session:
        dept = factories.department(session)
        old = apikeys.create(
            session,
            name="old",
            scopes=["records:read"],
            department_id=dept.id,
            expires_at=utcnow() - timedelta(days=1),
        )
        submit_only = apikeys.create(
            session, name="s", scopes=["records:submit"], department_id=dept.id
        )
    client = TestClient(create_app())
    uscc = city["uscc"]
    expired = client.get(
        f"/api/v1/subjects/{uscc}/records", headers={"Authorization": f"Bearer {old.token}"}
    )
    assert expired.status_code == 401
    wrong = client.get(
        f"/api/v1/subjects/{uscc}/records", headers={"Authorization": f"Bearer {submit_only.token}"}
    )
    assert wrong.status_code == 403


def test_audit_viewer_for_auditors(city: dict[str, object]) -> None:
    with session_scope() as session:
        dept = factories.department(session, "development_reform")
        auth_service.create_account(
            session,
            data=AccountCreate(
                username="audit.or",
                display_name="审计员",
                password=PASSWORD,
                kind="staff",
                role="auditor",
                department_id=dept.id,
            ),
        )
    auditor = TestClient(create_app())
    _login(auditor, "audit.or")
    page = auditor.get("/console/audit")
    assert page.status_code == 200 and "账号 · 新建" in page.text and "信用记录 · 新建" in page.text
    filtered = auditor.get("/console/audit", params={"action": "account.login"})
    assert "账号 · 登录" in filtered.text and "信用记录 · 新建" not in filtered.text
    bad = auditor.get("/console/audit", params={"since": "not-a-date"})
    assert bad.status_code == 422
    staff = TestClient(create_app())
    _login(staff, "wang.fang")
    assert staff.get("/console/audit").status_code == 403


def test_public_never_sees_a_persons_full_name_or_number(city: dict[str, object]) -> None:
    with session_scope() as session:
        person = factories.person(session, name="张小伟")
        number = subjects_service.reveal_id_number(person) or ""
        market = factories.department(session)
        payload = factories.penalty_payload(
            person, market, subject_code=number, decision_date=date.today().isoformat()
        )
        payload.pop("legal_representative", None)
        records_service.submit(
            session,
            actor="test",
            data=RecordCreate(
                subject_id=person.id,
                item_code="admin_penalty",
                department_id=market.id,
                source_record_id="p-1",
                payload=payload,
            ),
        )
    public = TestClient(create_app()).get(f"/api/v1/subjects/{number}/records")
    assert public.status_code == 404 and number not in public.text and "张" not in public.text
    staff = TestClient(create_app())
    _login(staff, "wang.fang")
    token = _csrf(staff.get("/console/").text)
    shared = staff.post(
        "/api/v1/subjects/records",
        json={"code": number, "purpose": "行政许可核查"},
        headers={"X-CSRF-Token": token},
    ).json()
    assert shared[0]["fields"]["subject_name"] == "张小伟" and number not in str(shared)
