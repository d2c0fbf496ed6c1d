"""Batch credit checks (统查): reading lists, the background job, the hit report, the API,
the console upload page and the command line. The job opens its own sessions, so most tests
run against one committed database per backend (``live``)."""

from __future__ import annotations

import csv
import gc
import io
import json
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests import factories
from tests.conftest import LiveCities
from tests.lists.helpers import listed_serious
from xinyong.app import create_app
from xinyong.audit.models import AuditEntry
from xinyong.auth import apikeys
from xinyong.auth import service as auth_service
from xinyong.auth.models import QueryLog
from xinyong.auth.principal import Principal
from xinyong.auth.schemas import AccountCreate
from xinyong.checks import batch, batch_names
from xinyong.checks import service as checks
from xinyong.checks.models import CheckInput, CheckRow, CreditCheck
from xinyong.checks.resolve import SubjectQuery
from xinyong.cli import app as cli_app
from xinyong.core.config import reset_settings
from xinyong.core.db import session_factory, session_scope
from xinyong.core.errors import Conflict, Invalid
from xinyong.identity import codes
from xinyong.subjects import matching as subjects_matching
from xinyong.subjects import service as subjects_service

TODAY = date(2026, 10, 8)
MATTER = "government_procurement"
PURPOSE = "政府采购项目 SZCG-2026-118 供应商资格审查"
HEADER = ["序号", "企业名称", "统一社会信用代码", "备注"]
PASSWORD = "Correct-Horse-42"


def _csv(rows: list[list[object]], encoding: str = "gbk", header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *(row + [""] * (len(header) - len(row)) for row in rows)])
    return out.getvalue().encode(encoding)


def _xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "名单"
    for line in [header, *rows]:
        sheet.append(line)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _officer(department_id: int) -> Principal:
    return Principal(
        kind="staff", role="department_user", account_id=7, department_id=department_id,
        label="采购科",
    )  # fmt: skip


def _bad_id_number() -> str:
    number = factories.id_number()
    return number[:-1] + ("0" if number[-1] != "0" else "1")


# --- reading lists (no database) -----------------------------------------------------------


def test_rows_of_gbk_csv_and_xlsx_keep_spreadsheet_row_numbers() -> None:
    rows: list[list[object]] = [
        [1, "苏州市恒泰精密机械有限公司", "", ""],
        [2, "", "91320505MA1X2Y3Z4Q", "备注随意"],
        ["", "", "", ""],  # empty: skipped, its number kept
        [3, "", "", "只有备注"],  # neither name nor code: an invalid row, not a refusal
        [4, "张小伟", "320508198506150021", ""],
    ]
    expected = [
        SubjectQuery(2, "苏州市恒泰精密机械有限公司", None),
        SubjectQuery(3, None, "91320505MA1X2Y3Z4Q"),
        SubjectQuery(5, None, None),
        SubjectQuery(6, "张小伟", "320508198506150021"),
    ]
    assert batch.read_rows(_csv(rows), "名单.csv") == expected
    assert batch.read_rows(_csv(rows, "utf-8-sig"), "名单.csv") == expected
    assert batch.read_rows(_xlsx(rows), "名单.xlsx") == expected
    # Headers as people write them; a code typed as a number loses no ".0".
    header = ["序号", "*企业名称(必填)", "统一社会信用代码/身份证号码"]
    assert batch.read_rows(_xlsx([[1, "某公司", 123456789]], header), "x.xlsx") == [
        SubjectQuery(2, "某公司", "123456789")
    ]
    assert batch.read_rows(_csv([["x"]], header=["姓名"]) + "\n李四\n".encode("gbk"), "n.csv") == [
        SubjectQuery(2, "x", None),
        SubjectQuery(4, "李四", None),
    ]


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (17 << 20))
    return out.getvalue()


