"""The public portal's pages (信用门户): home, search, subject pages, 双公示, lists, rules.

Thin: every record shown comes from ``portal.service``, which applies the access policy;
these routes only read the query, call it and hand the result to a template.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, BeforeValidator, Field

from xinyong.catalog import labels
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import NationalCategory
from xinyong.core.config import get_settings
from xinyong.core.errors import Invalid, NotFound
from xinyong.core.i18n import t
from xinyong.identity import regions
from xinyong.portal import charts, present, sections
from xinyong.portal import service as portal_service
from xinyong.subjects import service as subjects_service
from xinyong.web import present as web_present
from xinyong.web.deps import DbSession
from xinyong.web.exports import FORMATS, MAX_ROWS
from xinyong.web.params import lang_of

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
MAX_PAGE = 500  # deeper pages are reached by narrowing the filters
HELPERS: dict[str, Any] = {
    "category_label": charts.category_label,
    "disclosure_rows": present.disclosure_rows,
    "field": present.field,
    "field_label": labels.field_label,
    "field_rows": present.field_rows,
    "format_value": labels.format_value,
    "item_name": labels.item_name,
    "linkable": present.linkable,
}
# (attribute of HomeFigures, label): the headline figures of the home page, in order.
HOME_FIGURES = (
    ("subjects", "stats.subjects"),
    ("records", "stats.records"),
    ("records_published", "stats.published"),
    ("list_entries", "home.list_entries"),
    ("repairs_completed", "home.repairs"),
    ("departments_reporting", "home.departments_reporting"),
    ("subjects_repaired", "stats.subjects_repaired"),
)
Code = Annotated[str, Path(min_length=1, max_length=40)]
Cursor = Annotated[str | None, Query(max_length=200)]


def _page(
    request: Request, template: str, context: dict[str, Any], *, section: str, status: int = 200
) -> HTMLResponse:
    """Render a portal page with the portal's template helpers and the rights links."""
    shared = {"rights": _rights(request), "skip": present.SUBJECT_FIELDS}
    full = {**HELPERS, **shared, **context}
    return present.portal_page(request, template, full, section=section, status=status)


def _rights(request: Request) -> dict[str, str | None]:
    """Links to the objection and repair pages once they exist (issue of the rights module)."""
    return {
        name: path if web_present.route_exists(request, path) else None
        for name, path in (("objection", "/rights/objection"), ("repair", "/rights/repair"))
    }


def _not_found(request: Request, heading: str, message: str, *, section: str) -> HTMLResponse:
    context = {"heading": heading, "message": message, "query": ""}
    return _page(request, "not_found.html", context, section=section, status=404)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: DbSession) -> Response:
    """Landing page: search box, headline figures and charts."""
    lang = lang_of(request)
    figures = portal_service.cached_home_figures(session)
    items = catalog_service.get_catalog().items
    by_item = [(items[code], n) for code, n in figures.by_item.items() if code in items]
    context: dict[str, Any] = {
        "figures": [(key, t(label, lang), getattr(figures, key)) for key, label in HOME_FIGURES],
        "by_item": [(i.name.zh if lang == "zh" else i.name.en, n) for i, n in by_item],
        **charts.home_charts(figures, lang),
    }
    return _page(request, "home.html", context, section="home")


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    session: DbSession,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    """Search subjects by name (any script or width) or by code."""
    query = "".join(ch for ch in q if unicodedata.category(ch)[0] != "C").strip()
    context: dict[str, Any] = {"query": query, "result": None, "hits": [], "pager": None}
    if query:
        offset = (page - 1) * PAGE_SIZE
        result = portal_service.search_subjects(
            session, query=query, limit=PAGE_SIZE, offset=offset
        )
        context["result"] = result
        context["hits"] = [_hit_view(hit) for hit in result.hits]
        context["pager"] = web_present.pager(
            "/search", {"q": query}, total=result.total, page=page, limit=PAGE_SIZE
        )
        context["export_links"] = _export_links("/search/export", {"q": query})
        context["max_rows"] = MAX_ROWS
    return _page(request, "search.html", context, section="search")


