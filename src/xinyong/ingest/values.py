"""Turn raw cell values into a canonical payload, or say precisely what is wrong (值解析).

One converter per column (``cells.py``) is compiled when a ``RowParser`` is made; each tries
the common form first (an ISO date, a plain number, an exact enum value, printable text) and
only then the many spellings departments use:

- dates: 2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日, 20240105, Excel serial numbers
  (45296), datetime cells, full-width digits; words from the field's ``date_aliases``
  (长期 -> 2099-12-31 where the catalogue says so); a time of day is dropped;
- amounts (``amounts.py``): 1,234.50, 1,234.5万元, 100(万元人民币), 800万美元, 200() —
  converted to the field's ``unit`` (a header such as 罚款金额(元) gives bare numbers theirs);
  the currency named goes to the field's ``currency_field`` as an ISO 4217 code, unconverted;
- enums through ``value_aliases`` (also matched full-width folded, spaces removed);
- codes with their check characters; a ``subject_code`` must agree with the row's subject
  category (自然人: an ID number; 个体工商户: a ``92`` USCC or registration number; …);
- text: control and format characters removed (``\\n`` and ``\\t`` kept in ``text`` fields),
  trimmed; markup and formulas are kept verbatim as text.

In typed (non-text) columns, the placeholders 无, /, - … mean "no value". Cross-field rules
come from the catalogue: ``minimum``/``maximum``, ``not_future`` and the item's ``date_order``.
A file without a subject category column has it derived from the subject code (a USCC's
first two characters, ``catalog/data/conventions.yaml``; an ID number is a person's).
The payload is exactly what ``records.payload.check_payload`` returns for it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from xinyong.catalog import conventions
from xinyong.catalog.schemas import CatalogItem, FieldSpec, FieldType
from xinyong.core.i18n import t
from xinyong.ingest import cells
from xinyong.ingest.amounts import ColumnUnit, Money, currency_converter, decimal_converter
from xinyong.ingest.cells import MISSING, CellProblem, Converter
from xinyong.ingest.mapping import ColumnMap, column_units, field_for
from xinyong.ingest.readers import RawRow

# Which identifiers a subject of each category has (USCC category 92: individual businesses).
CODE_KINDS = {
    "natural_person": ("id_number",),
    "legal_person": ("uscc", "registration_number", "organization_code"),
    "individual_business": ("uscc", "registration_number"),
}
# Reasons a clerk reads: Chinese first, then the English text (``中文 · English``).
REQUIRED = "必填项为空 · required"
_LEGAL_PERSON_92 = (
    "这是个体工商户的统一社会信用代码（92 开头），但主体类别为法人和非法人组织 · "
    "an individual business's USCC (92…), but the subject category is legal_person"
)


_NOT_DERIVABLE = (
    "无法由此代码推断主体类别，请增加“行政相对人类别”列 · "
    "the subject category cannot be derived from this code: add a 行政相对人类别 column"
)


def converter_for(
    spec: FieldSpec, *, today: date, kinds_seen: dict[str, str], unit: ColumnUnit | None = None
) -> Converter:
    """The converter of one field: canonical value, ``MISSING``, or ``CellProblem``."""
    kind = spec.type
    if kind is FieldType.decimal:
        return decimal_converter(spec, unit)
    if kind is FieldType.currency:
        return currency_converter(spec)
    return cells.converter_for(spec, today=today, kinds_seen=kinds_seen)


def kind_zh(kind: str) -> str:
    """A subject kind's Chinese name (法人和非法人组织, 自然人 …), or the kind itself."""
    return label if (label := t(f"kind.{kind}", "zh")) != f"kind.{kind}" else kind


@dataclass(frozen=True)
class CellError:
    """One problem of one cell: row, column (original header), raw value, specific reason."""

    row: int
    column: str
    value: str
    reason: str


def _shown(raw: Any) -> str:
    return "" if raw is None else str(raw)[:200]


