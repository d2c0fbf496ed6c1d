"""The command line issues every version of a report (both stores): public, the subject's
own (and a person's own report), authorised for an organisation holding the subject's live
authorisation, and government; in Chinese or, with --lang en, in English. Each verifies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import factories
from tests.reports.helpers import FULL_ID, pdf_text
from xinyong.auth import authorisations
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AuthorisationCreate, OrganisationCreate
from xinyong.cli import app as cli_app
from xinyong.core.db import session_scope, utcnow
from xinyong.reports.models import Report
from xinyong.subjects import service as subjects_service

PERSON_ID = factories.id_number(region="320505", birth=date(1988, 2, 3), sex="F")


@dataclass
class City:
    code: str
    penalty_number: str
    bank_id: int
    stranger_id: int


@pytest.fixture
def city(configured_db: str) -> Iterator[City]:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        firm = factories.enterprise(session, name="苏州市恒达食品贸易有限公司")
        penalty = factories.penalty(
            session,
            firm,
            decision_date=(date.today() - timedelta(days=40)).isoformat(),
            today=date.today(),
            legal_representative_id_number=FULL_ID,
        )
        factories.person(session, name="李晓梅", id_number=PERSON_ID)
        bank, stranger = (
            auth_service.create_organisation(session, data=OrganisationCreate(kind="bank", name=n))
            for n in ("苏州测试银行", "无授权银行")
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
        assert firm.uscc
        made = City(firm.uscc, penalty.source_record_id, bank.id, stranger.id)
    yield made


def _issue(tmp_path: Path, code: str, name: str, *args: str) -> tuple[int, str, Path]:
    out = tmp_path / f"{name}.pdf"
    result = CliRunner().invoke(
        cli_app, ["reports", "issue", code, "--purpose", "测试出具", "--out", str(out), *args]
    )
    return result.exit_code, result.output, out


def _verified(tmp_path: Path, out: Path) -> bool:
    keys = tmp_path / "keys.json"
    keys.write_text(CliRunner().invoke(cli_app, ["reports", "keys"]).output, encoding="utf-8")
    ok = CliRunner().invoke(cli_app, ["reports", "verify", str(out), "--public-key", str(keys)])
    return ok.exit_code == 0


def _audience(out: Path) -> str:
    number = json.loads(Path(str(out) + ".sig.json").read_text(encoding="utf-8"))["number"]
    with session_scope() as session:
        report = session.query(Report).filter(Report.number == number).one()
        return report.audience


def test_every_version_from_the_command_line(city: City, tmp_path: Path) -> None:
    versions = {
        "public": ("public_legal", []),
        "subject": ("special", []),
        "authorised": ("bank", ["--organisation", str(city.bank_id)]),
        "government": ("public_legal", []),
    }
    texts = {}
    for audience, (type_code, extra) in versions.items():
        code, output, out = _issue(
            tmp_path, city.code, audience, "--type", type_code, "--as", audience, *extra
        )
        assert code == 0, output
        assert _audience(out) == audience and _verified(tmp_path, out)
        texts[audience] = pdf_text(out.read_bytes())
    assert FULL_ID not in texts["public"] and FULL_ID not in texts["authorised"]
    assert "行政处罚" in texts["public"] and "授权" in texts["authorised"] + texts["subject"]
    person = _issue(tmp_path, PERSON_ID, "person", "--type", "personal_own", "--as", "subject")
    assert person[0] == 0, person[1]
    assert "李晓梅" in pdf_text(person[2].read_bytes())
    refused = _issue(tmp_path, city.code, "x", "--type", "bank", "--as", "authorised")
    assert refused[0] == 1 and "--organisation" in refused[1]
    stranger = _issue(
        tmp_path,
        city.code,
        "y",
        "--type",
        "bank",
        "--as",
        "authorised",
        "--organisation",
        str(city.stranger_id),
    )
    assert stranger[0] == 1 and "授权" in stranger[1]  # no live authorisation by the subject
    wrong = _issue(tmp_path, city.code, "z", "--type", "bank", "--as", "government")
    assert wrong[0] == 1  # the bank version is not issued to government


def test_an_english_report(city: City, tmp_path: Path) -> None:
    code, output, out = _issue(
        tmp_path,
        city.code,
        "en",
        "--type",
        "public_legal",
        "--lang",
        "en",
        "--xlsx",
        str(tmp_path / "en.xlsx"),
    )
    assert code == 0, output
    text = pdf_text(out.read_bytes())
    assert "Administrative penalties" in text and "Page 1 of" in text
    assert "行政处罚信息" not in text and city.penalty_number in text
    assert _verified(tmp_path, out)
