"""The rows of each export as people read them: labelled columns, labels instead of codes,
public fields only (masked as on the pages). Each listing is walked page by page with its own
session, so a download streams while the request's session is already closed."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

from sqlalchemy.orm import Session

from xinyong.catalog import labels
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import DisclosureAttribute
from xinyong.core.db import session_scope
from xinyong.core.i18n import Language, t
from xinyong.identity import regions
from xinyong.portal import present
from xinyong.portal import service as portal_service
from xinyong.portal.publish import MAX_LIMIT
from xinyong.portal.schemas import PublicListEntry, PublicRecord, RecordPage, SubjectHit
from xinyong.web.exports import MAX_ROWS

Row = Sequence[Any]
BATCH = MAX_LIMIT
# Fields shown in the fixed first columns (not repeated among the item's fields).
SUBJECT_FIELDS = frozenset({"subject_name", "subject_code"})


def public_fields(item_code: str) -> list[str]:
    """The item's public fields in catalogue order (the columns of its 双公示 export)."""
    item = catalog_service.get_catalog().item(item_code)
    if item.disclosure_attribute is not DisclosureAttribute.public:
        return []
    return [
        spec.name
        for spec in item.fields
        if item.field_disclosure(spec) is DisclosureAttribute.public
        and spec.name not in SUBJECT_FIELDS
    ]


def publicity_headers(item_code: str, lang: Language) -> list[str]:
    named = [labels.field_label(item_code, name, lang) for name in public_fields(item_code)]
    return [
        t("export.col.record", lang),
        t("export.col.name", lang),
        t("export.col.code", lang),
        *named,
        t("export.col.disclosure_end", lang),
        t("export.col.state", lang),
    ]


def publicity_row(record: PublicRecord, lang: Language) -> Row:
    values = [
        labels.format_value(name, record.fields[name], lang)
        if record.fields.get(name) not in (None, "", [])
        else ""
        for name in public_fields(record.item_code)
    ]
    state = "export.state.objection" if record.under_objection else "export.state.published"
    return [
        record.id,
        record.subject_name or "",
        record.subject_code or "",
        *values,
        record.disclosure_end,
        t(state, lang),
    ]


def paged(
    first: RecordPage,
    next_page: Callable[[Session, str], RecordPage],
    to_row: Callable[[PublicRecord], Row],
) -> Iterator[Row]:
    """The first page's rows, then the following pages' (own session), ``MAX_ROWS`` at most."""
    sent = 0
    page = first
    with session_scope() as session:
        while True:
            for record in page.records:
                if sent >= MAX_ROWS:
                    return
                sent += 1
                yield to_row(record)
            if not page.next_cursor or sent >= MAX_ROWS:
                return
            page = next_page(session, page.next_cursor)


def search_headers(lang: Language) -> list[str]:
    keys = ("export.col.name", "export.col.code", "export.col.kind", "export.col.region")
    return [*(t(k, lang) for k in keys), t("export.col.status", lang)]


def search_rows(query: str, lang: Language) -> Iterator[Row]:
    """Every hit of the search (at most ``MAX_ROWS``), as on the results page."""
    sent = 0
    cursor: str | None = None
    with session_scope() as session:
        while sent < MAX_ROWS:
            found = portal_service.search_subjects(session, query=query, limit=BATCH, cursor=cursor)
            for hit in found.hits[: MAX_ROWS - sent]:
                sent += 1
                yield _hit_row(hit, lang)
            if not found.next_cursor or not found.hits:
                return
            cursor = found.next_cursor


def _hit_row(hit: SubjectHit, lang: Language) -> Row:
    region = regions.full_name(hit.region_code) if hit.region_code else ""
    status = t(f"subject.status.{hit.status}", lang)
    return [hit.name, hit.code, t(f"kind.{hit.kind}", lang), region, status]


def list_headers(lang: Language) -> list[str]:
    keys = (
        "export.col.name", "export.col.code", "lists.reason", "lists.listing_basis",
        "subject.list_since", "subject.list_until", "dp.authority", "export.col.state",
    )  # fmt: skip
    return [t(k, lang) for k in keys]


REASON_FIELDS = (
    "dishonest_facts",
    "dishonest_conduct",
    "listing_reason",
    "honour_name",
    "list_name",
)
BASIS_FIELDS = (
    "listing_basis", "basis_document_number", "listing_decision_number",
    "award_document_number", "decision_number", "case_number",
)  # fmt: skip
AUTHORITY_FIELDS = ("authority_name", "court_name", "listing_authority", "awarding_body")


def list_row(entry: PublicListEntry, lang: Language) -> Row:
    """One list entry as the list page shows it."""
    record = entry.record
    reason = (present.field(record, *REASON_FIELDS) if record else "") or entry.reasons or ""
    basis = (present.field(record, *BASIS_FIELDS) if record else "") or entry.legal_basis
    authority = (present.field(record, *AUTHORITY_FIELDS) if record else "") or (
        entry.department_name_zh or ""
    )
    until = (
        labels.format_value("until", entry.term_end.isoformat(), lang)
        if entry.term_end
        else t("lists.current", lang)
    )
    state = "export.state.objection" if entry.under_objection else "export.state.published"
    return [
        entry.subject_name, entry.subject_code, reason, basis, entry.listed_on, until,
        authority, t(state, lang),
    ]  # fmt: skip


def list_rows(list_code: str, lang: Language) -> Iterator[Row]:
    """Every published entry of the list (at most ``MAX_ROWS``)."""
    sent = 0
    cursor: str | None = None
    with session_scope() as session:
        while sent < MAX_ROWS:
            found = portal_service.public_lists(
                session, list_code=list_code, limit=BATCH, cursor=cursor
            )
            page = found.entries
            if page is None:
                return
            for entry in page.entries[: MAX_ROWS - sent]:
                sent += 1
                yield list_row(entry, lang)
            if not page.next_cursor or not page.entries:
                return
            cursor = page.next_cursor


Kind = Literal["licence", "penalty"]
