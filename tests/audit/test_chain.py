"""The audit chain: hashing, appends, what the services write to it, checkpoints, concurrency."""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from gmssl import func, sm3
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests import factories
from tests.audit import ALGORITHMS, use_algorithm
from tests.conftest import FreshDatabase
from xinyong.audit import hashing, jobs, service
from xinyong.audit.models import AuditCheckpoint, AuditEntry
from xinyong.audit.schemas import AuditFilter
from xinyong.core.db import make_engine
from xinyong.core.errors import Conflict, Invalid
from xinyong.identity import codes
from xinyong.records import jobs as records_jobs
from xinyong.records import service as records_service
from xinyong.records.states import RecordState
from xinyong.subjects import service as subjects_service


@pytest.fixture(params=ALGORITHMS)
def algorithm(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    return use_algorithm(monkeypatch, request.param)


def _append(session: Session, n: int = 1, **extra: object) -> list[AuditEntry]:
    return [
        service.append(
            session,
            actor=str(extra.get("actor", "user:7")),
            action=str(extra.get("action", "test.touch")),
            object_type="thing",
            object_id=i,
            subject_id=extra.get("subject_id"),  # type: ignore[arg-type]
            summary={"i": i},
        )
        for i in range(n)
    ]


def _new_entries(session: Session, after: int) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq)
    return list(session.scalars(stmt))


# --- hashing ----------------------------------------------------------------------------


def test_sm3_matches_the_standard_vectors_and_gmssl() -> None:
    vectors = {
        b"abc": "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
        b"abcd" * 16: "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732",
    }
    implementations = (hashing._sm3_hashlib, hashing._sm3_cryptography, hashing._sm3_gmssl)
    for data, expected in vectors.items():
        assert hashing.digest("sm3", data) == expected
        assert sm3.sm3_hash(func.bytes_to_list(data)) == expected
        assert [function(data) for function in implementations] == [expected] * 3
    long = "审计日志".encode() * 100
    assert hashing.digest("sm3", long) == sm3.sm3_hash(func.bytes_to_list(long))
    with pytest.raises(Invalid):
        hashing.digest("md5", b"abc")


def test_canonical_serialisation_is_sorted_compact_json_with_fixed_time() -> None:
    fields = {
        "seq": 7,
        "at": datetime(2026, 11, 21, 1, 2, 3, 45, tzinfo=UTC),
        "actor": "user:12",
        "action": "record.create",
        "object_type": "record",
        "object_id": "99",
        "subject_id": None,
        "summary": {"b": 1, "a": "信用"},
        "algorithm": "sha256",
        "prev_hash": "0" * 64,
    }
    expected = (
        '{"action":"record.create","actor":"user:12","algorithm":"sha256",'
        '"at":"2026-11-21T01:02:03.000045Z","object_id":"99","object_type":"record",'
        f'"prev_hash":"{"0" * 64}","seq":7,"subject_id":null,"summary":{{"a":"信用","b":1}}}}'
    )
    assert hashing.canonical_bytes(fields) == expected.encode()
    assert hashing.entry_hash(fields) == hashlib.sha256(expected.encode()).hexdigest()
    naive = dict(fields, at=datetime(2026, 11, 21, 1, 2, 3, 45))
    assert hashing.entry_hash(naive) == hashing.entry_hash(fields)
    assert hashing.entry_hash(dict(fields, seq=8)) != hashing.entry_hash(fields)


def test_summaries_are_reduced_to_stable_json_and_id_numbers_masked() -> None:
    import random

    number = codes.generate_id_number(
        random.Random(3), region="320508", birth_date=date(1990, 5, 1), sex="M"
    )
    reduced = hashing.normalise_summary(
        {"amount": Decimal("1.50"), "ratio": 0.25, "on": date(2024, 1, 2), "tags": ("a", 1)}
        | {"note": f"ID {number} given", "plain": "913205001234567890X"}
    )
    assert reduced["amount"] == "1.50" and reduced["ratio"] == "0.25"
    assert reduced["on"] == "2024-01-02" and reduced["tags"] == ["a", 1]
    assert number not in reduced["note"] and codes.mask_id_number(number) in reduced["note"]
    assert reduced["plain"] == "913205001234567890X"
    with pytest.raises(Invalid):
        hashing.normalise_summary({"x": object()})
    with pytest.raises(Invalid):
        hashing.normalise_summary({"x": float("nan")})


# --- appending --------------------------------------------------------------------------


def test_appends_form_a_gap_free_linked_chain(session: Session, algorithm: str) -> None:
    before = service.tail(session)
    entries = _append(session, 5)
    assert [e.seq for e in entries] == list(range(before.seq + 1, before.seq + 6))
    assert entries[0].prev_hash == before.hash
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
    for entry in entries:
        assert entry.algorithm == algorithm
        assert entry.hash == hashing.entry_hash(entry.hashed_fields())
    assert service.tail(session).hash == entries[-1].hash
    assert jobs.verify(session).ok


