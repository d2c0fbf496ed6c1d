"""Presentation helpers of the portal pages: highlighting, links, pagers, field labels.

Nothing here reads the database: what a page may show has been decided by
``portal.service`` (the access policy); this module only arranges it for the templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import (
    CatalogItem,
    DisclosureKind,
    Severity,
    parse_period,
    period_months,
)
from xinyong.core.i18n import Language, t
from xinyong.portal.schemas import PublicRecord
from xinyong.subjects.kinds import SubjectKind
from xinyong.web.params import lang_of
from xinyong.web.render import render_page

# Fields the subject page does not repeat under each record (its header shows them).
SUBJECT_FIELDS = frozenset({"subject_name", "subject_code", "subject_type"})
# Registration fields the subject page shows from the subject itself (its status is the
# registry's present one, the registration record may be older).
BASIC_SHOWN = frozenset({"establishment_date", "registration_status"})
BASIC_ITEM = "registration"  # shown as the subject's basic information, not as a record
SUBJECT_KINDS = frozenset(kind.value for kind in SubjectKind)
OPEN_ENDED = "2099-12-31"  # the national templates' "no end" date
QueryValue = str | int | date | None


def highlight(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut into runs, each marked whether it lies inside a matched span."""
    marked = [False] * len(text)
    for start, end in spans:
        for index in range(max(start, 0), min(end, len(text))):
            marked[index] = True
    runs: list[tuple[str, bool]] = []
    for char, hit in zip(text, marked, strict=True):
        if runs and runs[-1][1] == hit:
            runs[-1] = (runs[-1][0] + char, hit)
        else:
            runs.append((char, hit))
    return runs


def href(path: str, params: Mapping[str, QueryValue], **changes: QueryValue) -> str:
    """A same-site link: ``path`` with the non-empty ``params`` (updated by ``changes``)."""
    merged = {**params, **changes}
    query = urlencode({k: str(v) for k, v in merged.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


def switch_href(request: Request, lang: Language) -> str:
    """The current page in the other language (the other query parameters kept)."""
    params: dict[str, QueryValue] = dict(request.query_params)
    return href(request.url.path, params, lang="en" if lang == "zh" else "zh")


def portal_page(
    request: Request, template: str, context: dict[str, Any], *, section: str, status: int = 200
) -> HTMLResponse:
    """Render ``portal/<template>`` in the portal's layout: the section marked in the menu and
    the language switch; ``?lang=`` also sets the language cookie."""
    full = {"section": section, "switch_href": switch_href(request, lang_of(request)), **context}
    return render_page(request, f"portal/{template}", full, status_code=status)


def _paths(routes: Iterable[object]) -> Iterator[str]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's included routers
        if included is not None:
            yield from _paths(included.routes)
        elif isinstance(path := getattr(route, "path", None), str):
            yield path


def route_exists(request: Request, path: str) -> bool:
    """Whether the application serves ``path`` (pages of later issues appear by themselves)."""
    return path in set(_paths(request.app.routes))


@dataclass(frozen=True)
class Pager:
    """Numbered pages over an offset-paginated result."""

    page: int
    pages: int
    total: int
    prev_href: str | None
    next_href: str | None


def pager(
    path: str, params: Mapping[str, QueryValue], *, total: int, page: int, limit: int
) -> Pager:
    """Previous and next links for page ``page`` of ``total`` rows, ``limit`` per page."""
    pages = max((total + limit - 1) // limit, 1)
    prev_href = href(path, params, page=page - 1 if page > 2 else None) if page > 1 else None
    next_href = href(path, params, page=page + 1) if page < pages else None
    return Pager(page, pages, total, prev_href, next_href)


def _item(code: str) -> CatalogItem | None:
    return catalog_service.get_catalog().items.get(code)


def item_name(code: str, lang: Language) -> str:
    """The catalogue name of an item in the page language (the code if unknown)."""
    item = _item(code)
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
    return str(value)


def field_rows(
    record: PublicRecord, lang: Language, *, skip: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """(label, value) of the record's public fields, in catalogue order, empty ones left out."""
    item = _item(record.item_code)
    order = [spec.name for spec in item.fields] if item else []
    names = [n for n in order if n in record.fields] + [n for n in record.fields if n not in order]
    rows = []
    for name in names:
        value = record.fields[name]
        if name in skip or value in (None, "", []):
            continue
        spec = item.find_field(name) if item else None
        label = (spec.label.zh if lang == "zh" else spec.label.en) if spec else name
        rows.append((label, format_value(name, value, lang)))
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


def field_label(item_code: str, name: str, lang: Language) -> str:
    """The catalogue label of a field in the page language (the name if unknown)."""
    item = _item(item_code)
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
