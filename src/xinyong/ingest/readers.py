"""Open a submitted file and stream its rows: CSV, XLSX or JSON Lines (归集文件读取).

- Format: from the file's first bytes, then its name. A ZIP (an ``.xlsx`` even when named
  ``.csv``) is read as a workbook; ``.jsonl``/``.ndjson`` (or text starting with ``{``) as
  JSON Lines; other text as CSV. Old ``.xls``, password-protected and OpenDocument files are
  refused with a clear message. Files over ``settings.ingest_max_bytes`` are refused unread.
- CSV text: UTF-8 (with or without BOM), GBK and GB18030 are detected and decoded strictly,
  all the way through: a row that does not decode is named, however late it comes (a GBK
  file is upgraded to GB18030 when a later row needs it; a GBK file containing UTF-8 rows is
  refused). UTF-16 with a BOM (Excel's "Unicode text") is read too. The delimiter is a comma,
  or a tab when the header line has tabs and no commas (``.tsv`` and Excel's text exports).
- Rows: the header is the first row with two or more filled cells; up to three single-cell
  rows above it are skipped as titles (noted). Completely empty rows are skipped but keep
  their number, so ``RawRow.number`` is the row number the clerk sees in Excel.
- XLSX: the first visible sheet or the one named; hidden sheets are never read silently.
  Merged cells are allowed only above the header (a title); a workbook whose members would
  inflate beyond ``settings.ingest_max_xlsx_uncompressed`` (or at an absurd ratio) is refused
  before it is parsed. Formula cells give their formula text (``data_only=False``).

Reading streams: memory does not grow with the number of rows. ``Source.rows()`` re-reads the
file at each call, so the report writer can walk the rows again after the loader.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

import orjson
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from xinyong.core.config import get_settings
from xinyong.core.errors import Invalid

_BLOCK = 1 << 20  # bytes decoded at a time
_SAMPLE = 64 << 10
_MAX_LINE = 8 << 20  # a physical line longer than this is no spreadsheet row
_MAX_TITLE_ROWS = 3
_ZIP_MAX_MEMBERS = 10_000
_ZIP_MAX_RATIO = 200  # uncompressed / compressed, for members over _ZIP_RATIO_FLOOR
_ZIP_RATIO_FLOOR = 16 << 20
_DETECTED = ("utf-8", "gbk", "gb18030")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SURROGATE = re.compile(r"[\udc80-\udcff]")
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?\bref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")


class IngestFileError(Invalid):
    """A file-level problem: the message says what is wrong; details name reason, row, column."""

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


def _filled(value: Any) -> bool:
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

    def _row(self, number: int, cells: list[Any], *, strict_width: bool) -> RawRow:
        """The RawRow of a non-empty record; refuses cells outside the header."""
        if len(cells) != self._width:
            cells = self._fit(number, cells, strict_width=strict_width)
        for index in self._unnamed:
            if _filled(cells[index]):
                raise IngestFileError(
                    f"row {number}: {column_name(index)} has no header but holds "
                    f"{str(cells[index])[:50]!r}; add the header or delete the column",
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
            stray = next((i for i in range(width, len(cells)) if _filled(cells[i])), None)
            if stray is None:
                return cells[:width]
            raise IngestFileError(
                f"row {number} has {len(cells)} cells but the header has {width}: "
                f"{column_name(stray)} holds {str(cells[stray])[:50]!r} under no header "
                "(a stray delimiter or an unquoted comma?)",
                reason="cell_count",
                row=number,
                column=get_column_letter(stray + 1),
            )
        if strict_width and len(cells) <= last_named:
            raise IngestFileError(
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
    limit = get_settings().ingest_max_bytes if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            magic = handle.read(8)
    except OSError as exc:
        raise IngestFileError(f"the file cannot be read: {exc}", reason="unreadable") from exc
    if size > limit:
        raise IngestFileError(
            f"the file is {size:,} bytes; the largest accepted is {limit:,} bytes "
            "(split it into several submissions)",
            reason="too_large",
        )
    if size == 0:
        raise IngestFileError("the file is empty", reason="empty")
    suffix = Path(filename or path.name).suffix.lower()
    notes: list[str] = []
    if magic.startswith(b"PK\x03\x04"):
        if suffix not in {".xlsx", ".xlsm"}:
            notes.append(f"the file is named '{suffix or '(no extension)'}' but is an Excel "
                         "workbook: read as XLSX")  # fmt: skip
        return XlsxSource.open(path, sheet=sheet, notes=notes)
    _refuse_binary(magic, suffix)
    if suffix in {".xlsx", ".xlsm"}:
        raise IngestFileError(
            "the file is named .xlsx but is not an Excel workbook (damaged, or another format "
            "renamed)",
            reason="not_xlsx",
        )
    text_encoding = _detect_encoding(path, encoding)
    if suffix in {".jsonl", ".ndjson", ".json"} or (
        suffix not in {".csv", ".tsv", ".txt"} and _starts_with_brace(path, text_encoding)
    ):
        return JsonlSource.open(path, encoding=text_encoding, notes=notes)
    return CsvSource.open(path, encoding=text_encoding, notes=notes)


def _refuse_binary(magic: bytes, suffix: str) -> None:
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestFileError(
            "the file is an old Excel 97-2003 (.xls) or a password-protected workbook; save it "
            "as .xlsx without a password, or as CSV",
            reason="unsupported_format",
        )
    if magic.startswith((b"%PDF", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")):
        raise IngestFileError(
            f"the file ({suffix or 'no extension'}) is not a spreadsheet (PDF or an archive)",
            reason="unsupported_format",
        )


def _starts_with_brace(path: Path, encoding: str) -> bool:
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE).decode(encoding, errors="ignore")
    return head.lstrip("\ufeff \t\r\n").startswith("{")


# --- text: encodings and lines ----------------------------------------------------------


def _detect_encoding(path: Path, override: str | None) -> str:
    """The text encoding: BOM, override, else the first of UTF-8/GBK/GB18030 that decodes."""
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig" if override in (None, "utf-8", "utf8") else _codec(override)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if b"\x00" in head:
            raise IngestFileError(
                "the file holds binary data, not text: save the spreadsheet as CSV (UTF-8) or XLSX",
                reason="binary",
            )
        if override:
            return _codec(override)
        sample = head
        while sample.isascii():  # decide on the first block that is not plain ASCII
            sample = handle.read(_BLOCK)
            if not sample:
                return "utf-8"
    reached: dict[str, int] = {}
    for name in _DETECTED:
        try:
            codecs.getincrementaldecoder(name)().decode(sample, final=False)
            return name
        except UnicodeDecodeError as exc:
            reached[name] = exc.start
    # Nothing decodes the sample: take the likeliest and let rows() name the first bad row.
    return max(_DETECTED, key=lambda name: reached[name])


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise IngestFileError(
            f"unknown text encoding {name!r} (use utf-8, gbk or gb18030)", reason="encoding"
        ) from None


class _Undecodable(Exception):
    """Raised by ``_TextLines`` where the bytes do not decode; the reader adds the row."""

    def __init__(self, line: int, encoding: str, looks_utf8: bool = False) -> None:
        super().__init__(line)
        self.line = line
        self.encoding = encoding
        self.looks_utf8 = looks_utf8


class _TextLines:
    """Decoded lines of a file (line ends kept, as the csv module wants), decoded strictly."""

    def __init__(self, source: TextSource) -> None:
        self.source = source
        self.encoding = source.encoding or "utf-8"
        self.line = 0  # physical lines handed out so far

    def __iter__(self) -> Iterator[str]:
        with self.source.path.open("rb") as handle:
            if self.encoding == "utf-16":
                text = io.TextIOWrapper(handle, encoding="utf-16", newline="")
                try:
                    for line in text:
                        self.line += 1
                        yield line
                except UnicodeDecodeError:
                    raise _Undecodable(self.line + 1, self.encoding) from None
                return
            for block in _blocks(handle):
                yield from self._decode(block)

    def _decode(self, block: bytes) -> Iterator[str]:
        """The lines of a block; where a line does not decode, the lines before it, then
        ``_Undecodable`` (so that the reader knows which row it was reading)."""
        text, bad_line = self._decoded(block)
        for line in io.StringIO(text, newline=""):
            self.line += 1
            yield line
        if bad_line is not None:
            raise _Undecodable(self.line + 1, self.encoding, looks_utf8=bad_line > -1)

    def _decoded(self, block: bytes) -> tuple[str, int | None]:
        """(decodable text, None) or (text before a bad line, that line's index or -1)."""
        try:
            text = block.decode(self.encoding)
        except UnicodeDecodeError as exc:
            if self.encoding == "gbk":
                try:
                    text = block.decode("gb18030")
                except UnicodeDecodeError:
                    pass
                else:  # characters beyond GBK: the file is GB18030
                    self.encoding = self.source.encoding = "gb18030"
                    return self._decoded(block)
            good = block.rfind(b"\n", 0, exc.start) + 1
            return block[:good].decode(self.encoding), -1
        if self.encoding in ("gbk", "gb18030") and not block.isascii():
            index = _utf8_line(block)
            if index is not None:
                lines = text.split("\n")
                return "".join(line + "\n" for line in lines[:index]), index
        return text, None


def _utf8_line(block: bytes) -> int | None:
    """Index of the first line of a GBK block that is UTF-8 Chinese (decoded as GBK it would
    be nonsense), or None. Four ideographs make a chance match of GBK bytes negligible."""
    text = block.decode("utf-8", errors="surrogateescape")
    for index, line in enumerate(text.split("\n")):
        if not line.isascii() and _SURROGATE.search(line) is None and len(_CJK.findall(line)) >= 4:
            return index
    return None


def _blocks(handle: IO[bytes]) -> Iterator[bytes]:
    """The file in blocks of whole lines (a block ends after a ``\\n``, or at the end)."""
    carry = b""
    while chunk := handle.read(_BLOCK):
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            if len(data) > _MAX_LINE:
                raise IngestFileError(
                    f"the file has a line longer than {_MAX_LINE:,} bytes: not a spreadsheet "
                    "export (or a quote is never closed)",
                    reason="line_too_long",
                )
            carry = data
            continue
        yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry


def _decode_problem(exc: _Undecodable, row: int) -> IngestFileError:
    if exc.looks_utf8:
        message = (
            f"row {row} (line {exc.line}) is UTF-8 while the file is {exc.encoding.upper()}: "
            "the file mixes encodings; save it again in one encoding"
        )
    else:
        message = (
            f"row {row} (line {exc.line}) cannot be decoded as {exc.encoding.upper()}: the file "
            "is damaged or mixes encodings; save it again as CSV (UTF-8)"
        )
    return IngestFileError(message, reason="encoding", row=row, line=exc.line)


class TextSource(Source):
    """A text file (CSV or JSON Lines), with its encoding (GBK becomes GB18030 when a row
    needs it: GB18030 decodes every GBK byte sequence to the same characters)."""


# --- CSV --------------------------------------------------------------------------------


class CsvSource(TextSource):
    """A CSV (or tab-separated) file."""

    format = "csv"
    delimiter = ","

    @classmethod
    def open(cls, path: Path, *, encoding: str, notes: list[str]) -> CsvSource:
        """Detect the delimiter and find the header row."""
        probe = cls(path, header_row=1, header=[], notes=notes)
        probe.encoding, probe.delimiter = encoding, _sniff_delimiter(path, encoding)
        records = probe._records()
        try:
            number, header, titles = _find_header(records)
        finally:
            records.close()
        source = cls(path, header_row=number, header=header, notes=notes)
        source.encoding, source.titles, source.delimiter = encoding, titles, probe.delimiter
        _note_titles(source)
        return source

    def rows(self) -> Iterator[RawRow]:
        """Stream the data rows below the header."""
        for number, cells in self._records():
            if number > self.header_row and "".join(cells).strip():
                yield self._row(number, cells, strict_width=True)

    def _records(self) -> Generator[tuple[int, list[str]], None, None]:
        lines = _TextLines(self)
        reader = csv.reader(lines, delimiter=self.delimiter, strict=True)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, cells
        except _Undecodable as exc:
            raise _decode_problem(exc, number + 1) from None
        except csv.Error as exc:
            raise _csv_problem(exc, number + 1) from None
        finally:
            self.encoding = lines.encoding


def _sniff_delimiter(path: Path, encoding: str) -> str:
    """A tab when the first line with a tab or a comma has tabs and no commas, else a comma."""
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE).decode(encoding, errors="ignore")
    for line in head.splitlines():
        if "\t" in line or "," in line:
            return "\t" if "," not in line else ","
    return ","