def test_the_first_entry_links_to_the_genesis_hash(fresh_db: FreshDatabase, backend: str) -> None:
    engine = make_engine(_migrated(fresh_db, backend))
    try:
        with Session(engine) as session, session.begin():
            assert service.tail(session).seq == 0
            entry = _append(session)[0]
            assert (entry.seq, entry.prev_hash) == (1, "0" * 64)
            assert jobs.verify(session).line().startswith("ok: 1 entries")
    finally:
        engine.dispose()


def test_stored_entries_read_back_exactly_as_hashed(session: Session, algorithm: str) -> None:
    entry = service.append(
        session,
        actor="apikey:3",
        action="query.register",
        object_type="subject",
        object_id=12,
        subject_id=12,
        summary={"amount": 1e20, "n": 2**40, "text": "（有限公司）\n\t\"'", "list": [None, True]},
    )
    session.expire_all()
    row = session.execute(select(AuditEntry).where(AuditEntry.seq == entry.seq)).scalar_one()
    assert row.summary["amount"] == "1e+20" and row.summary["n"] == 2**40
    assert hashing.entry_hash(row.hashed_fields()) == row.hash
    assert jobs.verify(session).ok


def test_append_refuses_empty_fields(session: Session) -> None:
    with pytest.raises(Invalid):
        service.append(session, actor=" ", action="x", object_type="t", object_id=1, summary={})
    with pytest.raises(Invalid):
        service.append(session, actor="a", action="x", object_type="t", object_id="", summary={})


def test_the_database_refuses_updates_and_deletes(session: Session) -> None:
    entry = _append(session)[0]
    for statement in (
        f"UPDATE audit_entries SET actor = 'x' WHERE seq = {entry.seq}",
        f"DELETE FROM audit_entries WHERE seq = {entry.seq}",
    ):
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(text(statement))
    assert jobs.verify(session).ok


def test_search_filters_and_a_subjects_history(session: Session) -> None:
    start = service.tail(session).seq
    _append(session, 2, actor="user:1", action="a.one", subject_id=None)
    _append(session, 3, actor="user:2", action="a.two", subject_id=424242)
    history = service.for_subject(session, 424242)
    assert [e.action for e in history] == ["a.two"] * 3
    assert history[0].seq > history[-1].seq
    page = service.search(session, where=AuditFilter(actor="user:1"), limit=1)
    assert [e.seq for e in page] == [start + 2]
    older = service.search(session, where=AuditFilter(actor="user:1", before_seq=start + 2))
    assert [e.seq for e in older] == [start + 1]
    assert len(service.search(session, where=AuditFilter(action_prefix="a."), limit=10)) == 5
    assert service.count(session) == start + 5
    with pytest.raises(Invalid):
        service.search(session, limit=0)


# --- what the services write ------------------------------------------------------------


def test_record_writes_are_audited(session: Session) -> None:
    subject = factories.enterprise(session)
    start = service.tail(session).seq
    record = factories.penalty(session, subject)
    corrected = records_service.correct(
        session,
        record_id=record.id,
        payload={**record.payload, "remarks": "更正"},
        reason="typo",
        actor="user:5",
        today=date(2024, 6, 1),
    )
    records_service.transition(
        session,
        record_id=corrected.id,
        to_state=RecordState.under_objection,
        reason="objection",
        actor="user:6",
    )
    entries = _new_entries(session, start)
    assert [e.action for e in entries] == ["record.create", "record.correct", "record.transition"]
    assert [e.object_id for e in entries] == [str(record.id), str(corrected.id), str(corrected.id)]
    assert {e.subject_id for e in entries} == {subject.id}
    assert entries[1].summary["supersedes"] == record.id and entries[1].actor == "user:5"
    assert entries[1].summary["fields"] == ["remarks"]
    assert entries[2].summary["from_state"] == "active"
    assert entries[2].summary["to_state"] == "under_objection"
    assert "payload" not in json.dumps([e.summary for e in entries])
    assert jobs.verify(session).ok


def test_expiry_writes_one_summarising_entry(session: Session) -> None:
    subject = factories.enterprise(session)
    for _ in range(3):
        factories.penalty(session, subject)
    start = service.tail(session).seq
    expired = records_jobs.expire_due(session, today=date(2030, 1, 1))
    entries = _new_entries(session, start)
    assert expired >= 3
    # one entry for the expiry and one for its consequences (record effects), however many
    assert [(e.action, e.actor) for e in entries] == [
        ("record.expire", "system:expire"),
        ("record.effects.expired", "system:expire"),
    ]
    assert entries[0].summary["count"] == entries[1].summary["records"] == expired
    assert records_jobs.expire_due(session, today=date(2030, 1, 1)) == 0
    assert service.tail(session).seq == start + 2


