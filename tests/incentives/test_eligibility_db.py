"""Eligibility over generated subjects stored in the database (both stores): what the
platform gathers and decides equals a brute-force oracle over the generated facts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests import factories
from tests.incentives import helpers
from tests.incentives.test_rules import LISTS, _months_back
from xinyong.incentives import config, service
from xinyong.incentives.config import Condition, ScenarioSpec

TODAY = date.today()
_births = itertools.count(1)


@dataclass
class Penalty:
    days_ago: int
    serious: bool
    repaired: bool


@dataclass
class Generated:
    person: bool
    grade: str | None
    lists: frozenset[str]
    penalties: list[Penalty] = field(default_factory=list)
    honours: list[int] = field(default_factory=list)  # days ago


penalties = st.builds(
    Penalty, days_ago=st.integers(0, 1100), serious=st.booleans(), repaired=st.booleans()
)
generated = st.builds(
    Generated,
    person=st.booleans(),
    grade=st.sampled_from([None, "A", "B", "C", "D"]),
    lists=st.frozensets(st.sampled_from(LISTS), max_size=2),
    penalties=st.lists(penalties, max_size=2),
    honours=st.lists(st.integers(0, 1500), max_size=1),
)


def _condition(c: Condition, g: Generated) -> bool:
    if c.grade_at_least is not None:
        return g.grade is not None and g.grade <= c.grade_at_least  # "A" < "B" < …
    if c.on_list is not None:
        return c.on_list in g.lists
    if c.not_on_list is not None:
        return c.not_on_list not in g.lists
    if c.no_serious_penalty_months is not None:
        start = _months_back(TODAY, c.no_serious_penalty_months)
        return not any(
            p.serious and not p.repaired and TODAY - timedelta(days=p.days_ago) >= start
            for p in (g.penalties if not g.person else [])
        )
    assert c.has_record is not None and c.has_record.item == "honour"
    start = _months_back(TODAY, c.has_record.months)
    honours = g.honours if not g.person else []
    return any(TODAY - timedelta(days=d) >= start for d in honours)


def oracle(spec: ScenarioSpec, g: Generated) -> bool:
    kind = "natural_person" if g.person else "legal_person"
    if kind not in spec.subject_kinds or not spec.in_force(TODAY):
        return False
    every = all(_condition(c, g) for c in spec.rule.all)
    return every and (not spec.rule.any or any(_condition(c, g) for c in spec.rule.any))


def _store(session: Session, g: Generated) -> int:
    if g.person:
        birth = date(1950, 1, 1) + timedelta(days=next(_births))
        subject = factories.person(session, id_number=factories.id_number(birth=birth))
    else:
        subject = factories.enterprise(session)
    if g.grade is not None:
        helpers.graded(session, subject, g.grade, TODAY)
    for code in sorted(g.lists):
        helpers.listed(session, subject, code, TODAY)
    if not g.person:
        for p in g.penalties:
            decided = TODAY - timedelta(days=p.days_ago)
            record = helpers.penalty(session, subject, decided, serious=p.serious, today=TODAY)
            if p.repaired and record.state in ("active", "under_objection"):
                helpers.repaired(session, record)
            elif p.repaired:
                p.repaired = False  # an expired record cannot be repaired: it still counts
        for days in g.honours:
            helpers.honour(session, subject, TODAY - timedelta(days=days), TODAY)
    return subject.id


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(population=st.lists(generated, min_size=1, max_size=3))
def test_stored_subjects_get_the_oracles_verdicts(
    session: Session, population: list[Generated]
) -> None:
    shipped = config.shipped()
    for g in population:
        subject_id = _store(session, g)
        verdicts = {
            s.scenario.code: s.verdict.eligible
            for s in service.standings(session, subject_id=subject_id, today=TODAY)
        }
        expected = {code: oracle(spec, g) for code, spec in shipped.items()}
        assert verdicts == expected, g
