"""Rules of catalogue items: severity derivation, disclosure periods, and consistency checks.

Periods follow the Civil Code (民法典 第二百零一条、第二百零二条): a period counted from a
decision starts the next day and its last day is the corresponding day of the final month, or
that month's last day when it has none. ``disclosure_end`` returns that last day (inclusive):
2024-01-31 + P3M -> 2024-04-30; 2024-02-29 + P1Y -> 2025-02-28.

A zero period (e.g. ``P0M`` for minor information that is not published) returns the day before
the decision date: the record is never shown (see ``is_never_published``).

``item_defects`` and ``field_defects`` are the cross-attribute checks the schemas' validators
run (imported lazily there, since this module imports the schemas).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from xinyong.catalog.schemas import (
    CODE_TYPES,
    NUMERIC_TYPES,
    STRING_TYPES,
    CatalogDefect,
    CatalogItem,
    Condition,
    ConditionOp,
    DisclosureAttribute,
    DisclosureKind,
    FieldSpec,
    FieldType,
    Loc,
    Severity,
    TierPeriods,
    normalize_header,
    parse_period,
)
from xinyong.core.errors import Invalid

# Separators accepted in a multi-valued enum given as one string (e.g. "警告;罚款").
_MULTI_SEPARATORS = re.compile(r"[;；,，、|/]")
_TRUE = {"true", "1", "是", "yes", "y", "t"}
_FALSE = {"false", "0", "否", "no", "n", "f"}

Scalar = Decimal | date | str


def split_multi(value: Any) -> list[str]:
    """Values of a multi-valued field: a list, or one string split on ; ； , ， 、 | /."""
    if value is None:
        return []
    parts = value if isinstance(value, list | tuple | set) else _MULTI_SEPARATORS.split(str(value))
    return [str(part).strip() for part in parts if str(part).strip()]


def to_date(value: Any) -> date | None:
    """A date from a date, a datetime or text (``2024-01-05``, ``2024/01/05``, ``20240105``)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        parts = text.split("-")
        if len(parts) == 3 and all(part.isdigit() for part in parts):
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        raise


def _scalar(spec: FieldSpec | None, raw: Any) -> Scalar | None:
    """A comparable value for a field, or None when missing or not readable as its type."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    kind = spec.type if spec is not None else FieldType.string
    try:
        if kind in {FieldType.decimal, FieldType.integer}:
            return Decimal(str(raw).strip().replace(",", ""))
        if kind is FieldType.date:
            return to_date(raw)
    except (InvalidOperation, ValueError):
        return None
    if kind is FieldType.boolean:
        text = str(raw).strip().lower()
        return "true" if text in _TRUE else "false" if text in _FALSE else text
    text = str(raw).strip()
    return spec.canonical_value(text) if spec is not None else text


def _ordered(left: Scalar, op: ConditionOp, right: Scalar) -> bool:
    if isinstance(left, Decimal) and isinstance(right, Decimal):
        return left >= right if op is ConditionOp.gte else left <= right
    if isinstance(left, date) and isinstance(right, date):
        return left >= right if op is ConditionOp.gte else left <= right
    return False


def _matches_multi(condition: Condition, spec: FieldSpec, raw: Any) -> bool:
    chosen = {spec.canonical_value(value) for value in split_multi(raw)}
    if not chosen:
        return False
    wanted = set(condition.values)
    if condition.op is ConditionOp.eq:
        return chosen == wanted
    if condition.op is ConditionOp.in_:
        return chosen <= wanted  # only values from the list, e.g. "warning only"
    return bool(chosen & wanted)  # contains: at least one of the values


# id(condition) -> (condition, its field, its values as comparable scalars); the condition
# is kept so that its id cannot be reused while the entry lives.
_COMPILED: dict[tuple[int, int], tuple[Condition, FieldSpec | None, list[Scalar | None]]] = {}


def _compiled(
    item: CatalogItem, condition: Condition
) -> tuple[FieldSpec | None, list[Scalar | None]]:
    """A condition's field and wanted values, worked out once per catalogue load."""
    key = (id(item), id(condition))
    hit = _COMPILED.get(key)
    if hit is None or hit[0] is not condition:
        spec = item.find_field(condition.field)
        hit = (condition, spec, [_scalar(spec, entry) for entry in condition.values])
        _COMPILED[key] = hit
    return hit[1], hit[2]


def matches(item: CatalogItem, condition: Condition, payload: Mapping[str, Any]) -> bool:
    """Whether one condition holds for a payload; a missing or unreadable value never matches."""
    spec, wanted = _compiled(item, condition)
    raw = payload.get(condition.field)
    if spec is not None and spec.multiple:
        return _matches_multi(condition, spec, raw)
    value = _scalar(spec, raw)
    if value is None:
        return False
    if condition.op in {ConditionOp.gte, ConditionOp.lte}:
        return wanted[0] is not None and _ordered(value, condition.op, wanted[0])
    if condition.op is ConditionOp.contains and isinstance(value, str):
        return any(isinstance(w, str) and w in value for w in wanted)
    return value in wanted


