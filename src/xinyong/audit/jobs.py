"""Audit-log work a CLI command or the scheduler runs: verification and checkpoints.

Verification walks the chain in ``seq`` order in keyset batches (memory stays flat
however long the log is) and stops at the first bad entry. Checkpoints vouch for a
verified prefix of the chain: they are written only after the entries since the
previous checkpoint verify, and later walks compare the chain with them, which shows a
cut tail or a chain recomputed after a change.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from xinyong.audit.hashing import GENESIS_HASH, entry_hash
from xinyong.audit.models import AuditCheckpoint, AuditEntry
from xinyong.audit.schemas import VerifyReason, VerifyReport
from xinyong.core.config import get_settings
from xinyong.core.db import utcnow
from xinyong.core.errors import Conflict, Invalid, XinyongError

BATCH_SIZE = 5000
_COLUMNS = (
    AuditEntry.seq,
    AuditEntry.at,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.subject_id,
    AuditEntry.summary,
    AuditEntry.algorithm,
    AuditEntry.prev_hash,
    AuditEntry.hash,
)


@dataclass(frozen=True)
class _Finding:
    reason: VerifyReason
    seq: int
    detail: str


@dataclass(frozen=True)
class _Mark:
    """What a checkpoint states about one entry."""

    seq: int
    hash: str
    algorithm: str
    entry_count: int


@dataclass
class _Walk:
    """The walker's state: what the next entry must be and link to."""

    expected: int
    prev: str
    before_prev: str | None
    base_count: int
    marks: deque[_Mark]
    checked: int = 0
    last_seq: int | None = None
    compared: int = 0
    current: _Mark | None = None
    previous: _Mark | None = None


def _rows(session: Session, start: int) -> Iterator[Row[Any]]:
    """Entries from ``start`` on (and any below 1 when starting at 1), in seq order."""
    floor: int | None = None if start <= 1 else start - 1
    while True:
        stmt = select(*_COLUMNS).order_by(AuditEntry.seq).limit(BATCH_SIZE)
        if floor is not None:
            stmt = stmt.where(AuditEntry.seq > floor)
        batch = session.execute(stmt).all()
        yield from batch
        if len(batch) < BATCH_SIZE:
            return
        floor = int(batch[-1].seq)


def _content_ok(row: Row[Any]) -> bool:
    try:
        return entry_hash(row._mapping) == str(row.hash)
    except (XinyongError, TypeError, ValueError):
        return False


def _judge(walk: _Walk, row: Row[Any]) -> _Finding | None:
    seq = int(row.seq)
    if seq < walk.expected:
        return _Finding("inserted", seq, f"sequence number {seq} is out of place")
    if seq > walk.expected:
        gap = f"entries {walk.expected}..{seq - 1} are" if seq - walk.expected > 1 else "it is"
        return _Finding("deleted", walk.expected, f"seq jumps to {seq}: {gap} missing")
    content_ok, link_ok = _content_ok(row), row.prev_hash == walk.prev
    if content_ok and link_ok:
        return None
    if link_ok:
        return _Finding("modified", seq, "the entry's content does not match its hash")
    if walk.before_prev is not None and row.prev_hash == walk.before_prev:
        return _Finding("inserted", seq - 1, f"entry {seq} links to entry {seq - 2}, past this one")
    if content_ok:
        return _Finding(
            "inserted",
            seq,
            f"the entry's hash is its own but its prev_hash does not link to entry {seq - 1} "
            f"(a forged entry, or entry {seq - 1} was changed and re-hashed)",
        )
    return _Finding(
        "reordered",
        seq,
        "the entry's hash does not fit this position and its prev_hash does not link "
        f"to entry {seq - 1} (moved or renumbered)",
    )


def _compare_mark(walk: _Walk, row: Row[Any], count: int) -> _Finding | None:
    mark = walk.marks.popleft()
    walk.compared += 1
    if mark.hash != row.hash:
        detail = "checkpoint hash differs: the chain was recomputed at or before this entry"
        return _Finding("rewritten", mark.seq, detail)
    if mark.entry_count != count or mark.algorithm != row.algorithm:
        detail = f"checkpoint states {mark.entry_count} entries ({mark.algorithm}), chain {count}"
        return _Finding("checkpoint", mark.seq, detail)
    return None


def _step(walk: _Walk, row: Row[Any]) -> _Finding | None:
    finding = _judge(walk, row)
    if finding is not None:
        return finding
    walk.checked += 1
    count = walk.base_count + walk.checked
    seq = int(row.seq)
    if walk.marks and walk.marks[0].seq < seq:  # (a missing entry is reported as a gap first)
        return _Finding("checkpoint", walk.marks[0].seq, "a checkpoint names no entry of the chain")
    if walk.marks and walk.marks[0].seq == seq:
        finding = _compare_mark(walk, row, count)
        if finding is not None:
            return finding
    walk.previous, walk.current = walk.current, _Mark(seq, row.hash, row.algorithm, count)
    walk.expected, walk.before_prev, walk.prev = seq + 1, walk.prev, str(row.hash)
    walk.last_seq = seq
    return None


