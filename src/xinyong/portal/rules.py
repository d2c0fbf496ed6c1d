"""The catalogue as readable data for the portal's rules page and the open API."""

from __future__ import annotations

from pathlib import Path

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import (
    CatalogItem,
    DisclosureAttribute,
    DisclosureKind,
    LegalBasis,
    Severity,
)
from xinyong.portal.list_seam import basis_text
from xinyong.portal.schemas import CatalogueRules, RuleField, RuleItem, RuleLegalBasis

_TIER_ZH = {"minor": "轻微", "general": "一般", "serious": "严重"}


def _periods(item: CatalogItem) -> dict[str, str]:
    rule = item.disclosure
    if rule.kind is DisclosureKind.tiered and rule.periods is not None:
        return {tier.value: rule.periods.for_tier(tier) for tier in Severity}
    return {"all": rule.period} if rule.period else {}


def _disclosure_text(item: CatalogItem) -> tuple[str, str]:
    """How long records of the item are published, in Chinese and English."""
    rule = item.disclosure
    if item.disclosure_attribute is not DisclosureAttribute.public:
        return "不向社会公开", "not published"
    if rule.kind is DisclosureKind.tiered:
        periods = _periods(item)
        zh = "；".join(
            f"{_TIER_ZH[t]}失信{'不予公示' if p in ('P0M', 'P0Y') else '公示' + p}"
            for t, p in periods.items()
        )
        en = "; ".join(
            f"{t}: {'not published' if p in ('P0M', 'P0Y') else p}" for t, p in periods.items()
        )
        return zh + "，自决定之日起算", en + ", from the decision date"
    if rule.kind is DisclosureKind.fixed:
        return f"公示{rule.period}，自决定之日起算", f"{rule.period} from the decision date"
    if rule.end_field:
        label = item.field(rule.end_field).label
        return f"公示至{label.zh}", f"until {label.en}"
    return "持续公示", "while in force"


def _legal_basis(basis: LegalBasis) -> RuleLegalBasis:
    return RuleLegalBasis(
        title=basis.title,
        document_number=basis.document_number,
        article=basis.article,
        url=basis.url,
        text=basis_text(basis),
    )


def _rule_fields(item: CatalogItem) -> list[RuleField]:
    public_item = item.disclosure_attribute is DisclosureAttribute.public
    return [
        RuleField(
            name=spec.name,
            label_zh=spec.label.zh,
            label_en=spec.label.en,
            type=spec.type.value,
            required=spec.required,
            public=public_item and item.field_disclosure(spec) is DisclosureAttribute.public,
            disclosure=item.field_disclosure(spec).value,
            unit=spec.unit,
            values=list(spec.values),
            description=spec.description,
        )
        for spec in item.fields
    ]


def rule_item(item: CatalogItem) -> RuleItem:
    """One catalogue item as published: fields with their openness, periods, legal basis."""
    zh, en = _disclosure_text(item)
    public_item = item.disclosure_attribute is DisclosureAttribute.public
    return RuleItem(
        code=item.code,
        name_zh=item.name.zh,
        name_en=item.name.en,
        category=item.category.value,
        category_label_zh=item.category.label_zh,
        category_label_en=item.category.value.replace("_", " "),
        subject_kinds=[kind.value for kind in item.subject_kinds],
        disclosure_attribute=item.disclosure_attribute.value,
        published=public_item,
        polarity=item.polarity.value,
        disclosure_kind=item.disclosure.kind.value,
        periods=_periods(item),
        disclosure_zh=zh,
        disclosure_en=en,
        legal_basis=[_legal_basis(b) for b in item.legal_basis],
        source_departments=[kind.value for kind in item.source_departments],
        update_frequency=item.update_frequency.value,
        reporting_deadline_working_days=item.reporting_deadline_working_days,
        description=item.description,
        fields=_rule_fields(item),
    )


def catalogue_rules(*, item_code: str | None = None) -> CatalogueRules:
    """The information catalogue as the public reads it (one item when ``item_code``)."""
    catalog = catalog_service.get_catalog()
    items = [catalog.item(item_code)] if item_code else list(catalog.items.values())
    return CatalogueRules(
        version=catalog.version,
        layers=[Path(layer).name for layer in catalog.layers],
        items=[rule_item(i) for i in items],
    )
