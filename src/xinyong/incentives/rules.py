"""Eligibility: which scenarios a holder qualifies for, from facts the platform holds.

Pure (no database): the caller gathers the holder's facts (``facts.gather``) and asks
whether a scenario's rule holds; the answer names every condition that failed, so the
holder's own page can say why not (a partner never sees these reasons).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from xinyong.incentives.config import PENALTY_ITEMS, Condition, Rule, ScenarioSpec, grade_rank


@dataclass(frozen=True)
class HeldRecord:
    """A current record of the holder: item, severity, polarity, decision date, state."""

    item_code: str
    severity: str | None
    polarity: str
    decision_date: date | None
    state: str


@dataclass(frozen=True)
class HolderFacts:
    """What eligibility looks at: kind, current public grade, lists today, records."""

    subject_kind: str
    grade: str | None
    lists: frozenset[str]
    records: tuple[HeldRecord, ...]


# States in which a penalty still counts against the holder (not repaired, revoked or
# superseded; an expired disclosure period does not undo the penalty).
UNREPAIRED_STATES = frozenset({"active", "under_objection", "expired"})


def _since(today: date, months: int) -> date:
    return today - relativedelta(months=months)


def holds(condition: Condition, facts: HolderFacts, *, today: date) -> bool:
    """Whether one condition holds for the holder on ``today``."""
    if condition.grade_at_least is not None:
        return facts.grade is not None and grade_rank(facts.grade) <= grade_rank(
            condition.grade_at_least
        )
    if condition.on_list is not None:
        return condition.on_list in facts.lists
    if condition.not_on_list is not None:
        return condition.not_on_list not in facts.lists
    if condition.no_serious_penalty_months is not None:
        since = _since(today, condition.no_serious_penalty_months)
        return not any(
            r.item_code in PENALTY_ITEMS
            and r.severity == "serious"
            and r.polarity == "negative"
            and r.state in UNREPAIRED_STATES
            and r.decision_date is not None
            and since <= r.decision_date <= today
            for r in facts.records
        )
    wanted = condition.has_record
    assert wanted is not None
    since = _since(today, wanted.months)
    return any(
        r.item_code == wanted.item
        and r.state in ("active", "under_objection")
        and r.decision_date is not None
        and since <= r.decision_date <= today
        for r in facts.records
    )


@dataclass(frozen=True)
class Verdict:
    """Eligible or not, and the failed conditions (``kind`` strings) or blocking reason."""

    eligible: bool
    failed: tuple[Condition, ...] = ()
    reason: str | None = None  # kind, not_in_force: the scenario itself rules the holder out


def evaluate(rule: Rule, facts: HolderFacts, *, today: date) -> Verdict:
    """Whether the rule holds, and which conditions failed (for ``any``: all of them)."""
    failed = [c for c in rule.all if not holds(c, facts, today=today)]
    if rule.any and not any(holds(c, facts, today=today) for c in rule.any):
        failed.extend(rule.any)
    return Verdict(not failed, tuple(failed))


def check(spec: ScenarioSpec, facts: HolderFacts, *, today: date) -> Verdict:
    """The verdict of a scenario for a holder: its kind, the validity, then the rule."""
    if facts.subject_kind not in spec.subject_kinds:
        return Verdict(False, reason="kind")
    if not spec.in_force(today):
        return Verdict(False, reason="not_in_force")
    return evaluate(spec.rule, facts, today=today)
