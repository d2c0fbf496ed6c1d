"""The landing page and the platform API answer with live figures."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests import factories
from xinyong.app import create_app
from xinyong.core.db import session_scope
from xinyong.subjects import service as subjects_service


def test_landing_page_shows_live_counts(configured_db: str) -> None:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        factories.enterprise(session)
        factories.enterprise(session)
        factories.person(session)
    client = TestClient(create_app())
    page = client.get("/")
    assert page.status_code == 200
    assert "公共信用信息共享平台" in page.text
    assert 'data-figure="subjects">3<' in page.text
    english = client.get("/?lang=en")
    assert "Public Credit Information Sharing Platform" in english.text
    assert english.cookies.get("lang") == "en"
    stats = client.get("/api/v1/stats").json()
    assert stats["subjects"] == 3
    assert stats["subjects_by_kind"] == {"legal_person": 2, "natural_person": 1}
    assert stats["departments"] >= 15
    assert client.get("/api/v1/health").json()["status"] == "ok"
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_errors_render_as_json_for_the_api_and_as_a_page_otherwise(configured_db: str) -> None:
    from xinyong.core.errors import NotFound

    app = create_app()

    def missing() -> None:
        raise NotFound("subject 42 does not exist")

    app.add_api_route("/api/v1/missing", missing)
    app.add_api_route("/missing", missing)
    client = TestClient(app)
    api = client.get("/api/v1/missing")
    assert api.status_code == 404
    assert api.json() == {"code": "not_found", "message": "subject 42 does not exist"}
    page = client.get("/missing")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "出错了" in page.text and "subject 42 does not exist" in page.text


def test_a_nul_character_is_invalid_input_not_a_server_error(configured_db: str) -> None:
    """PostgreSQL keeps no NUL in text: found by schemathesis as a 500 on GET /check-hits."""
    with session_scope() as session:
        subjects_service.sync_departments(session)
    client = TestClient(create_app())
    for address, field in (
        ("/api/v1/subjects?q=%00", "q"),
        ("/api/v1/check-hits?department=%00&overdue=false", "department"),
    ):
        answer = client.get(address)
        assert answer.status_code == 422, (address, answer.text)
        assert answer.json()["code"] == "invalid" and answer.json()["details"]["field"] == field
    page = client.get("/search?q=ab%00c")
    assert page.status_code == 422 and "text/html" in page.headers["content-type"]
    assert client.get("/api/v1/subjects/%00").status_code == 404  # a path naming nothing


def test_a_nul_character_in_a_form_is_invalid_input(configured_db: str) -> None:
    """A form's text field holding a NUL is refused on both stores (SQLite would keep it)."""
    client = TestClient(create_app())
    answer = client.post("/login", data={"username": "adm\x00in", "password": "x"})
    assert answer.status_code == 422 and "text/html" in answer.headers["content-type"]
    assert "NUL" in answer.text
    fine = client.post("/login", data={"username": "nobody", "password": "x"})
    assert fine.status_code != 422  # an ordinary failed login, not an invalid request
