"""What a credit check knows about subjects, gathered in bulk from the live data.

Nothing about measures is stored per subject: memberships come from the list entries in
force today (``lists.entries.live_entries``: listed, within their term, their record
still live), records from those in publication (current, active or under objection,
within their disclosure period). So a removal, an expiry or a credit repair changes the
next check's answer at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.evaluation import service as evaluation_service
from xinyong.lists.entries import live_entries
from xinyong.lists.models import ListEntry
from xinyong.measures.catalog import MeasureCatalog
from xinyong.measures.match import MeasureHit, RecordFact, SubjectFacts, applicable
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

CHUNK = 1000


@dataclass
class Found:
    """One subject's facts, the entries and records behind them, and the measures that apply."""

    subject: Subject
    facts: SubjectFacts
    entries: list[ListEntry] = field(default_factory=list)
    records: dict[int, Record] = field(default_factory=dict)
    hits: list[MeasureHit] = field(default_factory=list)

    def relevant_records(self) -> list[Record]:
        """Records a hit rests on (record triggers) and records the list entries stand for."""
        wanted: list[int] = []
        for hit in self.hits:
            for reason in hit.reasons:
                if reason.startswith("record:"):
                    wanted.append(int(reason.rsplit(":", 1)[1]))
        wanted += [e.record_id for e in self.entries if e.record_id is not None]
        return [self.records[i] for i in dict.fromkeys(wanted) if i in self.records]


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def trigger_items(catalog: MeasureCatalog, matter: str) -> set[str]:
    """The catalogue items whose records can trigger a measure of this matter."""
    return {t.item for m in catalog.for_matter(matter) for t in m.triggers.records}


def _records(
    session: Session, subject_ids: Sequence[int], items: set[str], today: date
) -> dict[int, list[Record]]:
    by_subject: dict[int, list[Record]] = {}
    if not items:
        return by_subject
    for chunk in _chunks(subject_ids):
        stmt = select(Record).where(
            Record.subject_id.in_(chunk),
            Record.item_code.in_(sorted(items)),
            *records_service.live_clause(today),
        )
        for record in session.scalars(stmt.order_by(Record.id)):
            by_subject.setdefault(record.subject_id, []).append(record)
    return by_subject


def _entry_records(session: Session, entries: Iterable[ListEntry]) -> dict[int, Record]:
    ids = sorted({e.record_id for e in entries if e.record_id is not None})
    found: dict[int, Record] = {}
    for chunk in _chunks(ids):
        found.update((r.id, r) for r in session.scalars(select(Record).where(Record.id.in_(chunk))))
    return found


def _fact(record: Record) -> RecordFact:
    return RecordFact(record.id, record.item_code, record.severity, record.decision_date)


def gather(
    session: Session,
    subject_ids: Sequence[int],
    *,
    catalog: MeasureCatalog,
    matter: str,
    today: date,
    grades: dict[int, str] | None = None,
) -> dict[int, Found]:
    """Each subject's facts for ``matter`` and the measures that apply, by subject id (grades:
    the subjects' current public grades unless given)."""
    unique = list(dict.fromkeys(subject_ids))
    if grades is None:
        grades = evaluation_service.public_grades(session, subject_ids=unique)
    subjects: dict[int, Subject] = {}
    for chunk in _chunks(unique):
        subjects.update(
            (s.id, s) for s in session.scalars(select(Subject).where(Subject.id.in_(chunk)))
        )
    entries: dict[int, list[ListEntry]] = {}
    for entry in live_entries(session, subject_ids=unique, today=today):
        entries.setdefault(entry.subject_id, []).append(entry)
    records = _records(session, unique, trigger_items(catalog, matter), today)
    entry_records = _entry_records(session, (e for es in entries.values() for e in es))
    found: dict[int, Found] = {}
    for subject_id, subject in subjects.items():
        own = records.get(subject_id, [])
        on = entries.get(subject_id, [])
        facts = SubjectFacts(
            subject_kind=subject.kind,
            lists=frozenset(e.list_code for e in on),
            grade=(grades or {}).get(subject_id),
            records=tuple(_fact(r) for r in own),
        )
        item = Found(subject, facts, on, {r.id: r for r in own})
        for entry in on:
            if entry.record_id is not None and entry.record_id in entry_records:
                item.records[entry.record_id] = entry_records[entry.record_id]
        item.hits = applicable(catalog, facts, matter, today=today)
        found[subject_id] = item
    return found


def entry_json(entry: ListEntry) -> dict[str, Any]:
    """What a check keeps of a list entry in force."""
    return {
        "entry_id": entry.id,
        "list_code": entry.list_code,
        "department_id": entry.department_id,
        "listed_on": entry.listed_on.isoformat() if entry.listed_on else None,
        "term_end": entry.term_end.isoformat() if entry.term_end else None,
        "legal_basis": entry.legal_basis,
        "record_id": entry.record_id,
    }
