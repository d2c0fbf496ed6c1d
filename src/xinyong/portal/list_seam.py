"""The portal's list publications (名单公示), read from the lists module (xinyong.lists).

A list is published when its type is public in the lists configuration; its published
entries are the entries truly on it today, with ``lists.entries.live_entries`` semantics:
listed, within their term, and — for entries that stand for a reported record — that record
still current and live. Proposed and notified entries, ended ones and entries of lists that
are not public (重点关注名单) never appear. Records of a list's item become entries when the
daily job imports them (``xinyong daily``), so the portal and credit checks agree.

The red list's code was ``honour`` (its catalogue item) before the lists module; the old
code still opens it. ``is_list_item`` and ``entries_grounded_on`` serve the rights module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Date, Integer, Select, and_, func, literal, or_, select
from sqlalchemy import tuple_ as tuple_sql
from sqlalchemy.orm import Session, object_session

from xinyong.catalog.schemas import LegalBasis
from xinyong.core.errors import Invalid, NotFound
from xinyong.lists.config import ListType, get_config
from xinyong.lists.models import ListEntry
from xinyong.lists.states import EntrySource, EntryState
from xinyong.portal import publish
from xinyong.portal.schemas import (
    ListEntryPage,
    ListMembership,
    PublicListEntry,
    PublicListInfo,
    PublicRecord,
)
from xinyong.records import access
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.states import RecordState
from xinyong.subjects.models import Subject

# Codes the portal used before the lists module, still accepted in URLs.
ALIASES = {"honour": "red_list"}
_NO_DATE = date(1, 1, 1)


@dataclass(frozen=True)
class ListSpec:
    """A published list: its code, kind, names and the catalogue item that carries it."""

    code: str
    kind: str  # "red" | "black" | "warning"
    item_codes: tuple[str, ...]
    name_zh: str
    name_en: str


def _spec(list_type: ListType) -> ListSpec:
    items = (list_type.item_code,) if list_type.item_code else ()
    return ListSpec(
        list_type.code, list_type.kind.value, items, list_type.name.zh, list_type.name.en
    )


def public_specs() -> list[ListSpec]:
    """The lists published on the portal (public list types), in configuration order."""
    return [_spec(spec) for spec in get_config().lists.values() if spec.public]


def get(list_code: str) -> ListSpec:
    """The published list with this code (or an old alias), or NotFound naming the known codes."""
    code = ALIASES.get(list_code, list_code)
    for spec in public_specs():
        if spec.code == code:
            return spec
    known = ", ".join(spec.code for spec in public_specs())
    raise NotFound(key="portal.err.list", params={"code": list_code, "known": known})


def lists_of_item(item_code: str) -> list[ListSpec]:
    """The published lists whose entries also come from records of this item."""
    return [spec for spec in public_specs() if item_code in spec.item_codes]


def _carrying_items() -> list[str]:
    return sorted({str(spec.item_code) for spec in get_config().carrying()})


def is_list_item(item_code: str) -> bool:
    """Whether records of this item are entries of a list (public or not)."""
    return item_code in _carrying_items()


# --- list records resting on a decision (rights: a repaired basis ends them) -------------------

# The field of a list item's payload naming the decisions an entry rests on.
BASIS_FIELD = "basis_numbers"
_SEPARATORS = re.compile(r"[;；,，、\s]+")
LIVE_STATES = (RecordState.active.value, RecordState.under_objection.value)


def entries_grounded_on(session: Session, record: Record) -> list[Record]:
    """Live list records of the record's subject that rest on this record's decision.

    A reported list record names its basis decisions in ``basis_numbers``; a repaired or
    revoked basis takes it off the list (国办发〔2020〕49号: 信用修复后移出名单). Entries
    decided on the platform end through ``lists.service.remove_grounded_on``.
    """
    stmt = select(Record).where(
        Record.subject_id == record.subject_id,
        Record.item_code.in_(_carrying_items()),
        Record.is_current.is_(True),
        Record.state.in_(LIVE_STATES),
        Record.id != record.id,
    )
    return [
        entry
        for entry in session.scalars(stmt.order_by(Record.id))
        if record.source_record_id in _SEPARATORS.split(str(entry.payload.get(BASIS_FIELD) or ""))
    ]


def basis_text(basis: LegalBasis) -> str:
    """《…》〔文号〕条款, one line."""
    parts = [basis.title]
    if basis.document_number:
        parts.append(f"({basis.document_number})")
    if basis.article:
        parts.append(basis.article)
    return " ".join(parts)


# --- what is published -------------------------------------------------------------------------


def _published(today: date, list_codes: Iterable[str]) -> list[ColumnElement[bool]]:
    """Entries on their (public) list today: ``lists.entries.live_entries`` as conditions on
    ListEntry outer-joined to the record it stands for."""
    record_live = and_(*records_service.live_clause(today))
    return [
        ListEntry.list_code.in_(list(list_codes)),
        ListEntry.state == EntryState.listed.value,
        or_(ListEntry.term_end.is_(None), ListEntry.term_end >= today),
        or_(ListEntry.source == EntrySource.platform.value, record_live),
    ]


def _rows(today: date, list_codes: Iterable[str]) -> Select[ListEntry, Subject]:
    return (
        select(ListEntry, Subject)
        .join(Subject, Subject.id == ListEntry.subject_id)
        .outerjoin(Record, Record.id == ListEntry.record_id)
        .where(*_published(today, list_codes))
    )


def count(
    session: Session, *, today: date, list_codes: Iterable[str], cap: int | None
) -> tuple[int, bool]:
    """How many entries the lists publish today (True when more than ``cap``: "cap or more")."""
    stmt = (
        select(ListEntry.id)
        .outerjoin(Record, Record.id == ListEntry.record_id)
        .where(*_published(today, list_codes))
    )
    limited = stmt.limit(cap + 1) if cap is not None else stmt
    total = int(session.scalar(select(func.count()).select_from(limited.subquery())) or 0)
    if cap is not None and total > cap:
        return cap, True
    return total, False


def published_count(session: Session, *, today: date) -> int:
    """Entries published on all public lists today (a home page figure)."""
    return count(session, today=today, list_codes=[s.code for s in public_specs()], cap=None)[0]


def _listed_on() -> ColumnElement[date]:
    return func.coalesce(ListEntry.listed_on, _NO_DATE)


def _cursor(entry: ListEntry) -> str:
    return publish.encode_cursor("e", d=(entry.listed_on or _NO_DATE).isoformat(), i=entry.id)


def _after(cursor: str) -> ColumnElement[bool]:
    data = publish.decode_cursor(cursor, "e")
    try:
        day, entry_id = date.fromisoformat(str(data["d"])), publish.cursor_id(data["i"])
    except (KeyError, TypeError, ValueError):
        raise Invalid(key="portal.err.cursor", details={"field": "cursor"}) from None
    at = tuple_sql(literal(day, Date()), literal(entry_id, Integer()))
    return tuple_sql(_listed_on(), ListEntry.id) < at


def entries_page(
    session: Session,
    spec: ListSpec,
    *,
    limit: int,
    cursor: str | None,
    offset: int | None,
    today: date,
) -> ListEntryPage:
    """One page of a list's published entries, newest listing first, with the total."""
    stmt = _rows(today, [spec.code])
    if cursor:
        stmt = stmt.where(_after(cursor))
    stmt = stmt.order_by(_listed_on().desc(), ListEntry.id.desc())
    rows = session.execute(stmt.offset(offset or 0).limit(limit + 1)).all()
    departments = publish.department_names(session)
    records = _records(session, [entry for entry, _ in rows[:limit]])
    shown = [
        public_entry(entry, subject, departments, records.get(entry.record_id or 0), today)
        for entry, subject in rows[:limit]
    ]
    more = len(rows) > limit
    total, capped = count(session, today=today, list_codes=[spec.code], cap=publish.COUNT_CAP)
    next_cursor = _cursor(rows[limit - 1][0]) if more else None
    return ListEntryPage(entries=shown, total=total, next_cursor=next_cursor, total_capped=capped)


