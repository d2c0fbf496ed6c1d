"""Verifying reports: status, signatures, an uploaded PDF against the one issued, offline.

Status is, in this order: revoked, expired (past its validity), data changed since issue
(the subject's data in force is no longer what it was when the report was issued: the
report still verifies as issued, but a new report would differ), valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong.core.db import utcnow
from xinyong.core.errors import Conflict, Invalid
from xinyong.reports import service, signing
from xinyong.reports.models import Report

STATES = ("valid", "expired", "revoked", "data_changed")
SIGNATURE_FORMAT = "xinyong-report-signature/1"


@dataclass(frozen=True)
class Verification:
    """What the verification page and API say about a report."""

    number: str
    state: str
    content_signature_valid: bool
    pdf_signature_valid: bool
    report: Report

    def as_dict(self) -> dict[str, Any]:
        """The public facts of a verification (no personal data beyond the masked subject)."""
        content = self.report.content
        return {
            "number": self.number,
            "state": self.state,
            "type": self.report.type_code,
            "type_name": content["type_name"],
            "subject": {"name": public_subject_name(content), "code": content["subject"]["code"]},
            "issued_at": content["issued_at"],
            "issued_at_local": content["issued_at_local"],
            "valid_until": self.report.valid_until.isoformat(),
            "digest_algorithm": self.report.digest_algorithm,
            "content_digest": self.report.content_digest,
            "pdf_digest": self.report.pdf_digest,
            "key_id": self.report.key_id,
            "content_signature_valid": self.content_signature_valid,
            "pdf_signature_valid": self.pdf_signature_valid,
            "revoked_reason": self.report.revoked_reason,
        }


def public_subject_name(content: dict[str, Any]) -> str:
    """The subject's name as anyone may see it: persons masked."""
    from xinyong.identity import names

    name = str(content["subject"]["name"])
    return names.mask_person_name(name) if content["subject"]["kind"] == "natural_person" else name


def state_of(session: Session, report: Report, *, today: date | None = None) -> str:
    """valid / expired / revoked / data_changed."""
    today = today or service.beijing_today()
    if report.revoked_at is not None:
        return "revoked"
    if report.valid_until < today:
        return "expired"
    current = service.basis_digest(session, subject_id=report.subject_id, as_of=today)
    return "data_changed" if current != report.basis_digest else "valid"


def content_signature_valid(report: Report) -> bool:
    """The stored content still hashes to its digest, and the signature over it holds."""
    data = service.canonical(report.content)
    if signing.digest(report.digest_algorithm, data) != report.content_digest:
        return False
    return signing.verify(report.key_id, data, report.content_signature)


def pdf_signature_valid(report: Report, pdf: bytes) -> bool:
    """The PDF hashes to the signed digest and the signature over that digest holds."""
    digest = signing.digest(report.digest_algorithm, pdf)
    if digest != report.pdf_digest:
        return False
    message = signing.pdf_message(report.number, digest)
    return signing.verify(report.key_id, message, report.pdf_signature)


def check(session: Session, number: str, *, today: date | None = None) -> Verification:
    """Everything the verification page shows about a report number."""
    report = service.get(session, number)
    pdf = service.pdf_of(session, report)
    return Verification(
        report.number,
        state_of(session, report, today=today),
        content_signature_valid(report),
        pdf_signature_valid(report, pdf),
        report,
    )


def matches_upload(session: Session, report: Report, upload: bytes) -> bool:
    """Whether an uploaded file is, byte for byte, the PDF issued under the number, with a
    valid signature."""
    issued = service.pdf_of(session, report)
    return upload == issued and pdf_signature_valid(report, upload)


def revoke(session: Session, *, number: str, reason: str, actor: str) -> Report:
    """Revoke a report (it then verifies as revoked); a reason is required."""
    from xinyong.audit import service as audit_service

    report = service.get(session, number)
    if not reason.strip():
        raise Invalid(
            "撤销报告须说明理由 · a revocation needs a reason", details={"field": "reason"}
        )
    if report.revoked_at is not None:
        raise Conflict(f"报告 {report.number} 已撤销 · already revoked")
    report.revoked_at = utcnow()
    report.revoked_reason = reason.strip()
    session.flush()
    audit_service.append(
        session,
        actor=actor,
        action="report.revoke",
        object_type="report",
        object_id=report.id,
        subject_id=report.subject_id,
        summary={"number": report.number, "reason": report.revoked_reason},
    )
    return report


def signature_file(report: Report) -> dict[str, Any]:
    """The detached signature of a report, for offline verification beside its PDF."""
    key = signing.public_keys().get(report.key_id)
    return {
        "format": SIGNATURE_FORMAT,
        "number": report.number,
        "type": report.type_code,
        "issued_at": report.content["issued_at"],
        "valid_until": report.valid_until.isoformat(),
        "suite": report.suite,
        "key_id": report.key_id,
        "public_key": key.public_hex if key else None,
        "digest_algorithm": report.digest_algorithm,
        "pdf_digest": report.pdf_digest,
        "pdf_signature": report.pdf_signature,
        "content_digest": report.content_digest,
        "content_signature": report.content_signature,
        "content": report.content,
    }


@dataclass(frozen=True)
class OfflineResult:
    """An offline check of a PDF against its detached signature."""

    pdf_ok: bool
    content_ok: bool
    expired: bool
    reason: str


def verify_offline(
    pdf: bytes, signature: dict[str, Any], keys: dict[str, signing.PublicKey], *, today: date
) -> OfflineResult:
    """Check a PDF and its signature file with trusted public keys (never the file's own)."""
    key = keys.get(str(signature.get("key_id")))
    if key is None or signature.get("format") != SIGNATURE_FORMAT:
        return OfflineResult(False, False, False, "未知签名密钥或格式 · unknown key or format")
    algorithm = str(signature["digest_algorithm"])
    digest = signing.digest(algorithm, pdf)
    message = signing.pdf_message(str(signature["number"]), digest)
    pdf_ok = digest == signature["pdf_digest"] and signing.verify_with(
        key, message, str(signature["pdf_signature"])
    )
    data = service.canonical(signature["content"])
    content_ok = (
        signing.digest(algorithm, data) == signature["content_digest"]
        and signature["content"].get("number") == signature["number"]
        and signing.verify_with(key, data, str(signature["content_signature"]))
    )
    expired = date.fromisoformat(str(signature["valid_until"])) < today
    reason = "ok" if pdf_ok and content_ok else "签名不符 · signature does not match"
    return OfflineResult(pdf_ok, content_ok, expired, reason)
