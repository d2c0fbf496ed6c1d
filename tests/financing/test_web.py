"""信易贷 over HTTP on both stores: the bank roles on the new routes, the bank system's key
reading under the firm's authorisation (403 and registered once revoked), the firm seeing
every read on /portal/me, decisions refused without their fields, the office's pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.conftest import LiveCities
from tests.financing.conftest import PASSWORD, application_data, build
from tests.webkit import login
from xinyong.app import create_app
from xinyong.auth import apikeys
from xinyong.core.db import session_scope
from xinyong.financing import applications


@dataclass
class Seeded:
    application_id: int
    product_id: int
    bank_key: str
    other_key: str


def _seed() -> Seeded:
    from tests import factories
    from xinyong.auth import service as auth_service
    from xinyong.auth.schemas import AccountCreate

    with session_scope() as session:
        world = build(session)
        app = applications.apply(session, principal=world.firm_p, data=application_data(world))
        dept = factories.department(session, "development_reform")
        auth_service.create_account(
            session,
            data=AccountCreate(
                username="office", display_name="信用办", password=PASSWORD, kind="staff",
                role="admin", department_id=dept.id,
            ),
        )  # fmt: skip
        key = apikeys.create(
            session, name="bank", scopes=["financing:bank"], organisation_id=world.bank_id
        )
        other = apikeys.create(
            session, name="other", scopes=["financing:bank"], organisation_id=world.other_bank_id
        )
        return Seeded(app.id, world.pure.id, key.token, other.token)


@pytest.fixture(scope="module")
def city(live_city: LiveCities) -> Iterator[Seeded]:
    with live_city(departments=True, extras=_seed) as built:
        yield built.facts


ROLES = ("officer", "headadmin", "manager", "otherofficer")
APP = "/api/v1/financing/applications/{id}"
ROLE_ROUTES: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("GET", "/bank/financing"): (200, 200, 403, 200),
    ("GET", "/bank/financing/products"): (403, 200, 200, 403),
    ("GET", APP): (200, 200, 403, 404),
    ("GET", "/api/v1/financing/needs"): (200, 200, 403, 200),
    ("GET", APP + "/risk"): (200, 200, 403, 404),
    ("GET", "/portal/financing"): (403, 403, 403, 403),
    ("GET", "/console/financing"): (403, 403, 403, 403),
}


@pytest.mark.parametrize(("method", "path"), sorted(ROLE_ROUTES))
def test_bank_roles(city: Seeded, method: str, path: str) -> None:
    """Loan officer of the branch, the head office's branch admin, the product manager, a
    loan officer of another bank."""
    concrete = path.replace("{id}", str(city.application_id))
    got = tuple(
        login(name, csrf_header=True).request(method, concrete, follow_redirects=False).status_code
        for name in ROLES
    )
    assert got == ROLE_ROUTES[(method, path)]


def test_a_refused_feedback_comes_back_on_the_page_with_the_values(city: Seeded) -> None:
    officer = login("officer", csrf_header=True)
    path = f"/bank/financing/applications/{city.application_id}"
    form = {"outcome": "granted", "amount": 500000, "term_months": 12, "granted_on": "2026-01-05"}
    refused = officer.post(path + "/decision", data=form, follow_redirects=False)
    assert refused.status_code == 422
    page = refused.text
    assert "该反馈结果须填写：年利率（%）" in page and 'id="rate-error"' in page
    assert 'name="rate" inputmode="decimal" maxlength="8" value="" aria-invalid="true"' in page
    assert 'name="amount" min="1" value="500000"' in page and 'value="2026-01-05"' in page
    assert '<option value="granted" selected>' in page and 'id="amount-error"' not in page
    future = officer.post(
        path + "/decision?lang=en", data={**form, "rate": "3.85", "granted_on": "2999-01-01"}
    )
    assert future.status_code == 422 and 'id="granted_on-error"' in future.text
    assert "the date granted cannot be in the future" in future.text
    assert 'value="3.85"' in future.text
    state = officer.get(f"/api/v1/financing/applications/{city.application_id}").json()
    assert state["state"] == "submitted"  # nothing of a refused feedback is kept


def test_bank_system_reads_under_authorisation_until_revoked(city: Seeded) -> None:
    client = TestClient(create_app())
    bank = {"Authorization": f"Bearer {city.bank_key}"}
    other = {"Authorization": f"Bearer {city.other_key}"}
    base = f"/api/v1/financing/applications/{city.application_id}"
    queue = client.get("/api/v1/financing/applications", headers=bank).json()
    assert [row["id"] for row in queue] == [city.application_id]
    assert client.get("/api/v1/financing/applications", headers=other).json() == []
    report = client.get(base + "/report", headers=bank)
    assert report.status_code == 200 and report.json()["content"]["type"] == "bank"
    assert client.get(base + "/data", headers=bank).status_code == 200
    assert client.get(base + "/report", headers=other).status_code == 404
    refused = client.post(
        base + "/decision", headers=bank, json={"outcome": "granted", "amount": 1}
    )
    assert refused.status_code == 422 and "rate_bp" in refused.json()["details"]["missing"]
    firm = login("firm", csrf_header=True)
    assert firm.post(base + "/revoke").status_code == 200
    gone = client.get(base + "/report", headers=bank)
    assert gone.status_code == 403 and "授权不存在" in gone.json()["message"]
    english = client.get(base + "/report?lang=en", headers=bank)
    assert "no live authorisation" in english.json()["message"]
    me = firm.get("/portal/me").text
    assert f"信易贷贷前审查（申请 {city.application_id}）" in me and "已拒绝" in me
    assert "pre-loan review" not in me  # the purpose in the reader's language
    decided = client.post(base + "/decision", headers=bank, json={"outcome": "accepted"})
    assert decided.status_code == 200 and decided.json()["state"] == "accepted"


def test_firm_page_and_office_pages(city: Seeded) -> None:
    firm = login("firm", csrf_header=True)
    page = firm.get(f"/portal/financing?product={city.product_id}")
    assert page.status_code == 200 and "纯信用快贷" in page.text and "提交申请并授权" in page.text
    form = {"product_id": city.product_id, "amount": 10, "term_months": 12, "purpose": "测试"}
    refused = firm.post("/portal/financing/apply", data=form)
    assert refused.status_code == 422 and "申请金额须在 100000 元至 3000000 元之间" in refused.text
    assert len(firm.get("/api/v1/financing/applications").json()) == 1  # nothing was kept
    short = firm.post("/portal/financing/apply", data={**form, "amount": 200000, "purpose": "x"})
    assert short.status_code == 422 and "至少需要 2 个字符" in short.text  # the field's rule
    assert "String should" not in short.text
    office = login("office", csrf_header=True)
    paid = office.post("/console/financing/fund", data={"amount": "1000000", "note": "注资"})
    assert paid.status_code == 200  # followed to the overview
    overview = office.get("/console/financing")
    assert overview.status_code == 200 and "风险补偿资金池" in overview.text
    assert "1,000,000" in overview.text and "台账核对一致" in overview.text
    figures = office.get("/console/financing/figures?group=month")
    assert figures.status_code == 200 and "<svg" in figures.text
    workbook = office.get("/console/financing/figures.xlsx?group=product")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    english = TestClient(create_app()).get(f"/financing/products/{city.product_id}?lang=en")
    assert (
        "Pure credit loan" in english.text and "Not on the serious-dishonesty list" in english.text
    )
    public = TestClient(create_app()).get("/financing/products?kind=pure_credit")
    assert "纯信用快贷" in public.text and "政采贷" not in public.text.split("<table")[1]