def _csv_problem(exc: csv.Error, row: int) -> IngestFileError:
    text = str(exc)
    if "field larger" in text or "end of data" in text or "expected after" in text:
        message = (
            f'row {row}: a quoted cell is not closed properly (a stray " character?), so the '
            "rest of the file cannot be split into cells"
        )
    elif "NUL" in text:
        message = f"row {row} holds a NUL byte: the file is damaged or not text"
    else:
        message = f"row {row} cannot be read as CSV: {text}"
    return IngestFileError(message, reason="csv_syntax", row=row)


def _find_header(
    records: Iterator[tuple[int, list[Any]]],
) -> tuple[int, list[Any], list[tuple[int, list[Any]]]]:
    """(header row number, header cells, title rows above it) of a stream of records."""
    titles: list[tuple[int, list[Any]]] = []
    for number, cells in records:
        filled = sum(map(_filled, cells))
        if filled >= 2:
            return number, list(cells), titles
        if filled == 1:
            titles.append((number, list(cells)))
            if len(titles) > _MAX_TITLE_ROWS:
                break
    if titles:  # a one-column file: its first row is the header
        number, cells = titles[0]
        return number, cells, []
    raise IngestFileError("the file has no header row and no data", reason="empty")


def _note_titles(source: Source) -> None:
    for number, cells in source.titles:
        text = next(str(cell) for cell in cells if _filled(cell))
        source.notes.append(f"title row {number} skipped: {text[:60]!r}")


