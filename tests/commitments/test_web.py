"""Pages and API: the sign flow of a logged-in subject, publicity on public pages and the open
API (特定范围 to government only, 不公开 never), counter entry, bulk import and the CLI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests import factories
from tests.conftest import LiveCities
from xinyong.app import create_app
from xinyong.auth import apikeys
from xinyong.auth import service as auth_service
from xinyong.auth.models import QueryLog
from xinyong.auth.schemas import AccountCreate
from xinyong.cli import app as cli_app
from xinyong.commitments import service, uses
from xinyong.commitments.models import Commitment
from xinyong.core.db import session_scope
from xinyong.reports import sources
from xinyong.subjects import service as subjects_service

PASSWORD = "Correct-Horse-42"
TODAY = date(2026, 12, 1)


@dataclass
class Facts:
    uscc: str
    other_uscc: str
    public: str
    government: str
    hidden: str
    market_key: str
    other_key: str


def _seed() -> Facts:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        firm = factories.enterprise(session, name="苏州市承诺测试建设有限公司")
        other = factories.enterprise(session, name="苏州市另一家测试有限公司")
        data = AccountCreate(username="firm", display_name="承诺", password=PASSWORD,
                             kind="subject", role="subject", subject_id=firm.id)  # fmt: skip
        auth_service.create_account(session, data=data)
        housing = factories.department(session, "housing_construction")
        auth_service.create_account(
            session,
            data=AccountCreate(username="housing", display_name="住建", password=PASSWORD,
                               kind="staff", role="department_user", department_id=housing.id),
        )  # fmt: skip
        made = {}
        for template, kind in (
            ("construction_drawing_review", "housing_construction"),
            ("certificate_notification", "market_regulation"),
            ("industry_self_discipline", "commerce"),
        ):
            dept = factories.department(session, kind)
            made[template] = service.create(
                session,
                signing_=service.Signing(template, other.id, dept.id, "counter", "seed",
                                         date(2026, 11, 2)),
            ).number  # fmt: skip
        market = factories.department(session, "market_regulation")
        key = apikeys.create(session, name="审批系统", scopes=["commitments:write"],
                             department_id=market.id)  # fmt: skip
        ecology = factories.department(session, "ecology_environment")
        other_key = apikeys.create(session, name="生态", scopes=["commitments:write"],
                                   department_id=ecology.id)  # fmt: skip
        return Facts(
            firm.uscc or "", other.uscc or "", made["construction_drawing_review"],
            made["certificate_notification"], made["industry_self_discipline"], key.token,
            other_key.token,
        )  # fmt: skip


@pytest.fixture
def city(live_city: LiveCities) -> Iterator[Facts]:
    with live_city(extras=_seed) as built:
        yield built.facts


def _login(client: TestClient, username: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    answer = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_subject_signs_the_text_it_saw(city: Facts) -> None:
    client = TestClient(create_app())
    _login(client, "firm")
    form = client.get(
        "/portal/commitments/sign", params={"template": "construction_drawing_review"}
    )
    assert form.status_code == 200 and "施工图审查合格书" in form.text
    text = re.search(r'name="text" value="([^"]+)"', form.text)
    assert text
    import html

    shown = html.unescape(text.group(1))
    tampered = client.post(
        "/portal/commitments/sign",
        data={"csrf_token": _token(form.text), "template": "construction_drawing_review",
              "text": shown.replace("补齐", "补交"), "confirm": "yes"},
        follow_redirects=False,
    )  # fmt: skip
    assert tampered.status_code == 409 and "承诺书内容已变化" in tampered.text
    signed = client.post(
        "/portal/commitments/sign",
        data={"csrf_token": _token(form.text), "template": "construction_drawing_review",
              "text": shown, "confirm": "yes"},
        follow_redirects=False,
    )  # fmt: skip
    assert signed.status_code == 303
    number = signed.headers["location"].rsplit("/", 1)[-1]
    page = client.get(f"/commitments/{number}")
    assert 'data-signature="valid"' in page.text and shown in page.text
    mine = client.get("/portal/me/commitments")
    assert number in mine.text
    with session_scope() as session:
        c = service.get(session, number)
        assert c.text == shown and c.channel == "online" and service.verify(c)


def test_publicity_on_public_pages_and_the_open_api(city: Facts) -> None:
    anonymous = TestClient(create_app())
    browse = anonymous.get("/commitments").text
    assert city.public in browse
    assert city.government not in browse and city.hidden not in browse
    listed = anonymous.get("/api/v1/commitments", params={"limit": 500}).json()["items"]
    numbers = {row["number"] for row in listed}
    assert city.public in numbers and not numbers & {city.government, city.hidden}
    for number in (city.government, city.hidden):
        assert anonymous.get(f"/commitments/{number}").status_code == 404
        assert anonymous.get(f"/api/v1/commitments/{number}").status_code == 404
    by_subject = anonymous.get("/commitments", params={"subject": city.other_uscc}).text
    assert city.public in by_subject and city.hidden not in by_subject
    english = anonymous.get("/commitments", params={"lang": "en"}).text
    assert "Published credit commitments" in english and "Accepting an incomplete file" in english
    page = anonymous.get(f"/subjects/{city.other_uscc}").text
    assert city.public in page and "信用承诺" in page
    assert city.government not in page and city.hidden not in page
    with session_scope() as session:
        subject = subjects_service.find_by_code(session, city.other_uscc)
        assert subject is not None
        for audience, expected in (
            ("public", {city.public}),
            ("government", {city.public, city.government}),
            ("subject", {city.public, city.government, city.hidden}),
        ):
            rows = uses.report_rows(session, sources.SourceRequest(subject.id, audience, TODAY))
            got = {f["value"]["zh"] for r in rows for f in r["fields"] if f["name"] == "number"}
            assert got == expected, audience
    receiving = {"Authorization": f"Bearer {city.market_key}"}  # the department that received it
    seen = anonymous.get("/api/v1/commitments", params={"limit": 500}, headers=receiving).json()
    got = {row["number"] for row in seen["items"]}
    assert city.government in got and city.hidden not in got
    assert anonymous.get(f"/api/v1/commitments/{city.hidden}", headers=receiving).status_code == 404
    other = {"Authorization": f"Bearer {city.other_key}"}  # another department: with a purpose
    plain = anonymous.get("/api/v1/commitments", params={"limit": 500}, headers=other).json()
    assert city.government not in {row["number"] for row in plain["items"]}
    no_purpose = anonymous.get(f"/api/v1/commitments/{city.government}", headers=other)
    assert no_purpose.status_code == 422 and no_purpose.json()["details"] == {"field": "purpose"}
    purpose = {"purpose": "食品经营许可核查"}
    read = anonymous.get(f"/api/v1/commitments/{city.government}", params=purpose, headers=other)
    assert read.status_code == 200
    listed_for = anonymous.get(
        "/api/v1/commitments", params={"limit": 500, **purpose}, headers=other
    ).json()
    got = {row["number"] for row in listed_for["items"]}
    assert city.government in got and city.hidden not in got
    with session_scope() as session:
        registered = session.scalars(
            select(QueryLog.purpose).where(QueryLog.subject_id == subject.id)
        ).all()
    assert registered == ["食品经营许可核查", "食品经营许可核查"]


def test_approval_system_pushes_one_and_refuses_hostile_input(city: Facts) -> None:
    client = TestClient(create_app())
    headers = {"Authorization": f"Bearer {city.market_key}"}
    body = {"template": "certificate_notification", "subject_code": city.uscc,
            "external_ref": "SP-001"}  # fmt: skip
    made = client.post("/api/v1/commitments", json=body, headers=headers)
    assert made.status_code == 201, made.text
    assert made.json()["signature"]["valid"] and made.json()["channel"] == "api"
    again = client.post("/api/v1/commitments", json=body, headers=headers)
    assert again.status_code == 409
    wrong = client.post(
        "/api/v1/commitments",
        json={"template": "construction_drawing_review", "subject_code": city.uscc},
        headers=headers,
    )
    assert wrong.status_code == 422 and wrong.json()["details"] == {"field": "department"}
    unknown = client.post(
        "/api/v1/commitments", json={"template": "x", "subject_code": city.uscc}, headers=headers
    )
    assert unknown.status_code == 422 and unknown.json()["details"] == {"field": "template"}
    number = made.json()["number"]
    big = client.post(
        f"/api/v1/commitments/{number}/fulfilment",
        json={"condition": "record_check", "outcome": "fulfilled", "evidence": "证" * 3000},
        headers=headers,
    )
    assert big.status_code == 422 and big.json()["details"] == {"field": "evidence"}
    ok = client.post(
        f"/api/v1/commitments/{number}/fulfilment",
        json={"condition": "record_check", "outcome": "fulfilled", "evidence": "核查无记录"},
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()["status"] == "fulfilled"
    with session_scope() as session:
        count = session.scalar(select(func.count()).select_from(Commitment))
    assert count == 4


def test_bulk_and_cli_import_all_or_nothing(city: Facts, tmp_path: Path) -> None:
    client = TestClient(create_app())
    headers = {"Authorization": f"Bearer {city.market_key}"}
    rows = [{"template": "market_access", "subject_code": city.uscc, "signed_on": "2026-11-01"}]
    duplicate = [*rows, {**rows[0], "number": city.public}]
    refused = client.post("/api/v1/commitments/bulk", json={"items": duplicate}, headers=headers)
    assert refused.status_code == 422 and city.public in refused.text
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Commitment)) == 3
    assert client.post("/api/v1/commitments/bulk", json={"items": rows * 3},
                       headers=headers).json() == {"created": 3}  # fmt: skip
    csv = tmp_path / "c.csv"
    csv.write_text(
        "template,department,subject_code,signed_on\n"
        f"market_access,sz_scjgj,{city.uscc},2026-10-09\n"
        f"market_access,sz_zjj,{city.uscc},2026-10-09\n",
        encoding="utf-8",
    )
    bad = CliRunner().invoke(cli_app, ["commitments", "import", str(csv), "--today", "2026-12-01"])
    assert bad.exit_code == 1 and "第 3 行" in bad.output
    csv.write_text(
        "template,department,subject_code,signed_on\n"
        f"market_access,sz_scjgj,{city.uscc},2026-10-09\n",
        encoding="utf-8",
    )
    good = CliRunner().invoke(cli_app, ["commitments", "import", str(csv), "--today", "2026-12-01"])
    assert good.exit_code == 0, good.output
    scan = CliRunner().invoke(cli_app, ["commitments", "overdue", "--today", "2027-12-01"])
    assert scan.exit_code == 0 and "commitments overdue" in scan.output
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Commitment)) == 7
        overdue = session.scalar(
            select(func.count()).select_from(Commitment).where(Commitment.status == "overdue")
        )
        assert overdue == 7


def test_counter_entry_and_breach_in_the_console(city: Facts) -> None:
    client = TestClient(create_app())
    _login(client, "housing")
    form = client.get("/console/commitments/counter")
    assert form.status_code == 200
    wrong = client.post(
        "/console/commitments/counter",
        data={"csrf_token": _token(form.text), "template": "market_access",
              "subject_code": city.uscc},
    )  # fmt: skip
    assert wrong.status_code == 422 and "不办理" in wrong.text
    made = client.post(
        "/console/commitments/counter",
        data={"csrf_token": _token(form.text), "template": "construction_drawing_review",
              "subject_code": city.uscc},
        follow_redirects=False,
    )  # fmt: skip
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert "违诺认定" in page.text and "施工图审查合格书" in page.text
    refused = client.post(
        made.headers["location"] + "/breach",
        data={"csrf_token": _token(page.text), "reasons": "逾期", "evidence": "核查"},
    )
    assert refused.status_code == 409 and "不能认定违诺" in refused.text
    home = client.get("/console/commitments")
    assert home.status_code == 200 and "现行承诺书模板" in home.text


def test_the_demo_city_has_commitments(live_city: LiveCities) -> None:
    with live_city(subjects=200, seed=3, records_per_subject=2, anchor=date(2026, 11, 1)):
        with session_scope() as session:
            made = list(session.scalars(select(Commitment)))
            demo = [c for c in made if c.signed_by == "demo"]
            assert len(demo) == 8
            assert {"fulfilled", "overdue", "in_force"} <= {c.status for c in demo}
            repairs = [c for c in made if c.signed_by != "demo"]  # the demo's repair cases
            assert all(c.kind == "信用修复" and c.external_ref for c in repairs)
            assert all(service.verify(c) for c in made)
        page = TestClient(create_app()).get("/commitments").text
        assert "建筑工程施工许可证核发" in page


def test_figures_and_withdrawal(city: Facts) -> None:
    anonymous = TestClient(create_app())
    public = anonymous.get("/api/v1/commitments/figures").json()
    assert public["total"] == 1 and public["by_kind"] == {"容缺受理": 1}
    client = TestClient(create_app())
    _login(client, "housing")
    page = client.get(f"/console/commitments/{city.public}")
    assert "撤回承诺" in page.text
    refused = client.post(
        f"/console/commitments/{city.public}/withdraw",
        data={"csrf_token": _token(page.text), "reason": " "},
    )
    assert refused.status_code == 422
    done = client.post(
        f"/console/commitments/{city.public}/withdraw",
        data={"csrf_token": _token(page.text), "reason": "申请人撤回施工许可申请"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = anonymous.get(f"/commitments/{city.public}").text
    assert "已撤回" in shown and "· 签署" in shown and "· 撤回" in shown
    home = client.get("/console/commitments").text
    assert "履约率" in home and "违诺率" in home
    assert anonymous.get("/api/v1/commitments/figures").json()["by_status"] == {"withdrawn": 1}
