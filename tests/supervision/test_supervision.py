"""Classes per subject with history, and reproducible 双随机 draws (both stores)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests import factories
from xinyong.core.errors import Invalid
from xinyong.evaluation import service as evaluation_service
from xinyong.supervision import export, service
from xinyong.supervision.config import get_config
from xinyong.supervision.models import Inspector

AS_OF = date(2026, 12, 1)


def _penalties(session: Session, firm, count: int) -> None:
    for month in range(1, count + 1):
        decided = f"2026-{month:02d}-10"
        factories.penalty(
            session,
            firm,
            today=date(2026, 11, 30),
            decision_date=decided,
            fine_amount="30",
            penalty_types=["罚款"],
        )


def test_classes_follow_the_grades_and_keep_their_history(session: Session) -> None:
    good = factories.enterprise(session, registration_date=date(2010, 1, 1), industry="G")
    poor = factories.enterprise(session, registration_date=date(2025, 1, 1), industry="G")
    _penalties(session, poor, 4)
    evaluation_service.evaluate(session, as_of=AS_OF, actor="t")
    counts = service.classify(session, code="market_regulation", as_of=AS_OF)
    assert sum(counts.values()) >= 2
    first = {
        s.id: r.class_code for r, s in service.current_classes(session, code="market_regulation")
    }
    assert first[poor.id] == "D" and first[good.id] == "B"
    _penalties(session, good, 4)
    evaluation_service.evaluate(session, as_of=AS_OF, actor="t")
    service.classify(session, code="market_regulation", as_of=date(2026, 12, 2))
    history = service.history(session, code="market_regulation", subject_id=good.id)
    assert [(h.class_code, h.until) for h in history] == [("B", date(2026, 12, 2)), ("D", None)]
    assert len(service.history(session, code="market_regulation", subject_id=poor.id)) == 1
    rows = service.current_classes(session, code="market_regulation")
    sheet = load_workbook(
        io.BytesIO(export.classes_xlsx(get_config().get("market_regulation"), rows))
    )
    values = list(sheet.active.iter_rows(values_only=True))
    assert values[0][0] == "统一社会信用代码" and len(values) == len(rows) + 1


def test_the_draw_is_reproducible_from_the_seed_and_follows_the_ratios() -> None:
    population = {"A": list(range(1, 101)), "D": list(range(101, 121))}
    ratios = {"A": 0.03, "D": 0.2}
    first = service.sample(population, ratios, {150, 105}, "2026-12-07-苏州交通")
    again = service.sample(population, ratios, {150, 105}, "2026-12-07-苏州交通")
    other = service.sample(population, ratios, {150, 105}, "another seed")
    assert first == again and first != other
    by_class = {c: [s for s, k, _ in first if k == c] for c in ratios}
    assert len(by_class["A"]) == 3 and len(by_class["D"]) == 4
    assert (105, "D", True) in first  # must-inspect subjects are always drawn


def test_pairing_avoids_conflicts_and_the_previous_pair() -> None:
    pool = [Inspector(id=n, department_id=1, name=f"执法{n}", conflicts=[]) for n in range(1, 6)]
    pool[0].conflicts = ["42"]
    for seed in ("a", "b", "c", "d"):
        chosen = service.pair(42, pool, previous={2, 3}, seed=seed)
        assert 1 not in chosen and not {2, 3} & set(chosen) and chosen[0] != chosen[1]
    with pytest.raises(Invalid):
        service.pair(42, pool[:2], previous=set(), seed="x")


def test_a_plan_draws_once_with_inspectors(session: Session) -> None:
    dept = factories.department(session, "transport")
    firms = [factories.enterprise(session, registration_date=date(2015, 1, 1)) for _ in range(6)]
    _penalties(session, firms[0], 4)
    evaluation_service.evaluate(session, as_of=AS_OF, actor="t", model_code="city_legal_person")
    service.classify(session, code="market_regulation", as_of=AS_OF)
    session.add_all(
        Inspector(department_id=dept.id, name=f"执法员{n}", conflicts=[]) for n in range(4)
    )
    plan = service.create_plan(
        session,
        department_id=dept.id,
        classification="market_regulation",
        matter="道路运输检查",
        ratios={"B": 0.5, "D": 1.0},
        seed="seed-1",
        actor="t",
    )
    rows = service.draw(session, plan_id=plan.id, today=AS_OF)
    assert firms[0].id in {r.subject_id for r in rows}
    assert all(len(set(r.inspector_ids)) == 2 for r in rows)
    assert service.draw(session, plan_id=plan.id, today=AS_OF) == rows
    with pytest.raises(Invalid):
        service.create_plan(
            session,
            department_id=dept.id,
            classification="market_regulation",
            matter="x",
            ratios={"Z": 0.5},
            seed="s",
            actor="t",
        )


def test_results_come_back_as_published_records_and_abnormal_ones_must_be_inspected_next(
    session: Session,
) -> None:
    dept = factories.department(session, "market_regulation")
    firms = [factories.enterprise(session, registration_date=date(2015, 1, 1)) for _ in range(8)]
    evaluation_service.evaluate(session, as_of=AS_OF, actor="t", model_code="city_legal_person")
    service.classify(session, code="market_regulation", as_of=AS_OF)
    session.add_all(
        Inspector(department_id=dept.id, name=f"检查员{n}", conflicts=[]) for n in range(5)
    )
    first = service.create_plan(
        session,
        department_id=dept.id,
        classification="market_regulation",
        matter="广告经营检查",
        ratios={"B": 0.25},
        seed="first",
        actor="t",
    )
    drawn = service.draw(session, plan_id=first.id, today=AS_OF)
    assert drawn
    record = service.record_result(
        session, draw_id=drawn[0].id, result="发现问题已责令整改", inspection_date=AS_OF, actor="t"
    )
    assert (record.item_code, record.state, record.severity) == (
        "inspection_result",
        "active",
        "general",
    )
    second = service.create_plan(
        session,
        department_id=dept.id,
        classification="market_regulation",
        matter="广告经营检查",
        ratios={"B": 0.0},
        seed="second",
        actor="t",
    )
    again = service.draw(session, plan_id=second.id, today=date(2026, 12, 3))
    assert [(r.subject_id, r.must_inspect) for r in again] == [(drawn[0].subject_id, True)]
    assert not set(again[0].inspector_ids) & set(drawn[0].inspector_ids)
    assert {f.id for f in firms} >= {r.subject_id for r in drawn}
