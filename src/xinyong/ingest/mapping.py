"""Match a submission's column headers to the fields of a catalogue item (表头映射).

A header matches a field by its national-template Chinese label, its English label, its
name or an alias, compared with ``normalize_header`` (full-width folded, spaces removed,
lower case); a leading ``*`` and a trailing ``(必填)``/``(选填)`` are the templates' markers of
required and optional columns and are ignored. A serial-number column (序号, No. …) is the
only column ignored; every other unknown column is refused by name, never dropped.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from xinyong.catalog.schemas import CatalogItem, normalize_header
from xinyong.ingest.readers import IngestFileError, column_name

# Normalised headers of a serial-number column, ignored when no field claims them.
SERIAL_HEADERS = frozenset({"序号", "编号", "行号", "序列号", "no", "no.", "#", "seq", "serialno."})
_MARKERS = re.compile(r"^[*＊]+|[(（](?:必填|选填|可选|非必填|必填项|选填项)[)）]$")


@dataclass(frozen=True)
class ColumnMap:
    """Which field each header fills, and the headers deliberately ignored."""

    item: CatalogItem
    fields: dict[str, str]  # original header -> field name
    ignored: list[str]


def header_key(header: str) -> str:
    """The normalised form of a header, without the templates' required/optional markers."""
    return _MARKERS.sub("", normalize_header(header))


def field_for(item: CatalogItem, header: str) -> str | None:
    """The field a header names in an item, or None."""
    known = item.header_map()
    return known.get(normalize_header(header)) or known.get(header_key(header))


def map_headers(item: CatalogItem, headers: list[str]) -> ColumnMap:
    """Map headers to the item's fields; IngestFileError lists every problem found."""
    fields: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[tuple[str, str, str]] = []  # (reason, column, message)
    seen: dict[str, int] = {}
    claimed: dict[str, str] = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        if not key:
            problems.append(("empty_header", column_name(index), f"{column_name(index)} is empty"))
            continue
        if key in seen:
            first = seen[key]
            message = f"'{header}' appears twice: {column_name(first)} and {column_name(index)}"
            problems.append(("duplicate_header", header, message))
            continue
        seen[key] = index
        name = field_for(item, header)
        if name is None and key in SERIAL_HEADERS:
            ignored.append(header)
        elif name is None:
            problems.append(("unknown_column", header, _unknown(item, header)))
        elif name in claimed:
            message = (
                f"'{claimed[name]}' and '{header}' both fill field "
                f"{item.field(name).label.zh} ({name}): keep one of them"
            )
            problems.append(("duplicate_field", header, message))
        else:
            claimed[name] = header
            fields[header] = name
    missing = [s for s in item.fields if s.required and s.name not in claimed]
    if missing:
        names = ", ".join(f"'{s.label.zh}' ({s.name})" for s in missing)
        problems.insert(0, ("missing_columns", missing[0].label.zh, f"missing column(s) {names}"))
    if problems:
        raise _problem(item, problems)
    return ColumnMap(item=item, fields=fields, ignored=ignored)


def _unknown(item: CatalogItem, header: str) -> str:
    known = {h: s for s in item.fields for h in s.header_names()}
    close = difflib.get_close_matches(header.strip(), list(known), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown column '{header}'{hint}"


def _problem(item: CatalogItem, problems: list[tuple[str, str, str]]) -> IngestFileError:
    listed = "; ".join(message for _, _, message in problems)
    reason, column, _ = problems[0]
    return IngestFileError(
        f"the columns do not fit {item.name.zh} ({item.code}): {listed}",
        reason=reason,
        column=column,
        problems=[
            {"reason": why, "column": where, "message": message} for why, where, message in problems
        ],
    )
