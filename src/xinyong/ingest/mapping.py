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
from collections.abc import Collection
from dataclasses import dataclass, field

from xinyong.catalog.schemas import CODE_TYPES, CatalogItem, FieldType, normalize_header
from xinyong.ingest.amounts import ColumnUnit, header_unit
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
    # Original header -> the unit its brackets name (注册资本(万元) -> 万), for bare numbers.
    units: dict[str, ColumnUnit] = field(default_factory=dict)
    # Fields without a column whose value is derived from another (subject_type from the code).
    derived: tuple[str, ...] = ()


def header_key(header: str) -> str:
    """The normalised form of a header, without the templates' required/optional markers."""
    return _MARKERS.sub("", normalize_header(header))


def field_for(item: CatalogItem, header: str) -> str | None:
    """The field a header names in an item, or None; an amount's header may carry its unit
    (罚款金额(元), 注册资本（万元人民币）) when the header without it names a decimal field."""
    known = item.header_map()
    name = known.get(normalize_header(header)) or known.get(header_key(header))
    if name is not None:
        return name
    split = header_unit(header)
    if split is None:
        return None
    base = known.get(normalize_header(split[0])) or known.get(header_key(split[0]))
    return base if base is not None and item.field(base).type is FieldType.decimal else None


def column_units(item: CatalogItem, fields: dict[str, str]) -> dict[str, ColumnUnit]:
    """The units named by the headers of an item's decimal columns."""
    units: dict[str, ColumnUnit] = {}
    for header, name in fields.items():
        split = header_unit(header) if item.field(name).type is FieldType.decimal else None
        if split is not None:
            units[header] = split[1]
    return units


def derivable(item: CatalogItem, claimed: Collection[str]) -> tuple[str, ...]:
    """Fields the row parser derives when their column is absent: the subject category, from
    the subject code's column (a USCC's first two characters; an ID number: a person)."""
    type_field, code_field = item.subject_type_field, item.subject_code_field
    if type_field is None or type_field in claimed or code_field not in claimed:
        return ()
    return (type_field,) if item.field(code_field).type in CODE_TYPES else ()


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
    derived = derivable(item, claimed)
    missing = [
        s for s in item.fields if s.required and s.name not in claimed and s.name not in derived
    ]
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
    units = column_units(item, fields)
    return ColumnMap(item=item, fields=fields, ignored=ignored, units=units, derived=derived)


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
