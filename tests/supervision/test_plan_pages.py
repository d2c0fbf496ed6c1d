"""The console pages of 双随机 plans (both stores): the form takes its ratios from the
classification's data, the draw is made once and reproducible from the seed, results become
published records; another department neither sees nor draws the plan."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import LiveCities
from tests.webkit import csrf_of, login
from xinyong.core.db import session_scope
from xinyong.records.models import Record
from xinyong.subjects import service as subjects_service
from xinyong.supervision import service
from xinyong.supervision.config import get_config
from xinyong.supervision.models import InspectionDraw, InspectionPlan, Inspector

TODAY = date.today()


@dataclass
class City:
    department_id: int


def _build() -> City:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        for _ in range(12):
            factories.enterprise(session, registration_date=date(2015, 1, 1))
        service.classify(session, code="market_regulation", as_of=TODAY)
        market = factories.department(session, "market_regulation")
        session.add_all(
            Inspector(department_id=market.id, name=f"执法人员{n}", conflicts=[])
            for n in range(1, 7)
        )
        factories.staff(session, "market", market.id)
        factories.staff(session, "transport", factories.department(session, "transport").id)
        return City(market.id)


@pytest.fixture
def city(live_city: LiveCities) -> Iterator[City]:
    with live_city(extras=_build) as built:
        yield built.facts


def test_plan_draw_and_results_on_the_console(city: City) -> None:
    market = login("market")
    form = market.get("/console/supervision/plans?classification=market_regulation")
    assert form.status_code == 200 and "新建抽查计划" in form.text
    spec = get_config().get("market_regulation")
    default_b = f'value="{spec.sampling["B"] * 100:g}"'
    assert re.search(r'id="ratio-B" name="ratio_percent"[^>]*' + default_b, form.text)
    bad = market.post(
        "/console/supervision/plans",
        data={
            "csrf_token": csrf_of(form.text),
            "classification": "market_regulation",
            "matter": "企业公示信息检查",
            "seed": "s-1",
            "ratio_class": ["B"],
            "ratio_percent": ["很多"],
        },
    )
    assert bad.status_code == 422 and "抽查比例应为0到100之间的数字" in bad.text
    created = market.post(
        "/console/supervision/plans",
        data={
            "csrf_token": csrf_of(form.text),
            "department_id": str(city.department_id),
            "classification": "market_regulation",
            "matter": "企业公示信息检查",
            "seed": "seed-2026",
            "ratio_class": ["A", "B", "C", "D"],
            "ratio_percent": ["", "50", "", ""],
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    path = created.headers["location"]
    plan_id = int(path.rsplit("/", 1)[1])
    with session_scope() as session:
        plan = session.get(InspectionPlan, plan_id)
        assert plan is not None and plan.ratios["B"] == 0.5
        assert plan.ratios["D"] == spec.sampling["D"]  # blank: the classification's ratio
    page = market.get(path)
    assert "seed-2026" in page.text and "随机抽取检查对象和执法人员" in page.text
    assert login("transport").get(path).status_code == 404  # another department's plan
    drawn = market.post(
        f"{path}/draw", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert drawn.status_code == 303
    with session_scope() as session:
        draws = list(
            session.scalars(select(InspectionDraw).where(InspectionDraw.plan_id == plan_id))
        )
        population = {}
        for row, _ in service.current_classes(session, code="market_regulation", limit=1000):
            population.setdefault(row.class_code, []).append(row.subject_id)
        again = service.sample(population, plan.ratios, set(), "seed-2026")
    assert len(draws) == 6  # half of the 12 B-class firms
    assert sorted(d.subject_id for d in draws) == sorted(s for s, _, _ in again)  # reproducible
    shown = market.get(path)
    assert "抽取结果" in shown.text and "执法人员" in shown.text
    first = min(draws, key=lambda d: d.position)
    recorded = market.post(
        f"{path}/results",
        data={
            "csrf_token": csrf_of(shown.text),
            "draw_id": str(first.id),
            "result": "发现问题已责令整改",
            "inspection_date": TODAY.isoformat(),
        },
        follow_redirects=False,
    )
    assert recorded.status_code == 303
    with session_scope() as session:
        record = session.scalar(
            select(Record).where(Record.source_record_id == f"SSJ-{plan_id}-{first.position}")
        )
        assert record is not None and record.payload["result"] == "发现问题已责令整改"
    assert f'data-result="{first.id}"' in market.get(path).text
    listing = market.get("/console/supervision/plans?lang=en")
    assert f"SSJ-{plan_id}" in listing.text and "Random inspection plans" in listing.text
