"""Tampering with the audit log directly in the database is found, and named exactly.

Each test appends a chain inside the rolled-back ``session`` transaction, edits it the way
an intruder with SQL access would (triggers lifted first), and checks that ``verify``
reports the first bad entry with the right reason — on SQLite and PostgreSQL, with
SHA-256 and SM3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.orm import Session

from tests.audit import ALGORITHMS, forge, hash_of, unguard, use_algorithm
from xinyong.audit import jobs, service
from xinyong.audit.hashing import entry_hash
from xinyong.audit.models import AuditCheckpoint, AuditEntry

N = 12


@dataclass(frozen=True)
class Chain:
    first: int
    last: int
    algorithm: str

    def at(self, offset: int) -> int:
        return self.first + offset


@pytest.fixture(params=ALGORITHMS)
def chain(
    request: pytest.FixtureRequest, session: Session, monkeypatch: pytest.MonkeyPatch
) -> Chain:
    algorithm = use_algorithm(monkeypatch, request.param)
    first = service.tail(session).seq + 1
    for i in range(N):
        service.append(
            session,
            actor=f"user:{i % 3 + 1}",
            action="record.transition",
            object_type="record",
            object_id=100 + i,
            subject_id=500 + i % 4,
            summary={"from_state": "active", "to_state": "revoked", "reason": f"理由 {i}"},
        )
    unguard(session)
    return Chain(first, first + N - 1, algorithm)


def _expect(session: Session, seq: int, reason: str) -> None:
    report = jobs.verify(session)
    assert not report.ok
    assert (report.bad_seq, report.reason) == (seq, reason), report.line()
    assert report.last_seq == (seq - 1 if seq > 1 else None)


def _move(session: Session, seq: int, to: int) -> None:
    session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(seq=to))


def test_untouched_log_passes(session: Session, chain: Chain) -> None:
    report = jobs.verify(session)
    assert report.ok, report.line()
    assert (report.first_seq, report.last_seq, report.checked) == (1, chain.last, chain.last)


@pytest.mark.parametrize(
    "column, value",
    [
        ("summary", {"from_state": "active", "to_state": "active", "reason": "理由 5"}),
        ("actor", "user:1"),
        ("subject_id", None),
        ("at", datetime(2020, 1, 1, tzinfo=UTC)),
        ("object_id", "999"),
    ],
)
def test_edited_entry_is_modified(
    session: Session, chain: Chain, column: str, value: object
) -> None:
    target = chain.at(5)
    session.execute(update(AuditEntry).where(AuditEntry.seq == target).values({column: value}))
    _expect(session, target, "modified")


def test_summary_edited_with_plain_sql_is_modified(session: Session, chain: Chain) -> None:
    target = chain.at(3)
    cast = "CAST(:s AS JSONB)" if session.get_bind().dialect.name == "postgresql" else ":s"
    session.execute(
        text(f"UPDATE audit_entries SET summary = {cast} WHERE seq = :seq"),
        {"s": '{"from_state": "active", "to_state": "revoked", "reason": "理由 4"}', "seq": target},
    )
    _expect(session, target, "modified")


@pytest.mark.parametrize("offset", [0, 1, 6, N - 2])
def test_deleted_entry_is_named(session: Session, chain: Chain, offset: int) -> None:
    target = chain.at(offset)
    session.execute(delete(AuditEntry).where(AuditEntry.seq == target))
    _expect(session, target, "deleted")


def test_deleting_the_first_entry_of_the_log(session: Session, chain: Chain) -> None:
    session.execute(delete(AuditEntry).where(AuditEntry.seq == 1))
    _expect(session, 1, "deleted")


def test_forged_entry_at_the_end_is_inserted(session: Session, chain: Chain) -> None:
    forge(session, seq=chain.last + 1, prev_hash=hash_of(session, chain.at(4)), algorithm="sha256")
    _expect(session, chain.last + 1, "inserted")


@pytest.mark.parametrize("link", ["wrong", "right"])
def test_forged_entry_in_the_middle_is_inserted(session: Session, chain: Chain, link: str) -> None:
    target = chain.at(6)
    prev = hash_of(session, target - 1) if link == "right" else hash_of(session, target - 3)
    for seq in range(chain.last, target - 1, -1):  # make room, as an intruder would
        _move(session, seq, seq + 1)
    forge(session, seq=target, prev_hash=prev, algorithm=chain.algorithm)
    _expect(session, target, "inserted")


def test_entry_with_seq_out_of_range_is_inserted(session: Session, chain: Chain) -> None:
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        session.execute(
            text("ALTER TABLE audit_entries DROP CONSTRAINT ck_audit_entries_seq_positive")
        )
    else:
        session.execute(text("PRAGMA ignore_check_constraints = ON"))
    try:
        forge(session, seq=0, prev_hash="0" * 64, algorithm=chain.algorithm)
    finally:
        if not postgresql:
            session.execute(text("PRAGMA ignore_check_constraints = OFF"))
    _expect(session, 0, "inserted")


@pytest.mark.parametrize("distance", [1, 5])
def test_swapped_entries_are_reordered(session: Session, chain: Chain, distance: int) -> None:
    first, second = chain.at(3), chain.at(3 + distance)
    _move(session, first, 10**9)
    _move(session, second, first)
    _move(session, 10**9, second)
    _expect(session, first, "reordered")


def test_cut_tail_before_a_checkpoint_is_truncated(session: Session, chain: Chain) -> None:
    written = jobs.checkpoint(session, at_tail=True)
    assert written[-1].seq == chain.last
    cut = chain.at(8)
    session.execute(delete(AuditEntry).where(AuditEntry.seq >= cut))
    _expect(session, cut, "truncated")


def test_cut_of_only_the_checkpointed_entry_is_truncated(session: Session, chain: Chain) -> None:
    jobs.checkpoint(session, at_tail=True)
    session.execute(delete(AuditEntry).where(AuditEntry.seq == chain.last))
    _expect(session, chain.last, "truncated")


def test_recomputed_chain_disagrees_with_checkpoint(session: Session, chain: Chain) -> None:
    jobs.checkpoint(session, at_tail=True)
    target = chain.at(4)
    prev = hash_of(session, target - 1)
    table = AuditEntry.__table__
    rows = session.execute(table.select().where(table.c.seq >= target).order_by(table.c.seq))
    for row in rows.mappings().all():
        fields = dict(row, prev_hash=prev)
        if row["seq"] == target:
            fields["summary"] = {"from_state": "active", "to_state": "active", "reason": "理由 4"}
        prev = entry_hash(fields)
        values = {"prev_hash": fields["prev_hash"], "summary": fields["summary"], "hash": prev}
        session.execute(update(AuditEntry).where(AuditEntry.seq == row["seq"]).values(values))
    # Without the checkpoint, the re-hashed chain would pass: the checkpoint names the change.
    _expect(session, chain.last, "rewritten")


def test_changed_checkpoint_figures_are_reported(session: Session, chain: Chain) -> None:
    written = jobs.checkpoint(session, at_tail=True)
    session.execute(
        update(AuditCheckpoint)
        .where(AuditCheckpoint.seq == written[-1].seq)
        .values(entry_count=AuditCheckpoint.entry_count - 1)
    )
    _expect(session, chain.last, "checkpoint")


def test_the_first_of_several_changes_is_named(session: Session, chain: Chain) -> None:
    session.execute(update(AuditEntry).where(AuditEntry.seq == chain.at(9)).values(actor="x"))
    session.execute(delete(AuditEntry).where(AuditEntry.seq == chain.at(7)))
    _move(session, chain.at(10), 10**9)
    _expect(session, chain.at(7), "deleted")


def test_verifying_from_a_checkpoint_trusts_what_lies_before(
    session: Session, chain: Chain
) -> None:
    jobs.checkpoint(session, every=4)
    start = jobs.newest_checkpoint(session)
    assert start is not None and start > chain.at(2)
    session.execute(update(AuditEntry).where(AuditEntry.seq == chain.at(1)).values(actor="x"))
    assert jobs.verify(session, since=start).ok
    _expect(session, chain.at(1), "modified")
    if start < chain.last:
        session.execute(update(AuditEntry).where(AuditEntry.seq == chain.last).values(actor="x"))
        report = jobs.verify(session, since=start)
        assert (report.bad_seq, report.reason) == (chain.last, "modified")
