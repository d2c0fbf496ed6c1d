"""Collection flags the subjects it touched; the daily incremental run picks them up."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests import factories
from tests.ingest.conftest import write_csv
from xinyong.evaluation.models import RecomputeFlag
from xinyong.ingest import ledger, service

TODAY = date(2024, 6, 3)


def _submission(session: Session) -> service.Submission:
    dept = factories.department(session)
    return service.Submission(
        item_code="admin_penalty", department_key=dept.key, mode="strict", today=TODAY
    )


def test_a_loaded_batch_and_a_withdrawal_flag_their_subjects(
    session: Session, tmp_path: Path
) -> None:
    dept = factories.department(session)
    firms = [factories.enterprise(session) for _ in range(3)]
    payloads = [factories.penalty_payload(firm, dept) for firm in firms]
    path = write_csv(tmp_path / "p.csv", "admin_penalty", payloads)
    session.execute(delete(RecomputeFlag))
    batch = service.submit_file(session, path=path, submission=_submission(session))
    flagged = set(session.scalars(select(RecomputeFlag.subject_id)))
    assert flagged == {f.id for f in firms}
    assert batch.accepted == 3
    session.execute(delete(RecomputeFlag))
    rows = [(1, payloads[0]["decision_number"], "原处罚决定经复议撤销")]
    ledger.withdraw(session, withdrawals=rows, submission=_submission(session))
    assert set(session.scalars(select(RecomputeFlag.subject_id))) == {firms[0].id}


def test_a_full_run_of_every_model_today_answers_the_flags(session: Session) -> None:
    from xinyong.core.localtime import local_today
    from xinyong.evaluation import service as evaluation

    firms = [factories.enterprise(session) for _ in range(2)]
    session.execute(delete(RecomputeFlag))
    for firm in firms:
        evaluation.flag_for_recompute(session, subject_id=firm.id, reason="test")
    session.flush()
    today = local_today()
    evaluation.evaluate(session, as_of=today, actor="t", model_code="city_legal_person")
    past = today - timedelta(days=365)
    evaluation.evaluate(session, as_of=past, actor="t")
    # one model, or a past day: the subjects still wait for today's scoring by every model
    assert set(session.scalars(select(RecomputeFlag.subject_id))) == {f.id for f in firms}
    evaluation.evaluate(session, as_of=today, actor="t")
    assert list(session.scalars(select(RecomputeFlag.subject_id))) == []
