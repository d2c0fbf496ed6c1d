"""The ``xinyong`` command line, as a user runs it."""

from __future__ import annotations

import json
import random

from typer.testing import CliRunner

from xinyong.cli import app
from xinyong.identity import codes

runner = CliRunner()


def _json_lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_code_validate_json_keeps_input_order() -> None:
    rng = random.Random(7)
    good = codes.generate_uscc(rng, category="91", region="320505")
    person = codes.generate_id_number(
        rng, region="320508", birth_date=__import__("datetime").date(1990, 1, 1), sex="M"
    )
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    inputs = [good, "hello", person, bad, good.lower()]
    result = runner.invoke(app, ["code", "validate", *inputs, "--json"])
    assert result.exit_code == 0, result.output
    rows = _json_lines(result.output)
    assert [row["input"] for row in rows] == inputs
    assert [row["valid"] for row in rows] == [True, False, True, False, True]
    assert [row["kind"] for row in rows][:3] == ["uscc", "unknown", "id_number"]
    assert rows[0]["category"] == "91" and rows[0]["region"] == "320505"
    assert rows[3]["reason"]
    for key in ("input", "code", "valid", "kind", "category", "region", "reason"):
        assert key in rows[0]
    strict = runner.invoke(app, ["code", "validate", bad, "--strict"])
    assert strict.exit_code == 1


def test_names_parse_json() -> None:
    result = runner.invoke(app, ["names", "parse", "苏州市鑫达贸易有限责任公司", "--json"])
    assert result.exit_code == 0, result.output
    row = _json_lines(result.output)[0]
    assert row["trade_name"] == "鑫达"
    assert row["industry"] == "贸易"


def test_catalog_show_lists_and_details() -> None:
    listing = runner.invoke(app, ["catalog", "show"])
    assert listing.exit_code == 0, listing.output
    assert "admin_penalty" in listing.output
    detail = runner.invoke(app, ["catalog", "show", "admin_penalty", "--json"])
    item = _json_lines(detail.output)[0]
    assert item["code"] == "admin_penalty" and item["fields"]
    for item in _json_lines(runner.invoke(app, ["catalog", "show", "--json"]).output):
        shown = runner.invoke(app, ["catalog", "show", str(item["code"])])
        assert shown.exit_code == 0, shown.output
        assert "legal basis" in shown.output
    missing = runner.invoke(app, ["catalog", "show", "no_such_item"])
    assert missing.exit_code == 2


def test_departments_demo_and_expire(configured_db: str) -> None:
    assert runner.invoke(app, ["departments", "sync"]).exit_code == 0
    listed = _json_lines(runner.invoke(app, ["departments", "list", "--json"]).output)
    assert len(listed) >= 15 and all(codes.validate_uscc(d["code"]).valid for d in listed)
    demo = runner.invoke(
        app, ["demo", "--subjects", "300", "--seed", "5", "--records-per-subject", "3"]
    )
    assert demo.exit_code == 0, demo.output
    assert "300 subjects" in demo.output
    assert "points: 1 town, 2 villages, 12 households" in demo.output
    again = runner.invoke(app, ["demo", "--subjects", "300", "--seed", "5"])
    assert again.exit_code == 2 and "already holds" in again.output
    skipped = runner.invoke(app, ["demo", "--subjects", "300", "--if-empty"])
    assert skipped.exit_code == 0 and "not loaded" in skipped.output
    expired = runner.invoke(app, ["expire", "--today", "2099-01-01"])
    assert expired.exit_code == 0 and "expired as of 2099-01-01" in expired.output
    rerun = runner.invoke(app, ["expire", "--today", "2099-01-01"])
    assert rerun.output.startswith("0 records expired")


def test_bad_dates_are_usage_errors() -> None:
    result = runner.invoke(app, ["expire", "--today", "2024-02-30"])
    assert result.exit_code == 2 and "not a date" in result.output
