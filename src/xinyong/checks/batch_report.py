"""The hit report of a credit check (核查结果) as XLSX, written as a stream.

Sheet 核查结果 has one line per input row (its number in the uploaded file, the name and
code as given with ID numbers masked, how it was resolved, the subject found, the lists it
is on, the measures that apply and their legal basis); sheet 命中措施 one line per hit with
its feedback due date. Rows are read a page at a time and openpyxl's write-only mode keeps
memory flat for 200,000 rows. Text that came from users is written as text, never as a
formula (``ingest.report.safe_text``: a leading apostrophe before ``= + - @``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.checks.models import CheckHit, CheckRow, CreditCheck
from xinyong.core.errors import NotFound
from xinyong.core.i18n import t
from xinyong.ingest.report import safe_text
from xinyong.measures.catalog import get_catalog
from xinyong.measures.present import basis_text
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

PAGE = 2000
ROW_SHEET = "核查结果"
HIT_SHEET = "命中措施"
ROW_HEADERS = (
    ("行号", 8), ("名称(输入)", 32), ("代码(输入)", 22), ("匹配结果", 18), ("匹配主体名称", 32),
    ("匹配主体代码", 22), ("匹配得分", 10), ("匹配结论", 14), ("所在名单", 40),
    ("适用措施", 50), ("法律依据", 60), ("说明", 40),
)  # fmt: skip
HIT_HEADERS = (
    ("行号", 8), ("主体名称", 32), ("主体代码", 22), ("措施编号", 14), ("措施名称", 40),
    ("措施性质", 14), ("法律依据", 60), ("触发原因", 40), ("反馈期限", 12), ("反馈状态", 10),
)  # fmt: skip
DECISIONS = {"match": "确认匹配", "possible": "可能匹配,需核实", "no_match": "不匹配"}
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BOLD = Font(bold=True)
_SEP = "；"


def _header(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = _BOLD
    return cell


def _value(value: Any) -> Any:
    """A cell's value: text made safe (it then never starts like a formula, so openpyxl keeps
    it a string), nothing for empty text (fewer cells to write)."""
    if isinstance(value, str):
        return safe_text(value) if value else None
    return value


def _line(values: Sequence[Any]) -> list[Any]:
    return [_value(value) for value in values]


def _sheet(workbook: Workbook, title: str, headers: Sequence[tuple[str, int]]) -> Any:
    sheet = workbook.create_sheet(title=title)
    for index, (_, width) in enumerate(headers):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.append([_header(sheet, text) for text, _ in headers])
    return sheet


# Only the columns the report shows: a 200,000-row check is read without ORM objects.
_ROW = (
    CheckRow.id, CheckRow.row_no, CheckRow.query_name, CheckRow.query_code,
    CheckRow.resolution, CheckRow.subject_id, CheckRow.score, CheckRow.detail,
)  # fmt: skip
_HIT = (
    CheckHit.row_id, CheckHit.subject_id, CheckHit.measure_code, CheckHit.measure_kind,
    CheckHit.reasons, CheckHit.feedback_due, CheckHit.feedback,
)  # fmt: skip
_SUBJECT = (Subject.id, Subject.name, Subject.uscc, Subject.id_number_masked)


def _pages(session: Session, check_id: int) -> Iterator[list[Any]]:
    """The check's rows in input order, a page at a time (keyset on the row number)."""
    last = -1
    while True:
        stmt = (
            select(*_ROW)
            .where(CheckRow.check_id == check_id, CheckRow.row_no > last)
            .order_by(CheckRow.row_no)
            .limit(PAGE)
        )
        page = list(session.execute(stmt))
        if not page:
            return
        yield page
        last = page[-1].row_no


class _Page:
    """What one page of rows needs: its hits, subjects and the records behind the hits."""

    def __init__(
        self, session: Session, check_id: int, rows: list[Any], measures: _Measures
    ) -> None:
        self.measures = measures
        self.hits: dict[int, list[Any]] = {}
        stmt = select(*_HIT).where(
            CheckHit.check_id == check_id, CheckHit.row_id.in_([row.id for row in rows])
        )
        for hit in session.execute(stmt.order_by(CheckHit.id)):
            self.hits.setdefault(hit.row_id, []).append(hit)
        ids = {row.subject_id for row in rows if row.subject_id is not None}
        self.subjects: dict[int, Any] = {}
        if ids:
            found = session.execute(select(*_SUBJECT).where(Subject.id.in_(ids)))
            self.subjects.update((subject.id, subject) for subject in found)
        wanted = {int(r.rsplit(":", 1)[1]) for hits in self.hits.values() for h in hits
                  for r in h.reasons if r.startswith("record:")}  # fmt: skip
        self.documents: dict[int, str] = {}
        if wanted:
            documents = select(Record.id, Record.source_record_id).where(Record.id.in_(wanted))
            self.documents.update((rid, doc) for rid, doc in session.execute(documents))


