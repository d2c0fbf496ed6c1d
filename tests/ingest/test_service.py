"""Submissions end to end on both stores: outcomes, versions, atomicity, review, withdrawals."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from tests.ingest.conftest import write_csv
from xinyong.audit.models import AuditEntry
from xinyong.core.config import reset_settings
from xinyong.ingest import ledger, pipeline, review, service
from xinyong.ingest.merge import Stage, copy_text
from xinyong.ingest.models import IngestBatch, RejectedRow, ReviewItem
from xinyong.ingest.stage import STAGE_COLUMNS
from xinyong.records.models import Record, RecordEvent
from xinyong.subjects.models import Subject

TODAY = date(2024, 6, 3)


def _sub(session: Session, mode: str = "strict", **extra: Any) -> service.Submission:
    dept = factories.department(session)
    return service.Submission(
        item_code="admin_penalty",
        department_key=dept.key,
        mode=mode,
        today=TODAY,
        **extra,  # type: ignore[arg-type]
    )


def _payloads(session: Session, n: int, **overrides: Any) -> list[dict[str, Any]]:
    dept = factories.department(session)
    return [
        factories.penalty_payload(factories.enterprise(session), dept, **overrides)
        for _ in range(n)
    ]


def _load(
    session: Session, tmp_path: Path, payloads: list[dict[str, Any]], **kw: Any
) -> IngestBatch:
    path = write_csv(tmp_path / f"p{len(list(tmp_path.iterdir()))}.csv", "admin_penalty", payloads)
    return service.submit_file(session, path=path, submission=_sub(session, **kw))


def _current(session: Session, batch: IngestBatch) -> list[Record]:
    return list(session.scalars(select(Record).where(Record.batch_id == batch.id)))


def test_a_gbk_file_loads_every_row(session: Session, tmp_path: Path) -> None:
    batch = _load(session, tmp_path, _payloads(session, 3))
    assert (batch.status, batch.rows, batch.accepted, batch.rejected) == ("loaded", 3, 3, 0)
    assert batch.encoding in ("gbk", "gb18030") and batch.file_format == "csv"
    records = _current(session, batch)
    assert len(records) == 3 and all(r.is_current and r.version == 1 for r in records)
    assert all(r.content_hash and r.severity for r in records)
    audit = session.scalars(select(AuditEntry).where(AuditEntry.object_id == batch.id)).all()
    # the records' consequences (record effects), then the batch itself
    assert [a.action for a in audit] == ["record.effects.published", "ingest.submission"]


def test_resubmission_is_unchanged_and_a_change_makes_a_new_version(
    session: Session, tmp_path: Path
) -> None:
    payloads = _payloads(session, 3)
    first = _load(session, tmp_path, payloads)
    again = _load(session, tmp_path, payloads)
    assert (again.unchanged, again.accepted, again.corrected) == (3, 0, 0)
    payloads[1] = {**payloads[1], "penalty_content": "罚款人民币6万元", "fine_amount": "6"}
    third = _load(session, tmp_path, payloads)
    assert (third.unchanged, third.corrected) == (2, 1)
    source = payloads[1]["decision_number"]
    versions = session.scalars(
        select(Record).where(Record.source_record_id == source).order_by(Record.version)
    ).all()
    assert [(v.version, v.state, v.is_current) for v in versions] == [
        (1, "corrected", False),
        (2, "active", True),
    ]
    assert versions[1].supersedes_id == versions[0].id and versions[1].batch_id == third.id
    assert versions[0].batch_id == first.id
    event = session.scalar(select(RecordEvent).where(RecordEvent.record_id == versions[0].id))
    assert event is not None and event.to_state == "corrected"


def test_strict_mode_refuses_the_whole_batch(session: Session, tmp_path: Path) -> None:
    payloads = _payloads(session, 3)
    payloads[2]["decision_date"] = "2024-02-30"
    before = session.scalar(select(func.count()).select_from(Record))
    batch = _load(session, tmp_path, payloads)
    assert (batch.status, batch.rows, batch.rejected, batch.accepted) == ("refused", 3, 3, 0)
    assert session.scalar(select(func.count()).select_from(Record)) == before
    rejected = session.scalars(select(RejectedRow).where(RejectedRow.batch_id == batch.id)).all()
    assert [r.row_number for r in rejected] == [4]
    assert rejected[0].errors[0]["column"] == "处罚决定日期"
    report = ledger.report(session, batch)
    assert report.errors[0].row == 4 and "2024-02-30" in report.errors[0].value


def test_partial_mode_loads_the_valid_rows(session: Session, tmp_path: Path) -> None:
    payloads = _payloads(session, 4)
    payloads[0]["subject_code"] = payloads[0]["subject_code"][:-1] + (
        "0" if payloads[0]["subject_code"][-1] != "0" else "1"
    )
    payloads[3]["fine_amount"] = "-3"
    batch = _load(session, tmp_path, payloads, mode="partial")
    assert (batch.status, batch.rows, batch.accepted, batch.rejected) == ("partial", 4, 2, 2)
    assert batch.rows == batch.accepted + batch.corrected + batch.unchanged + batch.rejected
    rows = {
        r.row_number
        for r in session.scalars(select(RejectedRow).where(RejectedRow.batch_id == batch.id))
    }
    assert rows == {2, 5}


def test_same_source_id_twice_in_a_file(session: Session, tmp_path: Path) -> None:
    payloads = _payloads(session, 2)
    clash = {**payloads[0], "penalty_content": "另一种内容"}
    same = dict(payloads[1])
    batch = _load(session, tmp_path, [*payloads, clash, same], mode="partial")
    assert (batch.accepted, batch.unchanged, batch.rejected) == (1, 1, 2)
    reasons = [
        e["reason"]
        for r in session.scalars(select(RejectedRow).where(RejectedRow.batch_id == batch.id))
        for e in r.errors
    ]
    assert all("rows 2, 4" in reason for reason in reasons)


def test_unknown_codes_create_unverified_subjects(session: Session, tmp_path: Path) -> None:
    dept = factories.department(session)
    code = factories.uscc()
    firm = factories.penalty_payload(
        Subject(name="苏州市新来科技有限公司", kind="legal_person", uscc=code), dept
    )
    person_id = factories.id_number()
    person = factories.penalty_payload(
        Subject(name="李大明", kind="natural_person", uscc=None), dept,
        subject_code=person_id, subject_type="natural_person",
    )  # fmt: skip
    batch = _load(session, tmp_path, [firm, person])
    assert (batch.accepted, batch.new_subjects) == (2, 2)
    new = session.scalar(select(Subject).where(Subject.uscc == code))
    assert new is not None and new.verified is False and new.name == "苏州市新来科技有限公司"
    people = session.scalars(select(Subject).where(Subject.kind == "natural_person")).all()
    found = [p for p in people if p.id_number_masked and p.id_number_masked[-4:] == person_id[-4:]]
    assert found and found[0].verified is False and found[0].id_number_enc
    record = session.scalar(select(Record).where(Record.subject_id == found[0].id))
    assert record is not None and person_id not in str(record.payload)


def test_a_record_of_another_subject_is_rejected(session: Session, tmp_path: Path) -> None:
    payloads = _payloads(session, 1)
    _load(session, tmp_path, payloads)
    other = factories.enterprise(session)
    moved = {**payloads[0], "subject_code": other.uscc, "subject_name": other.name}
    batch = _load(session, tmp_path, [moved], mode="partial")
    assert batch.rejected == 1
    errors = (
        session.scalars(select(RejectedRow).where(RejectedRow.batch_id == batch.id)).one().errors
    )
    assert "another subject" in errors[0]["reason"]


def test_late_rows_are_counted(session: Session, tmp_path: Path) -> None:
    payloads = _payloads(session, 2)
    payloads[0]["decision_date"] = "2024-05-31"  # 1 working day before TODAY
    payloads[1]["decision_date"] = "2024-05-20"  # 10 working days before
    batch = _load(session, tmp_path, payloads)
    assert batch.late == 1
    flags = {
        r.source_record_id: (r.reported_workdays, r.reported_late)
        for r in session.scalars(select(Record).where(Record.batch_id == batch.id))
    }
    assert flags[payloads[0]["decision_number"]] == (1, False)
    assert flags[payloads[1]["decision_number"]] == (10, True)


def test_name_only_rows_go_to_review(session: Session, tmp_path: Path) -> None:
    payloads = _payloads(session, 2)
    target = session.scalar(select(Subject).where(Subject.uscc == payloads[1]["subject_code"]))
    assert target is not None
    payloads[1] = {**payloads[1], "subject_code": ""}
    batch = _load(session, tmp_path, payloads, mode="partial")
    assert (batch.accepted, batch.rejected, batch.to_review) == (1, 1, 1)
    item = session.scalars(select(ReviewItem).where(ReviewItem.batch_id == batch.id)).one()
    assert item.status == "open" and target.id in [c["subject_id"] for c in item.candidates]
    record = review.resolve(session, review_id=item.id, subject_id=target.id, actor="test")
    assert record.subject_id == target.id and record.payload["subject_code"] == target.uscc
    assert item.status == "resolved"


def test_withdrawals_revoke_and_never_delete(session: Session, tmp_path: Path) -> None:
    payloads = _payloads(session, 2)
    _load(session, tmp_path, payloads)
    rows = [(1, payloads[0]["decision_number"], "原处罚决定经复议撤销"), (2, "无此文号", "x")]
    strict = ledger.withdraw(session, withdrawals=rows, submission=_sub(session))
    assert (strict.status, strict.rejected) == ("refused", 2)
    partial = ledger.withdraw(session, withdrawals=rows, submission=_sub(session, mode="partial"))
    assert (partial.accepted, partial.rejected) == (1, 1)
    revoked = session.scalar(
        select(Record).where(Record.source_record_id == payloads[0]["decision_number"])
    )
    assert revoked is not None and revoked.state == "revoked"
    again = ledger.withdraw(session, withdrawals=rows[:1], submission=_sub(session))
    assert again.unchanged == 1


def test_report_xlsx_and_ledger(session: Session, tmp_path: Path) -> None:
    payloads = _payloads(session, 3)
    payloads[1]["authority_code"] = "123"
    batch = _load(session, tmp_path, payloads, mode="partial")
    out = tmp_path / "report.xlsx"
    ledger.write_batch_report(session, batch, out)
    sheet = load_workbook(out, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4
    statuses = [str(r[-2]) for r in rows[1:]]
    assert "rejected" in statuses[1] and "loaded" in statuses[0]
    assert (rows[2][-1] and "处罚机关统一社会信用代码" in str(rows[2][-1])) or rows[2][-1]
    dept = factories.department(session)
    entry = next(
        r for r in ledger.ledger(session, department_id=dept.id) if r.item_code == "admin_penalty"
    )
    assert entry.rows >= 3 and entry.rejected >= 1 and entry.last_submission is not None
    # An aggregate of timestamps keeps its offset on SQLite too (the API's date-time format).
    assert entry.last_submission.utcoffset() == timedelta(0)
    assert "+00:00" in entry.model_dump_json() or "Z" in entry.model_dump_json()


def test_only_source_departments_may_report_an_item(session: Session, tmp_path: Path) -> None:
    court = factories.department(session, kind="court")
    from xinyong.core.errors import Forbidden

    with pytest.raises(Forbidden):
        service.submit_records(
            session,
            records=[{}],
            submission=service.Submission(item_code="registration", department_key=court.key),
        )


def test_api_records_with_every_outcome(session: Session) -> None:
    payloads = _payloads(session, 2)
    bad = {**payloads[1], "decision_date": "明天"}
    batch = service.submit_records(
        session,
        records=[payloads[0], bad, "not an object"],
        submission=_sub(session, mode="partial"),
    )
    assert (batch.rows, batch.accepted, batch.rejected) == (3, 1, 2)


def test_unstorable_characters_are_refused_per_row_and_kept_as_evidence(
    session: Session,
) -> None:
    """A NUL (PostgreSQL keeps none, in text or JSONB) or a lone surrogate (no UTF-8 holds
    one) sent by the API: the row is refused naming its field, its cells kept with U+FFFD."""
    payloads = _payloads(session, 3)
    nul = {**payloads[1], "decision_date": "明天", "decision_number": "文号\x00"}
    surrogate = {**payloads[2], "decision_number": "文号\ud800"}
    batch = service.submit_records(
        session, records=[payloads[0], nul, surrogate], submission=_sub(session, mode="partial")
    )
    assert (batch.rows, batch.accepted, batch.rejected) == (3, 1, 2)
    kept = {
        r.row_number: r
        for r in session.scalars(select(RejectedRow).where(RejectedRow.batch_id == batch.id))
    }
    assert kept[2].cells["decision_number"] == "文号\ufffd"
    assert kept[3].cells["decision_number"] == "文号\ufffd"
    assert "lone surrogate" in str(kept[3].errors)
    assert "\x00" not in str(kept[2].errors) and "\ud800" not in str(kept[3].errors)


def test_unstorable_withdrawals_are_refused_per_row(session: Session, tmp_path: Path) -> None:
    payloads = _payloads(session, 1)
    _load(session, tmp_path, payloads)
    number = payloads[0]["decision_number"]
    rows = [(1, number + "\x00", "复议撤销"), (2, number, "复议\x00撤销")]
    batch = ledger.withdraw(session, withdrawals=rows, submission=_sub(session, mode="partial"))
    assert (batch.accepted, batch.rejected) == (0, 2)
    kept = session.scalars(
        select(RejectedRow).where(RejectedRow.batch_id == batch.id).order_by(RejectedRow.row_number)
    ).all()
    assert [r.errors[0]["column"] for r in kept] == ["source_record_id", "reason"]
    assert kept[1].cells["reason"] == "复议\ufffd撤销"
    record = session.scalar(select(Record).where(Record.source_record_id == number))
    assert record is not None and record.state != "revoked"


def test_api_records_keyed_by_template_headers_go_to_review(session: Session) -> None:
    from tests.ingest.conftest import labelled

    payloads = _payloads(session, 1)
    record = {**labelled("admin_penalty", payloads[0]), "统一社会信用代码(身份证号码)": ""}
    batch = service.submit_records(
        session, records=[record], submission=_sub(session, mode="partial")
    )
    assert (batch.rejected, batch.to_review) == (1, 1)


def test_a_mistyped_id_number_is_masked_in_the_kept_errors(session: Session) -> None:
    dept = factories.department(session)
    number = factories.id_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    person = factories.penalty_payload(
        Subject(name="李大明", kind="natural_person"), dept,
        subject_code=wrong, subject_type="natural_person",
    )  # fmt: skip
    batch = service.submit_records(
        session, records=[person], submission=_sub(session, mode="partial")
    )
    kept = session.scalars(select(RejectedRow).where(RejectedRow.batch_id == batch.id)).one()
    assert wrong not in str(kept.errors) and wrong[-4:] in str(kept.errors)


def test_a_resubmitted_name_only_row_is_queued_once(session: Session, tmp_path: Path) -> None:
    payloads = _payloads(session, 1)
    payloads[0] = {**payloads[0], "subject_code": ""}
    first = _load(session, tmp_path, payloads, mode="partial")
    second = _load(session, tmp_path, payloads, mode="partial")
    assert first.to_review == second.to_review == 1
    items = session.scalars(select(ReviewItem).where(ReviewItem.status == "open")).all()
    assert len([i for i in items if i.subject_name == payloads[0]["subject_name"]]) == 1


def test_copy_text_stages_exactly_what_rows_stage(session: Session) -> None:
    """Parse workers format their chunks for COPY themselves (PostgreSQL): the staging table
    must hold the same values as when the loading process writes the rows one by one."""
    tricky = 'tab\there, new\nline, cr\rreturn, back\\slash \\N, "quotes", 中文, <b>x</b>'
    payload = '{"text": "a\\\\b\\n\\t", "name": "张三\\\\N"}'
    template: list[Any] = [None] * len(STAGE_COLUMNS)
    rows = []
    for number, text_value in enumerate([tricky, "", "\\", "\\N", "plain"], start=1):
        row = list(template)
        row[STAGE_COLUMNS.index("row_number")] = number
        row[STAGE_COLUMNS.index("source_record_id")] = text_value
        row[STAGE_COLUMNS.index("subject_name")] = tricky
        row[STAGE_COLUMNS.index("payload")] = payload
        row[STAGE_COLUMNS.index("decision_date")] = "2026-01-05"
        row[STAGE_COLUMNS.index("late")] = number % 2
        row[STAGE_COLUMNS.index("workdays")] = None if number == 3 else number * 7
        rows.append(tuple(row))
    stage = Stage(session.connection())
    stage.create()
    if not stage.postgres:
        with pytest.raises(TypeError):
            stage.write(copy_text(rows))
        return
    stage.write(rows)
    stage.write(copy_text([(r[0] + 100, *r[1:]) for r in rows]))
    read = stage.exec(f"SELECT {', '.join(STAGE_COLUMNS)} FROM ingest_stage ORDER BY row_number")
    fetched = [list(r) for r in read]
    one_by_one, as_copy = fetched[:5], fetched[5:]
    assert len(as_copy) == 5
    for plain, copied in zip(one_by_one, as_copy, strict=True):
        assert copied[0] == plain[0] + 100
        assert copied[1:] == plain[1:]
    assert one_by_one[0][STAGE_COLUMNS.index("subject_name")] == tricky
    assert one_by_one[3][STAGE_COLUMNS.index("source_record_id")] == "\\N"  # text, not NULL
    stage.drop()


def test_parse_workers_stage_what_the_loading_process_stages(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large file goes through worker processes (on PostgreSQL as COPY text): the same
    file sent again, parsed inline, is unchanged row for row, and errors read the same."""
    payloads = _payloads(session, 5)
    payloads[2] = {**payloads[2], "decision_date": "2099-01-05"}  # in the future: rejected
    path = write_csv(tmp_path / "big.csv", "admin_penalty", payloads)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setenv("XINYONG_INGEST_WORKERS", "1")
    reset_settings()
    try:
        parallel = service.submit_file(session, path=path, submission=_sub(session, "partial"))
    finally:
        monkeypatch.undo()
        reset_settings()
    inline = service.submit_file(session, path=path, submission=_sub(session, "partial"))
    assert (parallel.accepted, parallel.rejected) == (4, 1)
    assert (inline.unchanged, inline.accepted, inline.rejected) == (4, 0, 1)
    kept = [
        session.scalars(select(RejectedRow).where(RejectedRow.batch_id == b.id)).one()
        for b in (parallel, inline)
    ]
    assert kept[0].row_number == kept[1].row_number == 4
    assert kept[0].errors == kept[1].errors and kept[0].cells == kept[1].cells
