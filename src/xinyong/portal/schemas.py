"""What the portal's services return; the pages (views.py) and the open API (api.py) both
render these, so that one visibility decision serves both."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel


class SubjectHit(BaseModel):
    """One search result: never a natural person's full name or ID number."""

    subject_id: int
    code: str  # USCC, or the masked ID number of a natural person
    name: str  # masked (张*伟) for natural persons
    kind: str
    status: str
    region_code: str | None
    # Character spans of ``name`` that matched the query, for highlighting: [start, end).
    highlights: list[tuple[int, int]] = []
    match: str  # "code" | "name" | "trade_name" | "partial"


class SearchPage(BaseModel):
    query: str
    normalized: str
    total: int
    hits: list[SubjectHit]
    next_cursor: str | None = None
    offset: int = 0
    limit: int = 20


class PublicRecord(BaseModel):
    """A record as the public sees it (only public fields, persons' names masked)."""

    id: int
    item_code: str
    item_name_zh: str
    item_name_en: str
    category: str
    state: str
    under_objection: bool
    decision_date: date | None
    disclosure_end: date | None
    severity: str | None
    department_name_zh: str | None = None
    fields: dict[str, Any]
    subject_id: int | None = None
    subject_name: str | None = None
    subject_code: str | None = None


class CategoryGroup(BaseModel):
    category: str
    label_zh: str
    label_en: str
    count: int
    records: list[PublicRecord]


class ListMembership(BaseModel):
    list_code: str  # catalogue item code of the list for now (issue 7 brings xinyong.lists)
    name_zh: str
    name_en: str
    since: date | None
    until: date | None
    legal_basis: list[str]
    record_id: int


class SubjectProfile(BaseModel):
    subject_id: int
    code: str
    name: str
    kind: str
    status: str
    verified: bool
    region_code: str | None
    region_name: str | None
    registration_date: date | None
    basic: dict[str, Any]  # public registration fields, if any
    groups: list[CategoryGroup]
    lists: list[ListMembership]
    counts: dict[str, int]  # item_code -> visible records


class RecordPage(BaseModel):
    records: list[PublicRecord]
    total: int
    next_cursor: str | None = None
