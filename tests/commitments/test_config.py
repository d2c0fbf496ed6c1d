"""The templates file is validated on load: errors name the file, the template and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from xinyong.commitments import config
from xinyong.core.yamlio import read_yaml


def _write(tmp_path: Path, change: dict[str, object]) -> Path:
    data = read_yaml(config.SHIPPED)
    template = data["templates"]["construction_drawing_review"]
    template.update(change)
    path = tmp_path / "commitments.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_templates_load() -> None:
    loaded = config.load(config.SHIPPED)
    assert {t.kind for t in loaded.templates.values()} >= {
        config.Kind.deficiency, config.Kind.certificate, config.Kind.repair
    }  # fmt: skip


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"text": "承诺于{deadline_nope}前补齐材料，否则承担责任。"}, "text: unknown placeholders"),
        ({"publicity": "半公开"}, "templates.construction_drawing_review.publicity"),
        ({"department": "bakery"}, "templates.construction_drawing_review.department"),
        ({"remind_before": -1}, "templates.construction_drawing_review.remind_before"),
        ({"colour": "red"}, "templates.construction_drawing_review.colour"),
    ],
)
def test_errors_name_file_template_and_key(
    tmp_path: Path, change: dict[str, object], where: str
) -> None:
    path = _write(tmp_path, change)
    with pytest.raises(config.CommitmentConfigError) as error:
        config.load(path)
    assert str(path) in error.value.message and where in error.value.message
    assert "construction_drawing_review" in error.value.message


def test_breach_lists_must_be_decided_by_the_department(tmp_path: Path) -> None:
    data = read_yaml(config.SHIPPED)
    data["templates"]["industry_self_discipline"]["breach"]["lists"] = ["serious_dishonesty_list"]
    path = tmp_path / "commitments.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(config.CommitmentConfigError) as error:
        config.load(path)
    assert "templates.industry_self_discipline.breach.lists" in error.value.message
