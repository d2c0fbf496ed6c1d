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
from xinyong.ingest.readers import IngestFileError, column_name, column_name_zh

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
    problems: list[tuple[str, str, str, str]] = []  # (reason, column, Chinese, English)
    seen: dict[str, int] = {}
    claimed: dict[str, str] = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        if not key:
            where = column_name(index)
            problems.append(
                ("empty_header", where, f"{column_name_zh(index)}表头为空", f"{where} is empty")
            )
            continue
        if key in seen:
            first = seen[key]
            zh = f"表头“{header}”出现了两次：{column_name_zh(first)}和{column_name_zh(index)}"
            message = f"'{header}' appears twice: {column_name(first)} and {column_name(index)}"
            problems.append(("duplicate_header", header, zh, message))
            continue
        seen[key] = index
        name = field_for(item, header)
        if name is None and key in SERIAL_HEADERS:
            ignored.append(header)
        elif name is None:
            problems.append(("unknown_column", header, *_unknown(item, header)))
        elif name in claimed:
            label = item.field(name).label.zh
            zh = f"“{claimed[name]}”和“{header}”都对应字段{label}（{name}），请只保留其中一列"
            message = (
                f"'{claimed[name]}' and '{header}' both fill field "
                f"{label} ({name}): keep one of them"
            )
            problems.append(("duplicate_field", header, zh, message))
        else:
            claimed[name] = header
            fields[header] = name
    missing = [s for s in item.fields if s.required and s.name not in claimed]
    if missing:
        names = ", ".join(f"'{s.label.zh}' ({s.name})" for s in missing)
        names_zh = "、".join(f"“{s.label.zh}”（{s.name}）" for s in missing)
        problems.insert(
            0,
            (
                "missing_columns",
                missing[0].label.zh,
                f"缺少必填列{names_zh}",
                f"missing column(s) {names}",
            ),
        )
    if problems:
        raise _problem(item, problems)
    return ColumnMap(item=item, fields=fields, ignored=ignored)


def _unknown(item: CatalogItem, header: str) -> tuple[str, str]:
    """(Chinese, English) of an unknown column, with the closest known header if any."""
    known = {h: s for s in item.fields for h in s.header_names()}
    close = difflib.get_close_matches(header.strip(), list(known), n=1, cutoff=0.6)
    hint_zh = f"（是否应为“{close[0]}”？）" if close else ""
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"无法识别的列“{header}”{hint_zh}", f"unknown column '{header}'{hint}"


def _problem(item: CatalogItem, problems: list[tuple[str, str, str, str]]) -> IngestFileError:
    """One refusal listing every problem (``中文 · English``, each problem too)."""
    listed_zh = "；".join(zh for _, _, zh, _ in problems)
    listed = "; ".join(message for _, _, _, message in problems)
    reason, column, _, _ = problems[0]
    return IngestFileError(
        f"表头与{item.name.zh}（{item.code}）的模板不符：{listed_zh} · "
        f"the columns do not fit {item.name.zh} ({item.code}): {listed}",
        reason=reason,
        column=column,
        problems=[
            {"reason": why, "column": where, "message": f"{zh} · {message}"}
            for why, where, zh, message in problems
        ],
    )
