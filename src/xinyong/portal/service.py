"""Everything the public portal's pages and the open API read (anonymous audience).

Every record shown passes ``auth.policy.record_view`` with the anonymous principal
(see ``portal.publish``); search finds organisations only (see ``portal.search``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Literal

from sqlalchemy import ColumnElement, TextClause, bindparam, select, text
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import NationalCategory
from xinyong.core.db import is_postgresql
from xinyong.core.errors import Invalid, NotFound
from xinyong.identity import codes, regions
from xinyong.portal import hooks, list_seam, publish
from xinyong.portal.figures import cached_home_figures, home_figures
from xinyong.portal.rules import catalogue_rules
from xinyong.portal.schemas import (
    CategoryGroup,
    ListsPage,
    PublicRecord,
    RecordPage,
    SearchPage,
    SubjectHit,
    SubjectProfile,
)
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.subjects import search
from xinyong.subjects.models import Subject

__all__ = [
    "cached_home_figures",
    "catalogue_rules",
    "double_publicity",
    "double_publicity_record",
    "home_figures",
    "public_lists",
    "search_subjects",
    "subject_profile",
    "subject_profile_id",
    "subject_records",
]

DOUBLE_PUBLICITY_ITEMS = {"licence": "admin_licence", "penalty": "admin_penalty"}
MAX_OFFSET = 10_000
PER_GROUP = 10


def _check_offset(offset: int | None) -> None:
    if offset is not None and not 0 <= offset <= MAX_OFFSET:
        raise Invalid(
            key="portal.err.offset", params={"max": MAX_OFFSET}, details={"field": "offset"}
        )


# --- search -------------------------------------------------------------------------------


def search_subjects(
    session: Session, *, query: str, limit: int = 20, offset: int = 0, cursor: str | None = None
) -> SearchPage:
    """Organisations by name (any script, width, spacing, or part of it) or exact code."""
    publish.check_limit(limit)
    if cursor:
        position = publish.decode_cursor(cursor, "s").get("o")
        if not isinstance(position, int):
            raise Invalid(key="portal.err.cursor", details={"field": "cursor"})
        offset = position
    _check_offset(offset)
    found = search.search(session, query=query, limit=limit, offset=offset)
    hits = _hits(session, found)
    more = offset + len(hits) < found.total and offset + limit <= MAX_OFFSET
    return SearchPage(
        query=query,
        normalized=found.query.key,
        total=found.total,
        hits=hits,
        next_cursor=publish.encode_cursor("s", o=offset + limit) if more else None,
        offset=offset,
        limit=limit,
        total_capped=found.capped,
    )


def _hits(session: Session, found: search.SearchResult) -> list[SubjectHit]:
    """The page's subjects as search hits, with the query's grams highlighted."""
    ids = [r.subject_id for r in found.ranked]
    subjects = {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(ids)))}
    grams = found.query.grams
    return [
        SubjectHit(
            subject_id=subject.id,
            code=publish.public_subject_code(subject),
            name=subject.name,
            kind=subject.kind,
            status=subject.status,
            region_code=subject.region_code,
            highlights=search.highlights(subject.name, grams) if ranked.match != "code" else [],
            match=ranked.match,
        )
        for ranked in found.ranked
        if (subject := subjects.get(ranked.subject_id)) is not None
    ]


# --- subject pages ------------------------------------------------------------------------


def _public_subject(session: Session, code: str) -> Subject:
    """An organisation by its USCC (or old registration number / organisation code).

    Natural persons and households have no public page: an ID number, like an unknown
    code, is NotFound (the answer does not tell whether such a person is registered).
    """
    result = codes.detect(code.strip())
    if result.valid and result.kind != "id_number":
        found = search._code_match(session, result.code)[1]
        subject = session.get(Subject, found) if found is not None else None
        if subject is not None:
            return subject
    raise NotFound(key="portal.err.no_subject_code")  # the code is not echoed: it may be an ID


def subject_profile_id(session: Session, *, code: str) -> int:
    """The id of the organisation a public code names (NotFound as for its profile)."""
    return _public_subject(session, code).id


def _visible_records(session: Session, subject: Subject, today: date) -> list[PublicRecord]:
    rows = session.scalars(
        select(Record)
        .where(Record.subject_id == subject.id, *records_service.published_clause(today))
        .order_by(publish.decision_date_or_min().desc(), Record.id.desc())
    )
    departments = publish.department_names(session)
    return [p for r in rows if (p := publish.publish(r, subject, departments, today))]


def _groups(records: list[PublicRecord], per_group: int) -> list[CategoryGroup]:
    by_category: dict[str, list[PublicRecord]] = defaultdict(list)
    for record in records:
        by_category[record.category].append(record)
    return [
        CategoryGroup(
            category=category.value,
            label_zh=category.label_zh,
            label_en=category.value.replace("_", " "),
            count=len(by_category[category.value]),
            records=by_category[category.value][:per_group],
        )
        for category in NationalCategory
        if by_category.get(category.value)
    ]


def subject_profile(
    session: Session, *, code: str, today: date | None = None, per_group: int = PER_GROUP
) -> SubjectProfile:
    """An organisation's public page: basic data, records by category, list entries."""
    today = today or date.today()
    subject = _public_subject(session, code)
    records = _visible_records(session, subject, today)
    registration = next((r for r in records if r.item_code == "registration"), None)
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        counts[record.item_code] += 1
    return SubjectProfile(
        subject_id=subject.id,
        code=publish.public_subject_code(subject),
        name=subject.name,
        kind=subject.kind,
        status=subject.status,
        verified=subject.verified,
        region_code=subject.region_code,
        region_name=regions.full_name(subject.region_code) if subject.region_code else None,
        registration_date=subject.registration_date,
        basic=dict(registration.fields) if registration else {},
        groups=_groups(records, per_group),
        lists=list_seam.memberships(session, subject=subject, today=today),
        counts=dict(counts),
        grades=hooks.public_grades(session, subject),
    )


