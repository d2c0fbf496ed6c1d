"""Counter codes through real HTTP requests: the portal's open-account and reset pages, the
JSON API, the console page that issues codes, the limits on tries and the login link."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests import factories
from tests.conftest import LiveCities
from xinyong.accounts.counter import forms
from xinyong.app import create_app
from xinyong.audit.models import AuditEntry
from xinyong.auth import counter
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core.db import session_scope
from xinyong.subjects import service as subjects_service
from xinyong.web.limits import RateLimiter

PASSWORD = "Correct-Horse-42"
NEW_PASSWORD = "Battery-Staple-77"
COMPANY = "苏州市柜台码测试科技有限公司"


def _build() -> dict[str, Any]:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        market = factories.department(session, "market_regulation")
        companies = [
            factories.enterprise(session, name=f"{COMPANY[:-6]}{n}号有限公司") for n in range(4)
        ]
        for username, role in (("counter.clerk", "department_user"), ("reporter.one", "reporter")):
            auth_service.create_account(
                session,
                data=AccountCreate(
                    username=username, display_name=username, password=PASSWORD,
                    kind="staff", role=role, department_id=market.id,
                ),
            )  # fmt: skip
        codes = [
            counter.issue(session, subject_code=c.uscc or "", issued_by=None) for c in companies
        ]
        number = factories.id_number(birth=date(1991, 7, 8))
        factories.person(session, name="司马柜台", id_number=number)
        return {
            "usccs": [c.uscc for c in companies],
            "codes": codes,
            "names": [c.name for c in companies],
            "id_number": number,
        }


@pytest.fixture
def city(live_city: LiveCities, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setattr(forms, "ATTEMPTS", RateLimiter())  # each test its own window of tries
    with live_city(extras=_build) as built:
        yield built.facts


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _register(
    client: TestClient, uscc: str, code: str, username: str = "acme.open", **extra: str
) -> Any:
    token = _csrf(client.get("/register").text)
    data = {
        "subject_code": uscc, "code": code, "username": username, "display_name": "测试企业",
        "password": PASSWORD, "password2": PASSWORD, "csrf_token": token, **extra,
    }  # fmt: skip
    return client.post("/register", data=data)


def _login(client: TestClient, username: str, password: str = PASSWORD) -> int:
    token = _csrf(client.get("/login").text)
    data = {"username": username, "password": password, "csrf_token": token}
    return client.post("/login", data=data, follow_redirects=False).status_code


def test_the_portal_links_to_login_and_login_to_opening(city: dict[str, Any]) -> None:
    client = TestClient(create_app())
    assert 'href="/login"' in client.get("/").text
    login = client.get("/login").text
    assert 'href="/register"' in login and 'href="/login/reset"' in login
    page = client.get("/register")
    assert page.status_code == 200 and "开通账户" in page.text and "窗口验证码" in page.text
    assert "Open an account" in client.get("/register", params={"lang": "en"}).text


def test_opening_an_account_on_the_portal(city: dict[str, Any]) -> None:
    client = TestClient(create_app())
    uscc, code = city["usccs"][0], city["codes"][0]
    mismatch = _register(client, uscc, code, password2="Other-Horse-42")
    assert mismatch.status_code == 422 and "两次输入的密码不一致" in mismatch.text
    bad_name = _register(client, uscc, code, username="a b")
    assert bad_name.status_code == 422 and "用户名" in bad_name.text
    opened = _register(client, uscc, code)
    assert opened.status_code == 201 and "账户已开通" in opened.text
    assert _login(client, "acme.open") == 303
    assert client.get("/api/v1/me").json()["kind"] == "subject"
    assert 'href="/portal/me">我的<' in client.get("/").text  # the header knows who is in
    again = _register(TestClient(create_app()), uscc, code, username="acme.twice")
    assert again.status_code == 422 and "已使用过" in again.text
    english = TestClient(create_app())
    english.cookies.set("lang", "en")
    assert "has been used" in _register(english, uscc, code, username="acme.en").text


def test_wrong_codes_lock_the_subject_out_on_the_portal(city: dict[str, Any]) -> None:
    client = TestClient(create_app())
    uscc, code = city["usccs"][1], city["codes"][1]
    answers = [_register(client, uscc, f"0000-1111-222{n}") for n in range(counter.MAX_WRONG)]
    assert [a.status_code for a in answers] == [422] * counter.MAX_WRONG
    assert "不正确" in answers[0].text and "输错验证码次数过多" in answers[-1].text
    refused = _register(client, uscc, code)
    assert refused.status_code == 422 and "已作废" in refused.text
    with session_scope() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "counter_code.locked" in actions


def test_too_many_tries_from_one_address_are_refused(city: dict[str, Any]) -> None:
    client = TestClient(create_app())
    statuses = [
        _register(client, city["usccs"][n % 4], f"9999-8888-77{n:02d}").status_code
        for n in range(forms.PER_ADDRESS + 1)
    ]
    assert statuses[: forms.PER_ADDRESS] == [422] * forms.PER_ADDRESS
    assert statuses[-1] == 429
    page = _register(client, city["usccs"][2], city["codes"][2])
    assert page.status_code == 429 and "尝试过于频繁" in page.text


def test_the_api_opens_an_account_and_resets_its_password(city: dict[str, Any]) -> None:
    client = TestClient(create_app())
    # like every unsafe request without an API key: the session's token (app-wide CSRF check)
    client.headers["X-CSRF-Token"] = _csrf(client.get("/register").text)
    uscc, code = city["usccs"][2], city["codes"][2]
    body = {
        "subject_code": uscc,
        "code": code,
        "username": "api.open",
        "display_name": "测试企业",
        "password": PASSWORD,
    }
    wrong = client.post("/api/v1/auth/open-account", json={**body, "code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid"
    assert wrong.json()["details"]["field"] == "code"
    opened = client.post("/api/v1/auth/open-account", json=body)
    assert opened.status_code == 201 and opened.json() == {
        "username": "api.open",
        "kind": "subject",
    }
    reused = client.post("/api/v1/auth/open-account", json={**body, "username": "api.twice"})
    assert reused.status_code == 422
    with session_scope() as session:
        reset_code = counter.issue(session, subject_code=uscc, purpose="reset", issued_by=None)
    reset = {"subject_code": uscc, "code": reset_code, "password": NEW_PASSWORD}
    assert client.post("/api/v1/auth/reset-password", json=reset).status_code == 200
    assert client.post("/api/v1/auth/reset-password", json=reset).status_code == 422
    assert _login(client, "api.open", NEW_PASSWORD) == 303


def test_resetting_a_password_on_the_portal(city: dict[str, Any]) -> None:
    client = TestClient(create_app())
    uscc = city["usccs"][3]
    assert _register(client, uscc, city["codes"][3], username="reset.me").status_code == 201
    with session_scope() as session:
        code = counter.issue(session, subject_code=uscc, purpose="reset", issued_by=None)
    token = _csrf(client.get("/login/reset").text)
    form = {
        "subject_code": uscc,
        "code": code,
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "csrf_token": token,
    }
    done = client.post("/login/reset", data=form)
    assert done.status_code == 200 and "密码已重置" in done.text
    assert _login(client, "reset.me") == 401 and _login(client, "reset.me", NEW_PASSWORD) == 303


def test_counter_staff_issue_codes_from_the_console(city: dict[str, Any]) -> None:
    clerk = TestClient(create_app())
    assert _login(clerk, "counter.clerk") == 303
    found = clerk.get("/console/accounts/codes", params={"q": "柜台码测试"})
    assert found.status_code == 200 and found.text.count('name="subject_id"') == 4
    assert "发放开户验证码" in found.text
    by_code = clerk.get("/console/accounts/codes", params={"q": city["usccs"][0]})
    assert by_code.text.count('name="subject_id"') == 1
    person = clerk.get("/console/accounts/codes", params={"q": "司马柜台"})
    assert 'name="subject_id"' not in person.text  # a person by the ID card only, not by name
    by_card = clerk.get("/console/accounts/codes", params={"q": city["id_number"]})
    assert by_card.text.count('name="subject_id"') == 1 and "司马柜台" in by_card.text
    assert city["id_number"] not in by_card.text.split('name="q"')[-1].split("</form>", 1)[-1]
    subject_id = re.search(r'name="subject_id" value="(\d+)"', by_code.text)
    assert subject_id
    form = {
        "subject_id": subject_id.group(1),
        "purpose": "open",
        "q": city["usccs"][0],
        "csrf_token": _csrf(by_code.text),
    }
    issued = clerk.post("/console/accounts/codes", data=form)
    shown = re.search(r'id="issued-code">([0-9A-F-]{14})<', issued.text)
    assert issued.status_code == 200 and shown and issued.headers["cache-control"] == "no-store"
    assert shown.group(1) not in clerk.get("/console/accounts/codes").text  # shown once
    assert (
        _register(TestClient(create_app()), city["usccs"][0], city["codes"][0]).status_code == 422
    )  # void
    opened = _register(TestClient(create_app()), city["usccs"][0], shown.group(1))
    assert opened.status_code == 201
    again = clerk.post("/console/accounts/codes", data=form)  # opened now: no opening code
    assert again.status_code == 409 and "已开通账户" in again.text
    with session_scope() as session:
        issues = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "counter_code.issue")
        ).all()
    assert any(e.actor.startswith("account:") for e in issues)
    reporter = TestClient(create_app())
    assert _login(reporter, "reporter.one") == 303
    assert reporter.get("/console/accounts/codes").status_code == 403