def test_subject_writes_are_audited_without_clear_id_numbers(session: Session) -> None:
    start = service.tail(session).seq
    person = factories.person(session, name="张小伟")
    firm = factories.enterprise(session)
    subjects_service.add_relation(
        session,
        subject_id=firm.id,
        related_subject_id=person.id,
        kind="legal_representative",
        share_ratio=Decimal("0.5"),
        actor="user:9",
    )
    entries = _new_entries(session, start)
    assert [e.action for e in entries] == ["subject.create", "subject.create", "subject.relate"]
    clear = subjects_service.reveal_id_number(person)
    assert clear and clear not in json.dumps([e.summary for e in entries], ensure_ascii=False)
    assert entries[0].summary["id_number"] == person.id_number_masked
    assert entries[0].summary["name"] == "张*伟"
    assert entries[1].summary["uscc"] == firm.uscc and entries[1].summary["name"] == firm.name
    assert entries[2].summary["share_ratio"] == "0.5" and entries[2].actor == "user:9"
    assert entries[2].subject_id == firm.id


def test_department_sync_is_audited_only_when_something_changed(session: Session) -> None:
    start = service.tail(session).seq
    subjects_service.sync_departments(session)
    assert service.tail(session).seq == start
    specs = list(__import__("xinyong.catalog.service", fromlist=["x"]).load_departments())
    renamed = specs[0].model_copy(update={"short_name": "改名"})
    subjects_service.sync_departments(session, [renamed, *specs[1:]], actor="user:1")
    entries = _new_entries(session, start)
    assert [(e.action, e.summary["updated"], e.summary["created"]) for e in entries] == [
        ("department.sync", [specs[0].key], [])
    ]


# --- checkpoints ------------------------------------------------------------------------


def test_checkpoints_every_n_entries_and_at_the_tail(session: Session) -> None:
    _append(session, 9)
    last = service.tail(session)
    written = jobs.checkpoint(session, every=4)
    assert [c.seq for c in written] == list(range(4, last.seq + 1, 4))
    assert all(c.entry_count == c.seq for c in written)
    stored = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)).all()
    assert [(c.seq, c.hash) for c in stored] == [
        (c.seq, session.get(AuditEntry, c.seq).hash)
        for c in written  # type: ignore[union-attr]
    ]
    assert jobs.checkpoint(session, every=4) == []
    tail = jobs.checkpoint(session, every=4, at_tail=True)
    assert [c.seq for c in tail] == ([last.seq] if last.seq % 4 else [])
    report = jobs.verify(session)
    assert report.ok and report.checkpoints == len(written) + len(tail)


def test_a_switch_of_algorithm_is_checkpointed(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_algorithm(monkeypatch, "sha256")
    _append(session, 2)
    before_switch = service.tail(session).seq
    use_algorithm(monkeypatch, "sm3")
    _append(session, 2)
    written = jobs.checkpoint(session, every=10**6)
    assert [(c.seq, c.algorithm) for c in written][-1] == (before_switch, "sha256")
    assert jobs.verify(session).ok


def test_checkpoint_refuses_a_broken_chain(session: Session) -> None:
    from tests.audit import unguard

    entries = _append(session, 3)
    unguard(session)
    session.execute(update(AuditEntry).where(AuditEntry.seq == entries[1].seq).values(actor="x"))
    with pytest.raises(Conflict, match="does not verify"):
        jobs.checkpoint(session, every=1)
    assert session.scalar(select(AuditCheckpoint.id).limit(1)) is None
    with pytest.raises(Invalid):
        jobs.verify(session, since=10**9)


# --- concurrency ------------------------------------------------------------------------


def _migrated(fresh_db: FreshDatabase, backend: str) -> str:
    """A fresh database of its own (a copy of the migrated template): the writers are other
    threads committing their own sessions, and the chain must start at the genesis hash."""
    return fresh_db.migrated(backend)


def test_concurrent_writers_keep_the_chain_linear(fresh_db: FreshDatabase, backend: str) -> None:
    engine = make_engine(_migrated(fresh_db, backend))
    writers, per_writer = 4, 25
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(number: int) -> None:
        barrier.wait()
        try:
            for i in range(per_writer):
                with Session(engine) as session, session.begin():
                    if backend == "postgresql":
                        # Services read before they append. (On SQLite a deferred
                        # transaction that has read cannot take the write lock while
                        # another writer commits: it fails with "database is locked".)
                        session.execute(select(AuditEntry.seq).limit(1)).all()
                    service.append(
                        session,
                        actor=f"worker:{number}",
                        action="test.race",
                        object_type="thing",
                        object_id=i,
                        summary={"i": i},
                    )
        except BaseException as error:  # reported below, not swallowed
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        with Session(engine) as session:
            report = jobs.verify(session)
            actors = session.scalars(select(AuditEntry.actor).distinct()).all()
        assert report.ok and report.last_seq == writers * per_writer, report.line()
        assert len(actors) == writers
    finally:
        engine.dispose()
