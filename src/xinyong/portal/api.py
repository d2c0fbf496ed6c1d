"""The open API of the portal (公开接口): search, subject profiles, 双公示, lists, catalogue.

Anonymous and thin: every route calls ``portal.service`` (the anonymous audience of the
access policy) and returns its models. Listings page with an opaque ``cursor`` and answer
``next_cursor`` (null on the last page); ``limit`` is 1..100.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BeforeValidator

from xinyong.core.db import session_scope
from xinyong.core.errors import API_ERRORS
from xinyong.portal import figures, service
from xinyong.portal.schemas import (
    CatalogueRules,
    ListsPage,
    RecordPage,
    RuleItem,
    SearchPage,
    SubjectProfile,
)
from xinyong.subjects import service as subjects_service
from xinyong.web.deps import DbSession
from xinyong.web.problems import KeyedValueError


def _iso_date(value: object) -> object:
    """Dates in query strings are YYYY-MM-DD only (not timestamps or other spellings)."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise KeyedValueError("problem.date_parsing")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]

router = APIRouter(prefix="/api/v1", tags=["portal · 信用门户"], responses=API_ERRORS)
# The platform's own figures, beside the portal's listings (tag "platform").
platform_router = APIRouter(prefix="/api/v1", tags=["platform"], responses=API_ERRORS)

Limit = Annotated[int, Query(ge=1, le=100, description="每页条数 · page size (1..100)")]
Cursor = Annotated[
    str | None,
    Query(max_length=200, description="上一页返回的 next_cursor · next_cursor of the last page"),
]
Code = Annotated[
    str, Path(min_length=1, max_length=40, description="统一社会信用代码 · credit code (USCC)")
]


@router.get(
    "/subjects",
    response_model=SearchPage,
    summary="按名称或代码检索主体 · Search subjects by name or code",
)
def search_subjects(
    session: DbSession,
    q: Annotated[str, Query(min_length=1, max_length=100, description="名称、字号或代码 · name")],
    limit: Limit = 20,
    cursor: Cursor = None,
) -> SearchPage:
    """Organisations by (part of) their name in any script, width or spacing, or by code."""
    return service.search_subjects(session, query=q, limit=limit, cursor=cursor)


@router.get(
    "/subjects/{code}",
    response_model=SubjectProfile,
    summary="主体公开信用信息 · A subject's public credit profile",
)
def subject_profile(session: DbSession, code: Code) -> SubjectProfile:
    """An organisation's public information by category, with its list entries."""
    return service.subject_profile(session, code=code)


@router.get(
    "/subjects/{code}/public-records",
    response_model=RecordPage,
    summary="主体公开信用记录（分页） · A subject's published records, paged",
)
def subject_public_records(
    session: DbSession,
    code: Code,
    item: Annotated[str | None, Query(max_length=64, description="目录条目 · item code")] = None,
    category: Annotated[
        str | None, Query(max_length=32, description="国家目录分类 · national category")
    ] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> RecordPage:
    """An organisation's published records, newest decision first, by item or category."""
    subject_id = service.subject_profile_id(session, code=code)
    return service.subject_records(
        session,
        subject_id=subject_id,
        item_code=item,
        category=category,
        limit=limit,
        cursor=cursor,
    )


@router.get(
    "/double-publicity/{kind}",
    response_model=RecordPage,
    summary="双公示：行政许可与行政处罚 · Published licence and penalty decisions",
)
def double_publicity(
    session: DbSession,
    kind: Literal["licence", "penalty"],
    department: Annotated[
        str | None, Query(max_length=64, description="决定部门（标识或代码） · department")
    ] = None,
    date_from: Annotated[IsoDate | None, Query(description="决定日期起 · from")] = None,
    date_to: Annotated[IsoDate | None, Query(description="决定日期止 · until")] = None,
    penalty_category: Annotated[
        str | None, Query(max_length=32, description="处罚类别 · penalty type (penalties)")
    ] = None,
    region_code: Annotated[
        str | None, Query(pattern=r"^\d{6}$", description="行政区划代码 · region code")
    ] = None,
    sort: Literal["date_desc", "date_asc"] = "date_desc",
    limit: Limit = 20,
    cursor: Cursor = None,
    licence_category: Annotated[
        str | None, Query(max_length=32, description="许可类别 · licence category (licences)")
    ] = None,
    subject_kind: Annotated[
        Literal["legal_person", "individual_business", "natural_person"] | None,
        Query(description="行政相对人类别 · subject category"),
    ] = None,
) -> RecordPage:
    """Licence or penalty decisions across subjects, filtered, by decision date."""
    department_id = subjects_service.get_department(session, department).id if department else None
    return service.double_publicity(
        session,
        kind=kind,
        department_id=department_id,
        date_from=date_from,
        date_to=date_to,
        penalty_category=penalty_category,
        region_code=region_code,
        sort=sort,
        limit=limit,
        cursor=cursor,
        licence_category=licence_category,
        subject_kind=subject_kind,
    )


@router.get("/lists", response_model=ListsPage, summary="公示名单 · Published lists")
def lists(session: DbSession) -> ListsPage:
    """The red list, serious-dishonesty and other published lists, with entry counts."""
    return service.public_lists(session)


@router.get(
    "/lists/{list_code}",
    response_model=ListsPage,
    summary="名单公示条目 · Entries of one published list",
)
def list_entries(
    session: DbSession,
    list_code: Annotated[str, Path(max_length=64)],
    limit: Limit = 20,
    cursor: Cursor = None,
) -> ListsPage:
    """One list's published entries with listing basis and dates, newest first."""
    return service.public_lists(session, list_code=list_code, limit=limit, cursor=cursor)


@router.get(
    "/catalog",
    response_model=CatalogueRules,
    summary="公共信用信息目录 · The public credit information catalogue",
)
def catalog() -> CatalogueRules:
    """Every catalogue item: fields and whether public, disclosure periods, legal basis."""
    return service.catalogue_rules()


@router.get(
    "/catalog/{item_code}",
    response_model=RuleItem,
    summary="目录条目 · One catalogue item",
)
def catalog_item(item_code: Annotated[str, Path(max_length=64)]) -> RuleItem:
    """One catalogue item: fields and whether public, disclosure period, legal basis."""
    return service.catalogue_rules(item_code=item_code).items[0]


@platform_router.get("/stats")
def api_stats() -> dict[str, Any]:
    """Headline figures of the platform (subjects, records, departments, catalogue)."""
    with session_scope() as session:
        return figures.headline(session).model_dump(mode="json")
