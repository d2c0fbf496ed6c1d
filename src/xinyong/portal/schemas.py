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
    # A very broad query (more than 2,000 organisations): total means "2,000 or more";
    # exact and trade-name matches still come first.
    total_capped: bool = False


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
    """An organisation's entry on a published list (xinyong.lists)."""

    list_code: str
    name_zh: str
    name_en: str
    since: date | None
    until: date | None
    legal_basis: list[str]
    entry_id: int
    record_id: int | None = None  # the reported record the entry stands for, if any


class PublicGrade(BaseModel):
    """A grade a model makes public (公共信用综合评价), with its label and data cut-off."""

    model_code: str
    model_name_zh: str
    model_name_en: str
    grade: str
    label_zh: str
    label_en: str
    as_of: date


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
    # Grades the evaluation models make public for this subject (government-only ones never).
    grades: list[PublicGrade] = []


class RecordPage(BaseModel):
    records: list[PublicRecord]
    total: int
    next_cursor: str | None = None
    # Browse listings count at most 10,000 rows: True means "total or more" (10,000+).
    total_capped: bool = False


# --- list publications (entries of xinyong.lists, see portal.list_seam) ---------------------


class PublicListInfo(BaseModel):
    """One published list: what it is, why it exists, how many entries are published."""

    list_code: str
    kind: str  # "red" (守信激励) | "black" (失信惩戒) | "warning" (警示)
    name_zh: str
    name_en: str
    description: str | None
    item_codes: list[str]
    legal_basis: list[str]
    entries: int
    entries_capped: bool = False


class PublicListEntry(BaseModel):
    """A published list entry: who, since when, until when, on what basis and by whom.

    Natural persons: masked name and ID number, no subject link. An entry that stands for a
    reported record (a court's list, an abnormal-operation listing) carries its public
    fields in ``record``; an entry decided on the platform carries its ``reasons``."""

    entry_id: int
    list_code: str
    source: str  # "platform" | "record"
    subject_id: int | None
    subject_name: str
    subject_code: str
    department_name_zh: str | None
    listed_on: date | None
    term_end: date | None  # None: until removed
    legal_basis: str
    reasons: str | None
    under_objection: bool
    record_id: int | None = None
    record: PublicRecord | None = None


class ListEntryPage(BaseModel):
    entries: list[PublicListEntry]
    total: int
    next_cursor: str | None = None
    total_capped: bool = False  # total means "10,000 or more"


class ListsPage(BaseModel):
    """Every published list; with ``list_code``, that list's entries too."""

    lists: list[PublicListInfo]
    list_code: str | None = None
    entries: ListEntryPage | None = None


# --- the catalogue as published on the rules page -----------------------------------------


class RuleField(BaseModel):
    name: str
    label_zh: str
    label_en: str
    type: str
    required: bool
    public: bool  # shown on the portal
    disclosure: str  # public / government / restricted
    unit: str | None = None
    values: list[str] = []
    description: str | None = None


class RuleLegalBasis(BaseModel):
    title: str
    document_number: str | None = None
    article: str | None = None
    url: str | None = None
    text: str  # 《…》〔文号〕第…条, ready to show


class RuleItem(BaseModel):
    code: str
    name_zh: str
    name_en: str
    category: str
    category_label_zh: str
    category_label_en: str
    subject_kinds: list[str]
    disclosure_attribute: str
    published: bool  # records of this item appear on the portal at all
    polarity: str
    disclosure_kind: str  # tiered / fixed / until_field / permanent …
    # Publication period per severity tier (ISO 8601, P0M = not published) or one period.
    periods: dict[str, str]
    disclosure_zh: str
    disclosure_en: str
    legal_basis: list[RuleLegalBasis]
    source_departments: list[str]
    update_frequency: str
    reporting_deadline_working_days: int | None
    description: str | None
    fields: list[RuleField]


class CatalogueRules(BaseModel):
    version: str
    layers: list[str]
    items: list[RuleItem]


# --- home page figures --------------------------------------------------------------------


class MonthCount(BaseModel):
    month: str  # YYYY-MM
    count: int


class CategoryCount(BaseModel):
    category: str
    label_zh: str
    label_en: str
    count: int


class HomeFigures(BaseModel):
    today: date
    subjects: int
    records: int  # current records
    records_published: int  # of which the public sees now
    list_entries: int  # entries on the published lists today
    repairs_completed: int  # records whose publication stopped by credit repair
    departments_reporting: int  # departments with at least one record
    subjects_repaired: int = 0  # subjects with at least one completed credit repair
    by_month: list[MonthCount]  # the last 12 months by decision date, oldest first
    by_category: list[CategoryCount]  # current records by national category
    by_item: dict[str, int] = {}  # current records by catalogue item


class ItemCount(BaseModel):
    code: str
    name_zh: str
    name_en: str
    count: int


class Headline(BaseModel):
    """The platform's headline figures (``/api/v1/stats``)."""

    subjects: int
    subjects_by_kind: dict[str, int]
    records: int
    records_published: int
    departments: int
    catalog_items: int
    catalog_version: str
    records_by_item: list[ItemCount]
