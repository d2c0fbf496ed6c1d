"""Files the matching commands read and write: pairs to compare, names to screen, results.

Input may be UTF-8 (with or without BOM) or GB18030 (which covers GBK). A malformed file
fails with :class:`~xinyong.core.errors.Invalid` naming the file and the line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from xinyong.core.errors import Invalid
from xinyong.identity import codes
from xinyong.identity.matching.result import NameKind, Party
from xinyong.identity.matching.service import Candidate, ScreenQuery

NAME_COLUMNS = ("name", "名称", "企业名称", "主体名称", "姓名")
CODE_COLUMNS = ("code", "统一社会信用代码", "证件号码", "代码")
KINDS: tuple[NameKind, ...] = ("organisation", "person")
SCREEN_COLUMNS = (
    "row", "name", "code", "rank", "decision", "score", "subject_id", "subject_name",
    "subject_kind", "subject_code", "relation", "explanation",
)  # fmt: skip


@dataclass(frozen=True)
class PairRow:
    """One pair of a pairs file, with its line number."""

    line: int
    a: Party
    b: Party


def read_text(path: Path) -> str:
    """The file's text, decoded as UTF-8 or else GB18030."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise Invalid(f"{path}: cannot be read: {error.strerror}") from error
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid(f"{path}: neither UTF-8 nor GB18030 text")


def _rows(path: Path, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line, fields) of each non-blank row; malformed CSV names its line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        if header is None:
            raise Invalid(f"{path}: the file is empty; a header line is needed")
        for fields in reader:
            if any(field.strip() for field in fields):
                rows.append((reader.line_num, fields))
    except csv.Error as error:
        raise Invalid(f"{path}, line {reader.line_num}: malformed CSV ({error})") from error
    return [column.strip().lower() for column in header], rows


def _field(path: Path, line: int, fields: list[str], header: list[str], column: str) -> str:
    if len(fields) != len(header):
        raise Invalid(
            f"{path}, line {line}: {len(fields)} fields where the header has {len(header)} "
            f"({','.join(header)})"
        )
    return fields[header.index(column)].strip()


def read_pairs(path: Path) -> list[PairRow]:
    """Pairs from a CSV with columns ``a`` and ``b`` (and optionally ``code_a``, ``code_b``)."""
    header, rows = _rows(path, read_text(path))
    missing = [c for c in ("a", "b") if c not in header]
    if missing:
        raise Invalid(f"{path}: the header needs columns a and b (found: {','.join(header)})")
    pairs = []
    for line, fields in rows:
        a, b = (_field(path, line, fields, header, c) for c in ("a", "b"))
        if not a or not b:
            raise Invalid(f"{path}, line {line}: column {'a' if not a else 'b'} is empty")
        code_a, code_b = (
            _field(path, line, fields, header, c) or None if c in header else None
            for c in ("code_a", "code_b")
        )
        pairs.append(PairRow(line, Party(a, code_a), Party(b, code_b)))
    return pairs


def _column(header: list[str], choices: tuple[str, ...]) -> str | None:
    return next((c for c in header if c in choices), None)


def _kind(path: Path, line: int, value: str) -> NameKind | None:
    if not value:
        return None
    if value not in KINDS:
        raise Invalid(f"{path}, line {line}: kind {value!r} is not one of {', '.join(KINDS)}")
    return "person" if value == "person" else "organisation"


def read_screen_file(path: Path) -> list[ScreenQuery]:
    """Names to screen: a ``.csv`` with a name column (and optionally ``code``, ``kind``), or
    plain text with one name per line (a tab may separate a code after the name)."""
    text = read_text(path)
    if path.suffix.lower() != ".csv":
        queries = []
        for line, content in enumerate(text.splitlines(), start=1):
            name, _, code = content.partition("\t")
            if name.strip():
                queries.append(ScreenQuery(line, name.strip(), code.strip() or None))
        return queries
    header, rows = _rows(path, text)
    name_column = _column(header, NAME_COLUMNS)
    if name_column is None:
        raise Invalid(f"{path}: the header needs a name column ({' / '.join(NAME_COLUMNS)})")
    code_column, kind_column = _column(header, CODE_COLUMNS), _column(header, ("kind",))
    queries = []
    for line, fields in rows:
        name = _field(path, line, fields, header, name_column)
        if not name:
            raise Invalid(f"{path}, line {line}: the name is empty")
        code = _field(path, line, fields, header, code_column) if code_column else ""
        kind = _field(path, line, fields, header, kind_column) if kind_column else ""
        queries.append(ScreenQuery(line, name, code or None, _kind(path, line, kind)))
    return queries


def _shown_code(code: str | None) -> str:
    """The query's code as written out: an ID number masked, other codes as given."""
    if not code:
        return ""
    found = codes.detect(code)
    return codes.mask_id_number(found.code) if found.kind == "id_number" and found.valid else code


def write_screen_csv(
    handle: TextIO, results: Iterable[tuple[ScreenQuery, list[Candidate]]]
) -> dict[str, int]:
    """Write one CSV row per candidate (one row for a name without any); decision counts."""
    writer = csv.writer(handle)
    writer.writerow(SCREEN_COLUMNS)
    counts = {"match": 0, "possible": 0, "no_match": 0}
    for query, candidates in results:
        best = candidates[0].result.decision if candidates else "no_match"
        counts[best] += 1
        shown = (query.row, query.name, _shown_code(query.code))
        if not candidates:
            writer.writerow([*shown, "", "no_match", "", "", "", "", "", "", ""])
        for rank, candidate in enumerate(candidates, start=1):
            result = candidate.result
            writer.writerow([
                *shown, rank, result.decision, f"{result.score:.4f}", candidate.subject_id,
                candidate.name, candidate.kind, candidate.code or "", result.relation or "",
                result.explanation,
            ])  # fmt: skip
    return counts