# --- JSON Lines -------------------------------------------------------------------------


class JsonlSource(TextSource):
    """One JSON object per line; ``headers`` are the keys of the first object."""

    format = "jsonl"

    @classmethod
    def open(cls, path: Path, *, encoding: str, notes: list[str]) -> JsonlSource:
        """Read the first object for the headers."""
        probe = cls(path, header_row=0, header=[], notes=notes)
        probe.encoding = encoding
        first = next(probe.rows(), None)
        if first is None:
            raise IngestFileError("the file has no JSON objects", reason="empty")
        source = cls(path, header_row=0, header=list(first.cells), notes=notes)
        source.encoding = encoding
        return source

    def rows(self) -> Iterator[RawRow]:
        """Stream the objects; blank lines are skipped, a bad line is named."""
        lines = _TextLines(self)
        number = 0
        try:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                yield RawRow(number, _json_object(line, number))
        except _Undecodable as exc:
            raise _decode_problem(exc, exc.line) from None


def _json_object(line: str, number: int) -> dict[str, Any]:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise IngestFileError(
            f"line {number} is not valid JSON: {exc}", reason="json_syntax", row=number
        ) from None
    if not isinstance(value, dict):
        raise IngestFileError(
            f"line {number} is a JSON {type(value).__name__}, not an object {{...}}",
            reason="json_syntax",
            row=number,
        )
    return value