def _records(session: Session, found: list[ListEntry]) -> dict[int, Record]:
    ids = {entry.record_id for entry in found if entry.record_id is not None}
    if not ids:
        return {}
    return {r.id: r for r in session.scalars(select(Record).where(Record.id.in_(ids)))}


def public_entry(
    entry: ListEntry,
    subject: Subject,
    departments: dict[int, str],
    record: Record | None,
    today: date,
) -> PublicListEntry:
    """An entry as the public sees it: persons masked; a reported record's public fields."""
    shown: PublicRecord | None = None
    if record is not None:
        shown = publish.publish(record, subject, departments, today)
    person = subject.kind in publish.PERSON_KINDS
    platform = entry.source == EntrySource.platform.value
    return PublicListEntry(
        entry_id=entry.id,
        list_code=entry.list_code,
        source=entry.source,
        subject_id=None if person else subject.id,
        subject_name=publish.public_subject_name(subject),
        subject_code=publish.public_subject_code(subject),
        department_name_zh=departments.get(entry.department_id),
        listed_on=entry.listed_on,
        term_end=entry.term_end,
        legal_basis=_redacted(entry, subject, entry.legal_basis) if platform else entry.legal_basis,
        reasons=_redacted(entry, subject, entry.reasons) if platform else None,
        under_objection=entry.held_by_objection or bool(shown and shown.under_objection),
        record_id=shown.id if shown else None,
        record=shown,
    )


def _redacted(entry: ListEntry, subject: Subject, text: str | None) -> str:
    """Text an officer wrote on an entry (reasons, legal basis) as published: personal
    numbers and persons' names masked."""
    known = [subject.name] if subject.kind in publish.PERSON_KINDS else []
    return access.redact_text(object_session(entry), text or "", known=known)


def memberships(session: Session, *, subject: Subject, today: date) -> list[ListMembership]:
    """The published lists an organisation is on today, one row per entry."""
    config = get_config()
    codes = [spec.code for spec in public_specs()]
    stmt = (
        select(ListEntry)
        .outerjoin(Record, Record.id == ListEntry.record_id)
        .where(ListEntry.subject_id == subject.id, *_published(today, codes))
        .order_by(ListEntry.id)
    )
    rows = []
    for entry in session.scalars(stmt):
        spec = config.get(entry.list_code)
        platform = entry.source == EntrySource.platform.value
        rows.append(
            ListMembership(
                list_code=spec.code,
                name_zh=spec.name.zh,
                name_en=spec.name.en,
                since=entry.listed_on,
                until=entry.term_end,
                legal_basis=[_redacted(entry, subject, entry.legal_basis)]
                if platform
                else [basis_text(b) for b in spec.legal_basis],
                entry_id=entry.id,
                record_id=entry.record_id,
            )
        )
    return rows


def info(spec: ListSpec, entries: int, capped: bool) -> PublicListInfo:
    """What the portal says about a list, with its current number of published entries."""
    list_type = get_config().get(spec.code)
    return PublicListInfo(
        list_code=spec.code,
        kind=spec.kind,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        description=list_type.description,
        item_codes=list(spec.item_codes),
        legal_basis=[basis_text(b) for b in list_type.legal_basis],
        entries=entries,
        entries_capped=capped,
    )
