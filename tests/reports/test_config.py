"""Report types load from data and a malformed city file names the key that is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinyong.reports import config


def _city(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "city.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_types() -> None:
    types = config.load([config.SHIPPED]).types
    assert set(types) >= {"public_legal", "bank", "special", "personal_own"}
    special = types["special"]
    assert special.period_years == 3 and "work_safety" in special.domains
    assert types["personal_own"].requesters == [config.Audience.subject]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("types: {bank: {validity_days: 0}}", "types.bank.validity_days"),
        (
            "types: {bank: {sections: [{key: x, kind: records, items: [nope],"
            " title: {zh: a, en: a}, empty: {zh: a, en: a},"
            " show: {subject: '*', authorised: '*'}}]}}",
            "no catalogue item 'nope'",
        ),
        (
            "types: {bank: {sections: [{key: x, kind: records, items: [admin_penalty],"
            " title: {zh: a, en: a}, empty: {zh: a, en: a},"
            " show: {subject: [nope], authorised: '*'}}]}}",
            "unknown fields ['nope']",
        ),
        ("types: {special: {domains: [moon]}}", "unknown domains ['moon']"),
        ("types: {bank: {watermark: {zh: '{who}', en: x}}}", "watermark"),
        ("types: {personal_own: {requesters: [subject, government]}}", "empty report"),
    ],
)
def test_city_file_mistakes_name_the_key(tmp_path: Path, text: str, where: str) -> None:
    with pytest.raises(
        config.ReportsConfigError, match=where.replace("[", r"\[").replace("]", r"\]")
    ):
        config.load([config.SHIPPED, _city(tmp_path, text)])
