"""Evaluation models load layered and validated; a mistake names the model, indicator and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinyong.evaluation import config
from xinyong.evaluation.config import EvaluationConfigError

HEAD = (
    "models:\n  city_legal_person:\n    dimensions:\n      administrative:\n        indicators:\n"
)


def _city(tmp_path: Path, text: str) -> list[Path]:
    path = tmp_path / "city.yaml"
    path.write_text(text, encoding="utf-8")
    return [*config.shipped_files(), path]


def test_shipped_models_are_complete() -> None:
    models = config.load(config.shipped_files())
    city = models.get("city_legal_person")
    assert len(city.indicators()) >= 25 and len(city.dimensions) >= 5
    assert {"basic", "administrative", "judicial", "honesty", "commitment"} <= set(city.dimensions)
    assert all(i.about.zh and i.about.en and i.explain.zh for i in city.indicators())
    assert models.get("transport").scope == "sector"
    assert [m.code for m in models.order()].index("transport") > 1


def test_a_city_file_changes_one_weight(tmp_path: Path) -> None:
    files = _city(tmp_path, HEAD + "          penalty_general_12m: {weight: 2}\n")
    model = config.load(files).get("city_legal_person")
    weights = {i.code: i.weight for i in model.indicators()}
    assert weights["penalty_general_12m"] == 2 and weights["penalty_general_36m"] == 1
    assert len(model.indicators()) == len(config.load(config.shipped_files()).get(
        "city_legal_person").indicators())  # fmt: skip


@pytest.mark.parametrize(
    ("patch", "named"),
    [
        ("penalty_general_12m: {weight: -1}",
         "dimensions.administrative.indicators.penalty_general_12m.weight"),
        ("penalty_general_12m: {scoring: {kind: linear, per: 1, cap: 5}}",
         "penalty_general_12m: Value error, a negative indicator's points must be <= 0"),
        ("penalty_general_12m: {source: {kind: records, item: no_such_item}}",
         "indicators.penalty_general_12m.source.item: no catalogue item 'no_such_item'"),
        ("penalty_general_12m: {source: {kind: records, item: admin_penalty, where: "
         "[{field: nope, op: eq, value: x}]}}",
         "indicators.penalty_general_12m.source.where: item has no field 'nope'"),
    ],
)  # fmt: skip
def test_mistakes_name_model_indicator_and_key(tmp_path: Path, patch: str, named: str) -> None:
    files = _city(tmp_path, HEAD + f"          {patch}\n")
    with pytest.raises(EvaluationConfigError) as raised:
        config.load(files)
    assert "model city_legal_person" in raised.value.message and named in raised.value.message
