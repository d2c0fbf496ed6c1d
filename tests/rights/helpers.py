"""Shared builders for rights tests: applicants, evidence files, penalised subjects."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tests import factories
from xinyong.catalog import service as catalog_service
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.schemas import RecordCreate
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


def item_record(
    session: Session,
    subject: Subject,
    item_code: str,
    payload: dict[str, Any],
    *,
    department_kind: str = "market_regulation",
    today: date = date(2026, 6, 1),
) -> Record:
    """A record of any item for this subject, its common subject fields filled in."""
    dept = factories.department(session, department_kind)
    item = catalog_service.get_catalog().item(item_code)
    full = {
        "subject_name": subject.name,
        "subject_type": subject.kind,
        "subject_code": subject.uscc,
        **payload,
    }
    data = RecordCreate(
        subject_id=subject.id,
        item_code=item_code,
        department_id=dept.id,
        source_record_id=item.source_record_id(full) or "x",
        payload=full,
    )
    return records_service.submit(session, data=data, actor="test", today=today).record


def serious_listing(session: Session, subject: Subject, basis: Record) -> Record:
    """A serious-dishonesty list entry resting on ``basis``'s decision."""
    dept = factories.department(session)
    return item_record(
        session,
        subject,
        "serious_dishonesty_list",
        {
            "list_name": "市场监督管理严重违法失信名单",
            "dishonest_facts": "拒不履行行政处罚决定",
            "listing_basis": "《市场监督管理严重违法失信名单管理办法》第二条",
            "basis_numbers": f"其他文号;{basis.source_record_id}",
            "decision_number": f"苏市监列〔2025〕{basis.id}号",
            "decision_date": "2025-03-01",
            "authority_name": dept.name_zh,
            "authority_code": dept.code,
        },
    )
