"""Sealed personal identifiers: both suites, tamper detection, key rotation without downtime."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from xinyong.core import crypto
from xinyong.core import jobs as core_jobs
from xinyong.core.config import reset_settings
from xinyong.core.db import session_scope
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject


@pytest.fixture(autouse=True)
def _fresh_settings() -> None:
    reset_settings()


@pytest.mark.parametrize(("suite", "letter"), [("international", "a"), ("national", "s")])
def test_seal_and_open(monkeypatch: pytest.MonkeyPatch, suite: str, letter: str) -> None:
    monkeypatch.setenv("XINYONG_CRYPTO_SUITE", suite)
    reset_settings()
    token = crypto.encrypt_text("110105199001010022")
    assert token.startswith(f"{letter}:") and "110105" not in token
    assert crypto.decrypt_text(token) == "110105199001010022"
    assert crypto.encrypt_text("x") != crypto.encrypt_text("x")  # fresh nonce each time
    kind, kid, body = token.split(":")
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(f"{kind}:{kid}:{base64.b64encode(bytes(raw)).decode()}")


def test_unknown_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    token = crypto.encrypt_text("secret")
    monkeypatch.setenv("XINYONG_DATA_KEY", "another-key-" + "y" * 40)
    reset_settings()
    with pytest.raises(crypto.DecryptionError, match="unknown key"):
        crypto.decrypt_text(token)


def test_rotation_reseals_everything_while_reads_keep_working(
    configured_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_key = "old-data-key-" + "o" * 40
    monkeypatch.setenv("XINYONG_DATA_KEY", old_key)
    reset_settings()
    with session_scope() as session:
        numbers = [
            factories.id_number(birth=date(1980, 1, 1) + timedelta(days=i)) for i in range(25)
        ]
        ids = [factories.person(session, id_number=n).id for n in numbers]
    monkeypatch.setenv("XINYONG_DATA_KEY", "new-data-key-" + "n" * 40)
    monkeypatch.setenv("XINYONG_DATA_KEYS_PREVIOUS", f'["{old_key}"]')
    monkeypatch.setenv("XINYONG_CRYPTO_SUITE", "national")
    reset_settings()
    with session_scope() as session:  # still readable before rotation
        assert subjects_service.reveal_id_number(session.get(Subject, ids[0])) == numbers[0]
    report = core_jobs.rotate_data_key(batch=10)
    assert report.resealed["subjects.id_number_enc"] == 25
    assert core_jobs.rotate_data_key(batch=10).total == 0  # idempotent
    monkeypatch.setenv("XINYONG_DATA_KEYS_PREVIOUS", "[]")
    reset_settings()
    with session_scope() as session:
        tokens = session.scalars(select(Subject.id_number_enc).where(Subject.id.in_(ids))).all()
        assert all(t and t.startswith(crypto.current_prefix()) for t in tokens)
        for subject_id, number in zip(ids, numbers, strict=True):
            assert subjects_service.reveal_id_number(session.get(Subject, subject_id)) == number
