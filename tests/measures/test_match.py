"""Which measures apply: unit tests on the shipped catalogue, and properties over generated
catalogues and subjects checked against a brute-force oracle written independently here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from xinyong.core.errors import Invalid
from xinyong.measures.catalog import (
    LIST_CODES,
    Matter,
    Measure,
    MeasureCatalog,
    get_catalog,
)
from xinyong.measures.match import MeasureHit, RecordFact, SubjectFacts, applicable

TODAY = date(2026, 6, 30)
ORG, PERSON = "legal_person", "natural_person"


def facts(
    kind: str = ORG,
    lists: Iterable[str] = (),
    grade: str | None = None,
    records: Iterable[RecordFact] = (),
) -> SubjectFacts:
    return SubjectFacts(kind, frozenset(lists), grade, tuple(records))


def penalty(record_id: int, tier: str | None, decided: date | None) -> RecordFact:
    return RecordFact(record_id, "admin_penalty", tier, decided)


def codes(hits: list[MeasureHit]) -> list[str]:
    return [hit.measure.code for hit in hits]


def by_code(hits: list[MeasureHit]) -> dict[str, tuple[str, ...]]:
    return {hit.measure.code: hit.reasons for hit in hits}


# --- the shipped catalogue ------------------------------------------------------------------


def test_a_clean_subject_meets_no_measure() -> None:
    for matter in get_catalog().matters:
        assert applicable(get_catalog(), facts(), matter, today=TODAY) == []


def test_a_listed_enterprise_is_restricted_in_procurement() -> None:
    subject = facts(lists={"serious_dishonesty_list"})
    hits = by_code(applicable(get_catalog(), subject, "government_procurement", today=TODAY))
    assert hits == {"C-PROC-01": ("list:serious_dishonesty_list",)}


def test_a_serious_penalty_counts_for_three_years_to_the_day() -> None:
    catalog = get_catalog()
    three_years = TODAY - relativedelta(years=3)
    for decided, expected in (
        (three_years, True),
        (three_years - timedelta(days=1), False),
        (TODAY, True),
        (TODAY + timedelta(days=1), False),  # not decided yet: not "within" the period
        (None, False),  # no decision date: cannot be shown to be within
    ):
        subject = facts(records=[penalty(7, "serious", decided)])
        hits = by_code(applicable(catalog, subject, "government_procurement", today=TODAY))
        assert hits == ({"C-PROC-02": ("record:admin_penalty:serious:7",)} if expected else {})


def test_a_general_penalty_does_not_bar_procurement_but_raises_inspections() -> None:
    subject = facts(records=[penalty(8, "general", TODAY - timedelta(days=30))])
    catalog = get_catalog()
    assert applicable(catalog, subject, "government_procurement", today=TODAY) == []
    hits = by_code(applicable(catalog, subject, "regulatory_inspection", today=TODAY))
    assert hits == {"C-INSP-02": ("record:admin_penalty:general:8",)}


def test_measures_apply_only_to_their_subject_kinds() -> None:
    catalog = get_catalog()
    debtor = ["dishonest_judgment_debtor"]
    person = applicable(catalog, facts(PERSON, debtor), "civil_service_hiring", today=TODAY)
    assert codes(person) == ["C-HIRE-01"]
    assert applicable(catalog, facts(ORG, debtor), "civil_service_hiring", today=TODAY) == []
    assert codes(applicable(catalog, facts(PERSON, debtor), "company_officers", today=TODAY)) == [
        "C-OFF-01"
    ]


def test_every_reason_is_given_constraints_first_then_by_code() -> None:
    subject = facts(
        lists={"red_list", "serious_dishonesty_list", "key_attention_list"},
        grade="D",
        records=[penalty(3, "serious", TODAY), penalty(4, "minor", TODAY)],
    )
    hits = applicable(get_catalog(), subject, "regulatory_inspection", today=TODAY)
    assert codes(hits) == ["C-INSP-01", "C-INSP-02", "I-INSP-01"]
    assert by_code(hits) == {
        "C-INSP-01": ("list:serious_dishonesty_list", "list:key_attention_list", "grade:D"),
        "C-INSP-02": ("record:admin_penalty:serious:3",),
        "I-INSP-01": ("list:red_list",),
    }


def test_honours_open_the_green_channel_for_three_years() -> None:
    honour = RecordFact(11, "honour", None, TODAY - relativedelta(years=2))
    old = RecordFact(12, "honour", None, TODAY - relativedelta(years=4))
    hits = applicable(
        get_catalog(), facts(records=[honour, old]), "administrative_approval", today=TODAY
    )
    assert by_code(hits) == {"I-APPR-01": ("record:honour:-:11",)}


def test_an_unknown_matter_is_invalid_naming_the_known_ones() -> None:
    with pytest.raises(Invalid) as caught:
        applicable(get_catalog(), facts(), "space_travel", today=TODAY)
    assert "space_travel" in caught.value.message
    assert "government_procurement" in caught.value.message
    assert caught.value.details["field"] == "matter"


# --- properties against an oracle -----------------------------------------------------------

MATTERS = ("matter_a", "matter_b", "matter_c")
ITEMS = ("item_x", "item_y", "item_z")
SUBJECT_KINDS = ("legal_person", "individual_business", "natural_person", "household")
TIERS = ("minor", "general", "serious")
# The oracle's own reading of each period, independent of the platform's parser.
PERIODS = {
    "P30D": relativedelta(days=30),
    "P6M": relativedelta(months=6),
    "P1Y": relativedelta(years=1),
    "P3Y": relativedelta(years=3),
}
BLACK = tuple(code for code, colour in LIST_CODES.items() if colour != "red")


@st.composite
def record_triggers(draw: st.DrawFn, items: tuple[str, ...]) -> dict[str, Any]:
    return {
        "item": draw(st.sampled_from(items)),
        "tiers": draw(st.lists(st.sampled_from(TIERS), max_size=2, unique=True)),
        "within": draw(st.sampled_from([None, *PERIODS])),
    }


@st.composite
def measure_data(draw: st.DrawFn, matters: tuple[str, ...], items: tuple[str, ...]) -> Any:
    incentive = draw(st.booleans())
    lists = st.sampled_from(["red_list"] if incentive else BLACK)
    triggers = {
        "lists": draw(st.lists(lists, max_size=3, unique=True)),
        "grades": draw(st.lists(st.sampled_from("AB" if incentive else "CD"), unique=True)),
        "records": draw(st.lists(record_triggers(items), max_size=3)),
    }
    if not any(triggers.values()):
        triggers["lists"] = ["red_list"] if incentive else [draw(st.sampled_from(BLACK))]
    return {
        "kind": "incentive" if incentive else "constraint",
        "type": draw(st.sampled_from(["public_restriction", "public_management", "market"])),
        "triggers": triggers,
        "matters": draw(st.lists(st.sampled_from(matters), min_size=1, unique=True)),
        "subject_kinds": draw(
            st.lists(st.sampled_from(SUBJECT_KINDS), min_size=1, max_size=4, unique=True)
        ),
        "departments": ["finance"],
        "legal_basis": [{"title": "《测试依据》"}],
    }


@st.composite
def catalogues(draw: st.DrawFn) -> MeasureCatalog:
    raw = draw(st.lists(measure_data(MATTERS, ITEMS), max_size=10))
    numbers = draw(st.lists(st.integers(0, 99), min_size=len(raw), max_size=len(raw), unique=True))
    measures = {}
    for number, data in zip(numbers, raw, strict=True):
        code = f"{'I' if data['kind'] == 'incentive' else 'C'}-GEN-{number:02d}"
        measures[code] = Measure.model_validate(
            {**data, "code": code, "name": {"zh": code, "en": code}}
        )
    matters = {code: Matter(code=code, name={"zh": code, "en": code}) for code in MATTERS}
    return MeasureCatalog(version="gen", layers=[], matters=matters, measures=measures)


def _dates() -> st.SearchStrategy[date | None]:
    edges = [
        TODAY - delta + timedelta(days=shift) for delta in PERIODS.values() for shift in (-1, 0, 1)
    ]
    around = st.dates(TODAY - relativedelta(years=4), TODAY + timedelta(days=10))
    return st.one_of(st.none(), st.sampled_from([*edges, TODAY]), around)


@st.composite
def subject_facts(draw: st.DrawFn, items: tuple[str, ...]) -> SubjectFacts:
    records = draw(
        st.lists(
            st.tuples(
                st.sampled_from([*items, "item_elsewhere"]),
                st.sampled_from([None, *TIERS]),
                _dates(),
            ),
            max_size=6,
        )
    )
    return SubjectFacts(
        subject_kind=draw(st.sampled_from(SUBJECT_KINDS)),
        lists=frozenset(draw(st.sets(st.sampled_from([*LIST_CODES, "some_other_list"])))),
        grade=draw(st.sampled_from([None, "A", "B", "C", "D", "M"])),
        records=tuple(
            RecordFact(n + 1, item, tier, day) for n, (item, tier, day) in enumerate(records)
        ),
    )


def oracle(catalog: MeasureCatalog, subject: SubjectFacts, matter: str) -> dict[str, set[str]]:
    """Measure code → reasons, by checking every trigger against every fact, one by one."""
    expected: dict[str, set[str]] = {}
    for measure in catalog.measures.values():
        if matter not in measure.matters:
            continue
        if subject.subject_kind not in [kind.value for kind in measure.subject_kinds]:
            continue
        why: set[str] = set()
        for code in measure.triggers.lists:
            if code in subject.lists:
                why.add("list:" + code)
        for grade in measure.triggers.grades:
            if subject.grade == grade:
                why.add("grade:" + grade)
        for trigger in measure.triggers.records:
            for record in subject.records:
                if record.item_code != trigger.item:
                    continue
                if trigger.tiers and record.tier not in [tier.value for tier in trigger.tiers]:
                    continue
                if trigger.within is not None:
                    if record.decision_date is None:
                        continue
                    earliest = TODAY - PERIODS[trigger.within]
                    if record.decision_date < earliest or record.decision_date > TODAY:
                        continue
                tier = record.tier if record.tier is not None else "-"
                why.add(f"record:{record.item_code}:{tier}:{record.record_id}")
        if why:
            expected[measure.code] = why
    return expected


def assert_agrees(catalog: MeasureCatalog, subject: SubjectFacts, matter: str) -> None:
    hits = applicable(catalog, subject, matter, today=TODAY)
    expected = oracle(catalog, subject, matter)
    assert {hit.measure.code: set(hit.reasons) for hit in hits} == expected
    for hit in hits:
        assert len(hit.reasons) == len(set(hit.reasons))
    order = sorted(expected, key=lambda code: (catalog.measures[code].kind != "constraint", code))
    assert codes(hits) == order


@given(catalog=catalogues(), subject=subject_facts(ITEMS), matter=st.sampled_from(MATTERS))
def test_applicable_agrees_with_the_oracle(
    catalog: MeasureCatalog, subject: SubjectFacts, matter: str
) -> None:
    assert_agrees(catalog, subject, matter)


SHIPPED_ITEMS = ("admin_penalty", "honour", "dishonest_judgment_debtor", "abnormal_operation")


@given(subject=subject_facts(SHIPPED_ITEMS), data=st.data())
def test_applicable_agrees_with_the_oracle_on_the_shipped_catalogue(
    subject: SubjectFacts, data: st.DataObject
) -> None:
    catalog = get_catalog()
    matter = data.draw(st.sampled_from(sorted(catalog.matters)))
    assert_agrees(catalog, subject, matter)


@given(
    catalog=catalogues(),
    subject=subject_facts(ITEMS),
    more=subject_facts(ITEMS),
    matter=st.sampled_from(MATTERS),
)
def test_more_facts_never_lift_a_measure(
    catalog: MeasureCatalog, subject: SubjectFacts, more: SubjectFacts, matter: str
) -> None:
    shifted = tuple(
        RecordFact(r.record_id + 100, r.item_code, r.tier, r.decision_date) for r in more.records
    )
    richer = SubjectFacts(
        subject.subject_kind, subject.lists | more.lists, subject.grade, subject.records + shifted
    )
    before = set(codes(applicable(catalog, subject, matter, today=TODAY)))
    assert before <= set(codes(applicable(catalog, richer, matter, today=TODAY)))


@given(catalog=catalogues(), subject=subject_facts(ITEMS), matter=st.text(max_size=12))
def test_a_matter_outside_the_catalogue_is_always_invalid(
    catalog: MeasureCatalog, subject: SubjectFacts, matter: str
) -> None:
    if matter in catalog.matters:
        return
    with pytest.raises(Invalid):
        applicable(catalog, subject, matter, today=TODAY)
