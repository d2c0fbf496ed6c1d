"""Kill the ingest process with SIGKILL mid-file, run the same submission again: the database
ends exactly as after an uninterrupted run (both stores)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import City, LiveCities
from xinyong.catalog import service as catalog_service
from xinyong.catalog.service import load_departments
from xinyong.demo import submissions
from xinyong.demo.fields import DepartmentInfo

ANCHOR = date(2026, 11, 20)
ROWS = 40_000


def _file(path: Path) -> Path:
    item = catalog_service.get_catalog().item("admin_penalty")
    spec = next(d for d in load_departments() if d.key == "sz_scjgj")
    department = DepartmentInfo(id=0, kind=spec.kind.value, name=spec.name.zh, code=spec.code)
    city = list(submissions.city_subjects(subjects=500, seed=1, anchor=ANCHOR, region="320500"))
    made = submissions.payloads(
        item=item, department=department, subjects=city, rows=ROWS, anchor=ANCHOR
    )
    submissions.write_csv(path, item, made, encoding="gbk")
    return path


def _command(path: Path) -> list[str]:
    script = (
        "from datetime import date; from pathlib import Path; "
        "from xinyong.core.db import session_scope; from xinyong.ingest import service; "
        "from xinyong import registry; registry.wire_effects(); "  # as every process does
        "sub = service.Submission(item_code='admin_penalty', department_key='sz_scjgj', "
        "mode='partial', today=date(2026, 11, 20)); "
        "import sys\n"
        "with session_scope() as s:\n"
        f"    service.submit_file(s, path=Path({str(path)!r}), submission=sub)\n"
    )
    return [sys.executable, "-c", script]


def _state(url: str) -> list[tuple[object, ...]]:
    """Everything a load decides, without ids and timestamps."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.item_code, r.source_record_id, r.version, r.is_current, r.state, "
                "r.content_hash, s.uscc, s.id_number_hash, s.verified FROM records r "
                "JOIN subjects s ON s.id = r.subject_id ORDER BY r.item_code, "
                "r.source_record_id, r.version"
            )
        ).all()
        subjects = conn.execute(text("SELECT COUNT(*) FROM subjects")).scalar_one()
    engine.dispose()
    return [*map(tuple, rows), ("subjects", subjects)]


def test_sigkill_mid_file_then_rerun_equals_an_uninterrupted_run(
    live_city: LiveCities, tmp_path: Path
) -> None:
    """Two copies of one demo city, each a database of its own: the child processes commit."""
    path = _file(tmp_path / "penalties.csv")
    env = {**os.environ, "XINYONG_INGEST_WORKERS": "0"}

    def demo() -> AbstractContextManager[City[None]]:
        return live_city(subjects=500, seed=1, records_per_subject=0.5, anchor=ANCHOR)

    with demo() as clean_city, demo() as crashed_city:
        clean, crashed = clean_city.url, crashed_city.url
        subprocess.run(_command(path), check=True, env={**env, "XINYONG_DATABASE_URL": clean})
        expected = _state(clean)

        before = _state(crashed)
        victim = subprocess.Popen(_command(path), env={**env, "XINYONG_DATABASE_URL": crashed})
        time.sleep(3.0)  # well inside the load of 40,000 rows
        assert victim.poll() is None, "the load finished before it could be killed; use more rows"
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        assert _state(crashed) == before  # nothing half-written
        subprocess.run(_command(path), check=True, env={**env, "XINYONG_DATABASE_URL": crashed})
        assert _state(crashed) == expected