def _hit_view(hit: Any) -> dict[str, Any]:
    region = regions.full_name(hit.region_code) if hit.region_code else None
    return {
        **hit.model_dump(),
        "runs": web_present.highlight(hit.name, hit.highlights),
        "region": region,
    }


@router.get("/subjects/{code}", response_class=HTMLResponse)
def subject(
    request: Request,
    session: DbSession,
    code: Code,
    tab: Annotated[str, Query(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")] = "all",
    cursor: Cursor = None,
) -> Response:
    """A subject's public credit information, by catalogue category, with its rights."""
    lang = lang_of(request)
    try:
        profile = portal_service.subject_profile(session, code=code.strip().upper())
    except NotFound:
        message = t("subject.not_found_text", lang).format(code=code)
        return _not_found(request, t("subject.not_found", lang), message, section="search")
    if tab != "all" and tab not in catalog_service.get_catalog().items:
        raise NotFound(key="portal.err.tab", params={"tab": tab}, details={"field": "tab"})
    path = f"/subjects/{quote(code, safe='')}"
    context: dict[str, Any] = {
        "profile": profile,
        "active": tab,
        "tabs": present.subject_tabs(path, profile.counts, tab, lang),
        "basic": present.basic_rows(profile.basic, lang),
        "page": None,
        "more_href": None,
        "sections": sections.for_subject(session, profile.subject_id),
    }
    if tab != "all":
        page = portal_service.subject_records(
            session, subject_id=profile.subject_id, item_code=tab, limit=PAGE_SIZE, cursor=cursor
        )
        context["page"] = page
        if page.next_cursor:
            context["more_href"] = web_present.href(path, {"tab": tab, "cursor": page.next_cursor})
    return _page(request, "subject.html", context, section="search")


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


BLANK_IS_NONE = BeforeValidator(_blank_is_none)
DepartmentId = Annotated[Annotated[int, Field(ge=1)] | None, BLANK_IS_NONE]
OptionalDate = Annotated[date | None, BLANK_IS_NONE]
PenaltyCategory = Annotated[Annotated[str, Field(max_length=32)] | None, BLANK_IS_NONE]
RegionCode = Annotated[Annotated[str, Field(pattern=r"^\d{6}$")] | None, BLANK_IS_NONE]
LicenceCategory = Annotated[Annotated[str, Field(max_length=32)] | None, BLANK_IS_NONE]
PublicityKind = Annotated[
    Literal["legal_person", "individual_business", "natural_person"] | None, BLANK_IS_NONE
]


class PublicityFilters(BaseModel):
    """The filters of the 双公示 pages (blank form fields mean "any")."""

    department: DepartmentId = None
    date_from: OptionalDate = None
    date_to: OptionalDate = None
    penalty_category: PenaltyCategory = None
    region: RegionCode = None
    licence_category: LicenceCategory = None
    subject_kind: PublicityKind = None
    sort: Literal["date_desc", "date_asc"] = "date_desc"
    page: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 1

    def service_filters(self, kind: Literal["licence", "penalty"]) -> dict[str, Any]:
        """The keyword arguments of ``portal_service.double_publicity`` for these filters."""
        return {
            "kind": kind,
            "department_id": self.department,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "penalty_category": self.penalty_category if kind == "penalty" else None,
            "licence_category": self.licence_category if kind == "licence" else None,
            "subject_kind": self.subject_kind,
            "region_code": self.region,
            "sort": self.sort,
        }


PublicityQuery = Annotated[PublicityFilters, Query()]


@router.get("/double-publicity/licences", response_class=HTMLResponse)
def licences(request: Request, session: DbSession, filters: PublicityQuery) -> Response:
    """双公示: administrative licence decisions, filtered and sorted."""
    return _double_publicity(request, session, "licence", filters)


@router.get("/double-publicity/penalties", response_class=HTMLResponse)
def penalties(request: Request, session: DbSession, filters: PublicityQuery) -> Response:
    """双公示: administrative penalty decisions, filtered and sorted."""
    return _double_publicity(request, session, "penalty", filters)


def _double_publicity(
    request: Request,
    session: DbSession,
    kind: Literal["licence", "penalty"],
    filters: PublicityFilters,
) -> Response:
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise Invalid(key="portal.err.date_order", details={"field": "date_from"})
    result = portal_service.double_publicity(
        session,
        **filters.service_filters(kind),
        limit=PAGE_SIZE,
        offset=(filters.page - 1) * PAGE_SIZE,
    )
    path = "/double-publicity/licences" if kind == "licence" else "/double-publicity/penalties"
    params = filters.model_dump(exclude={"page"}, exclude_defaults=True)
    context = {
        "kind": kind,
        "path": path,
        "filters": filters,
        "page": result,
        "pager": web_present.pager(
            path, params, total=result.total, page=filters.page, limit=PAGE_SIZE
        ),
        "departments": subjects_service.list_departments(session),
        "regions": [(r.code, r.name) for r in regions.current_children(_city())],
        "penalty_categories": catalog_service.get_catalog()
        .item("admin_penalty")
        .field("penalty_types")
        .values,
        "licence_categories": catalog_service.get_catalog()
        .item("admin_licence")
        .field("licence_category")
        .values,
        "subject_kinds": ("legal_person", "individual_business", "natural_person"),
        "export_links": _export_links(path + "/export", params),
        "max_rows": MAX_ROWS,
    }
    return _page(request, "double_publicity.html", context, section="double_publicity")


def _export_links(path: str, params: dict[str, Any]) -> dict[str, str]:
    """Links to the CSV and XLSX export of what the page lists (same filters)."""
    return {fmt: web_present.href(path, params, format=fmt) for fmt in FORMATS}


def _city() -> str:
    return get_settings().city_region


@router.get("/lists", response_class=HTMLResponse)
def lists(request: Request, session: DbSession) -> Response:
    """The published lists: red list, serious dishonesty, judgment debtors, abnormal ops."""
    result = portal_service.public_lists(session)
    return _page(request, "lists.html", {"result": result}, section="lists")


@router.get("/lists/{list_code}", response_class=HTMLResponse)
def list_entries(
    request: Request,
    session: DbSession,
    list_code: Code,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    """One published list: its legal basis and its entries with their dates."""
    lang = lang_of(request)
    offset = (page - 1) * PAGE_SIZE
    try:
        result = portal_service.public_lists(
            session, list_code=list_code, limit=PAGE_SIZE, offset=offset
        )
    except NotFound:
        return _not_found(request, t("lists.not_found", lang), list_code, section="lists")
    info = next(i for i in result.lists if i.list_code == result.list_code)
    entries = result.entries
    assert entries is not None  # given a list code, the service returns its entries
    path = f"/lists/{quote(list_code, safe='')}"
    context = {
        "info": info,
        "page": entries,
        "pager": web_present.pager(path, {}, total=entries.total, page=page, limit=PAGE_SIZE),
        "export_links": _export_links(path + "/export", {}),
        "max_rows": MAX_ROWS,
    }
    return _page(request, "list.html", context, section="lists")


@router.get("/rules", response_class=HTMLResponse)
def rules(request: Request) -> Response:
    """The information catalogue as published: every item, grouped by national category."""
    lang = lang_of(request)
    published = portal_service.catalogue_rules()
    groups: dict[str, dict[str, Any]] = {}
    for item in published.items:
        label = charts.category_label(item.category, item.category_label_zh, lang)
        group = groups.setdefault(item.category, {"category": item.category, "label": label})
        group.setdefault("items", []).append(item)
    order = [category.value for category in NationalCategory]
    ordered = sorted(groups.values(), key=lambda g: order.index(g["category"]))
    context = {"rules": published, "groups": ordered}
    return _page(request, "rules.html", context, section="rules")


@router.get("/rules/{item_code}", response_class=HTMLResponse)
def rule(request: Request, item_code: Code) -> Response:
    """One catalogue item: its fields and their openness, publication periods, legal basis."""
    lang = lang_of(request)
    if item_code not in catalog_service.get_catalog().items:
        return _not_found(request, t("rules.not_found", lang), item_code, section="rules")
    item = portal_service.catalogue_rules(item_code=item_code).items[0]
    return _page(request, "rule.html", {"item": item}, section="rules")
