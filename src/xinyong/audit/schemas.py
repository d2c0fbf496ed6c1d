"""Pydantic shapes for the audit log: entries as read, viewer filters, verification reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# Why verification stopped at an entry:
# modified   — the entry's content no longer matches its hash;
# deleted    — a sequence number is missing (the entry expected there is gone);
# inserted   — an entry with a hash of its own that does not link to its predecessor,
#              or whose successor links past it, or whose seq is out of range;
# reordered  — an entry whose hash does not fit its position and whose link is broken
#              (moved from elsewhere, e.g. seq numbers swapped);
# truncated  — a checkpoint names an entry that no longer exists (the tail was cut);
# rewritten  — a checkpoint names an entry whose hash is now different (the chain was
#              recomputed after a change);
# checkpoint — a checkpoint's own figures contradict the chain (entry count, algorithm).
VerifyReason = Literal[
    "modified", "deleted", "inserted", "reordered", "truncated", "rewritten", "checkpoint"
]


class AuditFilter(BaseModel):
    """Filters of the audit viewer; ``before_seq`` pages backwards through the log."""

    model_config = ConfigDict(extra="forbid")

    subject_id: int | None = None
    actor: str | None = Field(default=None, max_length=128)
    action: str | None = Field(default=None, max_length=64)
    action_prefix: str | None = Field(default=None, max_length=64)
    object_type: str | None = Field(default=None, max_length=64)
    object_id: str | None = Field(default=None, max_length=128)
    since: datetime | None = None
    until: datetime | None = None
    before_seq: int | None = Field(default=None, ge=1)


class AuditEntryRead(BaseModel):
    """An audit entry as an auditor sees it."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    subject_id: int | None
    summary: dict[str, Any]
    algorithm: str
    prev_hash: str
    hash: str


class VerifyReport(BaseModel):
    """The outcome of walking the chain: ok, or the first bad entry and why."""

    ok: bool
    checked: int = Field(description="entries whose hash and link were checked")
    first_seq: int | None = Field(description="sequence number the walk started at")
    last_seq: int | None = Field(description="last good sequence number reached")
    checkpoints: int = Field(description="checkpoints compared with the chain")
    bad_seq: int | None = None
    reason: VerifyReason | None = None
    detail: str | None = None
    seconds: float = 0.0

    def line(self) -> str:
        """One line for people: ``ok …`` or ``bad seq N: reason — detail``."""
        if self.ok:
            span = f"{self.first_seq}..{self.last_seq}" if self.checked else "empty log"
            return f"ok: {self.checked} entries ({span}), {self.checkpoints} checkpoints"
        return f"bad seq {self.bad_seq}: {self.reason} — {self.detail}"
