"""A partner proposes a scenario, the credit office publishes it, the public sees it; a bad
proposal is refused naming the key; an individual business prints its static shop code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import yaml
from fastapi.testclient import TestClient

from tests import factories
from tests.conftest import LiveCities
from xinyong.app import create_app
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate, OrganisationCreate
from xinyong.core.config import get_settings
from xinyong.core.db import session_scope
from xinyong.identity.kinds import SubjectKind
from xinyong.incentives import config
from xinyong.incentives.views import qr_data_uri
from xinyong.subjects import service as subjects_service
from xinyong.subjects.schemas import SubjectCreate

PASSWORD = "Correct-Horse-42"


@dataclass
class Seeded:
    shop_uscc: str


def _account(session: object, username: str, kind: str, **extra: object) -> None:
    role = {"staff": "admin", "organisation": "org_user", "subject": "subject"}[kind]
    data = AccountCreate(
        username=username,
        display_name=username,
        password=PASSWORD,
        kind=kind,
        role=role,
        **extra,  # type: ignore[arg-type]
    )
    auth_service.create_account(session, data=data)  # type: ignore[arg-type]


def _seed() -> Seeded:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        office = factories.department(session, "development_reform")
        library = auth_service.create_organisation(
            session, data=OrganisationCreate(kind="provider", name="市图书馆")
        )
        shop = subjects_service.create(
            session,
            data=SubjectCreate(
                kind=SubjectKind.individual_business,
                name="苏州市姑苏区老街面馆",
                uscc=factories.uscc("92"),
            ),
        )
        _account(session, "office", "staff", department_id=office.id)
        _account(session, "library", "organisation", organisation_id=library.id)
        _account(session, "shop", "subject", subject_id=shop.id)
        return Seeded(shop.uscc or "")


@pytest.fixture
def city(live_city: LiveCities) -> Iterator[Seeded]:
    with live_city(extras=_seed) as built:
        yield built.facts


def _login(username: str) -> tuple[TestClient, str]:
    client = TestClient(create_app())
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert fresh
    return client, fresh.group(1)


def _proposal(**changes: object) -> str:
    body = config.shipped()["xinyixing_bike"].model_dump(mode="json")
    body.update(
        code="xinyiyue_library",
        category="xinyiyue",
        name={"zh": "信易阅 · 免押金借阅", "en": "Credit-easy reading"},
        partner={"name": "随便写的名字", "outlets": ["市图书馆总馆"]},
        **changes,
    )
    return yaml.safe_dump(body, allow_unicode=True)


def test_propose_publish_and_show(city: Seeded) -> None:
    partner, csrf = _login("library")
    bad = partner.post(
        "/partner/scenarios",
        data={"definition": _proposal(quota={"per_holder": 0}), "csrf_token": csrf},
    )
    assert bad.status_code == 422 and "quota.per_holder" in bad.text
    done = partner.post("/partner/scenarios", data={"definition": _proposal(), "csrf_token": csrf})
    assert done.status_code == 200 and "已提交" in done.text
    again = partner.post("/partner/scenarios", data={"definition": _proposal(), "csrf_token": csrf})
    assert again.status_code == 422 and "已被使用" in again.text
    assert "信易阅 · 免押金借阅" not in TestClient(create_app()).get("/incentives").text

    office, csrf = _login("office")
    console = office.get("/console/incentives")
    assert console.status_code == 200 and "信易阅 · 免押金借阅" in console.text
    found = re.search(r"/console/incentives/proposals/(\d+)/decide", console.text)
    assert found
    decided = office.post(
        found.group(0),
        data={"outcome": "publish", "note": "同意", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    twice = office.post(found.group(0), data={"outcome": "reject", "csrf_token": csrf})
    assert twice.status_code == 409

    public = TestClient(create_app())
    page = public.get("/incentives").text
    assert "信易阅 · 免押金借阅" in page and "市图书馆" in page and "随便写的名字" not in page
    listed = {s["code"]: s for s in public.get("/api/v1/incentives/scenarios").json()}
    assert listed["xinyiyue_library"]["source"] == "partner"
    assert listed["xinyiyue_library"]["partner"]["name"] == "市图书馆"
    english = public.get("/incentives?lang=en").text
    assert "Credit-easy reading" in english and "Not on the" in english


def test_an_individual_business_prints_its_static_code(city: Seeded) -> None:
    shop, _ = _login("shop")
    page = shop.get("/portal/me/code/print")
    assert page.status_code == 200
    url = f"{get_settings().public_url.rstrip('/')}/subjects/{city.shop_uscc}"
    assert url in page.text
    # the picture is segno's encoding of exactly that address
    assert qr_data_uri(url).replace("&", "&amp;") in page.text or qr_data_uri(url) in page.text
    assert "/portal/me/code/print" in shop.get("/portal/me/code").text