class RowParser:
    """Parses the rows of one submission against its column map (one converter per column)."""

    def __init__(self, column_map: ColumnMap, *, today: date) -> None:
        item = column_map.item
        self.item = item
        self._kinds: dict[str, str] = {}
        header_of = {name: header for header, name in column_map.fields.items()}
        self._columns = [
            (header, name, self._converter(column_map, header, name, today))
            for header, name in column_map.fields.items()
        ]
        self._currency_of = {
            s.name: s.currency_field for s in item.fields if s.currency_field is not None
        }
        self._derived = (
            (item.subject_type_field, item.subject_code_field, header_of[item.subject_code_field])
            if item.subject_type_field in column_map.derived and item.subject_type_field
            else None
        )
        self._required = {s.name for s in item.fields if s.required}
        self._absent = [
            s.name
            for s in item.fields
            if s.required and s.name not in header_of and s.name not in column_map.derived
        ]
        self._known = set(column_map.fields) | set(column_map.ignored)
        self._orders = [
            (rule.earlier, rule.later, header_of[rule.later], item.field(rule.earlier).label.zh)
            for rule in item.date_order
            if rule.earlier in header_of and rule.later in header_of
        ]
        type_field, code_field = item.subject_type_field, item.subject_code_field
        self._subject = (
            (type_field, code_field, header_of[code_field])
            if type_field in header_of and code_field in header_of
            else None
        )

    def _converter(self, columns: ColumnMap, header: str, name: str, today: date) -> Converter:
        spec, unit = self.item.field(name), columns.units.get(header)
        return converter_for(spec, today=today, kinds_seen=self._kinds, unit=unit)

    def parse(self, row: RawRow) -> tuple[dict[str, Any] | None, list[CellError]]:
        """(canonical payload, []) or (None, every error of the row)."""
        cells, required, missing = row.cells, self._required, MISSING
        get = cells.get
        payload: dict[str, Any] = {}
        errors: list[CellError] = []
        named: list[tuple[str, Money, str]] = []
        for header, name, convert in self._columns:
            raw = get(header)
            try:
                value = missing if raw is None or raw == "" else convert(raw)
            except CellProblem as bad:
                errors.append(CellError(row.number, header, _shown(raw), bad.reason))
                continue
            if value.__class__ is Money:
                named.append((name, value, header))
                payload[name] = value.amount
            elif value is not missing:
                payload[name] = value
            elif name in required:
                errors.append(CellError(row.number, header, _shown(raw), REQUIRED))
        for name in self._absent:
            errors.append(CellError(row.number, name, "", REQUIRED))
        if len(cells) > len(self._known) or not cells.keys() <= self._known:
            errors.extend(self._unknown(row))
        if named:
            errors.extend(self._currencies(row, payload, named))
        if self._derived is not None:
            errors.extend(self._derive_subject_type(row, payload))
        errors.extend(self._cross_field(row, payload))
        return (None, errors) if errors else (payload, [])

    def _currencies(
        self, row: RawRow, payload: dict[str, Any], named: list[tuple[str, Money, str]]
    ) -> list[CellError]:
        """Each amount's currency into its currency field; a contradiction is an error."""
        errors: list[CellError] = []
        for name, money, header in named:
            field, code = self._currency_of[name], money.currency
            given = payload.get(field)
            if code is None or given == code:
                continue
            if given is None:
                payload[field] = code
                continue
            said, written = conventions.currency_name(given), conventions.currency_name(code)
            why = (
                f"金额为{written}（{code}），但币种为{said}（{given}） · "
                f"the amount is in {code} but the currency is {given}"
            )
            errors.append(CellError(row.number, header, _shown(row.cells.get(header)), why))
        return errors

    def _derive_subject_type(self, row: RawRow, payload: dict[str, Any]) -> list[CellError]:
        """The subject category from the subject code, when the file has no column for it."""
        assert self._derived is not None
        type_field, code_field, header = self._derived
        code = payload.get(code_field)
        if code is None:
            return []  # the code's own error (or required) is reported
        kind = _kind_of_code(code, self._kinds.get(code))
        if kind is None or kind not in self.item.field(type_field).values:
            return [CellError(row.number, header, _shown(row.cells.get(header)), _NOT_DERIVABLE)]
        payload[type_field] = kind
        return []

    def _unknown(self, row: RawRow) -> list[CellError]:
        code = self.item.code
        why = f"未知字段，{code} 没有此字段 · unknown field of {code}"
        return [
            CellError(row.number, key, _shown(value), why)
            for key, value in row.cells.items()
            if key not in self._known
        ]

    def _cross_field(self, row: RawRow, payload: dict[str, Any]) -> list[CellError]:
        """Dates out of the catalogue's order; a code that does not fit the subject category."""
        errors: list[CellError] = []
        for earlier, later, header, label in self._orders:
            first, then = payload.get(earlier), payload.get(later)
            if first is not None and then is not None and then < first:
                why = f"日期 {then} 早于{label} {first} · {then} is before {label} {first}"
                errors.append(CellError(row.number, header, _shown(row.cells.get(header)), why))
        if self._subject is not None:
            type_field, code_field, header = self._subject
            kind, code = payload.get(type_field), payload.get(code_field)
            problem = _subject_mismatch(kind, code, self._kinds.get(code or ""))
            if problem:
                raw = _shown(row.cells.get(header))
                errors.append(CellError(row.number, header, raw, problem))
        return errors


