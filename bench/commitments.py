"""Credit commitments at Qingdao's scale: import commitments through the bulk path and run the
daily overdue scan, beside the ingest floor of the same run.

A synthetic city (XINYONG_BENCH_COMMIT_SUBJECTS subjects, default 5,000) gets
XINYONG_BENCH_COMMIT_ROWS commitments (default 100,000; the issue's figure is 1,000,000) as
the CSV that ``xinyong commitments import`` reads: three templates of two departments, signed
over the past 400 days, so that a share is overdue. Printed, on SQLite and (when
XINYONG_BENCH_PG_URL or XINYONG_TEST_PG_URL names a server) PostgreSQL:

* import  — ``bulk.read_csv`` + ``bulk.import_rows`` per 50,000-row chunk, committed: every
  row checked, its text rendered, sealed (Ed25519/SM2 witness signature), numbered from the
  daily counters, inserted with its conditions (commitments/s);
* scan    — the daily overdue scan over the whole table (conditions/s scanned);
* ingest floor (same run) — the same number of ``credit_commitment`` catalogue records (capped
  at 50,000) through the platform's ingest service (``ingest.service.submit_records``):
  records/s of the collection path (their commitment type fits no template of the submitting
  department, so no commitment is mirrored: the records alone);
* write floor (same run) — the imported commitments copied once more by one
  ``INSERT … SELECT`` (new numbers), committed: what writing the rows alone costs.

    .venv/bin/python bench/commitments.py
    XINYONG_BENCH_COMMIT_ROWS=1000000 .venv/bin/python bench/commitments.py
    XINYONG_BENCH_COMMIT_STORES=postgresql .venv/bin/python bench/commitments.py
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import func, select, text

from xinyong import registry
from xinyong.commitments import bulk, performance
from xinyong.commitments.models import Commitment, CommitmentCondition
from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import session_scope
from xinyong.demo import loader
from xinyong.ingest import service as ingest_service
from xinyong.subjects.models import Subject

TODAY = date(2026, 11, 20)
CHUNK = 50_000
TEMPLATES = (
    ("market_access", "sz_scjgj"),
    ("certificate_notification", "sz_scjgj"),
    ("construction_drawing_review", "sz_zjj"),
)


def _use(url: str) -> None:
    os.environ["XINYONG_DATABASE_URL"] = url
    reset_settings()
    core_db.dispose_engine()


def prepare(url: str, subjects: int) -> list[str]:
    """Migrate, load the city's subjects; their codes."""
    _use(url)
    migrate.upgrade(url)
    loader.load_demo(subjects=subjects, seed=1, records_per_subject=0.0001, anchor=TODAY)
    with session_scope() as session:
        return [
            code
            for code in session.scalars(
                select(Subject.uscc).where(
                    Subject.kind == "legal_person", Subject.uscc.is_not(None)
                )
            )
            if code
        ]


def rows_csv(codes: list[str], count: int, start: int = 0) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["template", "department", "subject_code", "signed_on"])
    for n in range(start, start + count):
        template, department = TEMPLATES[n % len(TEMPLATES)]
        signed = TODAY - timedelta(days=n % 400)
        writer.writerow([template, department, codes[n % len(codes)], signed.isoformat()])
    return out.getvalue().encode("utf-8")


def import_all(codes: list[str], total: int) -> float:
    started = time.perf_counter()
    for start in range(0, total, CHUNK):
        data = rows_csv(codes, min(CHUNK, total - start), start)
        with session_scope() as session:
            rows = bulk.read_csv(data)
            bulk.import_rows(session, rows, actor="bench", today=TODAY)
    return time.perf_counter() - started


def scan() -> tuple[float, int, int]:
    started = time.perf_counter()
    with session_scope() as session:
        report = performance.scan(session, today=TODAY)
        conditions = session.scalar(select(func.count()).select_from(CommitmentCondition)) or 0
    return time.perf_counter() - started, report.overdue_conditions, conditions


