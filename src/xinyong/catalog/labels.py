"""Catalogue items, fields, values and periods as a person reads them, in the page language."""

from __future__ import annotations

from typing import Any

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import CatalogItem, parse_period
from xinyong.core.i18n import Language, has_text, t
from xinyong.identity.kinds import SubjectKind

OPEN_ENDED = "2099-12-31"  # the national templates' "no end" date
SUBJECT_KINDS = frozenset(kind.value for kind in SubjectKind)


def catalog_item(code: str) -> CatalogItem | None:
    """The catalogue item with this code, or None."""
    return catalog_service.get_catalog().items.get(code)


def item_name(code: str, lang: Language) -> str:
    """The catalogue name of an item in the page language (the code if unknown)."""
    item = catalog_item(code)
    return (item.name.zh if lang == "zh" else item.name.en) if item else code


def format_value(name: str, value: Any, lang: Language) -> str:
    """One public field value as text: lists joined, booleans and kinds in words."""
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) if lang == "zh" else ", ".join(map(str, value))
    if isinstance(value, bool):
        return t("portal.yes" if value else "portal.no", lang)
    if name.endswith("_type") and value in SUBJECT_KINDS:
        return t(f"kind.{value}", lang)
    if str(value) == OPEN_ENDED:
        return t("portal.open_ended", lang)
    if name in INDUSTRY_FIELDS:
        return industry_label(str(value), lang)
    return str(value)


INDUSTRY_FIELDS = frozenset({"industry", "industry_code"})


def industry_label(code: str | None, lang: Language) -> str:
    """A GB/T 4754 industry code by its section's name: ``M`` -> 科学研究和技术服务业（M）;
    a code whose section is unknown as it is."""
    text = (code or "").strip()
    section = text[:1].upper()
    if (
        not text
        or not has_text(f"industry.{section}")
        or not (len(text) == 1 or text[1:].isdigit())
    ):
        return text
    name = t(f"industry.{section}", lang)
    return f"{name}（{text}）" if lang == "zh" else f"{name} ({text})"


def unit_label(unit: str | None, lang: Language) -> str:
    """A field's unit in the page language (万元 / 10,000 yuan)."""
    if not unit:
        return ""
    return t(f"unit.{unit}", lang) if has_text(f"unit.{unit}") else unit


def field_type_label(kind: str, lang: Language) -> str:
    """A catalogue field type as people say it (``uscc`` -> 统一社会信用代码)."""
    key = f"fieldtype.{kind}"
    return t(key, lang) if has_text(key) else kind


def field_label(item_code: str, name: str, lang: Language) -> str:
    """The catalogue label of a field in the page language (the name if unknown)."""
    item = catalog_item(item_code)
    spec = item.find_field(name) if item else None
    return (spec.label.zh if lang == "zh" else spec.label.en) if spec else name


def period_text(period: str, lang: Language) -> str:
    """An ISO period in words: ``P1Y6M`` → 1年6个月 / 1 year 6 months."""
    delta = parse_period(period)
    days = delta.days
    parts = [
        (delta.years, "年", "year"),
        (delta.months, "个月", "month"),
        (days, "天", "day"),
    ]
    if lang == "zh":
        return "".join(f"{n}{zh}" for n, zh, _ in parts if n) or "0"
    words = [f"{n} {en}{'s' if n > 1 else ''}" for n, _, en in parts if n]
    return " ".join(words) or "0"