def subject_records(
    session: Session,
    *,
    subject_id: int,
    item_code: str | None = None,
    category: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    today: date | None = None,
) -> RecordPage:
    """One organisation's published records, newest first, by item or category."""
    publish.check_limit(limit)
    today = today or date.today()
    subject = session.get(Subject, subject_id)
    if subject is None or subject.kind not in publish.ORGANISATION_KINDS:
        raise NotFound(key="portal.err.no_subject", params={"id": subject_id})
    selection = publish.Selection(today).where(Record.subject_id == subject_id)
    if item_code is not None:
        catalog_service.get_catalog().item(item_code)  # NotFound for unknown items
        selection.where(Record.item_code == item_code)
    if category is not None:
        selection.where(Record.item_code.in_(_items_of_category(category)))
    listing = publish.Listing(selection.rows(), publish.decision_date_or_min())
    records, next_cursor = publish.fetch_page(
        session, listing, limit=limit, cursor=cursor, offset=None, today=today
    )
    total, _ = selection.count(session, None)
    return RecordPage(records=records, total=total, next_cursor=next_cursor)


def _items_of_category(category: str) -> list[str]:
    try:
        chosen = NationalCategory(category)
    except ValueError:
        known = ", ".join(c.value for c in NationalCategory)
        raise Invalid(
            key="portal.err.category",
            params={"value": category, "known": known},
            details={"field": "category"},
        ) from None
    return [item.code for item in catalog_service.get_catalog().by_category(chosen)]


# --- 双公示 -------------------------------------------------------------------------------


def _penalty_category(value: str) -> str:
    spec = catalog_service.get_catalog().item("admin_penalty").field("penalty_types")
    canonical = spec.canonical_value(value)
    if canonical not in spec.values:
        raise Invalid(
            key="portal.err.penalty_category",
            params={"value": value, "known": "、".join(spec.values)},
            details={"field": "penalty_category"},
        )
    return canonical


def _contains(session: Session, field: str, value: str) -> TextClause:
    """The payload's list field ``field`` holds ``value`` (JSONB on PG, json_each on SQLite)."""
    if is_postgresql(session):
        clause = text(f"(records.payload -> '{field}') @> jsonb_build_array(CAST(:pc AS text))")
    else:
        clause = text(
            f"EXISTS (SELECT 1 FROM json_each(records.payload, '$.{field}') AS je "
            "WHERE je.value = :pc)"
        )
    return clause.bindparams(bindparam("pc", value))


def _equals(session: Session, field: str, value: str) -> TextClause:
    """The payload's text field ``field`` is ``value`` (portable JSON extraction)."""
    if is_postgresql(session):
        clause = text(f"(records.payload ->> '{field}') = :fv")
    else:
        clause = text(f"json_extract(records.payload, '$.{field}') = :fv")
    return clause.bindparams(bindparam("fv", value))


def _licence_category(value: str) -> str:
    spec = catalog_service.get_catalog().item("admin_licence").field("licence_category")
    canonical = spec.canonical_value(value)
    if canonical not in spec.values:
        raise Invalid(
            key="portal.err.licence_category",
            params={"value": value, "known": "、".join(spec.values)},
            details={"field": "licence_category"},
        )
    return canonical


PUBLICITY_SUBJECT_KINDS = ("legal_person", "individual_business", "natural_person")


def _region_condition(region_code: str) -> ColumnElement[bool]:
    if not region_code.isdigit() or len(region_code) != 6:
        raise Invalid(key="portal.err.region_code", details={"field": "region_code"})
    if region_code.endswith("0000"):
        return Subject.region_code.startswith(region_code[:2])
    if region_code.endswith("00"):
        return Subject.region_code.startswith(region_code[:4])
    return Subject.region_code == region_code


