"""Open a submitted file and stream its rows: CSV, XLSX or JSON Lines (归集文件读取).

- Format: from the file's first bytes, then its name. A ZIP (an ``.xlsx`` even when named
  ``.csv``) is read as a workbook (``xlsx.py``); ``.jsonl``/``.ndjson`` (or text starting with
  ``{``) as JSON Lines, other text as CSV (``text.py``: encodings, delimiters). Old ``.xls``,
  password-protected and OpenDocument files are refused with a clear message. Files over
  ``settings.ingest_max_bytes`` are refused before they are read.
- Rows: the header is the first row with two or more filled cells; up to three single-cell
  rows above it are skipped as titles (noted); a header without any data row is refused.
  Completely empty rows are skipped but keep their number, so ``RawRow.number`` is the row
  number the clerk sees in Excel (header counted; the line number for JSON Lines).
- Cells outside the header are refused (a truncated or misaligned row), and so is data under
  an empty header cell; an empty header over an empty column is dropped.

Reading streams: memory does not grow with the number of rows. ``Source.rows()`` re-reads the
file at each call, so the report writer can walk the rows again after the loader.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from xinyong.core.config import get_settings
from xinyong.core.errors import Invalid
from xinyong.ingest.cells import quoted

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_MAX_TITLE_ROWS = 3
# Refusals a clerk reads: Chinese first, then the English text (``中文 · English``).
_EMPTY = "文件为空 · the file is empty"
_NO_HEADER = "文件没有表头，也没有数据 · the file has no header row and no data"
_OLD_EXCEL = (
    "文件是旧版 Excel 97-2003（.xls）或设有密码的工作簿，请另存为不设密码的 .xlsx 或 CSV · "
    "the file is an old Excel 97-2003 (.xls) or a password-protected workbook; save it "
    "as .xlsx without a password, or as CSV"
)
_NOT_XLSX = (
    "文件名为 .xlsx，但不是 Excel 工作簿（文件已损坏，或由其他格式改名而来） · "
    "the file is named .xlsx but is not an Excel workbook (damaged, or another format renamed)"
)


class IngestFileError(Invalid):
    """A file-level problem: the message (``中文 · English``) says what is wrong; details name
    reason, row, column."""

    code = "ingest_file"

    def __init__(
        self,
        message: str,
        status_code: int | None = None,
        code: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        reason: str | None = None,
        row: int | None = None,
        column: str | None = None,
        **extra: Any,
    ) -> None:
        given = {"reason": reason, "row": row, "column": column, **extra}
        merged = {**(details or {}), **{k: v for k, v in given.items() if v is not None}}
        merged.setdefault("reason", "invalid_file")
        super().__init__(message, status_code, code, details=merged)


@dataclass(frozen=True)
class RawRow:
    """One data row: its number as the clerk sees it, and original header -> raw value."""

    number: int
    cells: dict[str, Any]


def column_name(index: int) -> str:
    """``2`` -> ``column 3 (C)``: a 0-based position as a clerk finds it in Excel."""
    return f"column {index + 1} ({get_column_letter(index + 1)})"


def column_name_zh(index: int) -> str:
    """``2`` -> ``第 3 列（C）``: ``column_name`` in Chinese."""
    return f"第 {index + 1} 列（{get_column_letter(index + 1)}）"


def filled(value: Any) -> bool:
    """Whether a cell holds something (not None, not only whitespace)."""
    return value is not None and not (isinstance(value, str) and not value.strip())


class Source:
    """An opened submission: what was detected, the header, and a stream of its data rows."""

    format: str
    encoding: str | None = None
    sheet: str | None = None

    def __init__(self, path: Path, *, header_row: int, header: list[Any], notes: list[str]):
        self.path = path
        self.header_row = header_row
        self.notes = notes
        texts = ["" if cell is None else str(cell).strip() for cell in header]
        self.headers = [text for text in texts if text]
        self._named = [index for index, text in enumerate(texts) if text]
        self._unnamed = [index for index, text in enumerate(texts) if not text]
        self._width = len(texts)
        self.titles: list[tuple[int, list[Any]]] = []  # rows skipped above the header

    def rows(self) -> Iterator[RawRow]:
        """Stream the data rows (each call reads the file again from its start)."""
        raise NotImplementedError

    def set_titles(self, titles: list[tuple[int, list[Any]]]) -> None:
        """Keep the title rows found above the header, and note that they were skipped."""
        self.titles = titles
        for number, cells in titles:
            text = next(str(cell) for cell in cells if filled(cell))
            self.notes.append(f"title row {number} skipped: {text[:60]!r}")

    def raw_row(self, number: int, cells: list[Any], *, strict_width: bool) -> RawRow:
        """The RawRow of a non-empty record; refuses cells outside the header."""
        if len(cells) != self._width:
            cells = self._fit(number, cells, strict_width=strict_width)
        for index in self._unnamed:
            if filled(cells[index]):
                held = str(cells[index])[:50]
                raise IngestFileError(
                    f"第 {number} 行：{column_name_zh(index)}没有表头，"
                    f"却填有{quoted(held)}，请补上表头或删除该列 · "
                    f"row {number}: {column_name(index)} has no header but holds "
                    f"{held!r}; add the header or delete the column",
                    reason="unnamed_column",
                    row=number,
                    column=get_column_letter(index + 1),
                )
        if self._unnamed:
            cells = [cells[index] for index in self._named]
        return RawRow(number, dict(zip(self.headers, cells, strict=True)))

    def _fit(self, number: int, cells: list[Any], *, strict_width: bool) -> list[Any]:
        width, last_named = self._width, (self._named[-1] if self._named else 0)
        if len(cells) > width:
            stray = next((i for i in range(width, len(cells)) if filled(cells[i])), None)
            if stray is None:
                return cells[:width]
            held = str(cells[stray])[:50]
            raise IngestFileError(
                f"第 {number} 行有 {len(cells)} 个单元格，而表头只有 {width} 列："
                f"{column_name_zh(stray)}的{quoted(held)}没有对应的表头"
                "（多了分隔符，或逗号未加引号？） · "
                f"row {number} has {len(cells)} cells but the header has {width}: "
                f"{column_name(stray)} holds {held!r} under no header "
                "(a stray delimiter or an unquoted comma?)",
                reason="cell_count",
                row=number,
                column=get_column_letter(stray + 1),
            )
        if strict_width and len(cells) <= last_named:
            raise IngestFileError(
                f"第 {number} 行只有 {len(cells)} 个单元格，而表头有 {width} 列"
                "（文件不完整，或缺少分隔符？） · "
                f"row {number} has {len(cells)} cells but the header has {width} "
                "(a truncated file, or a missing delimiter?)",
                reason="cell_count",
                row=number,
            )
        return cells + [None] * (width - len(cells))


# --- opening ----------------------------------------------------------------------------


def open_source(
    path: Path,
    *,
    filename: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    max_bytes: int | None = None,
) -> Source:
    """Open a submitted file: detect its format (and encoding or sheet) and read its header."""
    magic = _first_bytes(path, get_settings().ingest_max_bytes if max_bytes is None else max_bytes)
    suffix = Path(filename or path.name).suffix.lower()
    notes: list[str] = []
    if magic.startswith(b"PK\x03\x04"):
        from xinyong.ingest.xlsx import XlsxSource  # xlsx.py imports this module

        if suffix not in XLSX_SUFFIXES:
            notes.append(f"the file is named '{suffix or '(no extension)'}' but is an Excel "
                         "workbook: read as XLSX")  # fmt: skip
        return XlsxSource.open(path, sheet=sheet, notes=notes)
    _refuse_binary(magic, suffix)
    from xinyong.ingest.text import open_text  # text.py imports this module

    return open_text(path, suffix=suffix, encoding=encoding, notes=notes)


def _first_bytes(path: Path, limit: int) -> bytes:
    """The file's first bytes, after refusing an unreadable, empty or oversized file."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            magic = handle.read(8)
    except OSError as exc:
        raise IngestFileError(
            f"无法读取文件：{exc} · the file cannot be read: {exc}", reason="unreadable"
        ) from exc
    if size > limit:
        raise IngestFileError(
            f"文件大小为 {size:,} 字节，超过 {limit:,} 字节的上限，请拆分为多次报送 · "
            f"the file is {size:,} bytes; the largest accepted is {limit:,} bytes "
            "(split it into several submissions)",
            reason="too_large",
        )
    if size == 0:
        raise IngestFileError(_EMPTY, reason="empty")
    return magic


