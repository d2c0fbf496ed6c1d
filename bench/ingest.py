"""Collection (归集) speed: a GBK CSV of administrative penalties loaded on both stores.

Generates a synthetic city (XINYONG_BENCH_INGEST_SUBJECTS subjects, default 20,000) and a
GBK CSV of XINYONG_BENCH_INGEST_ROWS administrative penalties about its subjects (default
200,000; the issue's figure is 1,000,000), then, each in a fresh process so that peak
memory is the load's own:

* xinyong: ``xinyong ingest FILE --item admin_penalty --dept sz_scjgj`` on SQLite and on
  PostgreSQL (records/s and peak RSS);
* reference (same run, same file): a raw ``COPY … FROM STDIN (FORMAT csv, ENCODING 'GBK')``
  into an unconstrained all-text staging table on PostgreSQL; on SQLite, Python's csv
  module + ``executemany`` into an unconstrained table (SQLite has no COPY);
* floor (same run): the rows the load decided, written into ``records`` once more by one
  ``INSERT … SELECT`` from a temporary copy (new source ids) and committed — what writing
  the records alone costs, with the table's indexes and foreign keys; no load can beat it.

Then, when ``../shared/data/real`` holds the registry sample (40,950 real enterprises), the
sample as a registration export (GBK, national headers: ``tests/ingest/real.py``) is loaded in
partial mode and the share of its rows accepted is printed, with the reasons of the rest.

PostgreSQL runs when XINYONG_BENCH_PG_URL (or XINYONG_TEST_PG_URL) names a server.
Targets (issue 4): ≥ 50,000 records/s and ≥ 1/3 of raw COPY on PostgreSQL; ≥ 20,000
records/s on SQLite; peak memory ≤ 1 GiB.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ANCHOR = date(2026, 11, 20)
DEPARTMENT = "sz_scjgj"


def _env(url: str, folder: Path) -> dict[str, str]:
    return {**os.environ, "XINYONG_DATABASE_URL": url, "XINYONG_INGEST_DIR": str(folder)}


def prepare(url: str, subjects: int) -> None:
    """Migrate, sync departments and load the city's subjects (no records) into ``url``."""
    from xinyong.core import db as core_db
    from xinyong.core import migrate
    from xinyong.core.config import reset_settings
    from xinyong.demo import loader

    os.environ["XINYONG_DATABASE_URL"] = url
    reset_settings()
    core_db.dispose_engine()
    migrate.upgrade(url)
    loader.load_demo(subjects=subjects, seed=1, records_per_subject=0.0001, anchor=ANCHOR)
    core_db.dispose_engine()


def write_file(path: Path, subjects: int, rows: int) -> int:
    """The penalty CSV (GBK) about the city's subjects."""
    from xinyong.catalog import service as catalog_service
    from xinyong.catalog.service import load_departments
    from xinyong.demo import submissions
    from xinyong.demo.fields import DepartmentInfo

    item = catalog_service.get_catalog().item("admin_penalty")
    spec = next(d for d in load_departments() if d.key == DEPARTMENT)
    department = DepartmentInfo(id=0, kind=spec.kind.value, name=spec.name.zh, code=spec.code)
    city = list(
        submissions.city_subjects(subjects=subjects, seed=1, anchor=ANCHOR, region="320500")
    )
    made = submissions.payloads(
        item=item, department=department, subjects=city, rows=rows, anchor=ANCHOR
    )
    return submissions.write_csv(path, item, made, encoding="gbk")


def load_child(url: str, path: str) -> None:
    """(Child process) load the file with xinyong; print seconds, rows and peak RSS."""
    from xinyong.core.config import reset_settings
    from xinyong.core.db import session_scope
    from xinyong.ingest import service

    os.environ["XINYONG_DATABASE_URL"] = url
    reset_settings()
    started = time.perf_counter()
    with session_scope() as session:
        batch = service.submit_file(
            session,
            path=Path(path),
            submission=service.Submission(
                item_code="admin_penalty", department_key=DEPARTMENT, mode="partial", today=ANCHOR
            ),
        )
        counts = {
            k: getattr(batch, k) for k in ("rows", "accepted", "rejected", "late", "new_subjects")
        }
        counts["batch_id"] = batch.id
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "rss": rss, "workers_rss": workers, **counts}))