def _marks(session: Session, after: int) -> deque[_Mark]:
    stmt = select(AuditCheckpoint).where(AuditCheckpoint.seq >= after)
    checkpoints = session.scalars(stmt.order_by(AuditCheckpoint.seq))
    return deque(_Mark(c.seq, c.hash, c.algorithm, c.entry_count) for c in checkpoints)


def newest_checkpoint(session: Session) -> int | None:
    """Sequence number of the newest checkpoint, if any."""
    stmt = select(AuditCheckpoint.seq).order_by(AuditCheckpoint.seq.desc()).limit(1)
    return session.scalar(stmt)


def _start(session: Session, since: int | None) -> _Walk:
    if since is None:
        return _Walk(1, GENESIS_HASH, None, 0, _marks(session, 1))
    marks = _marks(session, since)
    if not marks or marks[0].seq != since:
        raise Invalid(f"there is no checkpoint at seq {since}", details={"field": "since"})
    # The checkpoint's entry is walked again and compared with it; the link before it
    # is taken on trust from the checkpoint.
    stmt = select(AuditEntry.prev_hash).where(AuditEntry.seq == since)
    prev = session.execute(stmt).scalar() or ""
    return _Walk(since, prev, None, marks[0].entry_count - 1, marks)


Visitor = Callable[[_Walk], None]


def _walk(
    session: Session,
    walk: _Walk,
    progress: Callable[[int], None] | None,
    visit: Visitor | None,
) -> _Finding | None:
    for row in _rows(session, walk.expected):
        finding = _step(walk, row)
        if finding is not None:
            return finding
        if visit is not None:
            visit(walk)
        if progress is not None and walk.checked % BATCH_SIZE == 0:
            progress(walk.checked)
    if walk.marks:
        mark, reached = walk.marks[0], walk.last_seq or walk.expected - 1
        detail = f"checkpoint names entry {mark.seq} ({mark.hash[:12]}…); the log ends at {reached}"
        return _Finding("truncated", reached + 1, detail)
    return None


def verify(
    session: Session,
    *,
    since: int | None = None,
    progress: Callable[[int], None] | None = None,
    _visit: Visitor | None = None,
) -> VerifyReport:
    """Walk the chain (from genesis, or from the checkpoint at ``since``) to the first bad entry."""
    started = time.perf_counter()
    walk = _start(session, since)
    first = walk.expected
    finding = _walk(session, walk, progress, _visit)
    last = walk.last_seq
    if finding is not None and last is not None:
        last = min(last, finding.seq - 1)  # an entry found bad later may have passed itself
    return VerifyReport(
        ok=finding is None,
        checked=walk.checked,
        first_seq=first if walk.checked else None,
        last_seq=last if last is not None and last >= first else None,
        checkpoints=walk.compared,
        bad_seq=finding.seq if finding else None,
        reason=finding.reason if finding else None,
        detail=finding.detail if finding else None,
        seconds=round(time.perf_counter() - started, 6),
    )


class _Targets:
    """Collects the entries to checkpoint while the chain is verified."""

    def __init__(self, every: int) -> None:
        self.every = every
        self.chosen: list[_Mark] = []
        self.last: _Mark | None = None

    def __call__(self, walk: _Walk) -> None:
        current, previous = walk.current, walk.previous
        assert current is not None
        if previous is not None and previous.algorithm != current.algorithm:
            self.chosen.append(previous)  # the last entry before a switch of algorithm
        if current.seq % self.every == 0:
            self.chosen.append(current)
        self.last = current


def checkpoint(
    session: Session, *, every: int | None = None, at_tail: bool = False
) -> list[AuditCheckpoint]:
    """Verify the chain since the last checkpoint, then checkpoint every N-th entry since.

    Also checkpoints the last entry before a switch of hash algorithm and, with
    ``at_tail``, the newest entry. Refuses (Conflict) when the chain does not verify.
    """
    every = every or get_settings().audit_checkpoint_every
    if every < 1:
        raise Invalid("checkpoints need a positive interval", details={"field": "every"})
    newest = newest_checkpoint(session)
    targets = _Targets(every)
    report = verify(session, since=newest, _visit=targets)
    if not report.ok:
        raise Conflict(
            f"the audit chain does not verify ({report.line()}); no checkpoint written",
            details=report.model_dump(mode="json"),
        )
    if at_tail and targets.last is not None:
        targets.chosen.append(targets.last)
    return _write(session, targets.chosen, newest)


def _write(session: Session, chosen: Sequence[_Mark], newest: int | None) -> list[AuditCheckpoint]:
    seen: set[int] = set()
    written: list[AuditCheckpoint] = []
    for mark in sorted(chosen, key=lambda m: m.seq):
        if mark.seq in seen or (newest is not None and mark.seq <= newest):
            continue
        seen.add(mark.seq)
        written.append(
            AuditCheckpoint(
                seq=mark.seq,
                hash=mark.hash,
                algorithm=mark.algorithm,
                entry_count=mark.entry_count,
                at=utcnow(),
            )
        )
    session.add_all(written)
    session.flush()
    return written