def _kind_of_code(code: str, code_kind: str | None) -> str | None:
    """The subject category a valid code stands for, when it says so (None: it does not)."""
    if code_kind == "uscc":
        return conventions.uscc_subject_kind(code)
    return "natural_person" if code_kind == "id_number" else None


def _subject_mismatch(kind: str | None, code: str | None, code_kind: str | None) -> str | None:
    """Why a code does not fit the row's subject category (None when it does or is unknown)."""
    if kind is None or code is None or code_kind is None or kind not in CODE_KINDS:
        return None
    category = code[:2] if code_kind == "uscc" else None
    if code_kind not in CODE_KINDS[kind]:
        person = code_kind == "id_number"
        what_zh = "居民身份证号码" if person else "机构的代码"
        what = "a citizen ID number" if person else "an organisation's code"
        return (
            f"这是{what_zh}，但主体类别为{kind_zh(kind)} · "
            f"{what}, but the subject category is {kind}"
        )
    if kind == "individual_business" and category is not None and category != "92":
        return (
            f"这是类别为 {category} 的统一社会信用代码，而个体工商户的代码以 92 开头 · "
            f"a USCC of category {category}, but an individual business's (个体工商户) is 92…"
        )
    if kind == "legal_person" and category == "92":
        return _LEGAL_PERSON_92
    return None


_ParserKey = tuple[int, tuple[str, ...], date]
_local = threading.local()  # parsers keep caches: one set per thread


def _parsers() -> dict[_ParserKey, tuple[CatalogItem, RowParser]]:
    parsers: dict[_ParserKey, tuple[CatalogItem, RowParser]] | None = getattr(
        _local, "parsers", None
    )
    if parsers is None or len(parsers) > 256:
        parsers = _local.parsers = {}
    return parsers


def parse_mapping(
    item: CatalogItem, record: dict[str, Any], *, row: int, today: date
) -> tuple[dict[str, Any] | None, list[CellError]]:
    """Parse one JSON object whose keys are field names or any header of the item."""
    keys, parsers = tuple(record), _parsers()
    cached = parsers.get((id(item), keys, today))
    if cached is None or cached[0] is not item:
        fields: dict[str, str] = {}
        doubled: list[CellError] = []
        for key in keys:
            name = field_for(item, key)
            if name is not None and name in fields.values():
                why = f"字段 {name} 重复填写 · {name} given twice"
                doubled.append(CellError(row, key, _shown(record[key]), why))
            elif name is not None:
                fields[key] = name
        if doubled:
            return None, doubled
        columns = ColumnMap(item, fields, [], units=column_units(item, fields))
        cached = (item, RowParser(columns, today=today))
        parsers[(id(item), keys, today)] = cached
    return cached[1].parse(RawRow(row, record))
