"""List types are data: the shipped file, a city's file layered over it, mistakes named."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinyong.core.config import reset_settings
from xinyong.lists.config import ListKind, ListsConfigError, ListSource, get_config, reset_config


def _city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "lists.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("XINYONG_LISTS_FILE", str(path))
    reset_settings()
    reset_config()


def test_shipped_lists() -> None:
    config = get_config()
    assert set(config.lists) == {
        "red_list",
        "serious_dishonesty_list",
        "key_attention_list",
        "abnormal_operation",
        "dishonest_judgment_debtor",
    }
    red, black = config.get("red_list"), config.get("serious_dishonesty_list")
    assert (red.kind, red.name.zh, red.item_code) == (ListKind.red, "守信激励对象名单", "honour")
    assert "国发〔2016〕33号" in red.legal_basis_text()
    assert black.objection_window == 5 and black.term == "P3Y"
    assert "国办发〔2020〕49号" in black.legal_basis_text()
    assert "国家市场监督管理总局令第44号" in black.legal_basis_text()
    assert config.get("key_attention_list").public is False
    assert config.get("key_attention_list").item_code is None
    court = config.get("dishonest_judgment_debtor")
    assert court.source is ListSource.records and "法释〔2017〕7号" in court.legal_basis_text()
    assert "第十七条" in config.get("abnormal_operation").legal_basis_text()
    (rule,) = config.escalations
    assert (rule.from_list, rule.after, rule.to) == (
        "abnormal_operation",
        "P3Y",
        "serious_dishonesty_list",
    )


def test_city_file_changes_one_attribute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _city(tmp_path, monkeypatch, "lists:\n  red_list:\n    term: P2Y\n")
    config = get_config()
    assert config.get("red_list").term == "P2Y"
    assert config.get("red_list").name.zh == "守信激励对象名单"
    assert config.get("serious_dishonesty_list").term == "P3Y"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            "lists:\n  serious_dishonesty_list:\n    objection_window: -1\n",
            "lists.serious_dishonesty_list.objection_window",
        ),
        (
            "lists:\n  serious_dishonesty_list:\n    removal_conditions:\n"
            "      - {code: term_ended, zh: 期满, en: Ended}\n",
            "lists.serious_dishonesty_list",
        ),
        ("lists:\n  red_list:\n    deciders: [ministry_of_magic]\n", "lists.red_list.deciders"),
        (
            "lists:\n  abnormal_operation:\n    item_code: no_such_item\n",
            "lists.abnormal_operation.item_code",
        ),
        (
            "escalations:\n  - {from: abnormal_operation, after: P1Y, to: nowhere,"
            " legal_basis: x, reasons: y}\n",
            "escalations.0",
        ),
        ("lists:\n  red_list:\n    colour: red\n", "lists.red_list.colour"),
    ],
)
def test_mistakes_name_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, where: str
) -> None:
    _city(tmp_path, monkeypatch, text)
    with pytest.raises(ListsConfigError) as raised:
        get_config()
    assert where in raised.value.message
    assert "lists.yaml" in raised.value.message
