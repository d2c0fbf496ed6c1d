"""The three channels: JSON API (API key), console upload (reporter account), command line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from tests import factories
from tests.conftest import LiveCities
from tests.ingest.conftest import labelled, write_csv
from xinyong.app import create_app
from xinyong.auth import apikeys
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.cli import app as cli_app
from xinyong.core.db import session_scope
from xinyong.records.models import Record
from xinyong.subjects import service as subjects_service

PASSWORD = "Correct-Horse-42"


def _build_city() -> dict[str, object]:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        market = factories.department(session, "market_regulation")
        recent = (date.today() - timedelta(days=2)).isoformat()
        payloads = [
            factories.penalty_payload(factories.enterprise(session), market, decision_date=recent)
            for _ in range(3)
        ]
        auth_service.create_account(
            session,
            data=AccountCreate(
                username="reporter", display_name="报送员", password=PASSWORD, kind="staff",
                role="reporter", department_id=market.id,
            ),
        )  # fmt: skip
        key = apikeys.create(
            session, name="feed", scopes=["records:submit"], department_id=market.id
        )
        facts: dict[str, object] = {"payloads": payloads, "token": key.token, "dept": market.key}
    return facts


@pytest.fixture
def city(live_city: LiveCities) -> Iterator[dict[str, object]]:
    with live_city(extras=_build_city) as built:
        yield built.facts


def test_api_key_submits_records_and_reads_the_report(city: dict[str, object]) -> None:
    client = TestClient(create_app())
    auth = {"Authorization": f"Bearer {city['token']}"}
    payloads = city["payloads"]
    assert isinstance(payloads, list)
    body = {"item": "admin_penalty", "mode": "partial", "records": [*payloads, {"x": 1}]}
    answer = client.post("/api/v1/submissions", json=body, headers=auth)
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert (report["rows"], report["accepted"], report["rejected"]) == (4, 3, 1)
    assert report["errors"][0]["row"] == 4
    again = client.get(f"/api/v1/submissions/{report['batch_id']}", headers=auth)
    assert again.json()["accepted"] == 3
    strict = client.post("/api/v1/submissions", json={**body, "mode": "strict"}, headers=auth)
    assert strict.status_code == 422 and strict.json()["code"] == "batch_refused"
    assert strict.json()["details"]["report"]["rejected"] == 4
    ledger = client.get("/api/v1/ledger", headers=auth).json()
    assert ledger[0]["submissions"] == 2 and ledger[0]["rows"] == 8


def test_api_file_upload_and_withdrawal(city: dict[str, object], tmp_path: Path) -> None:
    client = TestClient(create_app())
    auth = {"Authorization": f"Bearer {city['token']}"}
    payloads = city["payloads"]
    assert isinstance(payloads, list)
    path = write_csv(tmp_path / "p.csv", "admin_penalty", payloads)
    answer = client.post(
        "/api/v1/submissions/file",
        data={"item": "admin_penalty"},
        files={"file": ("处罚.csv", path.read_bytes(), "text/csv")},
        headers=auth,
    )
    assert answer.status_code == 201, answer.text
    batch = answer.json()["batch_id"]
    assert answer.json()["report_url"] == f"/api/v1/submissions/{batch}/report.xlsx"
    xlsx = client.get(f"/api/v1/submissions/{batch}/report.xlsx", headers=auth)
    assert xlsx.status_code == 200
    rows = list(load_workbook(BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 4
    number = payloads[0]["decision_number"]
    withdrawn = client.post(
        "/api/v1/withdrawals",
        json={
            "item": "admin_penalty",
            "withdrawals": [{"source_record_id": number, "reason": "复议撤销"}],
        },
        headers=auth,
    )
    assert withdrawn.status_code == 201 and withdrawn.json()["accepted"] == 1
    with session_scope() as session:
        states = {
            r.state
            for r in session.scalars(select(Record).where(Record.source_record_id == number))
        }
    assert states == {"revoked"}


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_console_upload_shows_the_result(city: dict[str, object], tmp_path: Path) -> None:
    client = TestClient(create_app())
    token = _csrf(client.get("/login").text)
    client.post("/login", data={"username": "reporter", "password": PASSWORD, "csrf_token": token})
    page = client.get("/console/ingest")
    assert page.status_code == 200 and "报送数据" in page.text
    payloads = city["payloads"]
    assert isinstance(payloads, list)
    broken = [*payloads, {**payloads[0], "decision_number": "X-1", "fine_amount": "<script>"}]
    path = write_csv(tmp_path / "p.csv", "admin_penalty", broken)
    answer = client.post(
        "/console/ingest",
        data={"item": "admin_penalty", "mode": "partial", "csrf_token": _csrf(page.text)},
        files={"file": ("p.csv", path.read_bytes(), "text/csv")},
    )
    assert answer.status_code == 200 and "部分入库" in answer.text
    assert "&lt;script&gt;" in answer.text and "<script>" not in answer.text
    assert "report.xlsx" in answer.text
    empty = client.post(
        "/console/ingest",
        data={"item": "admin_penalty", "mode": "strict", "csrf_token": _csrf(page.text)},
        files={"file": ("空.csv", b"", "text/csv")},
    )
    assert "文件为空" in empty.text and "the file is empty" not in empty.text
    assert "report.xlsx" not in empty.text  # a file that could not be read has no report
    assert client.get("/console/ingest/ledger").status_code == 200


def test_cli_json_report(city: dict[str, object], tmp_path: Path) -> None:
    payloads = city["payloads"]
    assert isinstance(payloads, list)
    path = write_csv(tmp_path / "p.csv", "admin_penalty", payloads)
    result = CliRunner().invoke(
        cli_app,
        ["ingest", str(path), "--item", "admin_penalty", "--dept", str(city["dept"]), "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {
        "batch_id",
        "status",
        "rows",
        "accepted",
        "rejected",
        "corrected",
        "unchanged",
        "errors",
    } <= set(report)
    assert report["accepted"] == 3
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(labelled("admin_penalty", payloads[0])) + "\n", encoding="utf-8")
    refused = CliRunner().invoke(
        cli_app,
        ["ingest", str(bad), "--item", "admin_penalty", "--dept", str(city["dept"]), "--json"],
    )
    assert refused.exit_code == 1 and json.loads(refused.output)["status"] == "refused"