def derive_severity(item: CatalogItem, payload: Mapping[str, Any]) -> Severity | None:
    """The tier of a payload: the first rule whose conditions all hold, else the default."""
    for case in item.severity.rules:
        if all(matches(item, condition, payload) for condition in case.when):
            return case.tier
    return item.severity.default


@lru_cache(maxsize=65536)
def period_end(decision_date: date, period: str) -> date:
    """Last day (inclusive) of a period counted from a decision; zero: the day before it."""
    delta = parse_period(period)
    if not (delta.years or delta.months or delta.days):
        return decision_date - timedelta(days=1)
    end: date = decision_date + delta
    return end


def disclosure_end(
    item: CatalogItem,
    *,
    decision_date: date,
    severity: Severity | None,
    payload: Mapping[str, Any],
) -> date | None:
    """Last day of publication (inclusive), or None when publication has no end date."""
    rule = item.disclosure
    if rule.kind is DisclosureKind.tiered:
        tier = severity or item.severity.default
        if tier is None:
            raise Invalid(f"catalogue item '{item.code}' needs a severity tier for its period")
        return period_end(decision_date, (rule.periods or TierPeriods()).for_tier(tier))
    if rule.kind is DisclosureKind.fixed and rule.period is not None:
        return period_end(decision_date, rule.period)
    if rule.kind is DisclosureKind.until_field and rule.end_field is not None:
        raw = payload.get(rule.end_field)
        try:
            return to_date(raw)
        except ValueError:
            raise Invalid(
                f"catalogue item '{item.code}': '{rule.end_field}' is not a date: {raw!r}",
                details={"item": item.code, "field": rule.end_field},
            ) from None
    return None


def is_published_on(end: date | None, today: date) -> bool:
    """Whether a record whose publication ends on ``end`` (inclusive) is shown on ``today``."""
    return end is None or today <= end


def is_never_published(end: date | None, decision_date: date) -> bool:
    """Whether the period was zero (information withheld from publication from the start)."""
    return end is not None and end < decision_date


# --- consistency of catalogue items (called by the schemas' validators) ---------------------


def item_defects(item: CatalogItem) -> Iterator[CatalogDefect]:
    """Inconsistencies between the attributes of an item (CatalogItem validation calls this)."""
    for check in (_check_fields, _check_roles, _check_severity, _check_disclosure):
        yield from check(item)


def field_defects(spec: FieldSpec) -> Iterator[CatalogDefect]:
    """Inconsistencies within one field (FieldSpec validation calls this)."""
    is_enum = spec.type is FieldType.enum
    if is_enum and not spec.values:
        yield CatalogDefect(("values",), "an enum field needs 'values'")
    for attr in ("values", "value_aliases", "multiple"):
        if not is_enum and getattr(spec, attr):
            yield CatalogDefect((attr,), f"'{attr}' only applies to enum fields")
    for value, count in Counter(spec.values).items():
        if count > 1:
            yield CatalogDefect(("values",), f"duplicate enum value '{value}'")
    for raw, target in spec.value_aliases.items():
        if target not in spec.values:
            yield CatalogDefect(("value_aliases", raw), f"'{target}' is not one of the values")
    if spec.max_length is not None and spec.type not in STRING_TYPES:
        yield CatalogDefect(("max_length",), "'max_length' only applies to string and text")
    if spec.free_text and spec.type not in STRING_TYPES:
        yield CatalogDefect(("free_text",), "'free_text' only applies to string and text")
    if spec.free_text and spec.is_personal:
        yield CatalogDefect(("free_text",), "a personal identity number is not free text")
    if spec.unit is not None and spec.type not in NUMERIC_TYPES:
        yield CatalogDefect(("unit",), "'unit' only applies to decimal and integer fields")
    if spec.currency_field is not None and spec.type is not FieldType.decimal:
        yield CatalogDefect(("currency_field",), "'currency_field' only applies to decimals")
    if spec.pattern is not None:
        try:
            re.compile(spec.pattern)
        except re.error as exc:
            yield CatalogDefect(("pattern",), f"not a regular expression: {exc}")


