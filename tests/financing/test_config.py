"""The 信易贷 rules file is validated on load; a mistake names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from xinyong.financing import config


def test_shipped_rules_load() -> None:
    rules = config.get_config()
    assert rules.feedback_workdays >= 1 and "procurement" in rules.product_kinds
    assert rules.product_kinds["procurement"].needs_contract
    assert rules.grade_rank("A") < rules.grade_rank("D") < rules.grade_rank(None)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"feedback_workdays": 0}, "feedback_workdays"),
        ({"fund": {"share": 1.5, "cap_per_firm": 1, "cap_per_bank": 1}}, "fund.share"),
        ({"authorisation_days": {"default": 90, "max": 30}}, "authorisation_days"),
        ({"unknown_key": 1}, "unknown_key"),
    ],
)
def test_a_mistake_names_file_and_key(
    tmp_path: Path, change: dict[str, object], where: str
) -> None:
    data = yaml.safe_load(config.SHIPPED.read_text(encoding="utf-8"))
    data.update(change)
    broken = tmp_path / "financing.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(config.FinancingConfigError) as error:
        config.load(broken)
    assert str(broken) in error.value.message and where in error.value.message
