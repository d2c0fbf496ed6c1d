"""``xinyong names compare`` and ``xinyong names screen``, as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from tests import factories
from xinyong.cli import app
from xinyong.core.db import session_scope
from xinyong.identity import codes

runner = CliRunner()


def _json_lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_compare_two_names_as_json() -> None:
    result = runner.invoke(
        app,
        ["names", "compare", "深圳市易连科技开发有限公司", "深圳市易达科技开发有限公司", "--json"],
    )
    assert result.exit_code == 0, result.output
    (row,) = _json_lines(result.output)
    assert {"a", "b", "score", "decision", "explanation"} <= set(row)
    assert row["decision"] == "no_match"
    assert isinstance(row["explanation"], list) and row["explanation"][0]["part"] == "trade_name"


def test_compare_prints_a_readable_explanation() -> None:
    result = runner.invoke(app, ["names", "compare", "张伟", "张 伟"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("possible 0.72")
    assert "name agree" in result.output
    person = runner.invoke(app, ["names", "compare", "张伟", "张伟", "--kind", "organisation"])
    assert "trade_name agree" in person.output


def test_compare_pairs_file_one_json_object_per_row(tmp_path: Path) -> None:
    code = codes.generate_uscc(random.Random(3), category="91", region="320505")
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "a,b,code_a,code_b\n"
        "北京某某科技有限公司,某某科技（北京）有限公司,,\n"
        "\n"
        "苏州同建科技有限公司北京分公司,苏州同建科技有限公司,,\n"
        f"苏州旧名有限公司,苏州新名有限公司,{code},{code}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["names", "compare", "--pairs", str(pairs), "--json"])
    assert result.exit_code == 0, result.output
    rows = _json_lines(result.output)
    assert [r["decision"] for r in rows] == ["match", "no_match", "match"]
    assert rows[1]["relation"] == "a_branch_of_b"


def test_compare_pairs_file_in_gb18030(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_bytes("a,b\n張偉,张伟\n".encode("gb18030"))
    result = runner.invoke(app, ["names", "compare", "--pairs", str(pairs), "--json"])
    assert result.exit_code == 0, result.output
    assert _json_lines(result.output)[0]["decision"] == "possible"


def _fails(arguments: list[str], *expected: str) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    # the console wraps long lines: compare with the line breaks removed or made spaces
    joined, spaced = result.output.replace("\n", ""), " ".join(result.output.split())
    for text in expected:
        assert text in joined or text in spaced, result.output


def test_malformed_pairs_files_fail_clearly(tmp_path: Path) -> None:
    cases = {
        "fields.csv": ("a,b\n甲公司,乙公司\n丙公司,丁公司,戊公司\n", ["line 3", "3 fields"]),
        "quote.csv": ('a,b\n甲公司,乙公司\n"丙公司,丁公司\n', ["line 3", "malformed CSV"]),
        "header.csv": ("left,right\n甲公司,乙公司\n", ["columns a and b"]),
        "empty.csv": ("", ["empty"]),
        "blank.csv": ("a,b\n甲公司, \n", ["line 2", "column b is empty"]),
    }
    for filename, (content, expected) in cases.items():
        path = tmp_path / filename
        path.write_text(content, encoding="utf-8")
        _fails(["names", "compare", "--pairs", str(path)], filename, *expected)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"a,b\n\xff\xfe\x00\x81\x30\n")
    _fails(["names", "compare", "--pairs", str(binary)], "neither UTF-8 nor GB18030")
    _fails(["names", "compare", "--pairs", str(tmp_path / "absent.csv")], "cannot be read")


def test_compare_needs_two_names_or_a_pairs_file(tmp_path: Path) -> None:
    assert runner.invoke(app, ["names", "compare", "甲公司"]).exit_code == 2
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("a,b\n甲,乙\n", encoding="utf-8")
    both = runner.invoke(app, ["names", "compare", "甲", "乙", "--pairs", str(pairs)])
    assert both.exit_code == 2


def test_compare_with_a_broken_config_fails_clearly(tmp_path: Path) -> None:
    config = tmp_path / "matching.yaml"
    config.write_text("thresholds: {match: 0.5, possible: 0.9}\n", encoding="utf-8")
    _fails(["names", "compare", "甲公司", "乙公司", "--config", str(config)], "matching.yaml")


def test_screen_names_against_the_database(configured_db: str, tmp_path: Path) -> None:
    rng = random.Random(5)
    number = codes.generate_id_number(rng, region="320508", birth_date=date(1979, 4, 2), sex="M")
    with session_scope() as session:
        company = factories.enterprise(session, name="苏州同建科技有限公司")
        branch = factories.enterprise(session, name="苏州同建科技有限公司北京分公司")
        factories.enterprise(session, name="苏州鑫达贸易有限公司")
        factories.person(session, name="王小明", id_number=number)
        ids = {"company": company.id, "branch": branch.id}
        company_code = company.uscc
    names = tmp_path / "names.csv"
    names.write_text(
        "name,code\n"
        "同建科技（苏州）有限公司,\n"
        f"完全不同的名字有限公司,{company_code}\n"
        f"王小明,{number}\n"
        "苏州无此公司有限公司,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["names", "screen", str(names), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "4 names screened" in result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    first = [r for r in rows if r["row"] == "2"]
    assert first[0]["subject_id"] == str(ids["company"]) and first[0]["decision"] == "match"
    assert any(r["subject_id"] == str(ids["branch"]) and r["relation"] for r in first)
    by_code = [r for r in rows if r["row"] == "3"]
    assert by_code[0]["subject_id"] == str(ids["company"]) and by_code[0]["decision"] == "match"
    person = [r for r in rows if r["row"] == "4"]
    assert person[0]["decision"] == "match" and person[0]["subject_kind"] == "natural_person"
    assert number not in out.read_text(encoding="utf-8")  # ID numbers are written masked
    missing = [r for r in rows if r["row"] == "5"]
    assert (
        len(missing) == 1 and missing[0]["decision"] == "no_match" and not missing[0]["subject_id"]
    )


def test_screen_a_text_file_to_stdout(configured_db: str, tmp_path: Path) -> None:
    with session_scope() as session:
        factories.enterprise(session, name="苏州同建科技有限公司")
    names = tmp_path / "names.txt"
    names.write_text("苏州同建科技有限公司\n\n苏州同达科技有限公司\n", encoding="utf-8")
    result = runner.invoke(app, ["names", "screen", str(names)])
    assert result.exit_code == 0, result.output
    assert "苏州同建科技有限公司,,1,match" in result.output
    assert "3,苏州同达科技有限公司,,,no_match" in result.output


def test_screen_rejects_a_file_without_a_name_column(configured_db: str, tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    names.write_text("company\n甲公司\n", encoding="utf-8")
    _fails(["names", "screen", str(names)], "name column")
    kinds = tmp_path / "kinds.csv"
    kinds.write_text("name,kind\n甲公司,robot\n", encoding="utf-8")
    _fails(["names", "screen", str(kinds)], "line 2", "robot")
