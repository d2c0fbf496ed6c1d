"""The demo city's 信易贷 sandbox: two banks, products, applications in every state (one
overdue), the fund reconciling; a second run changes nothing; the CLI job reports."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import LiveCities
from xinyong.cli import app as cli_app
from xinyong.core.db import session_scope
from xinyong.demo import financing as demo_financing
from xinyong.financing import applications, fund, institutions
from xinyong.financing.models import Application, Product
from xinyong.reports.service import beijing_today


def test_sandbox_has_every_state(live_city: LiveCities) -> None:
    with live_city(subjects=60, seed=3, records_per_subject=3, anchor=date(2026, 11, 1)):
        with session_scope() as session:
            made = demo_financing.build_sandbox(session, password="Correct-Horse-42")
        assert made.created and len(made.keys) == 2
        with session_scope() as session:
            assert len(institutions.banks(session)) == 2
            assert session.scalar(select(func.count()).select_from(Product)) == 5
            states = set(session.scalars(select(Application.state)))
            assert states == {"submitted", "accepted", "granted", "declined", "withdrawn"}
            assert applications.overdue(session, today=beijing_today())
            assert fund.reconcile(session).ok
            again = demo_financing.build_sandbox(session, password="Correct-Horse-42")
            assert not again.created
        result = CliRunner().invoke(cli_app, ["financing", "sandbox"])
        assert result.exit_code == 0 and "exists already" in result.output
        result = CliRunner().invoke(cli_app, ["financing", "deliver"])
        assert result.exit_code == 0 and "delivered=0" in result.output
        result = CliRunner().invoke(
            cli_app, ["financing", "bank", "苏州测试村镇银行", "--short", "村镇银行"]
        )
        assert result.exit_code == 0 and "苏州测试村镇银行" in result.output
        bank_id = int(result.output.split()[0])
        branch = ["financing", "bank", "苏州测试村镇银行吴江支行", "--short", "吴江", "--parent"]
        assert CliRunner().invoke(cli_app, [*branch, str(bank_id)]).exit_code == 0
        refused = CliRunner().invoke(
            cli_app, ["financing", "bank", "某支行", "--short", "x", "--parent", "999999"]
        )
        assert refused.exit_code == 2 and "不是已登记的金融机构" in refused.output
        result = CliRunner().invoke(cli_app, ["financing", "reconcile"])
        assert result.exit_code == 0 and "ok=True" in result.output
        result = CliRunner().invoke(cli_app, ["financing", "overdue"])
        assert result.exit_code == 0 and "due=" in result.output
