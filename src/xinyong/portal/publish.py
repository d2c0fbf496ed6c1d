"""What the public sees of a record: SQL narrows to candidates, the policy has the last word.

Listings filter in SQL to the records that can be public at all (current version, state
active or under objection, inside the disclosure period, an item whose disclosure
attribute is public) and then ask ``auth.policy.record_view`` with the anonymous
principal for each row of the page, so that one policy decides what is shown.

Natural persons on the public side (the platform's decision): never found by name or
ID number, no subject page, no subject link (``subject_id`` is None on their rows); their
records appear only as rows of 双公示 and list publications, with the name masked
(张*伟, by ``records.access``), the ID number masked (as stored) and no subject link.
Names of natural persons held in other fields (the legal representative of a firm) are
masked the same way on the public side, and free-text fields (``free_text`` in the
catalogue) are redacted by ``records.access.shown_fields``: ID, mobile and card numbers and
persons' names in them are masked.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeAlias

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    TextClause,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.principal import ANONYMOUS
from xinyong.catalog import service as catalog_service
from xinyong.core.errors import Invalid
from xinyong.identity import names
from xinyong.portal.schemas import PublicRecord
from xinyong.records import access
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.states import RecordState
from xinyong.subjects.models import Department, Subject

ORGANISATION_KINDS = ("legal_person", "individual_business")
PERSON_KINDS = ("natural_person", "household")
MAX_LIMIT = 100
COUNT_CAP = 10_000
_NO_DATE = date(1, 1, 1)


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(key="portal.err.limit", params={"max": MAX_LIMIT}, details={"field": "limit"})


def department_names(session: Session) -> dict[int, str]:
    return {i: name for i, name in session.execute(select(Department.id, Department.name_zh))}


def public_subject_name(subject: Subject) -> str:
    """A subject's name as published: persons' names masked."""
    return names.mask_person_name(subject.name) if subject.kind in PERSON_KINDS else subject.name


def public_subject_code(subject: Subject) -> str:
    return subject.uscc or subject.id_number_masked or ""


def publish(
    record: Record, subject: Subject, departments: dict[int, str], today: date
) -> PublicRecord | None:
    """The record as the public sees it, or None when the policy hides it."""
    person = subject.kind in PERSON_KINDS
    view = policy.record_view(ANONYMOUS, access.facts(record, person=person), today=today)
    if not view.visible:
        return None
    item = catalog_service.get_catalog().item(record.item_code)
    fields = access.shown_fields(record, view, person=person)
    return PublicRecord(
        id=record.id,
        item_code=record.item_code,
        item_name_zh=item.name.zh,
        item_name_en=item.name.en,
        category=item.category.value,
        state=record.state,
        under_objection=record.state == RecordState.under_objection,
        decision_date=record.decision_date,
        disclosure_end=record.disclosure_end,
        severity=record.severity,
        department_name_zh=departments.get(record.department_id),
        fields=fields,
        subject_id=None if person else subject.id,
        subject_name=public_subject_name(subject),
        subject_code=public_subject_code(subject),
    )


# --- cursors ------------------------------------------------------------------------------


def encode_cursor(kind: str, **position: Any) -> str:
    """An opaque cursor: URL-safe base64 of a small JSON object."""
    raw = json.dumps({"k": kind, **position}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str) -> dict[str, Any]:
    """The position a cursor holds; Invalid when it is not one of ours or of another listing."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict) or data.get("k") != kind:
        raise Invalid(key="portal.err.cursor", details={"field": "cursor"})
    return data


MAX_ROW_ID = 2**31 - 1  # ids are 32-bit integers on both stores


