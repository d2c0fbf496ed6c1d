"""Which measures apply to a subject in a matter: the pure heart of credit checks (逢办必查).

No database: the caller gathers the subject's facts (its current list memberships, its
evaluation grade, its published records) and asks which measures of the catalogue the
department must apply, and why. Every hit carries the reasons that triggered it:

- ``list:<list code>`` — the subject is on that list;
- ``grade:<grade>`` — the subject's evaluation grade;
- ``record:<item>:<tier or ->:<record id>`` — a record of that item (and tier), decided
  within the trigger's period where it has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xinyong.catalog.schemas import parse_period
from xinyong.measures.catalog import Measure, MeasureCatalog, MeasureKind, RecordTrigger


@dataclass(frozen=True)
class RecordFact:
    """A published record of the subject (the caller passes only records in publication)."""

    record_id: int
    item_code: str
    tier: str | None
    decision_date: date | None


@dataclass(frozen=True)
class SubjectFacts:
    """What a credit check knows about a subject."""

    subject_kind: str
    lists: frozenset[str]
    grade: str | None
    records: tuple[RecordFact, ...]


@dataclass(frozen=True)
class MeasureHit:
    """A measure that applies, with the reasons (see the module docstring)."""

    measure: Measure
    reasons: tuple[str, ...]


def _record_matches(trigger: RecordTrigger, fact: RecordFact, today: date) -> bool:
    if fact.item_code != trigger.item:
        return False
    if trigger.tiers and fact.tier not in trigger.tiers:
        return False
    if trigger.within is None:
        return True
    if fact.decision_date is None:
        return False  # cannot show it was decided within the period
    return today - parse_period(trigger.within) <= fact.decision_date <= today


def reasons(measure: Measure, facts: SubjectFacts, *, today: date) -> tuple[str, ...]:
    """Why ``measure`` is triggered for the subject (empty: it is not)."""
    found = [f"list:{code}" for code in measure.triggers.lists if code in facts.lists]
    if facts.grade is not None and facts.grade in measure.triggers.grades:
        found.append(f"grade:{facts.grade}")
    for fact in facts.records:
        if any(_record_matches(t, fact, today) for t in measure.triggers.records):
            found.append(f"record:{fact.item_code}:{fact.tier or '-'}:{fact.record_id}")
    return tuple(dict.fromkeys(found))


def _order(hit: MeasureHit) -> tuple[bool, str]:
    return hit.measure.kind is not MeasureKind.constraint, hit.measure.code


def applicable(
    catalog: MeasureCatalog, facts: SubjectFacts, matter: str, *, today: date
) -> list[MeasureHit]:
    """The measures of ``matter`` for the subject's kind that at least one trigger makes
    apply, constraints first, then by code. Invalid names the known matters."""
    hits: list[MeasureHit] = []
    for measure in catalog.for_matter(matter):
        if facts.subject_kind not in measure.subject_kinds:
            continue
        found = reasons(measure, facts, today=today)
        if found:
            hits.append(MeasureHit(measure, found))
    return sorted(hits, key=_order)
