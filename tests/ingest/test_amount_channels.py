"""Every form of the issue's table and every placeholder, through each channel, on each store:
a GBK file on the command line, records through the JSON API, a file on the console's upload
page. The stored records hold the amount in 万元 and the currency as its ISO 4217 code."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from tests import factories
from tests.ingest import files
from tests.ingest.test_amounts import FORMS, PLACEHOLDERS
from xinyong.app import create_app
from xinyong.auth import apikeys
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.cli import app as cli_app
from xinyong.core.db import session_scope
from xinyong.records.models import Record
from xinyong.subjects import service as subjects_service

PASSWORD = "Correct-Horse-42"
CASES: list[tuple[str, str | None, str | None]] = [
    *FORMS,
    *((raw, None, None) for raw in PLACEHOLDERS),
]
CAPITAL = "注册资本(出资额)"


def _payloads() -> list[dict[str, Any]]:
    """Registration payloads of distinct subjects, one per case."""
    seen: dict[str, dict[str, Any]] = {}
    for payload in files.payloads("registration", 400, seed=24):
        seen.setdefault(payload["subject_code"], payload)
    chosen = list(seen.values())[: len(CASES)]
    assert len(chosen) == len(CASES)
    return chosen


@pytest.fixture
def market(configured_db: str) -> Iterator[dict[str, str]]:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        dept = factories.department(session, "market_regulation")
        auth_service.create_account(
            session,
            data=AccountCreate(
                username="reporter", display_name="报送员", password=PASSWORD, kind="staff",
                role="reporter", department_id=dept.id,
            ),
        )  # fmt: skip
        key = apikeys.create(session, name="feed", scopes=["records:submit"], department_id=dept.id)
        facts = {"dept": dept.key, "token": key.token}
    yield facts


def _csv(path: Path) -> Path:
    """The cases as a registration export: GBK, template headers, empty 币种 column."""
    item = files.item("registration")
    rows = []
    for payload, (raw, _, _) in zip(_payloads(), CASES, strict=True):
        cells = {s.label.zh: files.cell_text(payload.get(s.name)) for s in item.fields}
        rows.append(cells | {CAPITAL: raw, "币种": ""})
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _stored() -> dict[str, tuple[str | None, str | None]]:
    with session_scope() as session:
        records = session.scalars(
            select(Record).where(Record.item_code == "registration", Record.is_current)
        )
        return {
            r.payload["subject_code"]: (
                r.payload.get("registered_capital"),
                r.payload.get("currency"),
            )
            for r in records
        }


def _expected() -> dict[str, tuple[str | None, str | None]]:
    return {
        payload["subject_code"]: (amount, currency)
        for payload, (_, amount, currency) in zip(_payloads(), CASES, strict=True)
    }


def _check(report: dict[str, Any]) -> None:
    assert report["rejected"] == 0, report["errors"][:5]
    assert report["rows"] == len(CASES)
    assert _stored() == _expected()


def test_cli(market: dict[str, str], tmp_path: Path) -> None:
    path = _csv(tmp_path / "登记.csv")
    result = CliRunner().invoke(
        cli_app,
        ["ingest", str(path), "--item", "registration", "--dept", market["dept"], "--json"],
    )
    assert result.exit_code == 0, result.output
    _check(json.loads(result.output))


def test_api(market: dict[str, str]) -> None:
    records = []
    for payload, (raw, _, _) in zip(_payloads(), CASES, strict=True):
        record = {k: v for k, v in payload.items() if k != "currency"}
        records.append(record | {"registered_capital": raw})
    answer = TestClient(create_app()).post(
        "/api/v1/submissions",
        json={"item": "registration", "mode": "strict", "records": records},
        headers={"Authorization": f"Bearer {market['token']}"},
    )
    assert answer.status_code == 201, answer.text
    _check(answer.json())


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_console_upload(market: dict[str, str], tmp_path: Path) -> None:
    client = TestClient(create_app())
    token = _csrf(client.get("/login").text)
    client.post("/login", data={"username": "reporter", "password": PASSWORD, "csrf_token": token})
    page = client.get("/console/ingest")
    path = _csv(tmp_path / "登记.csv")
    answer = client.post(
        "/console/ingest",
        data={"item": "registration", "mode": "strict", "csrf_token": _csrf(page.text)},
        files={"file": ("登记.csv", path.read_bytes(), "text/csv")},
    )
    assert answer.status_code == 200
    assert "全部入库" in answer.text, answer.text[:2000]
    assert _stored() == _expected()


def test_console_upload_names_what_is_not_understood(
    market: dict[str, str], tmp_path: Path
) -> None:
    client = TestClient(create_app())
    token = _csrf(client.get("/login").text)
    client.post("/login", data={"username": "reporter", "password": PASSWORD, "csrf_token": token})
    page = client.get("/console/ingest")
    path = tmp_path / "登记.csv"
    item = files.item("registration")
    payload = _payloads()[0]
    cells = {s.label.zh: files.cell_text(payload.get(s.name)) for s in item.fields}
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(cells))
        writer.writeheader()
        writer.writerow(cells | {CAPITAL: "五百万元", "币种": ""})
    answer = client.post(
        "/console/ingest",
        data={"item": "registration", "mode": "partial", "csrf_token": _csrf(page.text)},
        files={"file": ("登记.csv", path.read_bytes(), "text/csv")},
    )
    assert answer.status_code == 200
    assert "金额“五百万元”无法识别" in answer.text and "100(万元人民币)" in answer.text
