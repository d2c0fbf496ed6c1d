"""Real exports through collection (issue 24): the 40,950 real enterprise rows of the shared
registry sample as a registration export, and penalties about those enterprises with amounts as
penalty systems write them. At least 97 % of rows load; every rejection is a defect of its row.
Skipped where ``../shared`` is absent."""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.conftest import shared_file
from tests.ingest import files
from tests.ingest.real import REGISTRY_SAMPLE, is_genuine, registry_file, registry_rows
from xinyong.cli import app as cli_app
from xinyong.core.db import session_scope
from xinyong.ingest.models import RejectedRow
from xinyong.records.models import Record
from xinyong.subjects import service as subjects_service

pytestmark = pytest.mark.slow
DEPT = "sz_scjgj"


def _ingest(path: Path, item: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli_app,
        ["ingest", str(path), "--item", item, "--dept", DEPT, "--mode", "partial", "--json"],
    )
    assert result.exit_code == 0, result.output[:2000]
    return json.loads(result.output)  # type: ignore[no-any-return]


def _rejections(batch_id: str) -> list[tuple[str, str, str]]:
    with session_scope() as session:
        rows = session.scalars(select(RejectedRow).where(RejectedRow.batch_id == batch_id))
        return [(e["column"], e["value"], e["reason"]) for r in rows for e in r.errors]


def _assert_genuine(report: dict[str, Any]) -> Counter[str]:
    """At least 97 % loaded; every rejection a defect of its row; the reasons counted."""
    loaded = report["rows"] - report["rejected"]
    assert loaded / report["rows"] >= 0.97, (loaded, report["rows"], report["errors"][:10])
    found = _rejections(report["batch_id"])
    assert len(found) >= report["rejected"]  # every rejected row says why
    wrong = [(c, v, r) for c, v, r in found if not is_genuine(c, v, r)]
    assert not wrong, wrong[:10]
    reasons = Counter(f"{c}: {r.partition(' · ')[2][:60]}" for c, _, r in found)
    print(f"\n{report['item_code']}: {loaded:,} of {report['rows']:,} rows loaded; {reasons}")
    return reasons


@pytest.fixture
def departments(configured_db: str) -> None:
    with session_scope() as session:
        subjects_service.sync_departments(session)


def test_the_registry_sample_loads_as_a_registration_export(
    departments: None, tmp_path: Path
) -> None:
    source = shared_file(REGISTRY_SAMPLE)
    report = _ingest(registry_file(source, tmp_path / "企业登记.csv"), "registration")
    assert report["rows"] == 40_950
    assert any("derived from 统一社会信用代码" in note for note in report["notes"])
    reasons = _assert_genuine(report)
    assert sum(reasons.values()) <= 0.03 * report["rows"]
    with session_scope() as session:
        stored = {
            r.payload["subject_code"]: r.payload
            for r in session.scalars(select(Record).where(Record.item_code == "registration"))
        }
    rows = {row[1]: row for row in registry_rows(source)}
    samples = {"800(万美元)": ("800", "USD"), "100(万元人民币)": ("100", "CNY")}
    for code, payload in stored.items():
        written = rows[code][3]
        if written in samples:
            assert (payload["registered_capital"], payload["currency"]) == samples[written]
        if code.startswith("92"):
            assert payload["subject_type"] == "individual_business"
    kinds = Counter(p["subject_type"] for p in stored.values())
    assert kinds["individual_business"] > 0 and kinds["legal_person"] > 30_000


_FINE_FORMS = ("{y}元", "{y:,}元", "人民币{y}元", "{w}万元", "{y}(元)", "￥{y:,}", "{w}（万元）")
_CONFISCATED_FORMS = ("{y}元", "{w}万元", "无", "-", "{y:,}(人民币元)", "")


def _penalty_file(source: Path, target: Path, count: int) -> dict[str, tuple[str, str | None]]:
    """Penalties about the sample's enterprises (no 行政相对人类别 column), amounts in 元 or
    万元 as penalty systems write them; returns decision number -> expected amounts (万元)."""
    item = files.item("admin_penalty")
    rng = random.Random(24)
    registry = registry_rows(source)[:count]
    made = files.payloads("admin_penalty", count, seed=24)
    kept_fields = [s for s in item.fields if s.name != "subject_type"]
    headers = [s.label.zh for s in kept_fields]
    headers[headers.index("没收违法所得、没收非法财物的金额(万元)")] = "没收违法所得"
    expected: dict[str, tuple[str, str | None]] = {}
    with target.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for serial, (enterprise, payload) in enumerate(zip(registry, made, strict=True)):
            fine, confiscated = rng.randrange(100, 500_000), rng.randrange(100, 90_000)
            number = f"{payload['decision_number']}-{serial}"
            cells = payload | {"subject_name": enterprise[0], "subject_code": enterprise[1]}
            cells |= {"decision_number": number}
            confiscation = rng.choice(_CONFISCATED_FORMS)
            row = [files.cell_text(cells.get(s.name)) for s in kept_fields]
            row[headers.index("罚款金额(万元)")] = _written(rng.choice(_FINE_FORMS), fine)
            row[headers.index("没收违法所得")] = _written(confiscation, confiscated)
            writer.writerow(row)
            kept = "{" in confiscation
            expected[number] = (_wan(fine), _wan(confiscated) if kept else None)
    return expected


def _written(form: str, yuan: int) -> str:
    return form.format(y=yuan, w=format(Decimal(yuan) / 10_000, "f"))


def _wan(yuan: int) -> str:
    return format((Decimal(yuan) / 10_000).normalize(), "f")


def test_penalty_amounts_in_yuan_and_confiscations_load(departments: None, tmp_path: Path) -> None:
    source = shared_file(REGISTRY_SAMPLE)
    expected = _penalty_file(source, tmp_path / "行政处罚.csv", 3000)
    report = _ingest(tmp_path / "行政处罚.csv", "admin_penalty")
    assert report["rows"] == 3000
    _assert_genuine(report)
    with session_scope() as session:
        stored = {
            r.source_record_id: (
                r.payload["fine_amount"],
                r.payload.get("confiscated_amount"),
            )
            for r in session.scalars(select(Record).where(Record.item_code == "admin_penalty"))
        }
    assert len(stored) == report["rows"] - report["rejected"]
    assert all(stored[number] == expected[number] for number in stored)
