"""What eligibility looks at, gathered in bulk from the live data: the holder's kind, its
current public grade (``evaluation``), the lists it is on today (``lists``) and its current
penalty and honour records (``records``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.evaluation import service as evaluation_service
from xinyong.incentives.config import PENALTY_ITEMS, ScenarioSpec
from xinyong.incentives.rules import UNREPAIRED_STATES, HeldRecord, HolderFacts
from xinyong.lists.entries import live_entries
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

CHUNK = 1000


def record_items(specs: Iterable[ScenarioSpec]) -> set[str]:
    """The catalogue items whose records some rule looks at."""
    items = set(PENALTY_ITEMS)
    for spec in specs:
        for condition in (*spec.rule.all, *spec.rule.any):
            if condition.has_record is not None:
                items.add(condition.has_record.item)
    return items


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def needs(specs: Iterable[ScenarioSpec]) -> frozenset[str]:
    """Which facts the rules look at: "grade", "lists", "records"."""
    wanted: set[str] = set()
    for spec in specs:
        for condition in (*spec.rule.all, *spec.rule.any):
            kind = condition.kind
            if kind == "grade_at_least":
                wanted.add("grade")
            elif kind in ("on_list", "not_on_list"):
                wanted.add("lists")
            else:
                wanted.add("records")
    return frozenset(wanted)


ALL_FACTS = frozenset({"grade", "lists", "records"})


def gather(
    session: Session,
    subject_ids: Sequence[int],
    *,
    items: set[str],
    today: date,
    wanted: frozenset[str] = ALL_FACTS,
) -> dict[int, HolderFacts]:
    """Each subject's facts, by subject id (unknown ids are left out); facts not ``wanted``
    are left empty (a scan reads only what its scenario's rule looks at)."""
    unique = list(dict.fromkeys(subject_ids))
    kinds: dict[int, str] = {}
    records: dict[int, list[HeldRecord]] = {}
    for chunk in _chunks(unique):
        rows = session.execute(select(Subject.id, Subject.kind).where(Subject.id.in_(chunk)))
        kinds.update((subject_id, kind) for subject_id, kind in rows)
        if "records" not in wanted:
            continue
        stmt = select(
            Record.subject_id,
            Record.item_code,
            Record.severity,
            Record.polarity,
            Record.decision_date,
            Record.state,
        ).where(
            Record.subject_id.in_(chunk),
            Record.is_current.is_(True),
            Record.item_code.in_(sorted(items)),
            Record.state.in_(sorted(UNREPAIRED_STATES)),
        )
        for subject_id, item, severity, polarity, decided, state in session.execute(stmt):
            held = HeldRecord(item, severity, polarity, decided, state)
            records.setdefault(subject_id, []).append(held)
    grades: dict[int, str] = {}
    if "grade" in wanted:
        grades = evaluation_service.public_grades(session, subject_ids=unique)
    lists: dict[int, set[str]] = {}
    if "lists" in wanted:
        for entry in live_entries(session, subject_ids=unique, today=today):
            lists.setdefault(entry.subject_id, set()).add(entry.list_code)
    return {
        subject_id: HolderFacts(
            subject_kind=kind,
            grade=grades.get(subject_id),
            lists=frozenset(lists.get(subject_id, ())),
            records=tuple(records.get(subject_id, ())),
        )
        for subject_id, kind in kinds.items()
    }


def all_subject_ids(session: Session, kinds: Iterable[str]) -> list[int]:
    """Every active subject of the given kinds (for the eligible population)."""
    stmt = select(Subject.id).where(Subject.kind.in_(sorted(set(kinds)))).order_by(Subject.id)
    return list(session.scalars(stmt))
