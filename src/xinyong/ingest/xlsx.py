"""Reading one sheet of an Excel workbook for a submission (part of ``readers``).

Before openpyxl sees the file, the archive is checked: a damaged or truncated ZIP, an
OpenDocument file, or members inflating beyond ``settings.ingest_max_xlsx_uncompressed``
(or at an absurd ratio: a zip bomb) are refused. The sheet is the named one or the first
visible one; hidden sheets are never read silently. openpyxl's read-only mode does not expose
merged cells, so the sheet's ``<mergeCell>`` tags are read from the archive directly: merges
above the header (a title) are allowed, merges touching the header or data rows are refused
naming the range. Formula cells give their formula text (``data_only=False``).
"""

from __future__ import annotations

import re
import weakref
import zipfile
import zlib
from collections.abc import Generator, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from xinyong.core.config import get_settings
from xinyong.ingest.readers import IngestFileError, RawRow, Source, filled, find_header

ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_RATIO = 200  # uncompressed / compressed, for members larger than ZIP_RATIO_FLOOR
ZIP_RATIO_FLOOR = 16 << 20
_CHUNK = 1 << 20
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?\bref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
_DAMAGED = (zipfile.BadZipFile, zlib.error, ParseError, KeyError, ValueError, EOFError)
# Refusals a clerk reads: Chinese first, then the English text (``中文 · English``).
_OPENDOCUMENT = (
    "文件是 OpenDocument 电子表格，请另存为 .xlsx · "
    "the file is an OpenDocument spreadsheet: save it as .xlsx"
)
_NOT_WORKBOOK = "该 ZIP 压缩包不是 Excel 工作簿 · the ZIP archive is not an Excel workbook"
_NO_VISIBLE_SHEET = "工作簿中没有可见的工作表 · the workbook has no visible sheet"


class XlsxSource(Source):
    """One sheet of an Excel workbook, read with openpyxl in read-only mode. The workbook
    (with its shared strings, the costly part of loading) stays open while the source lives,
    so that ``rows()`` only streams the sheet again; it is closed when the source is dropped."""

    format = "xlsx"
    _workbook: Any = None

    @classmethod
    def open(cls, path: Path, *, sheet: str | None, notes: list[str]) -> XlsxSource:
        """Check the archive, choose the sheet, find the header and check merged cells."""
        check_archive(path)
        handle, workbook = _load(path)
        try:
            chosen, part = _choose_sheet(workbook, sheet, notes)
            number, header, titles = find_header(_sheet_rows(workbook, chosen))
            _check_merges(path, part, number)
        except BaseException:
            _close(workbook, handle)
            raise
        source = cls(path, header_row=number, header=header, notes=notes)
        source.sheet, source._workbook = chosen, workbook
        source.set_titles(titles)
        weakref.finalize(source, _close, workbook, handle)
        return source

    def rows(self) -> Iterator[RawRow]:
        """Stream the data rows below the header (each call streams the sheet again)."""
        for number, cells in _sheet_rows(self._workbook, str(self.sheet)):
            if number > self.header_row and any(map(filled, cells)):
                yield self.raw_row(number, cells, strict_width=False)


def _sheet_rows(workbook: Any, title: str) -> Generator[tuple[int, list[Any]], None, None]:
    """(row number, cell values) of a sheet, from row 1; a damaged part names the row."""
    number = 0
    try:
        worksheet = workbook[title]
        worksheet.reset_dimensions()  # dimensions written by some tools are wrong
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_value(value) for value in values]
    except _DAMAGED as exc:
        raise IngestFileError(
            f"工作簿在第 {number} 行之后已损坏：{exc} · "
            f"the workbook is damaged after row {number}: {exc}",
            reason="damaged",
            row=number + 1,
        ) from exc


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | datetime | date):
        return value
    if isinstance(value, time | timedelta):
        return str(value)
    text = getattr(value, "text", None)  # ArrayFormula and other formula objects
    return text if isinstance(text, str) else str(value)


def _load(path: Path) -> tuple[IO[bytes], Any]:
    """(file handle, workbook), read-only with formulas as text. Opened from a handle: openpyxl
    judges a file by its name, and a workbook may arrive named .csv."""
    handle = path.open("rb")
    try:
        return handle, load_workbook(handle, read_only=True, data_only=False)
    except (*_DAMAGED, OSError, TypeError, AttributeError, IndexError) as exc:
        handle.close()
        raise IngestFileError(
            f"无法打开工作簿（文件已损坏或不完整？）：{exc} · "
            f"the workbook cannot be opened (damaged or truncated?): {exc}",
            reason="damaged",
        ) from exc


def _close(workbook: Any, handle: IO[bytes]) -> None:
    workbook.close()
    handle.close()


