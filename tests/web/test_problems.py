"""Issue 19: validation errors read as the field's label and a sentence in the reader's
language; the API keeps ``code`` for machines and answers ``message`` in Chinese unless
English is asked for (``?lang=en`` or Accept-Language)."""

from __future__ import annotations

import re
from typing import Any, Literal

import pytest
from fastapi import FastAPI, Query
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from xinyong.app import _handle_error, _http_error, _invalid_request
from xinyong.core.errors import XinyongError
from xinyong.web.problems import (
    KeyedValueError,
    field_label,
    invalid,
    invalid_choice,
    option_label,
    problems_of,
)

_LATIN_WORDS = re.compile(r"[A-Za-z]{3,}")


class Decision(BaseModel):
    record_id: int = Field(ge=1)
    outcome: Literal["repaired", "refused"]
    reason: str = Field(max_length=5)
    ground: str = "wrong_information"

    @field_validator("ground")
    @classmethod
    def _known(cls, value: str) -> str:
        if value == "bad":
            raise KeyedValueError("rights.err.choose_record")
        return value


def _app() -> FastAPI:
    app = FastAPI()
    app.add_exception_handler(XinyongError, _handle_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)

    @app.post("/api/v1/decide")
    def decide(body: Decision) -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/api/v1/page")
    def page(page: int = Query(1, le=500), date_from: Any = None) -> dict[str, int]:
        return {"page": page}

    @app.get("/page")
    def html_page(page: int = Query(1, le=500)) -> dict[str, int]:
        return {"page": page}

    return app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(_app())


def test_each_problem_type_reads_as_a_chinese_sentence_with_the_fields_label(
    client: TestClient,
) -> None:
    body = {"record_id": 0, "outcome": "kept", "reason": "toolong", "ground": "bad"}
    answer = client.post("/api/v1/decide", json=body)
    assert answer.status_code == 422
    data = answer.json()
    assert data["code"] == "invalid"
    problems = {p["field"]: p for p in data["details"]["problems"]}
    assert problems["record_id"]["reason"] == "不能小于 1"
    assert problems["outcome"]["reason"] == "请从以下选项中选择：予以修复、不予修复"
    assert problems["reason"]["reason"] == "不能超过 5 个字符"
    assert problems["ground"]["reason"] == "请在“我的信用记录”页面选择要提出异议的记录"
    assert {p["type"] for p in problems.values()} >= {"greater_than_equal", "literal_error"}
    assert data["message"] == "信用记录：不能小于 1"
    for problem in problems.values():
        assert not _LATIN_WORDS.search(problem["reason"]), problem


def test_english_is_given_when_asked_for(client: TestClient) -> None:
    body = {"record_id": 1, "outcome": "kept", "reason": "ok"}
    for kwargs in ({"params": {"lang": "en"}}, {"headers": {"Accept-Language": "en-GB,en"}}):
        data = client.post("/api/v1/decide", json=body, **kwargs).json()
        assert data["message"] == "Outcome: choose one of: Repaired, Refused", kwargs
    chinese_first = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
    data = client.post("/api/v1/decide", json=body, headers=chinese_first).json()
    assert data["message"] == "处理结果：请从以下选项中选择：予以修复、不予修复"


