"""Presentation helpers of the portal pages: highlighting, links, pagers, field labels.

Nothing here reads the database: what a page may show has been decided by
``portal.service`` (the access policy); this module only arranges it for the templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from xinyong.catalog import conventions
from xinyong.catalog import service as catalog_service
from xinyong.catalog.labels import (  # noqa: F401  (portal pages read them as present.*)
    OPEN_ENDED,
    SUBJECT_KINDS,
    catalog_item,
    field_label,
    format_value,
    item_name,
    period_text,
    unit_label,
)
from xinyong.catalog.schemas import (
    DisclosureKind,
    FieldType,
    Severity,
    period_months,
)
from xinyong.core.i18n import Language, t
from xinyong.portal.schemas import PublicRecord
from xinyong.web.params import lang_of
from xinyong.web.present import (  # noqa: F401  (portal pages read them as present.*)
    Pager,
    QueryValue,
    highlight,
    href,
    pager,
    route_exists,
    switch_href,
)
from xinyong.web.render import render_page

# Fields the subject page does not repeat under each record (its header shows them).
SUBJECT_FIELDS = frozenset({"subject_name", "subject_code", "subject_type"})
# Registration fields the subject page shows from the subject itself (its status is the
# registry's present one, the registration record may be older).
BASIC_SHOWN = frozenset({"establishment_date", "registration_status"})
BASIC_ITEM = "registration"  # shown as the subject's basic information, not as a record


def portal_page(
    request: Request, template: str, context: dict[str, Any], *, section: str, status: int = 200
) -> HTMLResponse:
    """Render ``portal/<template>`` in the portal's layout: the section marked in the menu and
    the language switch; ``?lang=`` also sets the language cookie."""
    full = {"section": section, "switch_href": switch_href(request, lang_of(request)), **context}
    return render_page(request, f"portal/{template}", full, status_code=status)


def field_rows(
    record: PublicRecord, lang: Language, *, skip: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """(label, value) of the record's public fields, in catalogue order, empty ones left out."""
    item = catalog_item(record.item_code)
    order = [spec.name for spec in item.fields] if item else []
    names = [n for n in order if n in record.fields] + [n for n in record.fields if n not in order]
    rows = []
    for name in names:
        value = record.fields[name]
        if name in skip or value in (None, "", []):
            continue
        spec = item.find_field(name) if item else None
        label = (spec.label.zh if lang == "zh" else spec.label.en) if spec else name
        shown = format_value(name, value, lang)
        if spec is not None and spec.type is FieldType.currency and lang == "zh":
            shown = f"{conventions.currency_name(shown)}（{shown}）"  # 美元（USD）
        if spec is not None and spec.unit:
            shown = f"{shown} {unit_label(spec.unit, lang)}"  # 500 万元
        rows.append((label, shown))
    return rows


def field(record: PublicRecord, *names: str) -> str:
    """The first non-empty of the named public fields, as text ('' when none is shown)."""
    for name in names:
        value = record.fields.get(name)
        if value not in (None, "", []):
            return "、".join(map(str, value)) if isinstance(value, list) else str(value)
    return ""


def linkable(code: str | None) -> bool:
    """Whether a subject code can open a subject page (masked ID numbers cannot)."""
    return bool(code) and "*" not in (code or "")


def disclosure_rows(item_code: str, lang: Language) -> list[tuple[str, str]]:
    """How long an item is published: one row per severity tier it uses, or one row."""
    item = catalog_service.get_catalog().item(item_code)
    rule = item.disclosure
    if rule.kind is DisclosureKind.tiered and rule.periods is not None:
        tiers = [item.severity.default, *(case.tier for case in item.severity.rules)]
        used = [tier for tier in Severity if tier in tiers] or list(Severity)
        rows = []
        for tier in used:
            period = rule.periods.for_tier(tier)
            months = period_months(period)
            text = t("rules.not_published", lang) if months == 0 else period_text(period, lang)
            rows.append((t(f"severity.{tier.value}", lang), text))
        return rows
    if rule.kind is DisclosureKind.fixed and rule.period:
        text = t("rules.kind.fixed", lang).format(period=period_text(rule.period, lang))
    elif rule.kind is DisclosureKind.until_field and rule.end_field:
        label = field_label(item.code, rule.end_field, lang)
        text = t("rules.kind.until_field", lang).format(field=label)
    else:
        text = t("rules.kind.permanent", lang)
    return [("", text)]


# Item tabs the subject page always offers, even when empty (what visitors look for first).
ALWAYS_TABS = ("admin_licence", "admin_penalty")


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    count: int
    href: str
    current: bool


def subject_tabs(path: str, counts: Mapping[str, int], active: str, lang: Language) -> list[Tab]:
    """'All' and one tab per catalogue item the subject has records of (links, no script)."""
    shown = {code: n for code, n in counts.items() if code != BASIC_ITEM}
    tabs = [Tab("all", t("subject.overview", lang), sum(shown.values()), path + "#records",
                active == "all")]  # fmt: skip
    for code in catalog_service.get_catalog().items:
        count = shown.get(code, 0)
        if count or code in ALWAYS_TABS or code == active:
            link = href(path, {"tab": code}) + "#records"
            tabs.append(Tab(code, item_name(code, lang), count, link, active == code))
    return tabs


def basic_rows(basic: Mapping[str, Any], lang: Language) -> list[tuple[str, str]]:
    """(label, value) of the public registration fields (labels from the registration item)."""
    rows = []
    for name, value in basic.items():
        if name in SUBJECT_FIELDS | BASIC_SHOWN or value in (None, "", []):
            continue
        rows.append((field_label(BASIC_ITEM, name, lang), format_value(name, value, lang)))
    return rows
