"""Text submissions: CSV (or tab-separated) and JSON Lines, decoded strictly (part of
``readers``).

- Encoding: a BOM (UTF-8, or UTF-16 from Excel's "Unicode text"), the one given, else the
  first of UTF-8, GBK and GB18030 that decodes the first block that is not plain ASCII.
  Decoding is strict all the way through: a row that does not decode is named, however late
  it comes. A GBK file is read as GB18030 from the row that needs it (GB18030 decodes GBK
  bytes to the same characters); a GBK file holding UTF-8 rows is refused, since decoding
  them as GBK would store nonsense.
- Delimiter: a comma, or a tab when the first line with either has tabs and no commas
  (``.tsv`` files and Excel's text exports). Quoted cells may hold newlines.
- Memory: the file is decoded a block of whole lines at a time and fed to the csv module.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Generator, Iterator
from contextlib import closing
from pathlib import Path
from typing import IO, Any

import orjson

from xinyong.ingest.cells import quoted
from xinyong.ingest.readers import IngestFileError, RawRow, Source, find_header

_BLOCK = 1 << 20  # bytes decoded at a time
_SAMPLE = 64 << 10
_MAX_LINE = 8 << 20  # a physical line longer than this is no spreadsheet row
_DETECTED = ("utf-8", "gbk", "gb18030")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Refusals a clerk reads: Chinese first, then the English text (``中文 · English``).
_BINARY = (
    "文件含有二进制数据，不是文本，请将表格另存为 UTF-8 编码的 CSV 或 XLSX · "
    "the file holds binary data, not text: save the spreadsheet as CSV (UTF-8) or XLSX"
)
_NO_OBJECTS = "文件中没有 JSON 对象 · the file has no JSON objects"


def open_text(path: Path, *, suffix: str, encoding: str | None, notes: list[str]) -> Source:
    """A CSV or JSON Lines source for a text file, its encoding detected (or as given)."""
    text_encoding = _detect_encoding(path, encoding)
    if suffix in {".jsonl", ".ndjson", ".json"} or (
        suffix not in {".csv", ".tsv", ".txt"} and _starts_with_brace(path, text_encoding)
    ):
        return JsonlSource.open(path, encoding=text_encoding, notes=notes)
    return CsvSource.open(path, encoding=text_encoding, notes=notes)


def _starts_with_brace(path: Path, encoding: str) -> bool:
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE).decode(encoding, errors="ignore")
    return head.lstrip("\ufeff \t\r\n").startswith("{")


# --- encodings and lines ---------------------------------------------------------------


def _detect_encoding(path: Path, override: str | None) -> str:
    """The text encoding: BOM, override, else the first of UTF-8/GBK/GB18030 that decodes."""
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE)
        given = _codec(override) if override else None
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig" if given in (None, "utf-8") else str(given)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if b"\x00" in head:
            raise IngestFileError(_BINARY, reason="binary")
        if given:
            return given
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
            f"无法识别的文本编码{quoted(name)}（请使用 utf-8、gbk 或 gb18030） · "
            f"unknown text encoding {name!r} (use utf-8, gbk or gb18030)",
            reason="encoding",
        ) from None


class _Undecodable(Exception):
    """Raised by ``_TextLines`` where the bytes do not decode; the reader adds the row.
    ``kind``: ``bytes`` (not the encoding), ``utf8`` (a UTF-8 line in a GBK file) or
    ``truncated`` (the file ends inside a character)."""

    def __init__(self, line: int, encoding: str, kind: str = "bytes") -> None:
        super().__init__(line)
        self.line = line
        self.encoding = encoding
        self.kind = kind


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
        text, problem = self._decoded(block)
        for line in io.StringIO(text, newline=""):
            self.line += 1
            yield line
        if problem is not None:
            raise _Undecodable(self.line + 1, self.encoding, problem)

    def _decoded(self, block: bytes) -> tuple[str, str | None]:
        """(text, None), or (the text of the lines before a bad one, what is wrong with it)."""
        try:
            text = block.decode(self.encoding)
        except UnicodeDecodeError as exc:
            bad_line, problem = block.count(b"\n", 0, exc.start), "bytes"
            utf8 = _utf8_line(block) if self.encoding in ("gbk", "gb18030") else None
            if utf8 is not None and utf8 <= bad_line:
                bad_line, problem = utf8, "utf8"
            elif self.encoding == "gbk" and self._upgraded(block):
                return self._decoded(block)
            elif exc.end >= len(block) - 1 and not block.endswith(b"\n"):
                problem = "truncated"
            return _first_lines(block, bad_line).decode(self.encoding), problem
        if self.encoding in ("gbk", "gb18030") and not block.isascii():
            utf8 = _utf8_line(block)
            if utf8 is not None:
                return _first_lines(block, utf8).decode(self.encoding), "utf8"
        return text, None

    def _upgraded(self, block: bytes) -> bool:
        """Whether GB18030 (which decodes GBK bytes to the same characters) reads the block."""
        try:
            block.decode("gb18030")
        except UnicodeDecodeError:
            return False
        self.encoding = self.source.encoding = "gb18030"
        self.source.notes.append(f"characters beyond GBK from line {self.line + 1}: GB18030")
        return True


def _first_lines(block: bytes, count: int) -> bytes:
    """The first ``count`` lines of a block."""
    end = 0
    for _ in range(count):
        end = block.index(b"\n", end) + 1
    return block[:end]


def _utf8_line(block: bytes) -> int | None:
    """Index of the first line of a GBK block that is UTF-8 Chinese (decoded as GBK it would
    be nonsense), or None. GBK text almost never decodes as UTF-8, and with four ideographs
    a chance match is negligible."""
    for index, line in enumerate(block.split(b"\n")):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(_CJK.findall(text)) >= 4:
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
                    f"文件中有一行超过 {_MAX_LINE:,} 字节，不是表格导出的文件（或有引号未闭合） · "
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
    where, encoding = f"row {row} (line {exc.line})", exc.encoding.upper()
    where_zh = f"第 {row} 行（文件第 {exc.line} 行）"
    if exc.kind == "truncated":
        message = (
            f"{where_zh}在一个字符中间结束，文件不完整 · "
            f"{where} ends in the middle of a character: the file is truncated"
        )
        return IngestFileError(message, reason="truncated", row=row, line=exc.line)
    if exc.kind == "utf8":
        message = (
            f"{where_zh}是 UTF-8 编码，而文件是 {encoding} 编码：文件混用了多种编码，"
            "请统一编码后重新保存 · "
            f"{where} is UTF-8 while the file is {encoding}: the file mixes encodings; save it "
            "again in one encoding"
        )
    else:
        message = (
            f"{where_zh}无法按 {encoding} 编码读取：文件已损坏或混用了多种编码，"
            "请另存为 UTF-8 编码的 CSV · "
            f"{where} cannot be decoded as {encoding}: the file is damaged or mixes encodings; "
            "save it again as CSV (UTF-8)"
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
        number, header, titles = find_header(probe._records())
        source = cls(path, header_row=number, header=header, notes=notes)
        source.encoding, source.delimiter = encoding, probe.delimiter
        if source.delimiter == "\t":
            notes.append("columns are separated by tabs")
        source.set_titles(titles)
        return source

    def rows(self) -> Iterator[RawRow]:
        """Stream the data rows below the header."""
        for number, cells in self._records():
            if number > self.header_row and "".join(cells).strip():
                yield self.raw_row(number, cells, strict_width=True)

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
            f'第 {row} 行：带引号的单元格没有正确闭合（多了一个 " 字符？），'
            "其后内容无法拆分为单元格 · "
            f'row {row}: a quoted cell is not closed properly (a stray " character?), so the '
            "rest of the file cannot be split into cells"
        )
    elif "NUL" in text:
        message = (
            f"第 {row} 行含有 NUL 字节：文件已损坏或不是文本 · "
            f"row {row} holds a NUL byte: the file is damaged or not text"
        )
    else:
        message = f"第 {row} 行无法按 CSV 读取：{text} · row {row} cannot be read as CSV: {text}"
    return IngestFileError(message, reason="csv_syntax", row=row)


# --- JSON Lines -------------------------------------------------------------------------


class JsonlSource(TextSource):
    """One JSON object per line; ``headers`` are the keys of the first object."""

    format = "jsonl"

    @classmethod
    def open(cls, path: Path, *, encoding: str, notes: list[str]) -> JsonlSource:
        """Read the first object for the headers."""
        probe = cls(path, header_row=0, header=[], notes=notes)
        probe.encoding = encoding
        with closing(probe.rows()) as objects:
            first = next(objects, None)
        if first is None:
            raise IngestFileError(_NO_OBJECTS, reason="empty")
        source = cls(path, header_row=0, header=[], notes=notes)
        source.encoding, source.headers = encoding, list(first.cells)  # keys exactly as sent
        return source

    def rows(self) -> Generator[RawRow, None, None]:
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
            f"第 {number} 行不是有效的 JSON（{exc}）；JSON Lines 文件每行应为一个对象 · "
            f"line {number} is not valid JSON ({exc}); JSON Lines hold one object per line",
            reason="json_syntax",
            row=number,
        ) from None
    if not isinstance(value, dict):
        kind = type(value).__name__
        raise IngestFileError(
            f"第 {number} 行是 JSON {kind}，不是对象 {{...}} · "
            f"line {number} is a JSON {kind}, not an object {{...}}",
            reason="json_syntax",
            row=number,
        )
    return value
