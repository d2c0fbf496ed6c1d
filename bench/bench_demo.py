"""Synthetic-city load speed on SQLite (and PostgreSQL when XINYONG_BENCH_PG_URL is set).

Figures: subjects/s and records/s of ``load_demo``; same-run reference: a bare
``executemany`` (SQLite) / COPY (PostgreSQL) of the same number of pre-built narrow rows
into a scratch table, i.e. the store's raw insert speed on this machine.
Sizes: XINYONG_BENCH_SUBJECTS (default 50,000) and XINYONG_BENCH_RECORDS_PER_SUBJECT (10).
PostgreSQL runs when XINYONG_BENCH_PG_URL (or XINYONG_TEST_PG_URL) names a server; the
benchmark creates a scratch database there and drops it afterwards.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text

from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import scratch_postgresql
from xinyong.demo import loader


def _raw_insert_rate(engine: Engine, rows: int) -> float:
    data = [(i, f"name-{i}", "2024-01-01", '{"k": "v"}') for i in range(rows)]
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_scratch (id INTEGER, name TEXT, d TEXT, p TEXT)"))
    started = time.perf_counter()
    with engine.begin() as conn:
        loader._Writer(conn).write("bench_scratch", ("id", "name", "d", "p"), data)
    seconds = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_scratch"))
    return rows / seconds


def _run(url: str, label: str, subjects: int, per_subject: float) -> None:
    os.environ["XINYONG_DATABASE_URL"] = url
    reset_settings()
    core_db.dispose_engine()
    migrate.upgrade(url)
    report = loader.load_demo(
        subjects=subjects, seed=1, records_per_subject=per_subject, anchor=date(2026, 11, 1)
    )
    engine = core_db.get_engine()
    reference = _raw_insert_rate(engine, min(report.records, 2_000_000))
    print(f"[{label}] {report.summary()}")
    print(
        f"[{label}] subjects/s {report.subjects / report.seconds:,.0f}  "
        f"records/s {report.records / report.seconds:,.0f}"
    )
    print(f"[{label}] reference: bare bulk insert of narrow rows {reference:,.0f} rows/s")
    core_db.dispose_engine()


def main() -> None:
    subjects = int(os.environ.get("XINYONG_BENCH_SUBJECTS", "50000"))
    per_subject = float(os.environ.get("XINYONG_BENCH_RECORDS_PER_SUBJECT", "10"))
    with tempfile.TemporaryDirectory() as tmp:
        _run(f"sqlite:///{Path(tmp) / 'bench.db'}", "sqlite", subjects, per_subject)
    server = os.environ.get("XINYONG_BENCH_PG_URL") or os.environ.get("XINYONG_TEST_PG_URL")
    if not server:
        print("[postgresql] skipped: set XINYONG_BENCH_PG_URL to a PostgreSQL server URL")
        return
    with scratch_postgresql(server, prefix="xinyong_bench_") as url:
        _run(url, "postgresql", subjects, per_subject)


if __name__ == "__main__":
    main()
