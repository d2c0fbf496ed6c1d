"""A department's report batch survives its process being killed mid-batch (both stores): the
chunk being issued is lost whole, the batch's heartbeat goes stale, ``run-queued`` resumes
it after the last committed chunk and every code gets exactly one report."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from tests import factories
from xinyong.auth import service as auth_service
from xinyong.auth.principal import Principal
from xinyong.auth.schemas import AccountCreate
from xinyong.core.db import session_scope
from xinyong.reports import batch as batches
from xinyong.reports.models import Report, ReportBatch
from xinyong.subjects import service as subjects_service

CODES = 5
CHUNK = 2


def _queued_batch() -> tuple[int, list[str]]:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        dept = factories.department(session)
        account = auth_service.create_account(
            session,
            data=AccountCreate(
                username="awards",
                display_name="awards",
                password="Correct-Horse-42",
                kind="staff",
                role="department_user",
                department_id=dept.id,
            ),
        )
        principal = auth_service.principal_for(session, account)
        assert isinstance(principal, Principal)
        codes = [factories.enterprise(session).uscc or "" for _ in range(CODES)]
        codes.append("91320505MA00000000")  # no such subject: a problem, not a report
        batch = batches.create(
            session,
            principal=principal,
            type_code="special",
            purpose="评优评先资格审查",
            codes=codes,
        )
        return batch.id, codes


def _state(batch_id: int) -> tuple[str, int]:
    with session_scope() as session:
        batch = session.get(ReportBatch, batch_id)
        assert batch is not None
        return batch.state, batch.done


def _worker(batch_id: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "xinyong.cli", "reports", "run-batch", str(batch_id)]
    return subprocess.Popen(
        [*command, "--chunk", str(CHUNK)],
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(["src", os.environ.get("PYTHONPATH", "")]),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_killed_batch_is_resumed_and_issues_each_report_once(configured_db: str) -> None:
    batch_id, codes = _queued_batch()
    worker = _worker(batch_id)
    try:
        deadline = time.monotonic() + 120
        while _state(batch_id)[1] < CHUNK:  # the first chunk is committed …
            assert worker.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGKILL)  # … and the process dies in the middle of the rest
    finally:
        worker.wait(timeout=30)
    state, done = _state(batch_id)
    assert state == "running" and CHUNK <= done < len(codes)
    assert batches.run_queued() == 0  # its heartbeat is fresh: the worker might be alive
    assert batches.run_queued(stale_after=timedelta(0)) == 1  # silent: resumed
    assert _state(batch_id) == ("done", len(codes))
    with session_scope() as session:
        issued = Counter(
            report.content["subject"]["code"]
            for report in session.scalars(select(Report).where(Report.batch_id == batch_id))
        )
        batch = session.get(ReportBatch, batch_id)
        assert batch is not None
        problems = [p["code"] for p in batch.problems]
    assert issued == Counter(codes[:CODES])  # every subject once, none twice
    assert problems == [codes[-1]]
    assert batches.run_queued(stale_after=timedelta(0)) == 0  # done batches stay done