HOSTILE = {
    "zip bomb": (_zip_bomb(), "bomb.xlsx", "zip_bomb"),
    "binary junk": (bytes(range(256)) * 64, "junk.csv", "binary"),
    "junk named xlsx": (b"not a workbook at all\n" * 10, "list.xlsx", "not_xlsx"),
    "wrong encoding": (b"\xe5\x90\x8d,\xe4\xbb\xa3\n\x80\xff\xfe,\xff\x80\n", "x.csv", "encoding"),
    "empty": (b"", "empty.csv", "empty"),
    "header only": (_csv([]), "header.csv", "no_rows"),
    "no name or code column": (
        _csv([[1, 2]], header=["序号", "金额"]),
        "x.csv",
        "no_subject_column",
    ),
    "json lines": (b'{"name": "x"}\n', "x.jsonl", "unsupported_format"),
    "stray cell": (_csv([[1, "某公司", "", "", "多出的格"]]), "x.csv", "cell_count"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_naming_the_file_and_nothing_is_written(
    session: Session, case: str
) -> None:
    data, name, reason = HOSTILE[case]
    finance = factories.department(session, "finance")
    with pytest.raises(Invalid) as caught:
        batch.submit(
            session, principal=_officer(finance.id), department_id=None, matter=MATTER,
            purpose=PURPOSE, data=data, file_name=name, today=TODAY,
        )  # fmt: skip
    assert caught.value.details["field"] == "file"
    assert caught.value.details["reason"] == reason
    if reason == "cell_count":  # the message and details name the row and the column
        assert (caught.value.details["row"], caught.value.details["column"]) == (2, "E")
        assert "row 2" in caught.value.message and "(E)" in caught.value.message
    assert session.scalar(select(func.count()).select_from(CreditCheck)) == 0
    assert session.scalar(select(func.count()).select_from(CheckInput)) == 0


def test_limits_on_rows_and_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "MAX_ROWS", 3)
    four = _csv([[i, f"某{i}公司", ""] for i in range(4)])
    with pytest.raises(Invalid, match="more than 3 rows") as caught:
        batch.read_rows(four, "four.csv")
    assert caught.value.details["limit"] == 3
    monkeypatch.setenv("XINYONG_CHECK_BATCH_MAX_BYTES", "100")
    reset_settings()
    try:
        with pytest.raises(Invalid, match="largest accepted is 100 bytes"):
            batch.read_rows(four + b" " * 100, "big.csv")
    finally:
        monkeypatch.delenv("XINYONG_CHECK_BATCH_MAX_BYTES")
        reset_settings()


def test_submit_queues_the_check_with_its_file(session: Session) -> None:
    finance = factories.department(session, "finance")
    data = _csv([[1, "某某公司", ""], [2, "", factories.uscc()]])
    check = batch.submit(
        session, principal=_officer(finance.id), department_id=None, matter=MATTER,
        purpose=PURPOSE, data=data, file_name="C:\\Users\\清单\x07.csv", today=TODAY,
    )  # fmt: skip
    assert (check.kind, check.state, check.rows_total, check.rows_done) == ("batch", "queued", 2, 0)
    kept = session.get(CheckInput, check.id)
    assert kept is not None and kept.content == data and kept.rows == 2
    assert kept.file_name == check.file_name == "清单.csv" and len(kept.sha256) == 64
    with pytest.raises(Invalid) as caught:
        batch.submit(
            session, principal=_officer(finance.id), department_id=None, matter="nope",
            purpose=PURPOSE, data=data, file_name="x.csv", today=TODAY,
        )  # fmt: skip
    assert caught.value.details["field"] == "matter"
    assert session.scalar(select(func.count()).select_from(CreditCheck)) == 1


# --- the job (a committed database per backend) ------------------------------------------------


@pytest.fixture(scope="module")
def live(live_city: LiveCities) -> Iterator[str]:
    """A migrated database made the process-wide one for the module (the job's sessions)."""
    with live_city(departments=True) as built:
        yield built.url


def _queue(data: bytes, name: str = "名单.csv") -> int:
    with session_scope() as session:
        department = factories.department(session, "finance").id
        return batch.submit(
            session, principal=_officer(department), department_id=None, matter=MATTER,
            purpose=PURPOSE, data=data, file_name=name, today=TODAY,
        ).id  # fmt: skip


@dataclass
class Seen:
    check: CreditCheck
    rows: dict[int, CheckRow]


def _seen(check_id: int) -> Seen:
    with session_factory()() as session:
        rows = checks.rows_of(session, check_id, limit=1000)
        return Seen(checks.get(session, check_id), {row.row_no: row for row in rows})


Outcome = dict[int, tuple[str, int | None, frozenset[str]]]


def _outcome(session: Session, check_id: int) -> Outcome:
    """Per row number: the resolution, the subject and the measure codes that hit."""
    rows = checks.rows_of(session, check_id, limit=1000)
    hits = checks.hits_of(session, [row.id for row in rows])
    return {
        row.row_no: (
            row.resolution, row.subject_id, frozenset(h.measure_code for h in hits.get(row.id, []))
        )
        for row in rows
    }  # fmt: skip


def _mixed_list() -> tuple[bytes, dict[str, str]]:
    """A GBK list with codes, names, a person, twins, bad codes and empty rows."""
    with session_scope() as session:
        on_list, _, _ = listed_serious(session)
        by_name, _, _ = listed_serious(session)
        clean = factories.enterprise(session)
        person = factories.person(session, name="李明华")
        for _ in range(2):
            factories.enterprise(session, name="苏州宏达贸易有限公司")
        given = {"listed": on_list.uscc or "", "id": subjects_service.reveal_id_number(person)}
        rows: list[list[object]] = [
            [1, "", on_list.uscc],
            [2, by_name.name, ""],
            ["", "", ""],
            [3, clean.name, clean.uscc],
            [4, "李明华", given["id"]],
            [5, "苏州宏达贸易有限公司", ""],
            [6, "", factories.uscc()],
            [7, "", "91320505MA1X2Y3Z4Q"],
            [8, "", _bad_id_number()],
            [9, "", "", "只有备注"],
            [10, "", "x" * 60],
            [11, "", on_list.uscc, "重复"],
        ]
    given["bad_id"] = str(rows[8][2])
    return _csv(rows), {k: v or "" for k, v in given.items()}


def test_batch_finds_what_single_checks_find(live: str) -> None:
    data, given = _mixed_list()
    check_id = _queue(data)
    progress: list[tuple[int, int, int]] = []

    def seen_elsewhere(done: int, total: int) -> None:  # committed: other sessions see it
        with session_factory()() as other:
            progress.append((done, total, checks.get(other, check_id).rows_done))

    batch.run(check_id, chunk=4, progress=seen_elsewhere)
    assert progress == [(4, 11, 4), (8, 11, 8), (11, 11, 11)]
    got = _seen(check_id)
    assert {no: row.resolution for no, row in got.rows.items()} == {
        2: "code", 3: "name", 5: "code", 6: "code", 7: "ambiguous", 8: "not_found",
        9: "invalid", 10: "invalid", 11: "invalid", 12: "invalid", 13: "code",
    }  # fmt: skip
    assert got.rows[6].query_code == codes.mask_id_number(given["id"])
    assert got.rows[10].query_code == codes.mask_id_number(given["bad_id"])  # never in clear
    assert got.rows[12].query_code == "x" * 32
    # The same rows asked in one single check (the row with neither cannot be asked there).
    asked = [q for q in batch.read_rows(data, "x.csv") if q.name or q.code]
    with session_factory()() as session:
        outcome = _outcome(session, check_id)
        single = checks.run_single(
            session, principal=_officer(got.check.department_id), department_id=None,
            matter=MATTER, purpose=PURPOSE, subjects=asked, today=TODAY,
        )  # fmt: skip
        assert _outcome(session, single.id) == {k: v for k, v in outcome.items() if k != 11}
        figures = (single.subjects_found, single.subjects_hit, single.hits)
        session.rollback()
    assert "C-PROC-01" in outcome[2][2] and "C-PROC-01" in outcome[3][2] and not outcome[5][2]
    check = got.check
    assert (check.state, check.rows_done, check.rows_total, check.error) == ("done", 11, 11, None)
    assert (check.subjects_found, check.subjects_hit, check.hits) == figures
    assert check.finished_at is not None
    _assert_registered_and_audited(check)


def _assert_registered_and_audited(check: CreditCheck) -> None:
    with session_scope() as session:
        audits = session.scalars(
            select(AuditEntry).where(
                AuditEntry.object_type == "credit_check", AuditEntry.object_id == str(check.id)
            )
        ).all()
        assert [(a.action, a.actor) for a in audits] == [("measures.batch_check", "account:7")]
        logged = session.scalars(
            select(QueryLog).where(QueryLog.detail["check_id"].as_integer() == check.id)
        ).all()
        assert len(logged) == check.subjects_found  # each subject once, across chunks
        assert {(q.actor, q.purpose, q.matter_code) for q in logged} == {
            ("account:7", PURPOSE, MATTER)
        }


def test_report_xlsx_lines_per_row_and_per_hit(live: str) -> None:
    with session_scope() as session:
        on_list, _, _ = listed_serious(session)
        person = factories.person(session, name="王晓梅")
        id_number = subjects_service.reveal_id_number(person) or ""
    rows: list[list[object]] = [
        [1, "", on_list.uscc, ""],
        [2, "王晓梅", id_number, ""],
        [3, '=HYPERLINK("http://evil.example","点我")', "", ""],
        [4, "", "", "空"],
    ]
    check_id = _queue(_xlsx(rows), "名单.xlsx")
    batch.run(check_id)
    with session_factory()() as session:
        check = checks.get(session, check_id)
        workbook = load_workbook(io.BytesIO(batch.report_xlsx(session, check)))
    assert workbook.sheetnames == ["核查结果", "命中措施"]
    lines = list(workbook["核查结果"].iter_rows(values_only=True))
    assert lines[0][:4] == ("行号", "名称(输入)", "代码(输入)", "匹配结果")
    by_row = {line[0]: line for line in lines[1:]}
    assert sorted(by_row) == [2, 3, 4, 5]
    assert by_row[2][3] == "按代码匹配" and by_row[2][5] == on_list.uscc
    assert "严重失信主体名单" in by_row[2][8] and "C-PROC-01" in by_row[2][9] and by_row[2][10]
    assert by_row[3][2] == codes.mask_id_number(id_number) and id_number not in str(lines)
    assert by_row[4][1].startswith("'=HYPERLINK")  # text, never a formula
    assert by_row[5][3] == "输入无效" and by_row[5][11] == "未填写名称或代码"
    hits = list(workbook["命中措施"].iter_rows(values_only=True))
    assert hits[0][3] == "措施编号" and len(hits) - 1 == check.hits
    proc = next(line for line in hits[1:] if line[3] == "C-PROC-01")
    assert proc[0] == 2 and proc[5] == "失信约束措施" and proc[7] == "列入严重失信主体名单"
    assert proc[8] is not None and proc[9] == "待反馈"


def test_failed_job_ends_failed_with_the_error(live: str, monkeypatch: pytest.MonkeyPatch) -> None:
    check_id = _queue(_csv([[i, "", factories.uscc(), ""] for i in range(5)]))
    calls = []
    process = checks.process

    def second_chunk_fails(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        process(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checks, "process", second_chunk_fails)
    with pytest.raises(RuntimeError):
        batch.run(check_id, chunk=2)
    check = _seen(check_id).check
    assert (check.state, check.rows_done, check.error) == ("failed", 2, "RuntimeError: disk full")
    assert check.finished_at is not None
    with pytest.raises(Conflict, match="failed, not queued"):
        batch.run(check_id)


def test_a_check_runs_once(live: str) -> None:
    first = _queue(_csv([[1, "", factories.uscc(), ""]]))
    second = _queue(_csv([[1, "", factories.uscc(), ""]]))
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        try:
            batch.run(first)
            outcomes.append("ran")
        except batch.AlreadyClaimed:
            outcomes.append("refused")

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ran", "refused"]
    with pytest.raises(batch.AlreadyClaimed, match="done, not queued"):
        batch.run(first)
    assert batch.run_queued() >= 1 and _seen(second).check.state == "done"
    assert batch.run_queued() == 0


def test_a_job_whose_worker_died_is_resumed_after_its_last_chunk(
    live: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, _ = _mixed_list()
    clean = _queue(data)
    batch.run(clean, chunk=2)
    lost = _queue(data)

    def die(done: int, total: int) -> None:  # the process is killed after the first chunk
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(batch, "_record_failure", lambda *args: None)  # a killed job records nothing
        with pytest.raises(KeyboardInterrupt):
            batch.run(lost, chunk=2, progress=die)
    stopped = _seen(lost).check
    assert (stopped.state, stopped.rows_done) == ("running", 2)
    assert stopped.heartbeat_at is not None
    with pytest.raises(batch.AlreadyClaimed):  # queued jobs only, unless asked to take over
        batch.run(lost)
    assert batch.run_queued() == 0  # its heartbeat is fresh: the worker may still be alive
    with session_scope() as session:  # ... until it has been silent too long
        session.get(CreditCheck, lost).heartbeat_at = batch.stale_before() - timedelta(seconds=1)
    assert batch.run_queued() == 1
    resumed, reference = _seen(lost), _seen(clean)
    assert resumed.check.state == "done" and resumed.check.error is None
    assert resumed.rows.keys() == reference.rows.keys()
    for number, row in reference.rows.items():
        again = resumed.rows[number]
        assert (again.resolution, again.subject_id, again.hit_count, again.lists) == (
            row.resolution, row.subject_id, row.hit_count, row.lists,
        )  # fmt: skip
    counted = ("rows_done", "subjects_found", "subjects_hit", "hits")
    assert [getattr(resumed.check, k) for k in counted] == [
        getattr(reference.check, k) for k in counted
    ]
    with session_scope() as session:  # every subject registered once, as in the clean run
        logged = session.scalars(
            select(QueryLog.subject_id).where(QueryLog.detail["check_id"].as_integer() == lost)
        ).all()
    assert sorted(logged) == sorted({r.subject_id for r in reference.rows.values() if r.subject_id})


def test_names_use_the_shared_index_refreshed_between_jobs(live: str) -> None:
    batch_names._INDEXES.clear()
    codes_only = _queue(_csv([[1, "", factories.uscc(), ""]]))
    batch.run(codes_only)
    assert batch_names._INDEXES == {}  # no name-only row: no index built
    with session_scope() as session:
        first = factories.enterprise(session, name="苏州市钧益精密五金有限公司")
    batch.run(_queue(_csv([[1, first.name, "", ""]])))
    assert len(batch_names._INDEXES) == 1
    with session_scope() as session:  # registered after the index was built
        later = factories.enterprise(session, name="苏州市澜湾新材料科技有限公司")
    check_id = _queue(_csv([[1, later.name, "", ""]]))
    batch.run(check_id)
    (row,) = _seen(check_id).rows.values()
    assert (row.resolution, row.subject_id) == ("name", later.id)


def test_a_server_builds_the_index_when_it_starts(
    live: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch_names._INDEXES.clear()
    with session_scope() as session:
        known = factories.enterprise(session, name="苏州市启衡环境工程有限公司")
    builds: list[int] = []
    build = subjects_matching.build_index
    monkeypatch.setattr(
        subjects_matching, "build_index",
        lambda s: builds.append(1) or build(s),  # type: ignore[func-returns-value]
    )  # fmt: skip
    monkeypatch.setenv("XINYONG_MATCH_INDEX_AT_START", "true")
    reset_settings()
    warmers: list[threading.Thread] = []
    start = threading.Thread.start

    def started(thread: threading.Thread) -> None:
        warmers.extend([thread] if thread.name == "match-index" else [])
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", started)
    try:
        with TestClient(create_app()) as client:
            assert client.get("/api/v1/health").status_code == 200
            (warmer,) = warmers
            warmer.join(timeout=60)
            assert not warmer.is_alive() and builds == [1]
            (index,) = batch_names._INDEXES.values()
            assert known.id in index
            check_id = _queue(_csv([[1, known.name, "", ""]]))
            batch.run(check_id)  # the job finds the index held: no second build
            assert builds == [1]
            (row,) = _seen(check_id).rows.values()
            assert (row.resolution, row.subject_id) == ("name", known.id)
    finally:
        monkeypatch.undo()
        reset_settings()
        with batch_names._FROZEN_LOCK:
            batch_names._HELD = False
        gc.unfreeze()


# --- API, console and command line ---------------------------------------------------------


def _key(scopes: list[str]) -> dict[str, str]:
    with session_scope() as session:
        finance = factories.department(session, "finance")
        issued = apikeys.create(session, name="采购系统", scopes=scopes, department_id=finance.id)
    return {"Authorization": f"Bearer {issued.token}"}


def test_api_upload_runs_in_the_background_and_serves_the_report(live: str) -> None:
    with session_scope() as session:
        on_list, _, _ = listed_serious(session)
    client, headers = TestClient(create_app()), _key(["checks:run"])
    form = {"matter": MATTER, "purpose": PURPOSE}
    files = {"file": ("名单.csv", _csv([[1, "", on_list.uscc, ""]]), "text/csv")}
    answer = client.post("/api/v1/checks/batch", data=form, files=files, headers=headers)
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert (body["state"], body["rows_total"], body["kind"]) == ("queued", 1, "batch")
    assert body["links"]["report"] == f"/api/v1/checks/{body['id']}/report.xlsx"
    batch.drain()  # the job runs on the server's batch-check thread
    done = client.get(body["links"]["check"], headers=headers).json()
    assert (done["state"], done["rows_done"]) == ("done", 1) and done["hits"] > 0
    report = client.get(body["links"]["report"], headers=headers)
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(report.content)).sheetnames == ["核查结果", "命中措施"]
    waiting = _queue(_csv([[1, "", factories.uscc(), ""]]))
    early = client.get(f"/api/v1/checks/{waiting}/report.xlsx", headers=headers)
    assert early.status_code == 409 and "queued" in early.json()["message"]
    other = _key(["records:read"])
    assert client.get(body["links"]["report"], headers=other).status_code == 403
    before = _count(CreditCheck)
    junk = {"file": ("名单.csv", bytes(range(256)), "text/csv")}
    refused = client.post("/api/v1/checks/batch", data=form, files=junk, headers=headers)
    assert refused.status_code == 422 and refused.json()["details"]["field"] == "file"
    assert _count(CreditCheck) == before


def test_the_upload_answers_before_the_job_runs(live: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The job runs on the batch-check thread: the request neither waits for it nor holds a
    request thread (it used to run as the request's background task)."""
    release, started = threading.Event(), threading.Event()
    real_run = batch.run

    def held_run(check_id: int, **kwargs: Any) -> None:
        started.set()
        assert release.wait(30)
        real_run(check_id, **kwargs)

    monkeypatch.setattr(batch, "run", held_run)
    client, headers = TestClient(create_app()), _key(["checks:run"])
    form = {"matter": MATTER, "purpose": PURPOSE}
    files = {"file": ("名单.csv", _csv([[1, "", factories.uscc(), ""]]), "text/csv")}
    answer = client.post("/api/v1/checks/batch", data=form, files=files, headers=headers)
    assert answer.status_code == 202 and started.wait(30)
    seen = client.get(answer.json()["links"]["check"], headers=headers).json()
    assert seen["state"] == "queued"  # answered and readable while the job is held
    release.set()
    batch.drain()
    assert _seen(answer.json()["id"]).check.state == "done"


def _count(model: type[CreditCheck]) -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _login(client: TestClient) -> str:
    with session_scope() as session:
        finance = factories.department(session, "finance")
        username = f"cg{_count(CreditCheck)}"
        auth_service.create_account(
            session,
            data=AccountCreate(
                username=username, display_name="采购科", password=PASSWORD, kind="staff",
                role="department_user", department_id=finance.id,
            ),
        )  # fmt: skip
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    data = {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    page = client.get("/console/checks/batch")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def test_console_upload_page(live: str) -> None:
    client = TestClient(create_app())
    token = _login(client)
    page = client.get("/console/checks/batch")
    assert "批量核查" in page.text and 'value="government_procurement"' in page.text
    assert "Batch credit check" in client.get("/console/checks/batch?lang=en").text
    missing = client.post(
        "/console/checks/batch",
        data={"csrf_token": token, "matter": "", "purpose": "招标审查"},
        files={"file": ("名单.csv", _csv([[1, "某公司", ""]]), "text/csv")},
    )
    assert missing.status_code == 422 and "matter" in missing.text
    assert 'value="招标审查"' in missing.text  # the input is kept
    sent = client.post(
        "/console/checks/batch",
        data={"csrf_token": token, "matter": MATTER, "purpose": "招标审查"},
        files={"file": ("名单.csv", _csv([[1, "", factories.uscc(), ""]]), "text/csv")},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    check_id = int(sent.headers["location"].rsplit("/", 1)[1])
    batch.drain()
    assert _seen(check_id).check.state == "done"


def test_command_line_batch_and_run_queued(live: str, tmp_path: Path) -> None:
    with session_scope() as session:
        on_list, _, _ = listed_serious(session)
        finance = factories.department(session, "finance")
    folder = tmp_path
    (folder / "名单.csv").write_bytes(_csv([[1, "", on_list.uscc, ""], [2, "", "", "无"]]))
    runner = CliRunner()
    arguments = ["checks", "batch", str(folder / "名单.csv"), "--matter", MATTER]
    arguments += ["--dept", finance.key, "--purpose", PURPOSE, "--json"]
    result = runner.invoke(cli_app, [*arguments, "--report", str(folder / "r.xlsx")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["state"] == "done" and summary["rows_done"] == 2
    assert summary["resolutions"] == {"code": 1, "invalid": 1} and summary["hits"] > 0
    assert load_workbook(folder / "r.xlsx").sheetnames == ["核查结果", "命中措施"]
    with session_scope() as session:
        check = checks.get(session, summary["check_id"])
        assert check.actor.startswith("cli:")
    waiting = _queue(_csv([[1, "", factories.uscc(), ""]]))
    queued = runner.invoke(cli_app, ["checks", "run-queued"])
    assert queued.exit_code == 0 and re.search(r"[1-9]\d* batch checks run", queued.output)
    assert _seen(waiting).check.state == "done"