def test_missing_fields_bad_numbers_and_page_limits(client: TestClient) -> None:
    data = client.post("/api/v1/decide", json={}).json()
    assert {p["field"] for p in data["details"]["problems"]} == {"record_id", "outcome", "reason"}
    assert all(p["reason"] == "必须填写" for p in data["details"]["problems"])
    assert client.get("/api/v1/page?page=501").json()["message"] == "页码：不能大于 500"
    assert client.get("/api/v1/page?page=x").json()["message"] == "页码：应为整数"
    malformed = client.post(
        "/api/v1/decide", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 422 and "JSON" in malformed.json()["message"]


def test_a_page_shows_the_problem_in_chinese_and_framework_errors_too(
    client: TestClient,
) -> None:
    from xinyong.app import create_app

    app = TestClient(create_app())
    missing = app.get("/no/such/page")
    assert missing.status_code == 404 and "找不到您要访问的页面" in missing.text
    assert "Not Found" not in missing.text
    api_missing = app.get("/api/v1/no/such")
    assert api_missing.json() == {"code": "not_found", "message": "找不到您要访问的页面"}
    english = app.get("/api/v1/no/such?lang=en").json()
    assert english["message"] == "The page you asked for does not exist"
    wrong_method = app.delete("/rules")
    assert wrong_method.status_code in (403, 405)
    if wrong_method.status_code == 405:
        assert "此页面不接受这种请求方式（DELETE）" in wrong_method.text


def test_labels_options_and_helpers() -> None:
    assert field_label("ground", "zh") == "异议理由"
    assert field_label("date_from", "zh") == "开始日期"
    assert field_label("no_such_field", "zh") == "no_such_field"
    assert option_label("ground", "wrong_information", "zh") == "信息有误"
    assert option_label("ground", "nonsense", "zh") == "“nonsense”"
    choice = invalid_choice("outcome[12]", ["repaired", "refused"])
    assert choice.localized("zh") == "处理结果：请从以下选项中选择：予以修复、不予修复"
    assert choice.details["field"] == "outcome[12]"
    long = invalid("statement", "string_too_long", max_length=5000)
    assert long.localized("zh") == "陈述说明：不能超过 5000 个字符"
    assert long.localized("en") == "Statement: must be at most 5000 characters long"
    [odd] = problems_of([{"loc": ("query", "x"), "type": "something_new", "msg": "odd"}])
    assert (odd.zh, odd.en) == ("值无效", "is not valid")


def test_every_request_field_of_the_app_has_a_label() -> None:
    """Each field a route reads (query, path, form, body and the bodies' fields) is named in
    ``field.<name>``, so no validation error shows a bare field name."""
    from pydantic import BaseModel as Model

    from xinyong.app import create_app
    from xinyong.core.i18n import has_text

    names: dict[str, set[str]] = {}

    def models_in(annotation: Any) -> Any:
        import typing

        if isinstance(annotation, type) and issubclass(annotation, Model):
            yield annotation
        for arg in typing.get_args(annotation):
            yield from models_in(arg)

    def model(found: type[Model], path: str, seen: set[type[Model]]) -> None:
        if found in seen:
            return
        seen.add(found)
        for name, spec in found.model_fields.items():
            names.setdefault(spec.alias or name, set()).add(path)
            for sub in models_in(spec.annotation):
                model(sub, path, seen)

    def walk(dependant: Any, path: str) -> None:
        params = dependant.query_params + dependant.path_params + dependant.body_params
        for param in params + dependant.header_params + dependant.cookie_params:
            names.setdefault(param.alias, set()).add(path)
            for sub in models_in(param.field_info.annotation):
                model(sub, path, set())
        for sub in dependant.dependencies:
            walk(sub, path)

    def routes(found: list[Any]) -> Any:
        for route in found:
            included = getattr(route, "original_router", None)
            if included is not None:
                yield from routes(included.routes)
            elif hasattr(route, "dependant"):
                yield route

    for route in routes(create_app().routes):
        walk(route.dependant, route.path)
    assert len(names) > 60
    technical = {"x-api-key", "authorization", "x-csrf-token", "csrf_token", "lang"}
    unlabelled = {
        name: sorted(paths)[:3]
        for name, paths in names.items()
        if name.lower() not in technical and not has_text(f"field.{name}")
    }
    assert not unlabelled, "\n".join(f"{k}: {v}" for k, v in sorted(unlabelled.items()))


def test_a_validators_keyed_refusal_reads_in_both_languages() -> None:
    from xinyong.app import create_app

    app = TestClient(create_app())
    url = "/api/v1/double-publicity/penalty?date_from=2024/01/05"
    answer = app.get(url)
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("开始日期：不是有效日期")
    english = app.get(url + "&lang=en").json()["message"]
    assert english.startswith("From date: is not a valid date")
