"""Report pages and API through the app: self-service, authorised requests, the public
verification page with upload, console counter / batch / register / figures, the CLI."""

from __future__ import annotations

import json
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests import factories
from tests.reports.helpers import FULL_ID
from xinyong.app import create_app
from xinyong.auth import authorisations
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate, AuthorisationCreate, OrganisationCreate
from xinyong.cli import app as cli_app
from xinyong.core.db import session_scope, utcnow
from xinyong.subjects import service as subjects_service

PASSWORD = "Correct-Horse-42"


@dataclass
class City:
    code: str
    other_code: str
    penalty_number: str


def _account(session: object, username: str, **binding: object) -> None:
    data = AccountCreate(username=username, display_name=username, password=PASSWORD, **binding)
    auth_service.create_account(session, data=data)  # type: ignore[arg-type]


@pytest.fixture
def city(configured_db: str) -> Iterator[City]:
    from datetime import date, timedelta

    with session_scope() as session:
        subjects_service.sync_departments(session)
        firm = factories.enterprise(session, name="苏州市恒达食品贸易有限公司")
        other = factories.enterprise(session)
        recent = (date.today() - timedelta(days=40)).isoformat()
        penalty = factories.penalty(
            session,
            firm,
            decision_date=recent,
            today=date.today(),
            legal_representative_id_number=FULL_ID,
        )
        bank = auth_service.create_organisation(
            session, data=OrganisationCreate(kind="bank", name="苏州测试银行")
        )
        authorisations.grant(
            session,
            subject_id=firm.id,
            granted_by=None,
            data=AuthorisationCreate(
                organisation_id=bank.id,
                scope=["*"],
                purpose="贷款审批",
                expires_at=utcnow() + timedelta(days=10),
            ),
        )
        _account(session, "hengda", kind="subject", role="subject", subject_id=firm.id)
        _account(session, "loans", kind="organisation", role="org_user", organisation_id=bank.id)
        dept = factories.department(session)
        _account(session, "clerk", kind="staff", role="department_user", department_id=dept.id)
        _account(session, "boss", kind="staff", role="admin", department_id=dept.id)
        assert firm.uscc and other.uscc
        made = City(firm.uscc, other.uscc, penalty.source_record_id)
    yield made


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _login(username: str) -> TestClient:
    client = TestClient(create_app())
    token = _token(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return client


def _number(location: str) -> str:
    return location.rsplit("/", 1)[-1]


def test_self_service_verify_and_upload(city: City) -> None:
    owner = _login("hengda")
    page = owner.get("/portal/me/reports")
    assert page.status_code == 200 and "在线自助出具信用报告" in page.text
    response = owner.post(
        "/portal/me/reports",
        data={"type": "public_legal", "purpose": "工程投标", "csrf_token": _token(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    number = _number(response.headers["location"])
    view = owner.get(f"/reports/{number}")
    assert "三、行政处罚信息" in view.text and city.penalty_number in view.text
    pdf = owner.get(f"/reports/{number}/pdf").content
    assert pdf.startswith(b"%PDF")
    mine = owner.get("/portal/me/reports").text
    assert number in mine and "投标" in mine
    public = TestClient(create_app())
    assert public.get(f"/reports/{number}").status_code == 404  # not the public's to read
    verify = public.get(f"/verify/{number}")
    assert (
        verify.status_code == 200
        and "有效" in verify.text
        and "苏州市恒达食品贸易有限公司" in verify.text
    )
    token = _token(verify.text)
    good = public.post(
        f"/verify/{number}",
        data={"csrf_token": token},
        files={"file": ("r.pdf", pdf, "application/pdf")},
    )
    assert "完全一致" in good.text
    bad = public.post(
        f"/verify/{number}",
        data={"csrf_token": token},
        files={"file": ("r.pdf", pdf[:200] + b"#" + pdf[201:], "application/pdf")},
    )
    assert "不一致" in bad.text
    assert public.get("/verify/XY20990101FFFFFFFF").status_code == 404


def test_api_request_get_download_verify_and_refusals(city: City) -> None:
    bank = _login("loans")
    token = _token(bank.get("/reports/request").text)
    headers = {"x-csrf-token": token}
    made = bank.post(
        "/api/v1/reports",
        json={"subject": city.code, "type": "bank", "purpose": "授信审查"},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    number = made.json()["number"]
    body = bank.get(f"/api/v1/reports/{number}").json()
    assert body["channel"] == "authorised" and FULL_ID not in json.dumps(body, ensure_ascii=False)
    xlsx = bank.get(f"/api/v1/reports/{number}/xlsx")
    assert xlsx.status_code == 200 and zipfile.is_zipfile(BytesIO(xlsx.content))
    pdf = bank.get(f"/api/v1/reports/{number}/pdf").content
    anyone = TestClient(create_app())  # a visitor: the verification page gives the form token
    visitor_token = _token(anyone.get(f"/verify/{number}").text)
    checked = anyone.post(
        f"/api/v1/reports/{number}/verify",
        files={"file": ("r.pdf", pdf, "application/pdf")},
        headers={"x-csrf-token": visitor_token},
    )
    assert checked.status_code == 200, checked.text
    assert checked.json()["file_matches"] is True and checked.json()["state"] == "valid"
    refused = bank.post(
        "/api/v1/reports",
        json={"subject": city.other_code, "type": "bank", "purpose": "授信审查"},
        headers=headers,
    )
    assert refused.status_code == 403 and "授权" in refused.json()["message"]
    unknown = bank.post(
        "/api/v1/reports",
        json={"subject": city.code, "type": "nope", "purpose": "授信审查"},
        headers=headers,
    )
    assert unknown.status_code == 404 and "报告类型" in unknown.json()["message"]
    owner = _login("hengda")
    assert number in owner.get("/portal/me/reports").text  # the subject sees who asked


def test_console_counter_batch_register_figures(city: City) -> None:
    clerk = _login("clerk")
    page = clerk.get(f"/console/reports/counter?code={city.code}")
    assert page.status_code == 200 and "苏州市恒达食品贸易有限公司" in page.text
    form = {
        "csrf_token": _token(page.text),
        "code": city.code,
        "type": "public_legal",
        "purpose": "资质申报",
        "applicant": "李四",
        "identity_document": "身份证 1234",
    }
    unchecked = clerk.post("/console/reports/counter", data=form)
    assert unchecked.status_code == 422 and "核验" in unchecked.text
    issued = clerk.post(
        "/console/reports/counter", data={**form, "identity_checked": "yes"}, follow_redirects=False
    )
    assert issued.status_code == 303
    batch_page = clerk.get("/console/reports/batch")
    upload = clerk.post(
        "/console/reports/batch",
        data={"csrf_token": _token(batch_page.text), "type": "special", "purpose": "评优评先"},
        files={
            "file": (
                "list.csv",
                f"代码\n{city.code}\n{city.other_code}\n91NOPE\n".encode(),
                "text/csv",
            )
        },
        follow_redirects=False,
    )
    assert upload.status_code == 303
    batch_url = upload.headers["location"]
    for _ in range(300):
        if "已完成" in clerk.get(batch_url).text:
            break
        time.sleep(0.2)
    done = clerk.get(batch_url).text
    assert "已完成" in done and "91NOPE" in done and "未找到该主体" in done
    archive = zipfile.ZipFile(BytesIO(clerk.get(batch_url + "/zip").content))
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == 2 and "manifest.csv" in archive.namelist()
    boss = _login("boss")
    register = boss.get("/console/reports?channel=counter").text
    assert "资质申报" in register and "李四" in register and "评优评先" not in register
    figures = boss.get("/api/v1/report-stats").json()
    assert figures["by_channel"] == {"batch": 2, "counter": 1} and figures["total"] == 3
    assert "出具统计" in boss.get("/console/reports/figures").text


def test_cli_issue_and_offline_verify(city: City, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "r.pdf"
    result = runner.invoke(
        cli_app,
        [
            "reports",
            "issue",
            city.code,
            "--type",
            "special",
            "--purpose",
            "招投标资格",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    keys = tmp_path / "keys.json"
    keys.write_text(runner.invoke(cli_app, ["reports", "keys"]).output, encoding="utf-8")
    ok = runner.invoke(cli_app, ["reports", "verify", str(out), "--public-key", str(keys)])
    assert ok.exit_code == 0 and "签名有效" in ok.output
    data = bytearray(out.read_bytes())
    data[len(data) // 3] ^= 1
    tampered = tmp_path / "t.pdf"
    tampered.write_bytes(bytes(data))
    sig = tmp_path / "t.pdf.sig.json"
    sig.write_text((tmp_path / "r.pdf.sig.json").read_text(encoding="utf-8"), encoding="utf-8")
    bad = runner.invoke(cli_app, ["reports", "verify", str(tampered)])
    assert bad.exit_code == 1 and "核验失败" in bad.output
    codes = tmp_path / "codes.txt"
    codes.write_text(f"{city.code}\n{city.other_code}\n", encoding="utf-8")
    zipped = tmp_path / "out.zip"
    batch = runner.invoke(
        cli_app,
        [
            "reports",
            "batch",
            str(codes),
            "--type",
            "special",
            "--purpose",
            "评优评先",
            "--out",
            str(zipped),
        ],
    )
    assert batch.exit_code == 0, batch.output
    assert len([n for n in zipfile.ZipFile(zipped).namelist() if n.endswith(".pdf")]) == 2
