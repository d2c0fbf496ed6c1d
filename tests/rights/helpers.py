"""Shared builders for rights tests: applicants, evidence files, penalised subjects."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tests import factories
from xinyong.records.models import Record
from xinyong.rights import cases
from xinyong.rights.evidence import Upload
from xinyong.subjects.models import Subject

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def ofd() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("OFD.xml", "<ofd:OFD/>")
    return buffer.getvalue()


def proof(name: str = "缴款凭证.pdf") -> Upload:
    return Upload(name, PDF, "proof")


def applicant(subject: Subject, channel: str = "portal") -> cases.Applicant:
    return cases.Applicant(
        actor=f"test:subject:{subject.id}", subject_id=subject.id, channel=channel
    )


def penalised(
    session: Session,
    *,
    decided: date = date(2024, 1, 31),
    today: date = date(2024, 6, 1),
    **kw: Any,
) -> tuple[Subject, Record]:
    """An enterprise with one general-tier penalty decided on ``decided``."""
    subject = factories.enterprise(session)
    record = factories.penalty(
        session, subject, decision_date=decided.isoformat(), today=today, **kw
    )
    return subject, record