REPO_ROOT = Path(__file__).resolve().parents[1]


def real_child(url: str, folder: str) -> None:
    """(Child process) the registry sample as a registration export, loaded in partial mode:
    rows, accepted share and the reasons of the rejections."""
    sys.path.insert(0, str(REPO_ROOT))
    from collections import Counter

    from sqlalchemy import select
    from tests.ingest.real import REGISTRY_SAMPLE, SHARED_REAL, registry_file

    from xinyong.core.config import reset_settings
    from xinyong.core.db import session_scope
    from xinyong.ingest import service
    from xinyong.ingest.models import RejectedRow

    os.environ["XINYONG_DATABASE_URL"] = url
    reset_settings()
    path = registry_file(SHARED_REAL / REGISTRY_SAMPLE, Path(folder) / "registry.csv")
    started = time.perf_counter()
    with session_scope() as session:
        batch = service.submit_file(
            session,
            path=path,
            submission=service.Submission(
                item_code="registration", department_key=DEPARTMENT, mode="partial"
            ),
        )
        rejected = session.scalars(select(RejectedRow).where(RejectedRow.batch_id == batch.id))
        reasons = Counter(
            f"{e['column']}: {e['reason'].partition(' · ')[2][:70]}"
            for r in rejected
            for e in r.errors
        )
        counts = {"rows": batch.rows, "rejected": batch.rejected}
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, **counts, "reasons": reasons.most_common(10)}))


def _real(label: str, url: str, path: Path) -> None:
    sample = REPO_ROOT.parent / "shared" / "data" / "real" / "registry"
    if not (sample / "enterprise_registry_sample.csv").exists():
        print(f"[{label}] real registry sample: skipped (../shared/data/real is absent)")
        return
    real = _child("real", url, path, str(path.parent))
    kept = real["rows"] - real["rejected"]
    print(
        f"[{label}] real registry sample: {kept:,} of {real['rows']:,} rows accepted "
        f"({kept / real['rows']:.3%}) in {real['seconds']:.1f} s; rejections: "
        + (", ".join(f"{reason} ×{count}" for reason, count in real["reasons"]) or "none")
    )


def copy_child(url: str, path: str) -> None:
    """(Child process) the reference: raw COPY / executemany into an unconstrained table."""
    with open(path, encoding="gbk", newline="") as handle:
        header = next(csv.reader(handle))
    columns = ", ".join(f"c{i} TEXT" for i in range(len(header)))
    started = time.perf_counter()
    if url.startswith("postgresql"):
        import psycopg

        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE raw_copy ({columns})")
            started = time.perf_counter()
            with (
                cur.copy(
                    "COPY raw_copy FROM STDIN (FORMAT csv, HEADER true, ENCODING 'GBK')"
                ) as cp,
                open(path, "rb") as data,
            ):
                while block := data.read(1 << 20):
                    cp.write(block)
            rows = cur.execute("SELECT COUNT(*) FROM raw_copy").fetchone()[0]  # type: ignore[index]
    else:
        import sqlite3

        conn = sqlite3.connect(url.split("///", 1)[1])
        conn.execute(f"CREATE TEMP TABLE raw_copy ({columns})")
        marks = ", ".join("?" for _ in header)
        with open(path, encoding="gbk", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            conn.executemany(f"INSERT INTO raw_copy VALUES ({marks})", reader)
        rows = conn.execute("SELECT COUNT(*) FROM raw_copy").fetchone()[0]
        conn.commit()
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "rss": rss, "rows": rows}))


_RECORD_COLUMNS = (
    "subject_id, item_code, department_id, source_record_id, version, is_current, state, "
    "decision_date, severity, polarity, disclosure_end, payload, protected, content_hash, "
    "catalog_version, batch_id, supersedes_id, state_reason, reported_workdays, reported_late, "
    "created_at, updated_at"
)