def double_publicity(
    session: Session,
    *,
    kind: Literal["licence", "penalty"],
    department_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    penalty_category: str | None = None,
    region_code: str | None = None,
    sort: Literal["date_desc", "date_asc"] = "date_desc",
    limit: int = 20,
    cursor: str | None = None,
    offset: int | None = None,
    today: date | None = None,
    licence_category: str | None = None,
    subject_kind: str | None = None,
) -> RecordPage:
    """双公示: published licence or penalty decisions across subjects, filtered and sorted
    (the national portal's filters: authority, dates, 处罚类别 / 许可类别, region, subject type)."""
    publish.check_limit(limit)
    _check_offset(offset)
    _check_publicity(kind, sort, date_from, date_to)
    selection = publish.Selection(today or date.today()).where(
        Record.item_code == DOUBLE_PUBLICITY_ITEMS[kind], Record.decision_date.is_not(None)
    )
    if department_id is not None:
        selection.where(Record.department_id == department_id)
    if date_from is not None:
        selection.where(Record.decision_date >= date_from)
    if date_to is not None:
        selection.where(Record.decision_date <= date_to)
    if penalty_category is not None:
        if kind != "penalty":
            raise Invalid(key="portal.err.penalty_only", details={"field": "kind"})
        category = _penalty_category(penalty_category)
        selection.where(_contains(session, "penalty_types", category))
    if licence_category is not None:
        if kind != "licence":
            raise Invalid(key="portal.err.licence_only", details={"field": "kind"})
        selection.where(_equals(session, "licence_category", _licence_category(licence_category)))
    if subject_kind is not None:
        if subject_kind not in PUBLICITY_SUBJECT_KINDS:
            raise Invalid(key="portal.err.subject_kind", details={"field": "subject_kind"})
        selection.subject_conditions.append(Subject.kind == subject_kind)
    if region_code is not None:
        selection.subject_conditions.append(_region_condition(region_code))
    return _browse(
        session,
        selection,
        sort=sort,
        limit=limit,
        cursor=cursor,
        offset=offset,
        today=selection.today,
    )


def double_publicity_record(
    session: Session, *, record_id: int, today: date | None = None
) -> PublicRecord:
    """One published licence or penalty decision as the public sees it (NotFound when it is
    no such record, or not published today)."""
    today = today or date.today()
    selection = publish.Selection(today).where(
        Record.id == record_id, Record.item_code.in_(DOUBLE_PUBLICITY_ITEMS.values())
    )
    row = session.execute(selection.rows()).first()
    shown = None
    if row is not None:
        shown = publish.publish(row[0], row[1], publish.department_names(session), today)
    if shown is None:
        raise NotFound(key="portal.err.no_publication")
    return shown


def _check_publicity(kind: str, sort: str, date_from: date | None, date_to: date | None) -> None:
    if kind not in DOUBLE_PUBLICITY_ITEMS:
        raise Invalid(key="portal.err.kind", details={"field": "kind"})
    if sort not in ("date_desc", "date_asc"):
        raise Invalid(key="portal.err.sort", details={"field": "sort"})
    if date_from and date_to and date_from > date_to:
        raise Invalid(key="portal.err.date_order", details={"field": "date_from"})


def _browse(
    session: Session,
    selection: publish.Selection,
    *,
    sort: str,
    limit: int,
    cursor: str | None,
    offset: int | None,
    today: date,
) -> RecordPage:
    column: ColumnElement[date] = Record.decision_date  # type: ignore[assignment]  # not null here
    listing = publish.Listing(selection.rows(), column, descending=sort == "date_desc")
    records, next_cursor = publish.fetch_page(
        session, listing, limit=limit, cursor=cursor, offset=offset, today=today
    )
    total, capped = selection.count(session, publish.COUNT_CAP)
    return RecordPage(records=records, total=total, next_cursor=next_cursor, total_capped=capped)


# --- list publications ---------------------------------------------------------------------


def public_lists(
    session: Session,
    *,
    list_code: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    offset: int | None = None,
    today: date | None = None,
) -> ListsPage:
    """The published lists (red list, serious dishonesty, …) and, given one, its entries
    (entries of xinyong.lists on their list today; ``honour`` still names the red list)."""
    publish.check_limit(limit)
    _check_offset(offset)
    today = today or date.today()
    infos = []
    for spec in list_seam.public_specs():
        entries, capped = list_seam.count(
            session, today=today, list_codes=[spec.code], cap=publish.COUNT_CAP
        )
        infos.append(list_seam.info(spec, entries, capped))
    if list_code is None:
        return ListsPage(lists=infos)
    spec = list_seam.get(list_code)
    page = list_seam.entries_page(
        session, spec, limit=limit, cursor=cursor, offset=offset, today=today
    )
    return ListsPage(lists=infos, list_code=spec.code, entries=page)
