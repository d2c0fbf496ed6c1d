"""Check a record payload against its catalogue item and bring values to canonical JSON form.

Ingestion parses the many spellings departments use (2024年1月5日, 1,234.5 万元 …) before it
gets here; this module accepts only canonical values and says exactly which field is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from xinyong.catalog import conventions
from xinyong.catalog.rules import split_multi
from xinyong.catalog.schemas import CatalogItem, FieldSpec, FieldType
from xinyong.core.errors import Invalid, both
from xinyong.core.i18n import t
from xinyong.identity import codes


def _why(key: str, **params: Any) -> dict[str, str]:
    """Why a value is refused, in both languages (a parameter of ``records.err.field``)."""
    return both(t(key, "zh").format(**params), t(key, "en").format(**params))


def _bad(spec: FieldSpec, value: Any, why: Any) -> Invalid:
    return Invalid(
        key="records.err.field",
        params={"name": spec.name, "label": both(spec.label.zh, spec.label.en), "why": why},
        details={"field": spec.name, "value": str(value)[:200]},
    )


def _as_date(spec: FieldSpec, value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise _bad(spec, value, _why("records.why.date")) from None


def _as_decimal(spec: FieldSpec, value: Any) -> str:
    if isinstance(value, bool):
        raise _bad(spec, value, _why("records.why.number"))
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _bad(spec, value, _why("records.why.number")) from None
    if not number.is_finite():
        raise _bad(spec, value, _why("records.why.finite"))
    return format(number.normalize(), "f")


def _as_integer(spec: FieldSpec, value: Any) -> int:
    if isinstance(value, bool) or not str(value).lstrip("-").isdigit():
        raise _bad(spec, value, _why("records.why.integer"))
    return int(value)


def _as_text(spec: FieldSpec, value: Any) -> str:
    text = str(value).strip()
    if spec.max_length and len(text) > spec.max_length:
        raise _bad(spec, value, _why("records.why.long", max=spec.max_length))
    return text


def _as_enum(spec: FieldSpec, value: Any) -> str | list[str]:
    raw = split_multi(value) if spec.multiple else [str(value)]
    chosen = [spec.canonical_value(v) for v in raw]
    unknown = [v for v in chosen if v not in spec.values]
    if unknown:
        raise _bad(
            spec, value, _why("records.why.enum", value=unknown[0], values=", ".join(spec.values))
        )
    if not spec.multiple:
        return chosen[0]
    return list(dict.fromkeys(chosen))


def _as_code(kinds: tuple[str, ...]) -> Callable[[FieldSpec, Any], str]:
    def check(spec: FieldSpec, value: Any) -> str:
        result = codes.detect(str(value))
        if result.kind not in kinds or not result.valid:
            raise _bad(spec, value, result.reason or _why("records.why.code"))
        return result.code

    return check


def _as_currency(spec: FieldSpec, value: Any) -> str:
    code = conventions.currency_code(str(value))
    if code is None:
        raise _bad(spec, value, _why("records.why.currency"))
    return code


def _as_boolean(spec: FieldSpec, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _bad(spec, value, _why("records.why.boolean"))


_CONVERTERS: dict[FieldType, Callable[[FieldSpec, Any], Any]] = {
    FieldType.string: _as_text,
    FieldType.text: _as_text,
    FieldType.date: _as_date,
    FieldType.decimal: _as_decimal,
    FieldType.integer: _as_integer,
    FieldType.enum: _as_enum,
    FieldType.uscc: _as_code(("uscc",)),
    FieldType.id_number: _as_code(("id_number",)),
    FieldType.subject_code: _as_code(
        ("uscc", "id_number", "registration_number", "organization_code")
    ),
    FieldType.boolean: _as_boolean,
    FieldType.currency: _as_currency,
}


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_payload(item: CatalogItem, payload: dict[str, Any]) -> dict[str, Any]:
    """Validate a payload for an item; returns it in canonical form or raises Invalid."""
    specs = {spec.name: spec for spec in item.fields}
    unknown = sorted(set(payload) - set(specs))
    if unknown:
        raise Invalid(
            key="records.err.unknown_fields",
            params={"item_code": item.code, "join_unknown": ", ".join(unknown)},
            details={"field": unknown[0]},
        )
    clean: dict[str, Any] = {}
    for name, spec in specs.items():
        value = payload.get(name)
        if _empty(value):
            if spec.required:
                raise _bad(spec, value, _why("records.why.required"))
            continue
        clean[name] = _CONVERTERS[spec.type](spec, value)
    return clean


def decision_date_of(item: CatalogItem, payload: dict[str, Any]) -> date | None:
    """The decision date named by the item's ``decision_date_field``, if present."""
    if not item.decision_date_field:
        return None
    value = payload.get(item.decision_date_field)
    return date.fromisoformat(value) if isinstance(value, str) and value else None
