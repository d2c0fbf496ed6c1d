"""Bulk entries from the spreadsheets villages already keep (CSV in UTF-8 or GBK, or XLSX):
every row is checked as a declaration; one bad row and nothing is stored, and each problem
names its row and field."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from xinyong.core.errors import Invalid, XinyongError
from xinyong.core.i18n import Language, t
from xinyong.points import ledger, service

# header (Chinese as villages write it, or English) -> field
COLUMNS = {
    "户卡号": "card_code", "card_code": "card_code",
    "事项编码": "item", "item": "item",
    "事迹日期": "deed_date", "deed_date": "deed_date",
    "申报人": "declared_by", "declared_by": "declared_by",
    "渠道": "channel", "channel": "channel",
    "佐证": "evidence", "evidence": "evidence",
}  # fmt: skip
REQUIRED = ("card_code", "item", "deed_date", "declared_by")
CHANNELS = {
    "当面": "in_person", "口头": "in_person", "电话": "phone", "短信": "sms", "微信": "wechat",
    "in_person": "in_person", "phone": "phone", "sms": "sms", "wechat": "wechat", "": "import",
}  # fmt: skip


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str  # card_code, item, deed_date, declared_by, channel, evidence
    problem: XinyongError

    def text(self, lang: Language) -> str:
        """The problem as a sentence naming the row and field (the column as villages name it)."""
        return t("pts.err.row", lang).format(
            row=self.row, field=t(f"pts.import.{self.field}", lang),
            problem=self.problem.localized(lang),
        )  # fmt: skip


def _rows(name: str, content: bytes) -> list[list[Any]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a non-workbook
            raise Invalid(key="pts.err.import_format", details={"field": "file"}) from error
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [list(row) for row in csv.reader(io.StringIO(text))]
    raise Invalid(key="pts.err.import_format", details={"field": "file"})


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip().replace("/", "-"))


def import_entries(
    session: Session, *, name: str, content: bytes, actor: str, today: date | None = None
) -> int:
    """Declare every row (pending review); Invalid with the per-row problems, nothing stored,
    when any row is wrong."""
    rows = [r for r in _rows(name, content) if any(c not in (None, "") for c in r)]
    if not rows:
        raise Invalid(key="pts.err.import_missing", params={"columns": "、".join(REQUIRED)})
    header = [COLUMNS.get(str(c or "").strip(), "") for c in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise Invalid(key="pts.err.import_missing", params={"columns": "、".join(missing)})
    problems: list[RowProblem] = []
    stored = 0
    savepoint = session.begin_nested()
    for number, raw in enumerate(rows[1:], start=2):
        values = {f: ("" if v is None else v) for f, v in zip(header, raw, strict=False) if f}
        problem = _declare_row(session, values, actor=actor, today=today, row=number)
        if problem is None:
            stored += 1
        else:
            problems.append(problem)
    if problems:
        savepoint.rollback()
        raise Invalid(
            key="pts.err.import_rows",
            params={"count": len(problems)},
            details={"errors": [p.text("zh") for p in problems[:200]],
                     "errors_en": [p.text("en") for p in problems[:200]],
                     "rows": [{"row": p.row, "field": p.field} for p in problems[:200]]},
        )  # fmt: skip
    savepoint.commit()
    return stored


def _declare_row(
    session: Session, values: dict[str, Any], *, actor: str, today: date | None, row: int
) -> RowProblem | None:
    try:
        account = service.account_by_card(session, str(values.get("card_code", "")))
    except XinyongError as error:
        return RowProblem(row, "card_code", error)
    try:
        deed_date = _day(values.get("deed_date"))
    except ValueError:
        return RowProblem(row, "deed_date", Invalid(key="pts.import.bad_date"))
    channel = CHANNELS.get(str(values.get("channel", "")).strip())
    if channel is None:
        return RowProblem(row, "channel", Invalid(key="pts.import.bad_channel"))
    declared_by = str(values.get("declared_by", "")).strip()
    if not declared_by:
        return RowProblem(row, "declared_by", Invalid(key="pts.import.empty"))
    try:
        with session.begin_nested():
            ledger.declare(
                session, account=account, item_code=str(values.get("item", "")).strip(),
                deed_date=deed_date, declared_by=declared_by[:64], channel=channel,
                recorded_by=actor, evidence=str(values.get("evidence", "")) or None, today=today,
            )  # fmt: skip
    except XinyongError as error:
        field = str(error.details.get("field", "item"))
        return RowProblem(row, field if field in ("evidence", "deed_date") else "item", error)
    return None
