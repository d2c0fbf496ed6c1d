"""Downloads people open in a spreadsheet: CSV (UTF-8 with BOM, for Excel) and XLSX, streamed
row by row, bounded, with labelled headers, times in Beijing time and cells that a
spreadsheet cannot run as formulas (a leading =, +, -, @, tab or CR gets a quote mark)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi.responses import StreamingResponse
from openpyxl import Workbook

from xinyong.core.localtime import local_time

FORMATS = ("csv", "xlsx")
MAX_ROWS = 10_000  # the largest export; a bigger one is narrowed by the filters first
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 64 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> str:
    """A value as a cell's text: dates ISO, moments in local time, lists joined, and text a
    spreadsheet would take for a formula quoted with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        value = "、".join(safe_cell(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_chunks(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The CSV in chunks of about 64 KB (one chunk per row costs more than the rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a BOM: Excel then reads the file as UTF-8
    writer.writerow([safe_cell(h) for h in headers])
    for count, row in enumerate(rows, start=1):
        if count > MAX_ROWS:
            break
        writer.writerow([safe_cell(v) for v in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_bytes(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str, note: str = ""
) -> Iterator[bytes]:
    """The rows as one XLSX sheet (write-only workbook, spooled to disk beyond 8 MB), sent in
    chunks; ``note`` goes in a first row above the headers when given."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "sheet")
    if note:
        sheet.append([note])
    sheet.append([safe_cell(h) for h in headers])
    for count, row in enumerate(rows, start=1):
        if count > MAX_ROWS:
            break
        sheet.append([safe_cell(v) for v in row])
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        book.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk


def download(
    fmt: str,
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "",
) -> StreamingResponse:
    """A streamed CSV or XLSX download named ``filename`` (without its extension)."""
    if fmt == "xlsx":
        body = xlsx_bytes(headers, rows, title=title or filename)
        media = XLSX_TYPE
    else:
        body = _csv_chunks(headers, rows)
        media = "text/csv; charset=utf-8"
    name = f"{filename}.{fmt}"
    disposition = f"attachment; filename=\"export.{fmt}\"; filename*=UTF-8''{quote(name)}"
    return StreamingResponse(body, media_type=media, headers={"content-disposition": disposition})