def _check_fields(item: CatalogItem) -> Iterator[CatalogDefect]:
    seen_names: set[str] = set()
    seen_headers: dict[str, str] = {}
    for index, spec in enumerate(item.fields):
        if spec.name in seen_names:
            yield CatalogDefect(("fields", index, "name"), f"duplicate field name '{spec.name}'")
        seen_names.add(spec.name)
        for header in {normalize_header(h) for h in spec.header_names()}:
            other = seen_headers.setdefault(header, spec.name)
            if other != spec.name:
                yield CatalogDefect(
                    ("fields", index, "aliases"),
                    f"header '{header}' would match both '{other}' and '{spec.name}'",
                )
        if spec.personal and item.field_disclosure(spec) is DisclosureAttribute.public:
            yield CatalogDefect(
                ("fields", index, "disclosure"),
                f"field '{spec.name}' holds identity numbers and cannot be public",
            )
        linked = item.find_field(spec.currency_field) if spec.currency_field else None
        if spec.currency_field and (linked is None or linked.type is not FieldType.currency):
            yield CatalogDefect(
                ("fields", index, "currency_field"),
                f"'{spec.currency_field}' is not a currency field of {item.code}",
            )
        if item.field_disclosure(spec).openness < item.disclosure_attribute.openness:
            yield CatalogDefect(
                ("fields", index, "disclosure"),
                f"field '{spec.name}' ({spec.disclosure}) cannot be more open than its item "
                f"({item.disclosure_attribute})",
            )


def _role_defect(
    item: CatalogItem, role: str, allowed: set[FieldType], what: str
) -> CatalogDefect | None:
    name = getattr(item, role)
    if name is None:
        return None
    spec = item.find_field(name)
    if spec is None:
        return CatalogDefect((role,), f"names unknown field '{name}'")
    if spec.type not in allowed:
        return CatalogDefect((role,), f"field '{name}' is {spec.type}, expected {what}")
    return None


def _check_roles(item: CatalogItem) -> Iterator[CatalogDefect]:
    roles = {
        "decision_date_field": ({FieldType.date}, "a date"),
        "source_record_id_field": (STRING_TYPES | CODE_TYPES, "a string"),
        "subject_name_field": (STRING_TYPES, "a string"),
        "subject_code_field": (CODE_TYPES, "uscc, id_number or subject_code"),
        "subject_type_field": ({FieldType.enum}, "an enum of subject kinds"),
    }
    for role, (allowed, what) in roles.items():
        defect = _role_defect(item, role, allowed, what)
        if defect is not None:
            yield defect
    if (item.source_record_id_field is None) == (not item.source_record_key):
        yield CatalogDefect(
            ("source_record_id_field",), "give either source_record_id_field or source_record_key"
        )
    for index, name in enumerate(item.source_record_key):
        if item.find_field(name) is None:
            yield CatalogDefect(("source_record_key", index), f"names unknown field '{name}'")
    spec = item.find_field(item.subject_type_field or "")
    if spec is not None and spec.type is FieldType.enum:
        stray = [v for v in spec.values if v not in set(item.subject_kinds)]
        if stray:
            yield CatalogDefect(
                ("subject_type_field",),
                f"values {stray} of '{spec.name}' are not among the subject_kinds of the item",
            )


def _check_severity(item: CatalogItem) -> Iterator[CatalogDefect]:
    for r_index, case in enumerate(item.severity.rules):
        for c_index, condition in enumerate(case.when):
            where: Loc = ("severity", "rules", r_index, "when", c_index)
            spec = item.find_field(condition.field)
            if spec is None:
                yield CatalogDefect((*where, "field"), f"unknown field '{condition.field}'")
                continue
            for loc, message in _condition_problems(condition, spec):
                yield CatalogDefect((*where, *loc), message)


def _condition_problems(condition: Condition, spec: FieldSpec) -> Iterator[tuple[Loc, str]]:
    ordered = NUMERIC_TYPES | {FieldType.date}
    if condition.op in {ConditionOp.gte, ConditionOp.lte} and spec.type not in ordered:
        yield ("op",), f"'{condition.op}' needs a number or date field, not {spec.type}"
    for value in condition.values:
        if spec.type is FieldType.enum and value not in spec.values:
            yield ("value",), f"'{value}' is not one of the values of '{spec.name}'"
        if spec.type in NUMERIC_TYPES and not re.fullmatch(r"-?\d+(\.\d+)?", value):
            yield ("value",), f"'{value}' is not a number"
        if spec.type is FieldType.date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            yield ("value",), f"'{value}' is not a date (YYYY-MM-DD)"


def _check_disclosure(item: CatalogItem) -> Iterator[CatalogDefect]:
    kind = item.disclosure.kind
    if kind is DisclosureKind.tiered and item.severity.default is None:
        yield CatalogDefect(("severity", "default"), "a tiered disclosure needs a default tier")
    needs_date = kind in {DisclosureKind.tiered, DisclosureKind.fixed}
    if needs_date and item.decision_date_field is None:
        yield CatalogDefect(("decision_date_field",), f"a {kind} disclosure counts from it")
    end_field = item.disclosure.end_field
    if end_field is not None:
        spec = item.find_field(end_field)
        if spec is None or spec.type is not FieldType.date:
            yield CatalogDefect(("disclosure", "end_field"), f"'{end_field}' is not a date field")
