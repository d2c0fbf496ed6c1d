"""The portal's pages of the measures catalogue (联合奖惩措施清单): the list and one measure.

Thin: the catalogue is read through ``measures.present``, the same as the open API.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from xinyong.core.i18n import Language, t
from xinyong.measures import present
from xinyong.measures.catalog import MeasureCatalog, MeasureKind, MeasureType, get_catalog
from xinyong.measures.present import MeasureRead
from xinyong.portal import present as portal_present
from xinyong.web.params import lang_of

router = APIRouter(include_in_schema=False)

KIND_ORDER = (MeasureKind.constraint, MeasureKind.incentive)


def _page(
    request: Request, template: str, context: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    """Render a page of the measures in the portal's layout."""
    return portal_present.portal_page(request, template, context, section="measures", status=status)


def _groups(measures: list[MeasureRead], lang: Language) -> list[dict[str, Any]]:
    """Measures by kind (constraints first), then by class, empty groups left out."""
    groups: list[dict[str, Any]] = []
    for kind in KIND_ORDER:
        types = []
        for kind_type in MeasureType:
            chosen = [m for m in measures if m.kind == kind.value and m.type == kind_type.value]
            if chosen:
                label = t(f"ms.type.{kind_type.value}", lang)
                anchor = f"{kind.value}-{kind_type.value}"
                types.append({"id": anchor, "label": label, "measures": chosen})
        if types:
            label = t(f"ms.kind.{kind.value}", lang)
            groups.append({"id": f"kind-{kind.value}", "label": label, "types": types})
    return groups


def _matter_labels(catalog: MeasureCatalog, lang: Language) -> dict[str, str]:
    return {
        code: matter.name.zh if lang == "zh" else matter.name.en
        for code, matter in catalog.matters.items()
    }


@router.get("/measures", response_class=HTMLResponse)
def measures_page(request: Request, matter: Annotated[str, Query(max_length=64)] = "") -> Response:
    """The measures catalogue as published, grouped by kind and class; ``?matter=`` filters."""
    lang = lang_of(request)
    catalog = get_catalog()
    chosen = matter.strip() or None
    context: dict[str, Any] = {
        "version": catalog.version,
        "matter": chosen,
        "matter_labels": _matter_labels(catalog, lang),
        "groups": [],
        "count": 0,
        "error": None,
    }
    if chosen is not None and chosen not in catalog.matters:
        context["error"] = t("ms.unknown_matter", lang).format(code=chosen)
        return _page(request, "measures/list.html", context, status=422)
    published = present.measures_read(catalog, lang, matter=chosen)
    context["groups"] = _groups(published.measures, lang)
    context["count"] = len(published.measures)
    return _page(request, "measures/list.html", context)


@router.get("/measures/{code}", response_class=HTMLResponse)
def measure_page(
    request: Request, code: Annotated[str, Path(min_length=1, max_length=32)]
) -> Response:
    """One measure: triggers, matters, who applies it, to whom, and its legal basis."""
    lang = lang_of(request)
    catalog = get_catalog()
    if code not in catalog.measures:
        missing = {"heading": t("ms.not_found", lang), "message": code, "query": ""}
        return _page(request, "not_found.html", missing, status=404)
    context: dict[str, Any] = {
        "measure": present.measure_read(catalog.measures[code], lang),
        "matter_labels": _matter_labels(catalog, lang),
        "version": catalog.version,
    }
    return _page(request, "measures/measure.html", context)