def cursor_id(value: Any) -> int:
    """A row id held by a cursor: an integer the stores can compare (Invalid otherwise, so a
    forged cursor holding a huge number is a clear 422, not an overflow in the database)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ROW_ID:
        raise Invalid(key="portal.err.cursor", details={"field": "cursor"})
    return value


@dataclass(frozen=True)
class Keyset:
    """Position after a row in (decision date, id) order."""

    decision_date: date
    id: int

    def cursor(self, sort: str) -> str:
        return encode_cursor("r", d=self.decision_date.isoformat(), i=self.id, s=sort)

    @classmethod
    def parse(cls, cursor: str, sort: str) -> Keyset:
        data = decode_cursor(cursor, "r")
        try:
            position = cls(date.fromisoformat(str(data["d"])), cursor_id(data["i"]))
        except (KeyError, TypeError, ValueError):
            raise Invalid(key="portal.err.cursor", details={"field": "cursor"}) from None
        if data.get("s") != sort:
            raise Invalid(key="portal.err.cursor_sort", details={"field": "cursor"})
        return position


@dataclass(frozen=True)
class Listing:
    """A record listing: candidates (Record, Subject), its date column and sort order."""

    stmt: Select[Record, Subject]
    date_column: ColumnElement[date]
    descending: bool = True

    @property
    def sort(self) -> str:
        return "date_desc" if self.descending else "date_asc"

    def after(self, position: Keyset) -> Select[Record, Subject]:
        key = tuple_(self.date_column, Record.id)
        at = tuple_(literal(position.decision_date, Date()), literal(position.id, Integer()))
        return self.stmt.where(key < at if self.descending else key > at)

    def ordered(self, stmt: Select[Record, Subject]) -> Select[Record, Subject]:
        if self.descending:
            return stmt.order_by(self.date_column.desc(), Record.id.desc())
        return stmt.order_by(self.date_column.asc(), Record.id.asc())


def position_of(record: Record) -> Keyset:
    return Keyset(record.decision_date or _NO_DATE, record.id)


def decision_date_or_min() -> ColumnElement[date]:
    """The decision date, with records without one sorting as the oldest."""
    return func.coalesce(Record.decision_date, _NO_DATE)


Condition: TypeAlias = ColumnElement[bool] | TextClause


@dataclass
class Selection:
    """The records that may be public under some filters, as SQL (the policy still decides).

    ``rows()`` joins each record's subject for display; ``count()`` counts records alone
    (joining subjects only for subject filters), at most ``cap`` of them.
    """

    today: date
    conditions: list[Condition] = field(default_factory=list)
    subject_conditions: list[Condition] = field(default_factory=list)

    def where(self, *conditions: Condition) -> Selection:
        self.conditions.extend(conditions)
        return self

    def rows(self) -> Select[Record, Subject]:
        return (
            select(Record, Subject)
            .join(Subject, Subject.id == Record.subject_id)
            .where(
                *records_service.published_clause(self.today),
                *self.conditions,
                *self.subject_conditions,
            )
        )

    def count(self, session: Session, cap: int | None) -> tuple[int, bool]:
        """How many rows (True when there are more than ``cap``: "cap or more")."""
        stmt = select(Record.id).where(
            *records_service.published_clause(self.today), *self.conditions
        )
        if self.subject_conditions:
            stmt = stmt.join(Subject, Subject.id == Record.subject_id).where(
                *self.subject_conditions
            )
        limited = stmt.limit(cap + 1) if cap is not None else stmt
        total = int(session.scalar(select(func.count()).select_from(limited.subquery())) or 0)
        if cap is not None and total > cap:
            return cap, True
        return total, False


def fetch_page(
    session: Session,
    listing: Listing,
    *,
    limit: int,
    cursor: str | None,
    offset: int | None,
    today: date,
) -> tuple[list[PublicRecord], str | None]:
    """One page of published rows and the cursor of the next (keyset on date and id)."""
    stmt = listing.after(Keyset.parse(cursor, listing.sort)) if cursor else listing.stmt
    departments = department_names(session)
    shown: list[tuple[PublicRecord, Record]] = []
    skip = offset or 0
    exhausted = False
    while len(shown) <= limit and not exhausted:
        want = limit + 1 - len(shown)
        rows: Sequence[Any] = session.execute(listing.ordered(stmt).offset(skip).limit(want)).all()
        exhausted = len(rows) < want
        for record, subject in rows:
            public = publish(record, subject, departments, today)
            if public is not None:
                shown.append((public, record))
        if rows:
            stmt, skip = listing.after(position_of(rows[-1][0])), 0
    more = len(shown) > limit
    page = shown[:limit]
    next_cursor = position_of(page[-1][1]).cursor(listing.sort) if more and page else None
    return [public for public, _ in page], next_cursor
