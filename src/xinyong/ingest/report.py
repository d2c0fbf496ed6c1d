"""The downloadable batch report (处理结果): the submitted rows with their outcome, as XLSX.

The report keeps the file's own row numbers (title rows are copied, empty rows stay empty),
so that "row 37" means the same row in the clerk's file and in the report; a file that stops
being readable part-way ends with a row saying why. Text that Excel
would evaluate (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
written with a leading apostrophe, and every string is written as a string, never a formula.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from xinyong.ingest.readers import IngestFileError, Source

STATUS_COLUMN = "处理结果"
ERRORS_COLUMN = "错误说明"
STATUS_LABELS = {
    "accepted": "新增 accepted",
    "corrected": "更正 corrected",
    "unchanged": "未变 unchanged",
    "rejected": "拒收 rejected",
}
EXCEL_MAX_TEXT = 32_767
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BOLD = Font(bold=True)
_REJECTED = PatternFill("solid", fgColor="FFF4CCCC")


def safe_text(text: str) -> str:
    """Text as Excel shows it and never evaluates: apostrophe before formula starts,
    characters XML cannot hold shown as ``\\xNN``, cut at Excel's cell limit."""
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    text = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= EXCEL_MAX_TEXT else text[: EXCEL_MAX_TEXT - 1] + "…"


def _cell(sheet: WriteOnlyWorksheet, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):  # even "": the outcome columns keep every row full width
        cell = WriteOnlyCell(sheet, value=safe_text(value))
        cell.data_type = "s"  # a string, even if it looks like a formula
    elif value is None or isinstance(value, bool | int | float | datetime | date):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, date) and not (isinstance(value, datetime) and value.time()):
            cell.number_format = "yyyy-mm-dd"
    else:
        cell = WriteOnlyCell(sheet, value=safe_text(str(value)))
        cell.data_type = "s"
    if bold:
        cell.font = _BOLD
    return cell


def write_report(
    source: Source, outcomes: Mapping[int, tuple[str, str]], out: Path | BinaryIO
) -> None:
    """Write the report: original headers and rows, plus 处理结果 and 错误说明 columns."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="处理结果")
    written = 0
    for number, cells in source.titles:
        written = _pad(sheet, written, number)
        sheet.append([_cell(sheet, value) for value in cells])
        written += 1
    written = _pad(sheet, written, source.header_row)
    header = [*source.headers, STATUS_COLUMN, ERRORS_COLUMN]
    sheet.append([_cell(sheet, text, bold=True) for text in header])
    written += 1
    try:
        for row in source.rows():
            written = _pad(sheet, written, row.number)
            status, errors = outcomes.get(row.number) or ("", "")
            sheet.append(_line(sheet, [row.cells.get(h) for h in source.headers], status, errors))
            written += 1
    except IngestFileError as error:  # the rows read so far, then why reading stopped
        written = _pad(sheet, written, int(error.details.get("row") or 0))
        blanks = [None] * len(source.headers)
        sheet.append(_line(sheet, blanks, "文件错误 file error", error.message))
    workbook.save(out)


def _line(sheet: WriteOnlyWorksheet, values: list[Any], status: str, errors: str) -> list[Any]:
    line = [_cell(sheet, value) for value in values]
    line += [_cell(sheet, STATUS_LABELS.get(status, status)), _cell(sheet, errors)]
    if "rejected" in status or "error" in status:
        line[-2].fill = _REJECTED
    return line


def _pad(sheet: WriteOnlyWorksheet, written: int, number: int) -> int:
    """Append empty rows until the next row written is row ``number``."""
    while written + 1 < number:
        sheet.append([])
        written += 1
    return written
