"""Audit-log tests and the helpers they share (choosing the hash, tampering like an intruder)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from xinyong.audit.hashing import entry_hash
from xinyong.audit.models import AuditEntry
from xinyong.core.config import get_settings

ALGORITHMS = ("sha256", "sm3")
GUARDED_TABLES = ("audit_entries", "audit_checkpoints")


def use_algorithm(monkeypatch: pytest.MonkeyPatch, algorithm: str) -> str:
    """Make new audit entries use ``algorithm`` until the test ends."""
    monkeypatch.setattr(get_settings(), "audit_hash", algorithm)
    return algorithm


def unguard(session: Session) -> None:
    """Lift the append-only triggers for this transaction, as an intruder with DDL rights."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
        return
    for table in GUARDED_TABLES:
        for event in ("update", "delete"):
            session.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{event}"))


def forge(session: Session, *, seq: int, prev_hash: str, algorithm: str, **extra: Any) -> str:
    """Insert an entry with a correctly computed hash of its own; return that hash."""
    fields: dict[str, Any] = {
        "seq": seq,
        "at": datetime(2026, 11, 21, 8, 0, 0, 123456, tzinfo=UTC),
        "actor": "user:666",
        "action": "record.transition",
        "object_type": "record",
        "object_id": "4242",
        "subject_id": None,
        "summary": {"to_state": "revoked", "reason": "forged"},
        "algorithm": algorithm,
        "prev_hash": prev_hash,
        **extra,
    }
    fields["hash"] = entry_hash(fields)
    session.execute(insert(AuditEntry).values(**fields))
    return str(fields["hash"])


def hash_of(session: Session, seq: int) -> str:
    """The stored hash of entry ``seq``."""
    value = session.execute(text("SELECT hash FROM audit_entries WHERE seq = :s"), {"s": seq})
    return str(value.scalar_one())
