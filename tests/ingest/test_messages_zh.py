"""The reasons a clerk reads are Chinese first, then the English text (``中文 · English``)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.ingest.conftest import write_csv
from xinyong.ingest import ledger, service
from xinyong.ingest.models import IngestBatch, RejectedRow

TODAY = date(2024, 6, 3)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _sub(session: Session, mode: str) -> service.Submission:
    dept = factories.department(session)
    return service.Submission(
        item_code="admin_penalty",
        department_key=dept.key,
        mode=mode,  # type: ignore[arg-type]
        today=TODAY,
    )


def _payloads(session: Session, n: int) -> list[dict[str, Any]]:
    dept = factories.department(session)
    return [factories.penalty_payload(factories.enterprise(session), dept) for _ in range(n)]


def _bilingual(reason: str | None, english: str) -> None:
    """Chinese first (a CJK character opens it), then `` · `` and the English text."""
    assert reason is not None
    chinese, sep, rest = reason.partition(" · ")
    assert _CJK.match(reason) and sep and _CJK.search(chinese), reason
    assert english in rest, reason


def test_row_reasons_are_chinese_first_and_keep_the_english(
    session: Session, tmp_path: Path
) -> None:
    payloads = _payloads(session, 5)
    payloads[1]["decision_date"] = "5/1/24"
    payloads[2]["decision_date"] = "2099-01-05"
    payloads[3]["subject_name"] = "名" * 201
    payloads[4]["penalty_content"] = ""
    path = write_csv(tmp_path / "bad.csv", "admin_penalty", payloads)
    batch = service.submit_file(session, path=path, submission=_sub(session, "partial"))
    assert (batch.status, batch.accepted, batch.rejected) == ("partial", 1, 4)
    expected = {
        3: ("处罚决定日期", "'5/1/24' is not a date: write it as 2024-01-05"),
        4: ("处罚决定日期", "2099-01-05 is in the future (today is 2024-06-03)"),
        5: ("行政相对人名称", "201 characters, more than the 200 allowed"),
        6: ("处罚内容", "required"),
    }
    kept = session.scalars(select(RejectedRow).where(RejectedRow.batch_id == batch.id)).all()
    assert {r.row_number for r in kept} == set(expected)
    for row in kept:
        [error] = row.errors
        column, english = expected[row.row_number]
        assert error["column"] == column
        _bilingual(error["reason"], english)
    report = ledger.report(session, batch)
    assert len(report.errors) == 4
    for error in report.errors:
        _bilingual(error.reason, expected[error.row][1])
    assert report.errors[0].reason.startswith("日期“5/1/24”无法识别，请写作 2024-01-05 · ")


def test_batch_refusals_are_chinese_first(session: Session, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    refused = service.submit_file(session, path=empty, submission=_sub(session, "strict"))
    assert refused.status == "refused"
    _bilingual(refused.error, "the file is empty")
    assert refused.error == "文件为空 · the file is empty"
    payloads = _payloads(session, 2)
    payloads[1]["decision_date"] = "2099-01-05"
    path = write_csv(tmp_path / "strict.csv", "admin_penalty", payloads)
    strict: IngestBatch = service.submit_file(
        session, path=path, submission=_sub(session, "strict")
    )
    assert strict.status == "refused"
    _bilingual(strict.error, "not loaded: strict mode refuses the whole batch")