class _Measures:
    """A measure's name and legal basis as the report writes them, worked out once."""

    def __init__(self) -> None:
        self.catalog = get_catalog()
        self.known: dict[str, tuple[str, list[str]]] = {}

    def texts(self, code: str) -> tuple[str, list[str]]:
        """(name, legal basis lines); a measure a city has since disabled keeps its code."""
        if code not in self.known:
            try:
                measure = self.catalog.measure(code)
                texts = measure.name.zh, [basis_text(b) for b in measure.legal_basis]
            except NotFound:
                texts = code, []
            self.known[code] = texts
        return self.known[code]


def _subject_code(subject: Any) -> str:
    if subject is None:
        return ""
    return subject.uscc or subject.id_number_masked or ""


def _lists(row: Any) -> str:
    texts = []
    for entry in (row.detail or {}).get("entries", []):
        since = f"{entry['listed_on']}起" if entry.get("listed_on") else ""
        until = f"至{entry['term_end']}" if entry.get("term_end") else ""
        term = f"({since}{until})" if since or until else ""
        texts.append(t(f"ms.list.{entry['list_code']}", "zh") + term)
    return _SEP.join(texts)


def _decision(row: Any) -> str:
    if row.resolution == "code":
        return "代码一致"
    decision = ((row.detail or {}).get("name") or {}).get("decision")
    return DECISIONS.get(decision, "") if decision else ""


def _notes(row: Any) -> str:
    detail = row.detail or {}
    if row.resolution == "invalid":
        if not row.query_code:
            return "未填写名称或代码"
        return f"代码无效: {detail.get('reason') or ''}"
    if row.resolution == "ambiguous":
        candidates = (detail.get("name") or {}).get("candidates", [])
        found = [f"{c['name']}({c.get('code') or '-'}, {c['score']})" for c in candidates]
        return "候选主体: " + _SEP.join(found)
    if row.resolution == "not_found":
        return "登记库中无此代码" if row.query_code else "登记库中无相近名称"
    return ""


def _row_values(row: Any, page: _Page) -> list[Any]:
    subject = page.subjects.get(row.subject_id or 0)
    hits = page.hits.get(row.id, [])
    texts = [page.measures.texts(hit.measure_code) for hit in hits]
    basis = dict.fromkeys(line for _, lines in texts for line in lines)
    return [
        row.row_no,
        row.query_name or "",
        row.query_code if row.resolution != "name" else "",  # a name row gave no code
        t(f"ck.resolution.{row.resolution}", "zh"),
        subject.name if subject is not None else "",
        _subject_code(subject),
        row.score,
        _decision(row),
        _lists(row),
        _SEP.join(f"{h.measure_code} {name}" for h, (name, _) in zip(hits, texts, strict=True)),
        _SEP.join(basis),
        _notes(row),
    ]


def _reason(reason: str, documents: dict[int, str]) -> str:
    """``list:…``, ``grade:…``, ``record:<item>:<tier>:<id>`` as a person reads them."""
    kind, _, rest = reason.partition(":")
    if kind == "list":
        return "列入" + t(f"ms.list.{rest}", "zh")
    if kind == "grade":
        return f"信用评价等级为{rest}"
    if kind == "record":
        item_code, tier, record_id = rest.split(":")
        item = catalog_service.get_catalog().items.get(item_code)
        name = item.name.zh if item is not None else item_code
        tier_text = t(f"severity.{tier}", "zh") if tier != "-" else ""
        document = documents.get(int(record_id), f"#{record_id}")
        return f"{name}{f'({tier_text})' if tier_text else ''} {document}"
    return reason


def _hit_values(row: Any, hit: Any, page: _Page) -> list[Any]:
    subject = page.subjects.get(hit.subject_id)
    name, basis = page.measures.texts(hit.measure_code)
    return [
        row.row_no,
        subject.name if subject is not None else "",
        _subject_code(subject),
        hit.measure_code,
        name,
        t(f"ms.kind.{hit.measure_kind}", "zh"),
        _SEP.join(basis),
        _SEP.join(_reason(r, page.documents) for r in hit.reasons),
        hit.feedback_due,
        t(f"ck.feedback.{hit.feedback}", "zh"),
    ]


def report_xlsx(session: Session, check: CreditCheck) -> bytes:
    """The check's hit report as XLSX: 核查结果 per input row, 命中措施 per hit."""
    workbook = Workbook(write_only=True)
    rows_sheet = _sheet(workbook, ROW_SHEET, ROW_HEADERS)
    hits_sheet = _sheet(workbook, HIT_SHEET, HIT_HEADERS)
    measures = _Measures()
    for rows in _pages(session, check.id):
        page = _Page(session, check.id, rows, measures)
        for row in rows:
            rows_sheet.append(_line(_row_values(row, page)))
            for hit in page.hits.get(row.id, []):
                hits_sheet.append(_line(_hit_values(row, hit, page)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
