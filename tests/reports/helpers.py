"""Shared set-up of the report tests: a firm with penalties, a bank with its authorisation."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from tests import factories
from xinyong.auth import authorisations
from xinyong.auth import service as auth_service
from xinyong.auth.principal import Principal
from xinyong.auth.schemas import AuthorisationCreate, OrganisationCreate
from xinyong.core.db import utcnow
from xinyong.records.models import Record
from xinyong.reports import service
from xinyong.subjects.models import Subject

FULL_ID = factories.id_number(region="320505", birth=date(1979, 3, 8), sex="M")
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "reports"


@dataclass
class Firm:
    subject: Subject
    penalties: list[Record]
    bank: Principal
    owner: Principal


def firm(session: Session, *, penalties: int = 3, today: date | None = None) -> Firm:
    """A firm with recent penalties (its legal representative named, with an ID number), its
    own principal, and a bank holding the firm's live authorisation."""
    today = today or date.today()
    subject = factories.enterprise(session, name="苏州市瑞丰精密机械有限公司")
    records = [
        factories.penalty(
            session,
            subject,
            decision_date=(today - timedelta(days=30 + i)).isoformat(),
            legal_representative="王建国",
            legal_representative_id_number=FULL_ID,
            today=today,
        )
        for i in range(penalties)
    ]
    organisation = auth_service.create_organisation(
        session, data=OrganisationCreate(kind="bank", name="苏州银行股份有限公司测试支行")
    )
    authorisations.grant(
        session,
        subject_id=subject.id,
        data=AuthorisationCreate(
            organisation_id=organisation.id,
            scope=["*"],
            purpose="信易贷授信审查",
            expires_at=utcnow() + timedelta(days=30),
        ),
        granted_by=None,
    )
    bank = Principal(
        kind="organisation",
        role="org_user",
        account_id=990001,
        organisation_id=organisation.id,
        label="信贷员 (loan)",
    )
    owner = Principal(
        kind="subject", role="subject", account_id=990002, subject_id=subject.id, label="瑞丰"
    )
    return Firm(subject, records, bank, owner)


def issue(
    session: Session,
    who: Principal,
    subject: Subject,
    type_code: str = "public_legal",
    channel: str = "online",
    purpose: str = "招投标资格审查",
) -> service.Report:
    """Issue a report through the service."""
    request = service.Request(subject.id, type_code, purpose, who, channel)
    return service.issue(session, request=request)


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF as poppler's pdftotext extracts it."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        done = subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", handle.name, "-"],
            capture_output=True,
            check=True,
        )
    return done.stdout.decode("utf-8")


def render_pages(pdf: bytes, name: str) -> list[Path]:
    """Render the PDF's pages to PNG with pdftoppm (kept under var/test-artifacts/reports)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), str(ARTIFACTS / name)], check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))
