"""Severity derivation and disclosure periods of catalogue items.

Periods follow the Civil Code (民法典 第二百零一条、第二百零二条): a period counted from a
decision starts the next day and its last day is the corresponding day of the final month, or
that month's last day when it has none. ``disclosure_end`` returns that last day (inclusive):
2024-01-31 + P3M -> 2024-04-30; 2024-02-29 + P1Y -> 2025-02-28.

A zero period (e.g. ``P0M`` for minor information that is not published) returns the day before
the decision date: the record is never shown (see ``is_never_published``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from xinyong.catalog.schemas import (
    CatalogItem,
    Condition,
    ConditionOp,
    DisclosureKind,
    FieldSpec,
    FieldType,
    Severity,
    TierPeriods,
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


def matches(item: CatalogItem, condition: Condition, payload: Mapping[str, Any]) -> bool:
    """Whether one condition holds for a payload; a missing or unreadable value never matches."""
    spec = item.find_field(condition.field)
    raw = payload.get(condition.field)
    if spec is not None and spec.multiple:
        return _matches_multi(condition, spec, raw)
    value = _scalar(spec, raw)
    if value is None:
        return False
    wanted = [_scalar(spec, entry) for entry in condition.values]
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