def floor_child(url: str, batch_id: str) -> None:
    """(Child process) the floor: the decided rows of the load written into ``records``
    again (new source ids), with its indexes, foreign keys and commit — no reading, parsing,
    staging or deciding. No load into ``records`` can be faster than this."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    selected = _RECORD_COLUMNS.replace(
        "source_record_id,", "source_record_id || '#floor',", 1
    ).replace("batch_id,", "'floor',", 1)
    with engine.connect() as conn:
        conn.execute(
            text("CREATE TEMP TABLE floor_rows AS SELECT * FROM records WHERE batch_id = :b"),
            {"b": batch_id},
        )
        conn.commit()
        started = time.perf_counter()
        inserted = conn.execute(
            text(f"INSERT INTO records ({_RECORD_COLUMNS}) SELECT {selected} FROM floor_rows")
        ).rowcount
        conn.commit()
        seconds = time.perf_counter() - started
    engine.dispose()
    print(json.dumps({"seconds": seconds, "rows": inserted}))


def _child(kind: str, url: str, path: Path, argument: str | None = None) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, kind, url, argument or str(path)],
        check=True, capture_output=True, text=True, env=_env(url, path.parent / "kept"),
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _run(label: str, url: str, path: Path, subjects: int) -> None:
    started = time.perf_counter()
    prepare(url, subjects)
    print(f"[{label}] city of {subjects:,} subjects ready in {time.perf_counter() - started:.0f} s")
    reference = _child("copy", url, path)
    loaded = _child("load", url, path)
    floor = _child("floor", url, path, str(loaded["batch_id"]))
    rate = loaded["rows"] / loaded["seconds"]
    ref_rate = reference["rows"] / reference["seconds"]
    floor_rate = floor["rows"] / floor["seconds"]
    print(
        f"[{label}] xinyong: {loaded['rows']:,} rows in {loaded['seconds']:.1f} s = {rate:,.0f} "
        f"records/s (accepted {loaded['accepted']:,}, rejected {loaded['rejected']:,}, late "
        f"{loaded['late']:,}, new subjects {loaded['new_subjects']:,}); peak RSS "
        f"{loaded['rss'] / 2**20:,.0f} MiB (largest parse worker "
        f"{loaded['workers_rss'] / 2**20:,.0f} MiB)"
    )
    print(
        f"[{label}] reference ({'raw COPY' if label == 'postgresql' else 'csv + executemany'}): "
        f"{reference['rows']:,} rows in {reference['seconds']:.1f} s = {ref_rate:,.0f} rows/s; "
        f"xinyong = {rate / ref_rate:.2f} of it"
    )
    print(
        f"[{label}] floor (same run): the {floor['rows']:,} decided rows written into records "
        f"again (its indexes, foreign keys, commit; no reading, parsing or deciding) in "
        f"{floor['seconds']:.1f} s = {floor_rate:,.0f} rows/s; xinyong = {rate / floor_rate:.2f} "
        f"of it"
    )
    _real(label, url, path)


def main() -> None:
    subjects = int(os.environ.get("XINYONG_BENCH_INGEST_SUBJECTS", "20000"))
    rows = int(os.environ.get("XINYONG_BENCH_INGEST_ROWS", "200000"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "penalties.csv"
        started = time.perf_counter()
        written = write_file(path, subjects, rows)
        print(
            f"[file] {written:,} penalty rows, GBK CSV of {path.stat().st_size / 2**20:,.0f} MiB "
            f"generated in {time.perf_counter() - started:.0f} s"
        )
        _run("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", path, subjects)
        server = os.environ.get("XINYONG_BENCH_PG_URL") or os.environ.get("XINYONG_TEST_PG_URL")
        if not server:
            print("[postgresql] skipped: set XINYONG_BENCH_PG_URL to a PostgreSQL server URL")
            return
        from xinyong.core.db import scratch_postgresql

        with scratch_postgresql(server, prefix="xinyong_bench_") as url:
            _run("postgresql", url, path, subjects)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "load":
        load_child(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "copy":
        copy_child(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "floor":
        floor_child(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "real":
        real_child(sys.argv[2], sys.argv[3])
    else:
        main()
