"""Export speed: 双公示 penalties and licences as CSV and XLSX (streamed, at most 10,000 rows).

A synthetic city of ``XINYONG_BENCH_EXPORT_SUBJECTS`` subjects (default 3,000, six records
each) on SQLite, and on PostgreSQL when XINYONG_BENCH_PG_URL (or XINYONG_TEST_PG_URL) names
a server (a scratch database, dropped afterwards). Per store and format: rows exported, the
whole download's time and rows/s, through the app in process (TestClient). Same-run
reference: walking the same rows through ``portal_service.double_publicity`` page by page
(the reads alone, no formatting or writing), so the difference is the export's own cost.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from xinyong import registry
from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import scratch_postgresql, session_scope
from xinyong.demo import loader
from xinyong.portal import service
from xinyong.portal.publish import MAX_LIMIT

ANCHOR = date.today()
SUBJECTS = int(os.environ.get("XINYONG_BENCH_EXPORT_SUBJECTS", "3000"))


@contextmanager
def _store(url: str) -> Iterator[None]:
    previous = os.environ.get("XINYONG_DATABASE_URL")
    os.environ["XINYONG_DATABASE_URL"] = url
    reset_settings()
    core_db.dispose_engine()
    try:
        migrate.upgrade(url)
        registry.wire_effects()
        loader.load_demo(subjects=SUBJECTS, seed=7, records_per_subject=6, anchor=ANCHOR)
        yield
    finally:
        if previous is None:
            os.environ.pop("XINYONG_DATABASE_URL", None)
        else:
            os.environ["XINYONG_DATABASE_URL"] = previous
        reset_settings()
        core_db.dispose_engine()


def _reads(kind: str) -> tuple[int, float]:
    """The reference: every published row of the kind, page by page, no export."""
    started = time.perf_counter()
    rows, cursor = 0, None
    with session_scope() as session:
        while rows < 10_000:
            page = service.double_publicity(
                session,
                kind=kind,  # type: ignore[arg-type]
                limit=MAX_LIMIT,
                cursor=cursor,
            )
            rows += len(page.records)
            cursor = page.next_cursor
            if not cursor:
                break
    return rows, time.perf_counter() - started


def _measure(label: str) -> None:
    from xinyong.app import create_app

    client = TestClient(create_app())
    client.get("/double-publicity/penalties")  # warm up: templates, catalogue, connections
    for path, kind in (("penalties", "penalty"), ("licences", "licence")):
        rows, seconds = _reads(kind)
        print(f"{label} {path}: reads alone {rows:,} rows in {seconds:.2f} s "
              f"({rows / seconds:,.0f} rows/s)")  # fmt: skip
        for fmt in ("csv", "xlsx"):
            started = time.perf_counter()
            answer = client.get(f"/double-publicity/{path}/export", params={"format": fmt})
            seconds = time.perf_counter() - started
            size = len(answer.content)
            print(f"{label} {path} {fmt}: {rows:,} rows, {size / 1e6:.1f} MB in {seconds:.2f} s "
                  f"({rows / seconds:,.0f} rows/s)")  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, _store(f"sqlite:///{Path(tmp) / 'bench.db'}"):
        _measure("sqlite")
    pg = os.environ.get("XINYONG_BENCH_PG_URL") or os.environ.get("XINYONG_TEST_PG_URL")
    if pg:
        with scratch_postgresql(pg) as url, _store(url):
            _measure("postgresql")


if __name__ == "__main__":
    main()
