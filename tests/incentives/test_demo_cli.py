"""The demo city's 信易+ (partners, a proposal awaiting the credit office, real scans) and
the CLI: ``xinyong incentives eligible SUBJECT`` and ``xinyong incentives stats``."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from typer.testing import CliRunner

from xinyong.cli import app
from xinyong.core.db import session_scope
from xinyong.demo import loader
from xinyong.incentives import service
from xinyong.subjects.models import Subject


def test_demo_city_has_partners_a_proposal_and_scans(configured_db: str) -> None:
    loader.load_demo(subjects=300, seed=5, records_per_subject=4, anchor=date(2026, 11, 1))
    with session_scope() as session:
        scenarios = service.catalogue(session)
        assert all(s.organisation_id is not None for s in scenarios.values())
        waiting = [p for p in service.proposals(session) if p.state == "proposed"]
        assert [p.code for p in waiting] == ["xinyiyue_library"]
        bike = {f.code: f for f in service.figures(session)}["xinyixing_bike"]
        assert bike.verifications == 12 and 0 < bike.redemptions <= 12
        person = session.scalars(
            select(Subject.id_number_hash).where(Subject.kind == "natural_person")
        ).first()
        assert person is not None
        firm = session.scalars(
            select(Subject.uscc).where(Subject.kind == "legal_person").order_by(Subject.id)
        ).first()
    runner = CliRunner()
    eligible = runner.invoke(app, ["incentives", "eligible", str(firm), "--json"])
    assert eligible.exit_code == 0, eligible.output
    rows = [json.loads(line) for line in eligible.output.splitlines()]
    assert {r["scenario"] for r in rows} == set(scenarios)
    assert all(r["why_not"] for r in rows if not r["eligible"])
    stats = runner.invoke(app, ["incentives", "stats", "--json"])
    assert stats.exit_code == 0, stats.output
    figures = {json.loads(line)["code"]: json.loads(line) for line in stats.output.splitlines()}
    assert figures["xinyixing_bike"]["verifications"] == 12
    assert figures["xinyixing_bike"]["eligible_population"] > 0
    missing = runner.invoke(app, ["incentives", "eligible", "91320505MA00000000"])
    assert missing.exit_code == 2