# --- XLSX -------------------------------------------------------------------------------


_XLSX_DAMAGED = (zipfile.BadZipFile, zlib.error, ParseError, KeyError, ValueError, EOFError)


class XlsxSource(Source):
    """One sheet of an Excel workbook, read with openpyxl in read-only mode."""

    format = "xlsx"

    @classmethod
    def open(cls, path: Path, *, sheet: str | None, notes: list[str]) -> XlsxSource:
        """Check the archive, choose the sheet, find the header and check merged cells."""
        _check_archive(path)
        chosen, part = _choose_sheet(path, sheet, notes)
        probe = cls(path, header_row=1, header=[], notes=notes)
        probe.sheet = chosen
        records = probe._records()
        try:
            number, header, titles = _find_header(records)
        finally:
            records.close()
        source = cls(path, header_row=number, header=header, notes=notes)
        source.sheet, source.titles = chosen, titles
        _check_merges(path, part, number)
        _note_titles(source)
        return source

    def rows(self) -> Iterator[RawRow]:
        """Stream the data rows below the header."""
        for number, cells in self._records():
            if number > self.header_row and any(map(_filled, cells)):
                yield self._row(number, cells, strict_width=False)

    def _records(self) -> Generator[tuple[int, list[Any]], None, None]:
        workbook = _load(self.path)
        number = 0
        try:
            worksheet = workbook[self.sheet]
            worksheet.reset_dimensions()  # dimensions written by some tools are wrong
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                yield number, [_cell_value(value) for value in values]
        except _XLSX_DAMAGED as exc:
            raise IngestFileError(
                f"the workbook is damaged after row {number}: {exc}",
                reason="damaged",
                row=number + 1,
            ) from exc
        finally:
            workbook.close()


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | datetime | date):
        return value
    if isinstance(value, time | timedelta):
        return str(value)
    text = getattr(value, "text", None)  # ArrayFormula and other formula objects
    return text if isinstance(text, str) else str(value)


