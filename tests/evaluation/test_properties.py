"""Property tests of the engine: negative records never help, repairs never hurt, bands and
overrides always hold (every shipped model, on in-memory inputs)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.evaluation.synthetic import Rec, inputs
from xinyong.evaluation import service
from xinyong.evaluation.config import get_models

AS_OF = date(2026, 12, 1)
NEGATIVE_LISTS = [
    "serious_dishonesty_list",
    "dishonest_judgment_debtor",
    "abnormal_operation",
    "key_attention_list",
]
SUBJECTS = [
    (1, "legal_person", "G", date(2019, 5, 20)),
    (2, "individual_business", "G", date(2024, 2, 1)),
]

days = st.integers(min_value=0, max_value=5 * 366).map(lambda n: AS_OF - timedelta(days=n))
departments = st.sampled_from([1, 2, 3, 4])

negative_records = st.one_of(
    st.builds(
        lambda d, sev, dept, fine, types: Rec(
            "admin_penalty", d, sev, dept, {"fine_amount": fine, "penalty_types": types}
        ),
        days,
        st.sampled_from(["general", "serious"]),
        departments,
        st.integers(min_value=0, max_value=500),
        st.lists(
            st.sampled_from(["罚款", "警告", "吊销许可证件", "责令停产停业"]),
            min_size=1,
            max_size=3,
            unique=True,
        ),
    ),
    st.builds(
        lambda d, s: Rec("dishonest_judgment_debtor", d, "serious", 1, {"performance_status": s}),
        days,
        st.sampled_from(["全部未履行", "部分未履行"]),
    ),
    st.builds(lambda d: Rec("abnormal_operation", d, "general"), days),
    st.builds(lambda d: Rec("serious_dishonesty_list", d, "serious"), days),
    st.builds(
        lambda d: Rec("credit_commitment", d, None, 1, {"performance_status": "未履约"}), days
    ),
    st.builds(
        lambda d, s, dept: Rec(
            "contract_performance", d, "general", dept, {"performance_status": s}
        ),
        days,
        st.sampled_from(["违约", "合同解除"]),
        departments,
    ),
)
other_records = st.one_of(
    negative_records,
    st.builds(
        lambda d, s, dept: Rec(
            "admin_licence", d, None, dept, {"status": s, "licence_category": "特许"}
        ),
        days,
        st.sampled_from(["有效", "无效"]),
        departments,
    ),
    st.builds(
        lambda d, k, lvl: Rec("honour", d, None, 1, {"honour_kind": k, "honour_level": lvl}),
        days,
        st.sampled_from(["荣誉", "守信激励名单"]),
        st.sampled_from(["国家级", "市级"]),
    ),
    st.builds(
        lambda d, g: Rec("tax_credit_rating", d, None, 4, {"grade": g}),
        days,
        st.sampled_from(["A", "B", "M", "C", "D"]),
    ),
    st.builds(
        lambda d, s: Rec("credit_commitment", d, None, 1, {"performance_status": s}),
        days,
        st.sampled_from(["已履约", "履约中"]),
    ),
)
owned = st.tuples(st.sampled_from([1, 2]), other_records)
memberships = st.lists(
    st.tuples(st.sampled_from([1, 2]), st.sampled_from([*NEGATIVE_LISTS, "red_list"])),
    max_size=3,
    unique=True,
)


def _scores(
    records: list[tuple[int, Rec]], lists: list[tuple[int, str]]
) -> dict[tuple[str, int], float]:
    results = service.compute(get_models().order(), inputs(SUBJECTS, records, lists), AS_OF)
    return {
        (code, sid): score
        for code, frame in results.items()
        for sid, score in frame.select("subject_id", "score").iter_rows()
    }


fast = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(st.lists(owned, max_size=12), memberships, st.sampled_from([1, 2]), negative_records)
def test_adding_a_negative_record_never_raises_a_score(base, lists, who, extra):
    before = _scores(base, lists)
    after = _scores([*base, (who, extra)], lists)
    assert before.keys() == after.keys()
    for key, score in before.items():
        assert after[key] <= score, key


@fast
@given(st.lists(owned, min_size=1, max_size=12), memberships, st.data())
def test_repairing_or_expiring_a_negative_record_never_lowers_a_score(base, lists, data):
    negatives = [
        i
        for i, (_, rec) in enumerate(base)
        if rec.item
        in {
            "admin_penalty",
            "dishonest_judgment_debtor",
            "abnormal_operation",
            "serious_dishonesty_list",
        }
    ]
    if not negatives:
        return
    gone = data.draw(st.sampled_from(negatives))
    before = _scores(base, lists)
    after = _scores([r for i, r in enumerate(base) if i != gone], lists)
    for key, score in before.items():
        assert after[key] >= score, key


@fast
@given(
    st.lists(owned, max_size=12),
    memberships,
    st.sampled_from(NEGATIVE_LISTS),
    st.sampled_from([1, 2]),
)
def test_joining_a_negative_list_never_raises_a_score(base, lists, code, who):
    before = _scores(base, lists)
    after = _scores(base, sorted({*lists, (who, code)}))
    for key, score in before.items():
        assert after[key] <= score, key


@fast
@given(st.lists(owned, max_size=15), memberships)
def test_bands_and_overrides_hold(base, lists):
    models = get_models()
    results = service.compute(models.order(), inputs(SUBJECTS, base, lists), AS_OF)
    listed = {(sid, code) for sid, code in lists}
    for code, frame in results.items():
        model = models.get(code)
        for row in frame.iter_rows(named=True):
            assert model.min_score <= row["score"] <= model.max_score
            band = next(b.grade for b in model.bands if row["score"] >= b.min)
            assert row["band_grade"] == band
            if (row["subject_id"], "serious_dishonesty_list") in listed:
                assert row["grade"] == model.bands[-1].grade
                assert row["override"] == "serious_dishonesty"
            elif row["override"] is None:
                assert row["grade"] == band
            else:
                assert model.grade_rank(row["grade"]) >= model.grade_rank(band)


def test_the_same_inputs_give_identical_results():
    base = [
        (
            1,
            Rec(
                "admin_penalty",
                date(2026, 5, 1),
                "general",
                1,
                {"fine_amount": "3.5", "penalty_types": ["罚款"]},
            ),
        )
    ]
    first = service.compute(get_models().order(), inputs(SUBJECTS, base, []), AS_OF)
    second = service.compute(get_models().order(), inputs(SUBJECTS, base, []), AS_OF)
    for code in first:
        assert first[code].equals(second[code])
    assert (
        first["city_legal_person"].filter(pl.col("subject_id") == 1)["p__penalty_fines_36m"][0]
        == -0.7
    )
