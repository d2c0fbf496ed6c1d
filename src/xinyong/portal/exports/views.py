"""Portal routes of exports, 双公示 detail pages and ingest templates (thin)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from xinyong.catalog import labels
from xinyong.catalog import service as catalog_service
from xinyong.core.errors import Invalid, NotFound
from xinyong.core.i18n import t
from xinyong.core.localtime import zone as local_zone
from xinyong.portal import present
from xinyong.portal import service as portal_service
from xinyong.portal.exports import rows, template
from xinyong.portal.rules import rule_item
from xinyong.portal.views import PublicityQuery, _not_found, _page
from xinyong.web.deps import DbSession
from xinyong.web.exports import download
from xinyong.web.params import lang_of

router = APIRouter(include_in_schema=False)
Format = Annotated[Literal["csv", "xlsx"], Query()]
KIND_OF_PATH = {"licences": "licence", "penalties": "penalty"}
ITEM_OF_KIND = portal_service.DOUBLE_PUBLICITY_ITEMS


def _stamp() -> str:
    return datetime.now(UTC).astimezone(local_zone()).strftime("%Y%m%d")


def _publicity_export(
    request: Request,
    session: DbSession,
    kind: Literal["licence", "penalty"],
    filters: Any,
    fmt: str,
) -> Response:
    lang = lang_of(request)
    arguments = filters.service_filters(kind)
    first = portal_service.double_publicity(session, **arguments, limit=rows.BATCH)

    def next_page(own: Any, cursor: str) -> Any:
        return portal_service.double_publicity(own, **arguments, limit=rows.BATCH, cursor=cursor)

    item = ITEM_OF_KIND[kind]
    body = rows.paged(first, next_page, lambda record: rows.publicity_row(record, lang))
    name = t("export.file.licences" if kind == "licence" else "export.file.penalties", lang)
    return download(fmt, f"{name}-{_stamp()}", rows.publicity_headers(item, lang), body)


@router.get("/double-publicity/licences/export")
def export_licences(
    request: Request, session: DbSession, filters: PublicityQuery, format: Format = "csv"
) -> Response:
    """双公示 licences as CSV or XLSX, filtered as on the page (at most ``MAX_ROWS`` rows)."""
    return _publicity_export(request, session, "licence", filters, format)


@router.get("/double-publicity/penalties/export")
def export_penalties(
    request: Request, session: DbSession, filters: PublicityQuery, format: Format = "csv"
) -> Response:
    """双公示 penalties as CSV or XLSX, filtered as on the page (at most ``MAX_ROWS`` rows)."""
    return _publicity_export(request, session, "penalty", filters, format)


@router.get("/double-publicity/records/{record_id}", response_class=HTMLResponse)
def publicity_record(
    request: Request, session: DbSession, record_id: Annotated[int, Path(ge=1, le=2**62)]
) -> Response:
    """One licence or penalty decision: its public fields, legal basis and publication period."""
    lang = lang_of(request)
    try:
        record = portal_service.double_publicity_record(session, record_id=record_id)
    except NotFound:
        heading, text = t("dp.detail.not_found", lang), t("dp.detail.not_found_text", lang)
        return _not_found(request, heading, text, section="double_publicity")
    item = rule_item(catalog_service.get_catalog().item(record.item_code))
    kind = "licence" if record.item_code == ITEM_OF_KIND["licence"] else "penalty"
    context = {
        "record": record,
        "kind": kind,
        "item": item,
        "rows": present.field_rows(record, lang, skip=frozenset({"subject_name"})),
        "period": _period(record, lang),
    }
    return _page(request, "dp_record.html", context, section="double_publicity")


def _period(record: Any, lang: Any) -> str:
    start = record.decision_date.isoformat() if record.decision_date else ""
    if record.disclosure_end is None:
        return t("dp.detail.period_open", lang).format(start=start)
    end = labels.format_value("until", record.disclosure_end.isoformat(), lang)
    return t("dp.detail.period_text", lang).format(start=start, end=end)


@router.get("/search/export")
def export_search(
    request: Request,
    q: Annotated[str, Query(max_length=100)] = "",
    format: Format = "csv",
) -> Response:
    """The search's results as CSV or XLSX (organisations; at most ``MAX_ROWS`` rows)."""
    lang = lang_of(request)
    query = "".join(ch for ch in q if unicodedata.category(ch)[0] != "C").strip()
    if not query:
        raise Invalid(key="export.err.query", details={"field": "q"})
    name = f"{t('export.file.search', lang)}-{_stamp()}"
    return download(format, name, rows.search_headers(lang), rows.search_rows(query, lang))


@router.get("/lists/{list_code}/export")
def export_list(
    request: Request,
    session: DbSession,
    list_code: Annotated[str, Path(min_length=1, max_length=40)],
    format: Format = "csv",
) -> Response:
    """One published list's entries as CSV or XLSX (at most ``MAX_ROWS`` rows)."""
    lang = lang_of(request)
    found = portal_service.public_lists(session, list_code=list_code, limit=1)
    info = next(i for i in found.lists if i.list_code == found.list_code)
    title = info.name_zh if lang == "zh" else info.name_en
    body = rows.list_rows(list_code, lang)
    return download(format, f"{title}-{_stamp()}", rows.list_headers(lang), body)


@router.get("/rules/{item_code}/template.xlsx")
def ingest_template(
    request: Request, item_code: Annotated[str, Path(min_length=1, max_length=64)]
) -> Response:
    """The ingest template of a catalogue item: headers, required marks, example, notes."""
    lang = lang_of(request)
    if item_code not in catalog_service.get_catalog().items:
        raise NotFound(key="portal.err.no_item", params={"code": item_code})
    name = f"{labels.item_name(item_code, lang)}-{t('tpl.heading', lang)}.xlsx"
    disposition = f"attachment; filename=\"{item_code}.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(
        template.workbook(item_code, lang),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": disposition},
    )