def check_archive(path: Path) -> None:
    """Refuse a damaged archive, a non-Excel archive or a zip bomb, before parsing any XML."""
    limit = get_settings().ingest_max_xlsx_uncompressed
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestFileError(
            f"工作簿已损坏或不完整（不是完整的 ZIP 压缩包）：{exc} · "
            f"the workbook is damaged or truncated (not a complete ZIP archive): {exc}",
            reason="damaged",
        ) from exc
    names = {member.filename for member in members}
    if "mimetype" in names and "content.xml" in names:
        raise IngestFileError(_OPENDOCUMENT, reason="not_xlsx")
    if "xl/workbook.xml" not in names:
        raise IngestFileError(_NOT_WORKBOOK, reason="not_xlsx")
    total = sum(member.file_size for member in members)
    bomb = len(members) > ZIP_MAX_MEMBERS or total > limit
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        bomb = bomb or (member.file_size > ZIP_RATIO_FLOOR and ratio > ZIP_MAX_RATIO)
    if bomb:
        raise IngestFileError(
            f"工作簿解压后将达 {total:,} 字节、{len(members):,} 个部件（上限 {limit:,} 字节，"
            f"压缩比不超过 {ZIP_MAX_RATIO}:1），疑为压缩炸弹，拒收 · "
            f"the workbook would inflate to {total:,} bytes in {len(members):,} parts (limit "
            f"{limit:,} bytes, at most {ZIP_MAX_RATIO}:1): refused as a possible zip bomb",
            reason="zip_bomb",
        )


def _choose_sheet(workbook: Any, wanted: str | None, notes: list[str]) -> tuple[str, str]:
    """(sheet title, its part in the archive): the named sheet or the first visible one."""
    sheets = [ws for ws in workbook.worksheets if isinstance(ws, ReadOnlyWorksheet)]
    names = [ws.title for ws in sheets]
    if wanted is not None and wanted not in names:
        listed = ", ".join(f"'{name}'" for name in names)
        listed_zh = "、".join(f"“{name}”" for name in names)
        raise IngestFileError(
            f"工作簿中没有名为“{wanted}”的工作表（现有工作表：{listed_zh}） · "
            f"the workbook has no sheet '{wanted}' (its sheets: {listed})",
            reason="unknown_sheet",
            sheets=names,
        )
    visible = [ws for ws in sheets if ws.sheet_state == "visible"]
    chosen = next((ws for ws in sheets if ws.title == wanted), visible[0] if visible else None)
    if chosen is None:
        raise IngestFileError(_NO_VISIBLE_SHEET, reason="no_sheet")
    for ws in sheets:
        hidden = ws.sheet_state != "visible"
        if ws is chosen and hidden:
            notes.append(f"sheet '{ws.title}' is hidden; read because it was named")
        elif hidden:
            notes.append(f"hidden sheet '{ws.title}' ignored")
        elif ws is not chosen:
            notes.append(f"sheet '{ws.title}' not read (name it to read it instead)")
    return chosen.title, str(chosen._worksheet_path)


def _check_merges(path: Path, part: str, header_row: int) -> None:
    """Refuse merged cells in the header or data rows (naming the range); titles may merge."""
    for first_col, first_row, last_col, last_row in merged_ranges(path, part):
        if last_row >= header_row:
            ref = f"{first_col}{first_row}:{last_col}{last_row}"
            raise IngestFileError(
                f"表头或数据行中有合并单元格 {ref}：请取消合并并逐行填写"
                "（只有表头上方的标题可以合并） · "
                f"merged cells {ref} in the header or data rows: unmerge them and fill every "
                "row's cell (merged cells are allowed only in a title above the header)",
                reason="merged_cells",
                row=first_row,
                column=ref,
            )


def merged_ranges(path: Path, part: str) -> Iterator[tuple[str, int, str, int]]:
    """``(first column, first row, last column, last row)`` of each ``<mergeCell>`` of a
    sheet part, streaming its bytes; chunks are searched only where ``mergeCell`` occurs."""
    with zipfile.ZipFile(path) as archive, archive.open(part.lstrip("/")) as stream:
        tail = b""
        while True:
            chunk = stream.read(_CHUNK)
            data = tail + chunk
            cut = len(data) if not chunk else data.rfind(b">") + 1
            start = data.find(b"mergeCell", 0, cut)
            for match in _MERGE_REF.finditer(data, max(start - 16, 0), cut) if start >= 0 else ():
                first_col, first_row, last_col, last_row = match.groups()
                yield (
                    first_col.decode(),
                    int(first_row),
                    (last_col or first_col).decode(),
                    int(last_row or first_row),
                )
            if not chunk:
                return
            tail = data[cut:][-4096:]
