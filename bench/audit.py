"""Audit-log speed: appends/s and verified entries/s, SHA-256 and SM3, SQLite and PostgreSQL.

Figures per store and algorithm, each on a fresh database:
- appends/s with one entry per transaction (how a request appends) and with a batch of
  entries per transaction (how a job appends);
- verify entries/s of ``audit.jobs.verify`` walking the whole chain.
Same-run references: the store's bare driver read of the same rows, and the bare hash
rate over the same canonical bytes (hashlib SHA-256, OpenSSL SM3 as the platform uses
it, and gmssl's pure-Python SM3).
Sizes: XINYONG_BENCH_AUDIT_ENTRIES (default 50,000 batched) and
XINYONG_BENCH_AUDIT_SINGLE (default 2,000 single-entry transactions).
PostgreSQL runs when XINYONG_BENCH_PG_URL (or XINYONG_TEST_PG_URL) names a server; the
benchmark creates a scratch database there and drops it afterwards.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from gmssl import func, sm3
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from xinyong.audit import hashing, jobs, service
from xinyong.audit.models import AuditEntry
from xinyong.core import migrate
from xinyong.core.config import get_settings
from xinyong.core.db import make_engine, scratch_postgresql

BATCH = 1000


def _summary(i: int) -> dict[str, object]:
    return {
        "item_code": "admin_penalty",
        "department_id": 3 + i % 17,
        "source_record_id": f"苏市监罚〔2026〕{i}号",
        "version": 1,
        "state": "active",
    }


def _append(session: Session, i: int) -> None:
    service.append(
        session,
        actor=f"user:{i % 40}",
        action="record.create",
        object_type="record",
        object_id=i,
        subject_id=i % 5000,
        summary=_summary(i),
    )


def _append_rates(engine: Engine, single: int, batched: int) -> tuple[float, float]:
    started = time.perf_counter()
    for i in range(single):
        with Session(engine) as session, session.begin():
            _append(session, i)
    single_rate = single / (time.perf_counter() - started)
    started = time.perf_counter()
    for first in range(single, single + batched, BATCH):
        with Session(engine) as session, session.begin():
            for i in range(first, min(first + BATCH, single + batched)):
                _append(session, i)
    return single_rate, batched / (time.perf_counter() - started)


def _references(engine: Engine, sample: int) -> dict[str, float]:
    with Session(engine) as session:
        rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq).limit(sample))
        data = [hashing.canonical_bytes(e.hashed_fields()) for e in rows.scalars()]
    rates: dict[str, float] = {}
    started = time.perf_counter()
    with engine.connect() as conn:
        fetched = len(conn.exec_driver_sql("SELECT * FROM audit_entries ORDER BY seq").all())
    rates["bare driver read of all rows"] = fetched / (time.perf_counter() - started)
    for label, function, share in (
        ("hash only: hashlib sha256", lambda b: hashlib.sha256(b).hexdigest(), 1),
        ("OpenSSL sm3", lambda b: hashing.digest("sm3", b), 1),
        ("gmssl sm3 (pure Python)", lambda b: sm3.sm3_hash(func.bytes_to_list(b)), 50),
    ):
        chosen = data[: max(1, len(data) // share)]
        started = time.perf_counter()
        for item in chosen:
            function(item)
        rates[label] = len(chosen) / (time.perf_counter() - started)
    return rates


def _run(url: str, label: str, algorithm: hashing.Algorithm, single: int, batched: int) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    get_settings().audit_hash = algorithm
    try:
        single_rate, batch_rate = _append_rates(engine, single, batched)
        with Session(engine) as session:
            report = jobs.verify(session)
        assert report.ok, report.line()
        print(
            f"[{label} {algorithm}] appends/s {single_rate:,.0f} (1 per transaction), "
            f"{batch_rate:,.0f} ({BATCH} per transaction); "
            f"verify {report.checked / report.seconds:,.0f} entries/s "
            f"({report.checked:,} in {report.seconds:.2f} s)",
            flush=True,
        )
        if algorithm == "sha256":
            refs = _references(engine, min(report.checked, 20_000))
            print(
                f"[{label}] references: " + ", ".join(f"{k} {v:,.0f}/s" for k, v in refs.items()),
                flush=True,
            )
    finally:
        engine.dispose()


def main() -> None:
    batched = int(os.environ.get("XINYONG_BENCH_AUDIT_ENTRIES", "50000"))
    single = int(os.environ.get("XINYONG_BENCH_AUDIT_SINGLE", "2000"))
    print(f"SM3 implementation in use: {hashing.sm3_backend()}")
    for algorithm in hashing.ALGORITHMS:
        with tempfile.TemporaryDirectory() as tmp:
            _run(f"sqlite:///{Path(tmp) / 'audit.db'}", "sqlite", algorithm, single, batched)
    server = os.environ.get("XINYONG_BENCH_PG_URL") or os.environ.get("XINYONG_TEST_PG_URL")
    if not server:
        print("[postgresql] skipped: set XINYONG_BENCH_PG_URL to a PostgreSQL server URL")
        return
    for algorithm in hashing.ALGORITHMS:
        with scratch_postgresql(server, prefix="xinyong_bench_") as url:
            _run(url, "postgresql", algorithm, single, batched)


if __name__ == "__main__":
    main()
