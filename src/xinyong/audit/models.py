"""The append-only, hash-chained audit log and its checkpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, utcnow

_ALGORITHMS = "algorithm IN ('sha256', 'sm3')"


class AuditEntry(Base):
    """One action: who did what to which object, chained to the entry before it.

    ``seq`` counts from 1 without gaps; ``hash`` covers every other column (see
    ``audit.hashing``), ``prev_hash`` is the hash of entry ``seq - 1`` (64 zeros for the
    first). The migration adds triggers that refuse UPDATE and DELETE.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index(None, "subject_id", "seq"),
        Index(None, "object_type", "object_id"),
        Index(None, "actor", "seq"),
        Index(None, "action", "seq"),
        CheckConstraint(_ALGORITHMS, name="algorithm"),
        CheckConstraint("seq >= 1", name="seq_positive"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(128))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column()
    algorithm: Mapped[str] = mapped_column(String(8))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def hashed_fields(self) -> dict[str, Any]:
        """The columns the entry's hash covers."""
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "subject_id": self.subject_id,
            "summary": self.summary,
            "algorithm": self.algorithm,
            "prev_hash": self.prev_hash,
        }


class AuditCheckpoint(Base):
    """A verified point of the chain: entry ``seq`` had ``hash`` and ``entry_count`` entries
    (1..seq) preceded it inclusive when the checkpoint was written."""

    __tablename__ = "audit_checkpoints"
    __table_args__ = (CheckConstraint(_ALGORITHMS, name="algorithm"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(8))
    entry_count: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(default=utcnow)
