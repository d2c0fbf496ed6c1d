"""Signatures on both suites, key rotation, and verification states (revoked, expired, data
changed since issue)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tests.reports.helpers import firm, issue
from xinyong.core.config import reset_settings
from xinyong.records import service as records_service
from xinyong.records.states import RecordState
from xinyong.reports import service, signing, verify


@pytest.fixture(params=["international", "national"])
def suite(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("XINYONG_CRYPTO_SUITE", request.param)
    reset_settings()
    yield str(request.param)
    monkeypatch.delenv("XINYONG_CRYPTO_SUITE")
    reset_settings()


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def test_one_byte_anywhere_breaks_the_signatures(session: Session, suite: str) -> None:
    f = firm(session, penalties=1)
    report = issue(session, f.owner, f.subject)
    assert report.suite == ("sm2" if suite == "national" else "ed25519")
    assert report.digest_algorithm == ("sm3" if suite == "national" else "sha256")
    pdf = service.pdf_of(session, report)
    assert verify.pdf_signature_valid(report, pdf) and verify.matches_upload(session, report, pdf)
    for at in (0, len(pdf) // 2, len(pdf) - 1):
        assert not verify.pdf_signature_valid(report, _flip(pdf, at))
        assert not verify.matches_upload(session, report, _flip(pdf, at))
    assert verify.content_signature_valid(report)
    data = service.canonical(report.content)
    assert signing.verify(report.key_id, data, report.content_signature)
    for at in (10, len(data) // 2, len(data) - 2):
        assert not signing.verify(report.key_id, _flip(data, at), report.content_signature)
    report.content = {**report.content, "purpose": "另一用途"}
    assert not verify.content_signature_valid(report)


def test_rotated_key_still_verifies_old_reports(
    session: Session, suite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = firm(session, penalties=1)
    old = issue(session, f.owner, f.subject)
    old_key = old.key_id
    monkeypatch.setenv("XINYONG_REPORT_SIGNING_KEY", "rotated-signing-key-" + "r" * 30)
    monkeypatch.setenv(
        "XINYONG_REPORT_SIGNING_KEYS_PREVIOUS", '["dev-only-report-signing-key-change-me"]'
    )
    reset_settings()
    new = issue(session, f.owner, f.subject)
    assert new.key_id != old_key
    for report in (old, new):
        assert verify.check(session, report.number).content_signature_valid
        assert verify.check(session, report.number).pdf_signature_valid
    monkeypatch.setenv("XINYONG_REPORT_SIGNING_KEYS_PREVIOUS", "[]")
    reset_settings()
    assert not verify.check(session, old.number).content_signature_valid  # key retired


def test_revoked_and_expired_reports_say_so(session: Session) -> None:
    f = firm(session, penalties=1)
    report = issue(session, f.owner, f.subject)
    assert verify.check(session, report.number).state == "valid"
    later = report.valid_until + timedelta(days=1)
    assert verify.check(session, report.number, today=later).state == "expired"
    verify.revoke(session, number=report.number, reason="申请人撤回", actor="test")
    result = verify.check(session, report.number)
    assert result.state == "revoked" and result.as_dict()["revoked_reason"] == "申请人撤回"
    assert result.content_signature_valid  # revoked, but still what was issued


def test_repair_after_issue_marks_data_changed_and_new_reports_omit_it(session: Session) -> None:
    f = firm(session, penalties=2)
    repaired = f.penalties[0]
    old = issue(session, f.owner, f.subject)
    records_service.transition(
        session, record_id=repaired.id, to_state=RecordState.repaired, reason="信用修复", actor="t"
    )
    result = verify.check(session, old.number)
    assert result.state == "data_changed"
    assert result.content_signature_valid and result.pdf_signature_valid  # verifies as issued
    assert repaired.source_record_id in str(old.content)
    new = issue(session, f.owner, f.subject)
    assert repaired.source_record_id not in str(new.content)
    assert verify.check(session, new.number).state == "valid"


def test_offline_check_with_public_keys(session: Session, suite: str) -> None:
    f = firm(session, penalties=1)
    report = issue(session, f.owner, f.subject)
    pdf = service.pdf_of(session, report)
    signature = verify.signature_file(report)
    keys = signing.public_keys()
    today = service.beijing_today()
    ok = verify.verify_offline(pdf, signature, keys, today=today)
    assert ok.pdf_ok and ok.content_ok and not ok.expired
    assert not verify.verify_offline(_flip(pdf, 100), signature, keys, today=today).pdf_ok
    forged = {**signature, "content": {**signature["content"], "purpose": "x"}}
    assert not verify.verify_offline(pdf, forged, keys, today=today).content_ok
    assert not verify.verify_offline(pdf, signature, {}, today=today).pdf_ok  # untrusted key
