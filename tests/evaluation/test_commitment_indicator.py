"""Commitment performance as an indicator (both stores): a breach scores lower than a kept
commitment, the explanation names the rate, and withdrawn commitments never count."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests import factories
from tests.commitments.helpers import signed
from xinyong.commitments import breach, performance
from xinyong.commitments import service as commitments
from xinyong.evaluation import explain, frames, service
from xinyong.evaluation.config import get_models
from xinyong.evaluation.models import EvaluationResult, RecomputeFlag
from xinyong.subjects.models import Subject

AS_OF = date(2026, 12, 1)
CODE = "commitment_fulfilment_rate"


def _kept(session: Session, firm=None):
    c = signed(session, subject=firm)
    performance.record(
        session, c=c, condition_code="drawing_review", outcome="fulfilled", evidence="合格书",
        actor="t", department_id=c.department_id, today=date(2026, 10, 9),
    )  # fmt: skip
    return c


def _result(session: Session, run_id: int, subject_id: int) -> EvaluationResult:
    stmt = select(EvaluationResult).where(
        EvaluationResult.run_id == run_id, EvaluationResult.subject_id == subject_id
    )
    return session.scalars(stmt).one()


def test_breach_scores_lower_and_withdrawn_never_counts(session: Session) -> None:
    kept = _kept(session)
    broken = signed(session)
    performance.record(
        session, c=broken, condition_code="drawing_review", outcome="not_fulfilled",
        evidence="未提交合格书", actor="t", department_id=broken.department_id,
        today=date(2026, 11, 30),
    )  # fmt: skip
    breach.decide(
        session, c=broken, reasons="逾期未补齐施工图审查合格书", evidence="窗口核查记录",
        actor="t", department_id=broken.department_id, today=date(2026, 11, 30),
    )  # fmt: skip
    # Kept one, and withdrew another: the withdrawn one is not a breach, the rate stays 100%.
    both = _kept(session)
    also = signed(session, subject=session.get(Subject, both.subject_id))
    commitments.withdraw(session, c=also, reason="申请撤回", actor="t")
    withdrawn_only = signed(session)
    commitments.withdraw(session, c=withdrawn_only, reason="申请撤回", actor="t")
    assert (kept.status, broken.status, both.status) == ("fulfilled", "breached", "fulfilled")
    bare = factories.enterprise(session)  # never signed one

    outcome = service.evaluate(session, as_of=AS_OF, actor="test", model_code="city_legal_person")
    run = next(r for r in outcome.runs if r.model_code == "city_legal_person")
    good = _result(session, run.id, kept.subject_id)
    bad = _result(session, run.id, broken.subject_id)
    assert good.contributions[CODE] == [100.0, 3.0]
    assert bad.contributions[CODE] == [0.0, 0.0]  # 0% is stored, unlike nothing decided
    assert good.score > bad.score
    assert _result(session, run.id, both.subject_id).contributions[CODE] == [100.0, 3.0]
    none = _result(session, run.id, withdrawn_only.subject_id)
    assert CODE not in none.contributions

    model = get_models().get("city_legal_person")
    zh = {c.code: c.sentence for c in explain.contributions(model, good, "zh")}
    assert zh[CODE] == "近36个月信用承诺履约率100%，加3分"
    en = {c.code: c.sentence for c in explain.contributions(model, bad, "en")}
    assert en[CODE] == "Commitment fulfilment rate 0% in 36 months: no points"
    zh = {c.code: c.sentence for c in explain.contributions(model, bad, "zh")}
    assert zh[CODE] == "近36个月信用承诺履约率0%，不加减分"
    # Nothing decided (only withdrawn, or none at all): nothing to measure, not 0%.
    for nothing in (none, _result(session, run.id, bare.id)):
        zh = {c.code: c.sentence for c in explain.contributions(model, nothing, "zh")}
        assert zh[CODE] == "信用承诺履约率：暂无可计算的数据，不加减分"
        en = {c.code: c.sentence for c in explain.contributions(model, nothing, "en")}
        assert en[CODE] == "Commitment fulfilment rate: nothing to measure yet, no points"

    inputs = frames.read_inputs(session, models=[model], as_of=AS_OF)
    subjects = set(inputs.commitments["subject_id"].to_list())
    assert {kept.subject_id, broken.subject_id} <= subjects
    assert withdrawn_only.subject_id not in subjects


def test_fulfilling_or_withdrawing_flags_the_subject(session: Session) -> None:
    """No record changes when a commitment is fulfilled or withdrawn: the hook flags it."""
    kept, gone, open_ = signed(session), signed(session), signed(session)
    session.execute(delete(RecomputeFlag))
    performance.record(
        session, c=kept, condition_code="drawing_review", outcome="fulfilled", evidence="合格书",
        actor="t", department_id=kept.department_id, today=date(2026, 10, 9),
    )  # fmt: skip
    commitments.withdraw(session, c=gone, reason="申请撤回", actor="t")
    flags = {f.subject_id: f.reason for f in session.scalars(select(RecomputeFlag))}
    assert set(flags) == {kept.subject_id, gone.subject_id}
    assert flags[kept.subject_id] == f"commitment {kept.number}: in_force -> fulfilled"
    assert flags[gone.subject_id] == f"commitment {gone.number}: in_force -> withdrawn"
    assert open_.subject_id not in flags


def test_commitments_source_is_validated() -> None:
    from pydantic import ValidationError

    from xinyong.evaluation.config import Source

    assert Source(kind="commitments", measure="breaches").measure == "breaches"
    for bad in ({"kind": "commitments"}, {"kind": "records", "item": "x", "measure": "kept"}):
        with pytest.raises(ValidationError, match="'measure' goes with"):
            Source.model_validate(bad)
    with pytest.raises(ValidationError):
        Source.model_validate({"kind": "commitments", "measure": "promises"})
