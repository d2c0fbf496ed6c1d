"""Runs on the store (SQLite and PostgreSQL): a hand-calculated golden subject, records not in
force never count, incremental = full for flagged subjects, Dask = Polars."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from xinyong.evaluation import explain, service
from xinyong.evaluation.models import EvaluationResult, RecomputeFlag
from xinyong.records import service as records_service
from xinyong.records.states import RecordState

AS_OF = date(2026, 12, 1)
SUBMITTED = date(2026, 11, 30)


def _penalty(session: Session, subject, decided: str, fine: str = "5"):
    return factories.penalty(
        session,
        subject,
        today=SUBMITTED,
        decision_date=decided,
        fine_amount=fine,
        penalty_types=["罚款"],
    )


def _result(session: Session, run_id: int, subject_id: int) -> EvaluationResult:
    stmt = select(EvaluationResult).where(
        EvaluationResult.run_id == run_id, EvaluationResult.subject_id == subject_id
    )
    found = session.scalars(stmt).one()
    return found


def _run(session: Session, model: str = "city_legal_person", **kwargs):
    outcome = service.evaluate(session, as_of=AS_OF, actor="test", model_code=model, **kwargs)
    return next(r for r in outcome.runs if r.model_code == model)


def test_golden_subject(session: Session) -> None:
    firm = factories.enterprise(session, registration_date=date(2020, 1, 15))
    for decided in ("2026-03-01", "2026-06-01", "2026-09-01"):
        _penalty(session, firm, decided)
    repaired = _penalty(session, firm, "2026-10-01")
    records_service.transition(
        session, record_id=repaired.id, to_state=RecordState.repaired, reason="信用修复", actor="t"
    )
    revoked = _penalty(session, firm, "2026-10-02", fine="50")
    records_service.transition(
        session, record_id=revoked.id, to_state=RecordState.revoked, reason="撤销", actor="t"
    )
    run = _run(session)
    result = _result(session, run.id, firm.id)
    # 70 base + 4 (82 months registered) - 12 (3 general penalties in 12 months)
    # - 3 (3 in 36 months) - 3 (fines 15 x 0.2) - 3 (latest 3 months ago) = 53 -> D
    assert result.contributions["registration_age"] == [82.0, 4.0]
    assert result.contributions["penalty_general_12m"] == [3.0, -12.0]
    assert result.contributions["penalty_fines_36m"] == [15.0, -3.0]
    assert result.contributions["penalty_recency"] == [3.0, -3.0]
    assert result.score == 53.0
    assert (result.band_grade, result.grade, result.override) == ("D", "D", None)
    found = explain.explain(session, result=result, run=run, lang="zh")
    assert found.negatives[0].sentence == "近12个月一般行政处罚3次，扣12分"
    assert found.next_band == "再得2分可达C级"
    assert {c.record_id for c in found.changes} == {
        r.id for r in records_service.for_subject(session, firm.id) if r.state == "active"
    }
    english = explain.explain(session, result=result, run=run, lang="en")
    assert english.negatives[0].sentence.startswith("3 general administrative penalties")


def test_a_missing_value_is_never_explained_as_zero(session: Session) -> None:
    clean = factories.enterprise(session, registration_date=date(2020, 1, 15))
    recent = factories.enterprise(session, registration_date=date(2020, 1, 15))
    _penalty(session, recent, "2026-11-20")  # this month: 0 months since, 3 points off
    run = _run(session)
    none = _result(session, run.id, clean.id)
    zero = _result(session, run.id, recent.id)
    assert "penalty_recency" not in none.contributions
    assert zero.contributions["penalty_recency"] == [0.0, -3.0]
    sentences = {
        c.code: c.sentence
        for c in explain.explain(session, result=none, run=run, lang="zh").contributions
    }
    assert sentences["penalty_recency"] == "最近一次行政处罚：暂无可计算的数据，不加减分"
    assert sentences["tax_rating"].endswith("不加减分") and "None" not in sentences["tax_rating"]
    found = explain.explain(session, result=zero, run=run, lang="zh")
    recency = next(c for c in found.negatives if c.code == "penalty_recency")
    assert recency.sentence == "距最近一次行政处罚0个月，扣3分"


def test_expired_and_superseded_records_never_count(session: Session) -> None:
    firm = factories.enterprise(session, registration_date=date(2010, 1, 1))
    old = _penalty(session, firm, "2026-08-01")
    first = _run(session)
    assert _result(session, first.id, firm.id).contributions["penalty_general_12m"][1] == -4.0
    records_service.transition(
        session, record_id=old.id, to_state=RecordState.expired, reason="期满", actor="t"
    )
    second = _run(session)
    assert "penalty_general_12m" not in _result(session, second.id, firm.id).contributions
    assert _result(session, second.id, firm.id).score > _result(session, first.id, firm.id).score
    # Earlier runs stay as they were (append-only).
    assert _result(session, first.id, firm.id).contributions["penalty_general_12m"][1] == -4.0
    assert second.previous_run_id == first.id and second.psi is not None


def test_incremental_equals_full_for_flagged_subjects(session: Session) -> None:
    firms = [factories.enterprise(session, registration_date=date(2018, 3, 3)) for _ in range(4)]
    _penalty(session, firms[0], "2026-02-01")
    service.evaluate(session, as_of=AS_OF, actor="test")
    _penalty(session, firms[1], "2026-11-01", fine="120")
    _penalty(session, firms[0], "2026-07-01")
    for firm in firms[:3]:
        service.flag_for_recompute(session, subject_id=firm.id, reason="test")
    incremental = service.evaluate(session, as_of=AS_OF, actor="test", incremental=True)
    assert session.scalars(select(RecomputeFlag)).first() is None
    full = service.evaluate(session, as_of=AS_OF, actor="test")
    for inc_run, full_run in zip(incremental.runs, full.runs, strict=True):
        assert inc_run.mode == "incremental" and inc_run.model_code == full_run.model_code
        scored = session.scalars(
            select(EvaluationResult).where(EvaluationResult.run_id == inc_run.id)
        ).all()
        assert {r.subject_id for r in scored} <= {f.id for f in firms[:3]}
        for result in scored:
            twin = _result(session, full_run.id, result.subject_id)
            assert (result.score, result.grade, result.contributions) == (
                twin.score,
                twin.grade,
                twin.contributions,
            )
    city = next(r for r in incremental.runs if r.model_code == "city_legal_person")
    assert city.subjects == 3
    assert service.evaluate(session, as_of=AS_OF, actor="test", incremental=True).runs == []


@pytest.mark.slow
def test_dask_gives_the_polars_results(session: Session) -> None:
    firms = [factories.enterprise(session, registration_date=date(2015, 6, 6)) for _ in range(6)]
    for index, firm in enumerate(firms):
        for month in range(1, index + 1):
            _penalty(session, firm, f"2026-{month:02d}-15", fine=str(index))
    polars_runs = service.evaluate(session, as_of=AS_OF, actor="test").runs
    dask_runs = service.evaluate(
        session, as_of=AS_OF, actor="test", engine_name="dask", workers=2
    ).runs
    for left, right in zip(polars_runs, dask_runs, strict=True):
        assert right.engine == "dask" and left.grade_counts == right.grade_counts
        for firm in firms:
            if left.model_code != "city_legal_person":
                continue
            a, b = _result(session, left.id, firm.id), _result(session, right.id, firm.id)
            assert (a.score, a.grade, a.contributions) == (b.score, b.grade, b.contributions)


def test_checks_read_the_current_public_grade(session: Session) -> None:
    from xinyong.checks.facts import gather
    from xinyong.measures.catalog import get_catalog

    firm = factories.enterprise(session, registration_date=date(2024, 6, 1))
    for decided in ("2026-04-01", "2026-07-01", "2026-10-01"):
        _penalty(session, firm, decided, fine="40")
    catalog = get_catalog()
    before = gather(
        session, [firm.id], catalog=catalog, matter="regulatory_inspection", today=AS_OF
    )
    assert before[firm.id].facts.grade is None
    service.evaluate(session, as_of=AS_OF, actor="test", model_code="city_legal_person")
    found = gather(session, [firm.id], catalog=catalog, matter="regulatory_inspection", today=AS_OF)
    assert found[firm.id].facts.grade == "D"
    hits = {hit.measure.code: hit.reasons for hit in found[firm.id].hits}
    assert "grade:D" in hits["C-INSP-01"]