def _refuse_binary(magic: bytes, suffix: str) -> None:
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestFileError(_OLD_EXCEL, reason="unsupported_format")
    if magic.startswith((b"%PDF", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")):
        raise IngestFileError(
            f"文件（{suffix or '无扩展名'}）不是电子表格（是 PDF 或压缩包） · "
            f"the file ({suffix or 'no extension'}) is not a spreadsheet (PDF or an archive)",
            reason="unsupported_format",
        )
    if suffix in XLSX_SUFFIXES:
        raise IngestFileError(_NOT_XLSX, reason="not_xlsx")


# --- header ----------------------------------------------------------------------------


def find_header(
    records: Generator[tuple[int, list[Any]], None, None],
) -> tuple[int, list[Any], list[tuple[int, list[Any]]]]:
    """(header row number, header cells, title rows above it) of a stream of records, which
    is closed after the header is found."""
    with closing(records):
        return _header_of(records)


def _header_of(
    records: Iterator[tuple[int, list[Any]]],
) -> tuple[int, list[Any], list[tuple[int, list[Any]]]]:
    titles: list[tuple[int, list[Any]]] = []
    found: tuple[int, list[Any], list[tuple[int, list[Any]]]] | None = None
    for number, cells in records:
        count = sum(map(filled, cells))
        if found is not None and count:
            return found  # a header with at least one data row below it
        if found is None and count >= 2:
            found = number, list(cells), titles
        elif count == 1 and found is None:
            titles.append((number, list(cells)))
            if len(titles) > _MAX_TITLE_ROWS:  # a one-column file: its first row is the header
                return titles[0][0], titles[0][1], []
    if found is None and len(titles) > 1:
        return titles[0][0], titles[0][1], []
    if found is not None or titles:
        number = found[0] if found else titles[0][0]
        raise IngestFileError(
            f"文件有表头（第 {number} 行），但没有数据行 · "
            f"the file has a header (row {number}) but no data rows",
            reason="no_rows",
            row=number,
        )
    raise IngestFileError(_NO_HEADER, reason="empty")