def ingest_floor(codes: list[str], count: int) -> tuple[float, int]:
    """The same commitments as credit_commitment records through the ingest service."""
    records = [
        {
            "subject_name": "",
            "subject_type": "legal_person",
            "subject_code": codes[n % len(codes)],
            "commitment_number": f"ING{n:017d}",
            "commitment_type": "行业自律型",  # fits no template: records only, a pure floor
            "commitment_matter": "市场主体设立登记",
            "commitment_date": (TODAY - timedelta(days=n % 400)).isoformat(),
            "receiving_body": "苏州市市场监督管理局",
            "performance_status": "履约中",
        }
        for n in range(count)
    ]
    with session_scope() as session:
        names = dict(
            session.execute(
                select(Subject.uscc, Subject.name).where(Subject.uscc.is_not(None))
            ).all()
        )
    for record in records:
        record["subject_name"] = names.get(str(record["subject_code"]), "")
    started = time.perf_counter()
    accepted = 0
    for begin in range(0, count, CHUNK):
        with session_scope() as session:
            batch = ingest_service.submit_records(
                session,
                records=records[begin : begin + CHUNK],
                submission=ingest_service.Submission(
                    item_code="credit_commitment",
                    department_key="sz_scjgj",
                    mode="partial",
                    today=TODAY,
                ),
            )
            accepted += batch.accepted
    return time.perf_counter() - started, accepted


def write_floor() -> tuple[float, int]:
    columns = [c.name for c in Commitment.__table__.columns if c.name != "id"]
    selected = ", ".join(
        "'9' || substr(number, 2)" if c == "number" else
        "NULL" if c == "external_ref" else c
        for c in columns
    )  # fmt: skip
    started = time.perf_counter()
    with session_scope() as session:
        done = session.execute(
            text(
                f"INSERT INTO commitments ({', '.join(columns)}) SELECT {selected} FROM commitments"
            )
        )
        rows = int(getattr(done, "rowcount", 0) or 0)
    return time.perf_counter() - started, rows


def run(label: str, url: str, subjects: int, total: int) -> None:
    codes = prepare(url, subjects)
    seconds = import_all(codes, total)
    scanned, overdue, conditions = scan()
    floor_count = min(total, 50_000)
    ingest_seconds, accepted = ingest_floor(codes, floor_count)
    write_seconds, written = write_floor()
    rate = total / seconds
    print(f"[{label}] import: {total:,} commitments in {seconds:.1f} s = {rate:,.0f}/s; "
          f"1,000,000 would take ≈ {1_000_000 / rate / 60:.1f} min")  # fmt: skip
    print(f"[{label}] overdue scan: {conditions:,} conditions in {scanned:.2f} s "
          f"({conditions / scanned:,.0f}/s), {overdue:,} became overdue")  # fmt: skip
    print(f"[{label}] ingest floor (same run): {floor_count:,} credit_commitment records "
          f"({accepted:,} accepted) in "
          f"{ingest_seconds:.1f} s = {floor_count / ingest_seconds:,.0f}/s; "
          f"commitments import = {rate / (floor_count / ingest_seconds):.2f}× ingest")  # fmt: skip
    print(f"[{label}] write floor (same run): {written:,} rows copied by INSERT…SELECT in "
          f"{write_seconds:.1f} s = {written / write_seconds:,.0f}/s; "
          f"import = {rate / (written / write_seconds):.2f}× the floor")  # fmt: skip
    core_db.dispose_engine()


def main() -> None:
    registry.wire_effects()
    subjects = int(os.environ.get("XINYONG_BENCH_COMMIT_SUBJECTS", "5000"))
    total = int(os.environ.get("XINYONG_BENCH_COMMIT_ROWS", "100000"))
    stores = os.environ.get("XINYONG_BENCH_COMMIT_STORES", "sqlite,postgresql").split(",")
    if "sqlite" in stores:
        with tempfile.TemporaryDirectory() as folder:
            os.environ["XINYONG_INGEST_DIR"] = folder
            run("sqlite", f"sqlite:///{folder}/bench.db", subjects, total)
    pg = os.environ.get("XINYONG_BENCH_PG_URL") or os.environ.get("XINYONG_TEST_PG_URL")
    if pg and "postgresql" in stores:
        from xinyong.core.db import scratch_postgresql

        with scratch_postgresql(pg) as url, tempfile.TemporaryDirectory() as folder:
            os.environ["XINYONG_INGEST_DIR"] = folder
            run("postgresql", url, subjects, total)


if __name__ == "__main__":
    main()
