"""``xinyong points import`` (per-row errors, nothing stored on error) and ``close-month``."""

from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from xinyong.cli import app
from xinyong.core.db import session_scope
from xinyong.points import ledger, service
from xinyong.points.demo import seed_demo
from xinyong.points.models import PointsEntry, PointsMonth

runner = CliRunner()


def _entries() -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(PointsEntry)) or 0)


def test_import_then_close_month(configured_db: str, tmp_path: Path) -> None:
    today = service.beijing_today()
    with session_scope() as session:
        town = seed_demo(session, today=today)
        assert town is not None
        cards = town.card_codes
        village = service.village(session, town.village_ids[0])
        code = village.code
    before = _entries()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        (
            "户卡号,事项编码,事迹日期,申报人,渠道,佐证\n"
            f"{cards[0]},fz01,{today},张三,电话,\n"
            f"{cards[1]},xx99,{today},李四,微信,照片\n"
            f"NOPE,fz01,{today},王五,当面,\n"
            f"{cards[2]},dz03,2026-13-01,赵六,短信,照片\n"
        ).encode("gbk")
    )
    result = runner.invoke(app, ["points", "import", str(bad)])
    assert result.exit_code == 2
    assert "第 3 行“事项编码”" in result.output and "第 4 行“户卡号”" in result.output
    assert "第 5 行“事迹日期”" in result.output
    assert _entries() == before  # the good first row was not kept either
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["户卡号", "事项编码", "事迹日期", "申报人", "渠道", "佐证"])
    sheet.append([cards[1], "fz01", today, "李四", "电话", None])
    sheet.append([cards[2], "dz03", today.isoformat(), "赵六", "微信", "照片"])
    buffer = io.BytesIO()
    book.save(buffer)
    good = tmp_path / "good.xlsx"
    good.write_bytes(buffer.getvalue())
    result = runner.invoke(app, ["points", "import", str(good), "--actor", "account:1"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"imported": 2} and _entries() == before + 2
    refused = runner.invoke(app, ["points", "close-month", "--village", code])
    assert refused.exit_code == 1 and "待审核" in refused.output
    with session_scope() as session:
        for row in ledger.pending(session, town.village_ids[0]):
            ledger.decide(session, entry_id=row.id, approve=True, actor="account:2")
    closed = runner.invoke(app, ["points", "close-month", "--village", code])
    assert closed.exit_code == 0, closed.output
    assert json.loads(closed.output)["closed"][0]["accounts"] == 7  # six households, a pupil
    with session_scope() as session:
        stmt = select(PointsMonth.period).where(PointsMonth.village_id == town.village_ids[0])
        assert service.period_of(today) in set(session.scalars(stmt))
