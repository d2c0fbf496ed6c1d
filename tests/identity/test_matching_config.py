"""Matching thresholds and scores are data, validated on load."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from xinyong.identity.matching import MatchingConfigError, load_config, match_names

_SHIPPED = resources.files("xinyong.identity").joinpath("data", "matching.yaml")


def _shipped() -> dict[str, dict[str, float]]:
    data: dict[str, dict[str, float]] = yaml.safe_load(_SHIPPED.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "matching.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_configuration_loads() -> None:
    config = load_config()
    assert 0 < config.thresholds.possible < config.thresholds.match <= 1
    assert config.decide(1.0) == "match"
    assert config.decide(config.thresholds.possible) == "possible"
    assert config.decide(0.0) == "no_match"


def test_thresholds_change_decisions(tmp_path: Path) -> None:
    data = _shipped()
    data["thresholds"]["match"] = 0.99
    strict = load_config(_write(tmp_path, data))
    pair = ("北京某某科技有限公司", "某某科技有限公司")  # 0.98: the region is absent
    assert match_names(*pair).decision == "match"
    assert match_names(*pair, config=strict).decision == "possible"


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("thresholds", "possible", 0.9, "thresholds"),
        ("thresholds", "match", 1.5, "thresholds.match"),
        ("organisation", "trade_name_differs", 0.7, "organisation.trade_name_differs"),
        ("person", "name_only", 0.9, "person.name_only"),
        ("codes", "same", 0.5, "codes.same"),
        ("organisation", "no_such_rule", 0.1, "organisation.no_such_rule"),
    ],
)
def test_a_malformed_configuration_names_file_and_field(
    tmp_path: Path, section: str, key: str, value: float, message: str
) -> None:
    data = _shipped()
    data[section][key] = value
    path = _write(tmp_path, data)
    with pytest.raises(MatchingConfigError) as caught:
        load_config(path)
    assert str(path) in caught.value.message
    assert message in caught.value.message


def test_missing_fields_and_bad_files_fail_clearly(tmp_path: Path) -> None:
    data = _shipped()
    del data["person"]["id_differs"]
    with pytest.raises(MatchingConfigError, match=r"person\.id_differs"):
        load_config(_write(tmp_path, data))
    broken = tmp_path / "broken.yaml"
    broken.write_text("thresholds: [", encoding="utf-8")
    with pytest.raises(MatchingConfigError, match="not valid YAML"):
        load_config(broken)
    with pytest.raises(MatchingConfigError, match="cannot be read"):
        load_config(tmp_path / "absent.yaml")