def _load(path: Path) -> Any:
    try:
        return load_workbook(path, read_only=True, data_only=False)
    except (*_XLSX_DAMAGED, OSError, TypeError, AttributeError) as exc:
        raise IngestFileError(
            f"the workbook cannot be opened (damaged or truncated?): {exc}", reason="damaged"
        ) from exc


def _check_archive(path: Path) -> None:
    """Refuse a damaged archive or a zip bomb before openpyxl opens it; map sheet parts."""
    limit = get_settings().ingest_max_xlsx_uncompressed
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestFileError(
            f"the workbook is damaged or truncated (not a complete ZIP archive): {exc}",
            reason="damaged",
        ) from exc
    if "mimetype" in names and "content.xml" in names:
        raise IngestFileError(
            "the file is an OpenDocument spreadsheet: save it as .xlsx", reason="not_xlsx"
        )
    if "xl/workbook.xml" not in names:
        raise IngestFileError("the ZIP archive is not an Excel workbook", reason="not_xlsx")
    total = sum(member.file_size for member in members)
    bomb = len(members) > _ZIP_MAX_MEMBERS or total > limit
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        bomb = bomb or (member.file_size > _ZIP_RATIO_FLOOR and ratio > _ZIP_MAX_RATIO)
    if bomb:
        raise IngestFileError(
            f"the workbook would inflate to {total:,} bytes in {len(members):,} parts (limit "
            f"{limit:,} bytes, ratio {_ZIP_MAX_RATIO}:1): refused as a possible zip bomb",
            reason="zip_bomb",
        )


def _choose_sheet(path: Path, wanted: str | None, notes: list[str]) -> tuple[str, str]:
    """(sheet title, its part in the archive): the named sheet or the first visible one."""
    workbook = _load(path)
    try:
        sheets = [ws for ws in workbook.worksheets if isinstance(ws, ReadOnlyWorksheet)]
        names = [ws.title for ws in sheets]
        if wanted is not None and wanted not in names:
            listed = ", ".join(f"'{name}'" for name in names)
            raise IngestFileError(
                f"the workbook has no sheet '{wanted}' (sheets: {listed})",
                reason="unknown_sheet",
                sheets=names,
            )
        visible = [ws for ws in sheets if ws.sheet_state == "visible"]
        chosen = next((ws for ws in sheets if ws.title == wanted), None) or (
            visible[0] if visible else None
        )
        if chosen is None:
            raise IngestFileError("the workbook has no visible sheet", reason="no_sheet")
        for ws in sheets:
            if ws is chosen and ws.sheet_state != "visible":
                notes.append(f"sheet '{ws.title}' is hidden; read because it was named")
            elif ws is not chosen and ws.sheet_state != "visible":
                notes.append(f"hidden sheet '{ws.title}' ignored")
            elif ws is not chosen:
                notes.append(f"sheet '{ws.title}' not read (name it to read it instead)")
        return chosen.title, str(chosen._worksheet_path)
    finally:
        workbook.close()


def _check_merges(path: Path, part: str, header_row: int) -> None:
    """Refuse merged cells in the header or data rows (naming the range); titles may merge."""
    for first_col, first_row, last_col, last_row in _merged_ranges(path, part):
        if last_row >= header_row:
            ref = f"{first_col}{first_row}:{last_col}{last_row}"
            raise IngestFileError(
                f"merged cells {ref} in the header or data rows: unmerge them and fill every "
                "row's cell (merged cells are allowed only in a title above the header)",
                reason="merged_cells",
                row=first_row,
                column=ref,
            )


def _merged_ranges(path: Path, part: str) -> Iterator[tuple[str, int, str, int]]:
    """The ``<mergeCell ref>`` ranges of a sheet part, found by streaming its bytes (openpyxl's
    read-only mode does not expose them); complete tags end with ``>``, the rest is carried."""
    with zipfile.ZipFile(path) as archive, archive.open(part.lstrip("/")) as stream:
        tail = b""
        while True:
            chunk = stream.read(_BLOCK)
            data = tail + chunk
            cut = len(data) if not chunk else data.rfind(b">") + 1
            for match in _MERGE_REF.finditer(data, 0, cut):
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
