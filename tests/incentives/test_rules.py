"""Eligibility as property tests: the rule engine against a brute-force oracle over
generated holders and rules; and the scenarios file's validation."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.incentives import config, rules
from xinyong.incentives.config import Condition, Rule, ScenarioError
from xinyong.incentives.rules import HeldRecord, HolderFacts

TODAY = date(2026, 12, 7)
LISTS = ("red_list", "serious_dishonesty_list", "key_attention_list", "dishonest_judgment_debtor")
STATES = ("active", "under_objection", "expired", "repaired", "revoked")


def _months_back(day: date, months: int) -> date:
    """The same day ``months`` months earlier (clamped to the month's end), by counting."""
    year, month = day.year, day.month
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    last = 31
    while True:
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            last -= 1


records = st.builds(
    HeldRecord,
    item_code=st.sampled_from(["admin_penalty", "honour", "admin_licence"]),
    severity=st.sampled_from(["minor", "general", "serious", None]),
    polarity=st.sampled_from(["negative", "positive", "neutral"]),
    decision_date=st.one_of(
        st.none(), st.integers(-5, 1200).map(lambda d: TODAY - timedelta(days=d))
    ),
    state=st.sampled_from(STATES),
)
holders = st.builds(
    HolderFacts,
    subject_kind=st.sampled_from(["legal_person", "natural_person", "individual_business"]),
    grade=st.sampled_from([None, "A", "B", "C", "D"]),
    lists=st.frozensets(st.sampled_from(LISTS)),
    records=st.lists(records, max_size=5).map(tuple),
)
conditions = st.one_of(
    st.sampled_from("ABCD").map(lambda g: Condition(grade_at_least=g)),
    st.sampled_from(LISTS).map(lambda c: Condition(on_list=c)),
    st.sampled_from(LISTS).map(lambda c: Condition(not_on_list=c)),
    st.integers(1, 40).map(lambda m: Condition(no_serious_penalty_months=m)),
    st.tuples(st.sampled_from(["honour", "admin_licence"]), st.integers(1, 40)).map(
        lambda p: Condition.model_validate({"has_record": {"item": p[0], "months": p[1]}})
    ),
)
rule_st = (
    st.tuples(st.lists(conditions, max_size=4), st.lists(conditions, max_size=3))
    .filter(lambda p: bool(p[0] or p[1]))
    .map(lambda p: Rule(all=p[0], any=p[1]))
)


def oracle_holds(c: Condition, h: HolderFacts) -> bool:
    """Each condition spelled out from its definition, record by record."""
    if c.grade_at_least is not None:
        return h.grade is not None and "ABCD".index(h.grade) <= "ABCD".index(c.grade_at_least)
    if c.on_list is not None:
        return c.on_list in h.lists
    if c.not_on_list is not None:
        return c.not_on_list not in h.lists
    if c.no_serious_penalty_months is not None:
        start = _months_back(TODAY, c.no_serious_penalty_months)
        for r in h.records:
            counted = r.state not in ("repaired", "revoked")
            recent = r.decision_date is not None and start <= r.decision_date <= TODAY
            penalty = r.item_code == "admin_penalty" and r.polarity == "negative"
            if counted and recent and penalty and r.severity == "serious":
                return False
        return True
    assert c.has_record is not None
    start = _months_back(TODAY, c.has_record.months)
    for r in h.records:
        shown = r.state in ("active", "under_objection")
        decided = r.decision_date
        if r.item_code == c.has_record.item and shown and decided and start <= decided <= TODAY:
            return True
    return False


def oracle(rule: Rule, h: HolderFacts) -> bool:
    every = all(oracle_holds(c, h) for c in rule.all)
    some = not rule.any or any(oracle_holds(c, h) for c in rule.any)
    return every and some


@settings(max_examples=400, deadline=None)
@given(rule=rule_st, holder=holders)
def test_rule_engine_agrees_with_the_oracle(rule: Rule, holder: HolderFacts) -> None:
    verdict = rules.evaluate(rule, holder, today=TODAY)
    assert verdict.eligible == oracle(rule, holder)
    # the failed conditions are exactly those the oracle finds false
    failed_all = [c for c in rule.all if not oracle_holds(c, holder)]
    assert list(verdict.failed[: len(failed_all)]) == failed_all
    assert verdict.eligible == (not verdict.failed)


@settings(max_examples=200, deadline=None)
@given(holder=holders)
def test_shipped_scenarios_against_the_oracle(holder: HolderFacts) -> None:
    for spec in config.shipped().values():
        verdict = rules.check(spec, holder, today=TODAY)
        expected = (
            holder.subject_kind in spec.subject_kinds
            and spec.in_force(TODAY)
            and oracle(spec.rule, holder)
        )
        assert verdict.eligible == expected, spec.code


def test_shipped_file_mirrors_the_families() -> None:
    shipped = config.shipped()
    assert {s.category for s in shipped.values()} >= {
        "xinyiyi",
        "xinyiyou",
        "xinyixing",
        "xinyipi",
        "xinyizu",
    }
    for spec in shipped.values():
        assert spec.legal_basis and spec.partner.outlets


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"rule": {"all": [{"on_list": "no_such_list"}]}}, "rule.all[0]"),
        ({"rule": {"all": [{"grade_at_least": "B", "on_list": "red_list"}]}}, "rule.all[0]"),
        ({"rule": {}}, "rule"),
        ({"quota": {"per_holder": 0}}, "quota.per_holder"),
        ({"validity": {"start": "2026-05-01", "end": "2026-01-01"}}, "validity"),
        ({"subject_kinds": ["martian"]}, "subject_kinds[0]"),
        ({"legal_basis": []}, "legal_basis"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_file_names_file_scenario_and_key(
    tmp_path: Path, body: dict[str, object], key: str
) -> None:
    good = config.shipped()["xinyipi_green_lane"].model_dump(mode="json", exclude={"code"})
    path = tmp_path / "city.yaml"
    import yaml

    path.write_text(yaml.safe_dump({"scenarios": {"my_scene": {**good, **body}}}), "utf-8")
    with pytest.raises(ScenarioError) as error:
        config.load(path)
    message = error.value.message
    assert str(path) in message and "my_scene" in message and f"key {key}" in message, message
