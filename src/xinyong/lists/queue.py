"""What officers read about list entries: the queue, its figures and one entry's detail."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.core.errors import Invalid, NotFound
from xinyong.lists import entries
from xinyong.lists.config import ListType, get_config
from xinyong.lists.models import ListEntry, ListEntryEvent
from xinyong.lists.states import ENTRY_STATES, LIVE_RECORD_STATES, EntrySource, EntryState
from xinyong.records import access
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

MAX_OFFSET = 100_000


@dataclass(frozen=True)
class QueueFilter:
    """Which entries a queue shows (None: any)."""

    department_id: int | None = None
    list_code: str | None = None
    state: str | None = None


def check_filter(list_code: str | None, state: str | None) -> None:
    """Unknown list codes and states are refused, naming the field."""
    if list_code:
        try:
            get_config().get(list_code)
        except NotFound as exc:
            raise Invalid(
                exc.message, key=exc.key, params=exc.params, details={"field": "list_code"}
            ) from exc
    if state and state not in ENTRY_STATES:
        raise Invalid(
            key="lc.err.state",
            params={"join_ENTRY_STATES": ", ".join(ENTRY_STATES)},
            details={"field": "state"},
        )


def _conditions(where: QueueFilter) -> list[ColumnElement[bool]]:
    check_filter(where.list_code, where.state)
    conditions: list[ColumnElement[bool]] = []
    if where.department_id is not None:
        conditions.append(ListEntry.department_id == where.department_id)
    if where.list_code:
        conditions.append(ListEntry.list_code == where.list_code)
    if where.state:
        conditions.append(ListEntry.state == where.state)
    return conditions


def queue(
    session: Session, *, where: QueueFilter, limit: int, offset: int = 0
) -> tuple[list[ListEntry], int]:
    """One page of the entries the filter selects, newest first, and how many there are."""
    if not 0 <= offset <= MAX_OFFSET:
        raise Invalid(
            key="lc.err.page_deep", params={"MAX_OFFSET": MAX_OFFSET}, details={"field": "page"}
        )
    conditions = _conditions(where)
    stmt = select(ListEntry).where(*conditions).order_by(ListEntry.id.desc())
    found = list(session.scalars(stmt.limit(limit).offset(offset)))
    total = session.scalar(select(func.count()).select_from(ListEntry).where(*conditions))
    return found, int(total or 0)


def figures(session: Session, *, department_id: int | None) -> dict[str, dict[str, int]]:
    """How many entries each list has in each state (one department's, or all)."""
    stmt = select(ListEntry.list_code, ListEntry.state, func.count()).group_by(
        ListEntry.list_code, ListEntry.state
    )
    if department_id is not None:
        stmt = stmt.where(ListEntry.department_id == department_id)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for list_code, state, count in session.execute(stmt):
        counts[str(list_code)][str(state)] = int(count)
    return dict(counts)


def subjects_of(session: Session, found: list[ListEntry]) -> dict[int, Subject]:
    """The subjects of these entries, by id."""
    ids = {entry.subject_id for entry in found}
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(ids)))}


def steps(entry: ListEntry) -> list[str]:
    """The steps an officer can take on the entry in its state (notify, list, remove)."""
    state = EntryState(entry.state)
    if state is EntryState.proposed:
        return ["notify", "remove"]
    if state is EntryState.notified:
        return ["list", "remove"]
    if state is EntryState.listed:
        return ["remove"]
    return []


def listable_from(entry: ListEntry) -> date | None:
    """The first day a notified entry can be listed (the day after its objection window)."""
    if entry.objection_until is None:
        return None
    return date.fromordinal(entry.objection_until.toordinal() + 1)


@dataclass(frozen=True)
class EntryDetail:
    """Everything the entry page and the API show about one entry."""

    entry: ListEntry
    spec: ListType
    subject: Subject | None
    basis: list[Record]
    timeline: list[ListEntryEvent]
    steps: list[str]


def detail(session: Session, entry: ListEntry) -> EntryDetail:
    """The entry with its list type, subject, basis records, timeline and possible steps."""
    return EntryDetail(
        entry=entry,
        spec=entries.spec_of(entry),
        subject=session.get(Subject, entry.subject_id),
        basis=entries.basis_records(session, entry.id),
        timeline=entries.timeline(session, entry.id),
        steps=steps(entry),
    )


def is_platform(entry: ListEntry) -> bool:
    """Whether the entry was decided on the platform (not imported from a record)."""
    return entry.source == EntrySource.platform.value


def candidate_basis(
    session: Session, *, subject_id: int, principal: Principal, today: date, limit: int = 100
) -> list[Record]:
    """The subject's current, live records an entry could rest on that the officer may see
    (the access policy decides), newest decision first."""
    stmt = (
        select(Record)
        .where(
            Record.subject_id == subject_id,
            Record.is_current.is_(True),
            Record.state.in_(LIVE_RECORD_STATES),
        )
        .order_by(Record.decision_date.desc(), Record.id.desc())
        .limit(limit)
    )
    return [
        record
        for record in session.scalars(stmt)
        if policy.record_view(principal, access.facts(record), today=today).visible
    ]
