"""Hostile submissions end to end (both stores): in strict mode each is refused with a clear
message naming row and column where there is one, and not a single record is written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from tests.ingest import files
from tests.ingest.conftest import labelled
from xinyong.ingest import ledger, service
from xinyong.ingest.models import IngestBatch
from xinyong.records.models import Record

TODAY = date(2024, 6, 3)


def _rows(session: Session, n: int = 3) -> list[dict[str, str]]:
    dept = factories.department(session)
    return [
        labelled("admin_penalty", factories.penalty_payload(factories.enterprise(session), dept))
        for _ in range(n)
    ]


def _csv(path: Path, rows: list[dict[str, str]], encoding: str = "gbk") -> Path:
    headers = list(rows[0])
    return files.write_csv(
        path, headers, [[r[h] for h in headers] for r in rows], encoding=encoding
    )


def _set(rows: list[dict[str, str]], row: int, header: str, value: str) -> list[dict[str, str]]:
    rows[row - 2] = {**rows[row - 2], header: value}
    return rows


Case = Callable[[Session, Path], Path]


def _mixed_encoding(session: Session, tmp: Path) -> Path:
    path = _csv(tmp / "a.csv", _rows(session))
    with path.open("ab") as out:
        out.write(",".join(_rows(session, 1)[0].values()).encode("utf-8") + b"\n")
    return path


def _truncated(session: Session, tmp: Path) -> Path:
    path = _csv(tmp / "t.csv", _rows(session))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])
    return path


def _empty(session: Session, tmp: Path) -> Path:
    path = tmp / "e.csv"
    path.write_bytes(b"")
    return path


def _header_only(session: Session, tmp: Path) -> Path:
    path = tmp / "h.csv"
    path.write_bytes((",".join(_rows(session, 1)[0]) + "\n").encode("gbk"))
    return path


def _missing_column(session: Session, tmp: Path) -> Path:
    rows = [{k: v for k, v in r.items() if k != "处罚决定日期"} for r in _rows(session)]
    return _csv(tmp / "m.csv", rows)


def _duplicated_header(session: Session, tmp: Path) -> Path:
    rows = _rows(session)
    headers = [*rows[0], "处罚机关"]
    return files.write_csv(tmp / "d.csv", headers, [[*r.values(), r["处罚机关"]] for r in rows])


def _unknown_column(session: Session, tmp: Path) -> Path:
    return _csv(tmp / "u.csv", [{**r, "内部编号": "x"} for r in _rows(session)])


def _bad_cell(header: str, value: str) -> Case:
    def make(session: Session, tmp: Path) -> Path:
        return _csv(tmp / "c.csv", _set(_rows(session), 3, header, value))

    return make


def _same_source_twice(session: Session, tmp: Path) -> Path:
    rows = _rows(session)
    clash = {**rows[0], "处罚内容": "另一内容"}
    return _csv(tmp / "s.csv", [*rows, clash])


CASES: dict[str, tuple[Case, int | None, str | None]] = {
    "mixed encoding": (_mixed_encoding, 5, None),
    "truncated": (_truncated, 4, None),
    "empty": (_empty, None, None),
    "header only": (_header_only, None, None),
    "missing required column": (_missing_column, None, None),
    "duplicated header": (_duplicated_header, None, None),
    "unknown column": (_unknown_column, None, None),
    "invalid code": (_bad_cell("统一社会信用代码(身份证号码)", "91320505MA1X00000X"), 3, None),
    "impossible date": (_bad_cell("处罚决定日期", "2024-13-01"), 3, "处罚决定日期"),
    "future decision": (_bad_cell("处罚决定日期", "2030-01-01"), 3, "处罚决定日期"),
    "negative amount": (_bad_cell("罚款金额(万元)", "-1.5"), 3, "罚款金额(万元)"),
    "same source id twice": (_same_source_twice, 2, None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_strict_batches_refuse_hostile_files_and_write_nothing(
    session: Session, tmp_path: Path, case: str
) -> None:
    make, row, column = CASES[case]
    path = make(session, tmp_path)
    before = session.scalar(select(func.count()).select_from(Record))
    dept = factories.department(session)
    batch = service.submit_file(
        session,
        path=path,
        submission=service.Submission(
            item_code="admin_penalty", department_key=dept.key, mode="strict", today=TODAY
        ),
    )
    assert batch.status == "refused" and batch.accepted == batch.corrected == 0
    assert session.scalar(select(func.count()).select_from(Record)) == before
    report = ledger.report(session, batch)
    assert report.error, "a refused batch says why"
    if row is not None:
        named = [e.row for e in report.errors] or [_error_row(batch)]
        assert row in named
    if column is not None:
        assert column in [e.column for e in report.errors]


def _error_row(batch: IngestBatch) -> Any:
    """The row a file-level refusal names, from its message."""
    import re

    found = re.search(r"row (\d+)", batch.error or "")
    return int(found.group(1)) if found else None


def test_script_tags_are_kept_as_text(session: Session, tmp_path: Path) -> None:
    rows = _set(_rows(session), 2, "违法事实", "<script>alert('x')</script>")
    dept = factories.department(session)
    batch = service.submit_file(
        session,
        path=_csv(tmp_path / "x.csv", rows),
        submission=service.Submission(
            item_code="admin_penalty", department_key=dept.key, today=TODAY
        ),
    )
    assert batch.status == "loaded"
    texts = [
        r.payload.get("violation_facts")
        for r in session.scalars(select(Record).where(Record.batch_id == batch.id))
    ]
    assert "<script>alert('x')</script>" in texts
