"""信易+ through the app on a committed database (both stores): the partner API, the holder's
code page decoded from its QR image, and concurrent redemptions racing for one use or one
quota (threads, each with its own writing session as a request has): exactly one wins."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests import factories
from tests.conftest import LiveCities
from tests.incentives import helpers
from xinyong.app import create_app
from xinyong.auth import apikeys
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core.db import session_scope, write_session
from xinyong.incentives import verify as verification
from xinyong.incentives.models import QuotaCounter, Redemption
from xinyong.subjects.models import Subject

PASSWORD = "Correct-Horse-42"
SCENIC = "xinyiyou_scenic"


@dataclass
class Seeded:
    key: str
    holder_id: int
    holder_name: str


def _seed() -> Seeded:
    with session_scope() as session:
        from xinyong.subjects import service as subjects_service

        subjects_service.sync_departments(session)
        org_id, key, _ = helpers.partner(session, "市文旅集团")
        person = factories.person(
            session, name="王守信", id_number=factories.id_number(birth=date(1980, 2, 3))
        )
        helpers.graded(session, person, "A", date.today())
        for username, kind, extra in (
            ("holder", "subject", {"subject_id": person.id}),
            ("scenic", "organisation", {"organisation_id": org_id}),
        ):
            data = AccountCreate(
                username=username,
                display_name=username,
                password=PASSWORD,
                kind=kind,
                role="subject" if kind == "subject" else "org_user",
                **extra,
            )
            auth_service.create_account(session, data=data)
        return Seeded(key, person.id, person.name)


@pytest.fixture
def city(live_city: LiveCities) -> Iterator[Seeded]:
    with live_city(extras=_seed) as built:
        yield built.facts


def _issue(holder_id: int) -> str:
    with session_scope() as session:
        subject = session.get(Subject, holder_id)
        assert subject is not None
        return verification.issue_code(session, principal=helpers.holder(subject)).token


def _race(key: str, calls: list[tuple[str, str]]) -> list[str]:
    """Verify (token, outlet) pairs at once, each in its own writing session."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = [""] * len(calls)

    def scan(index: int, token: str, outlet: str) -> None:
        session = write_session()
        try:
            principal = apikeys.authenticate(session, key)
            session.commit()
            barrier.wait(timeout=30)
            answer = verification.verify(
                session, principal=principal, scenario_code=SCENIC, token=token, outlet=outlet
            )
            session.commit()
            results[index] = answer.status
        except Exception as error:
            session.rollback()
            results[index] = f"error: {error!r}"
        finally:
            session.close()

    threads = [
        threading.Thread(target=scan, args=(i, token, outlet))
        for i, (token, outlet) in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_outlets_scanning_one_token_at_once_one_wins(city: Seeded) -> None:
    token = _issue(city.holder_id)
    results = _race(city.key, [(token, "古城景区南门"), (token, "湖滨景区东门")])
    assert sorted(results) == ["already_used", "eligible"], results
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Redemption)) == 1


def test_two_tokens_racing_for_a_one_a_month_quota_one_wins(city: Seeded) -> None:
    tokens = [_issue(city.holder_id) for _ in range(3)]
    results = _race(city.key, [(t, "古城景区南门") for t in tokens])
    assert sorted(results) == ["eligible", "quota_reached", "quota_reached"], results
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Redemption)) == 1
        used = session.scalars(select(QuotaCounter.used).order_by(QuotaCounter.holder)).all()
        assert list(used) == [1, 1]  # the holder's month and the scenario's total


def _login(client: TestClient, username: str) -> str:
    page = client.get("/login").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": found.group(1)},
        follow_redirects=False,
    )
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert csrf
    return csrf.group(1)


def test_the_api_answers_only_the_agreed_fields(city: Seeded) -> None:
    client = TestClient(create_app())
    headers = {"Authorization": f"Bearer {city.key}"}
    token = _issue(city.holder_id)
    body = {"scenario": SCENIC, "token": token, "outlet": "古城景区南门"}
    first = client.post("/api/v1/incentives/verify", json=body, headers=headers)
    again = client.post("/api/v1/incentives/verify", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    for answer, status in ((first.json(), "eligible"), (again.json(), "already_used")):
        assert list(answer) == list(verification.ANSWER_KEYS)
        assert answer["status"] == status and set(answer["message"]) == {"zh", "en"}
    assert first.json()["holder"] == "王*信" and again.json()["holder"] is None
    foreign = client.post(
        "/api/v1/incentives/verify",
        json={**body, "scenario": "xinyiyi_deposit_free"},
        headers=headers,
    )
    assert foreign.status_code == 403
    keys = client.get("/api/v1/incentives/keys").json()
    assert keys["lifetime_seconds"] == 180 and keys["keys"]
    own = client.get("/api/v1/incentives/figures", headers=headers).json()
    assert {row["code"] for row in own} == {SCENIC, "xinyizu_equipment"}
    assert next(r for r in own if r["code"] == SCENIC)["redemptions"] == 1


def test_the_code_page_then_the_partner_scans_its_token(city: Seeded) -> None:
    holder = TestClient(create_app())
    _login(holder, "holder")
    page = holder.get("/portal/me/code")
    assert page.status_code == 200
    text = page.text
    assert "信易游 · 景区免票" in text and "信易医 · 住院免押金" in text
    assert 'src="data:image/svg+xml' in text
    token = re.search(r'id="code-token">([^<]+)<', text)
    assert token
    partner = TestClient(create_app())
    csrf = _login(partner, "scenic")
    assert 'href="/partner/scan"' in partner.get("/portal/me").text
    assert 'href="/portal/me/code"' in holder.get("/portal/me").text
    answer = partner.post(
        "/partner/scan",
        data={
            "scenario": SCENIC,
            "token": token.group(1),
            "outlet": "古城景区南门",
            "csrf_token": csrf,
        },
    )
    assert (
        answer.status_code == 200 and "符合条件，已核销" in answer.text and "王*信" in answer.text
    )
    assert "王守信" not in answer.text
    mine = holder.get("/portal/me/code").text
    assert "古城景区南门" in mine  # the holder sees the redemption
    refreshed = holder.post("/portal/me/code/refresh", headers={"X-CSRF-Token": _csrf(holder)})
    assert refreshed.status_code == 200 and refreshed.json()["token"] != token.group(1)


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found
    return found.group(1)
