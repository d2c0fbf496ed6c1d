"""Collection tests keep the files they receive under the test's own directory."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xinyong.catalog import service as catalog_service
from xinyong.core.config import reset_settings


@pytest.fixture(autouse=True)
def ingest_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "kept"
    monkeypatch.setenv("XINYONG_INGEST_DIR", str(folder))
    reset_settings()
    yield folder
    reset_settings()


def labelled(item_code: str, payload: dict[str, Any]) -> dict[str, str]:
    """A payload under the item's Chinese template headers, as a department writes it."""
    item = catalog_service.get_catalog().item(item_code)
    out = {}
    for spec in item.fields:
        value = payload.get(spec.name)
        if isinstance(value, list):
            value = ";".join(value)
        out[spec.label.zh] = "" if value is None else str(value)
    return out


def write_csv(
    path: Path, item_code: str, payloads: list[dict[str, Any]], encoding: str = "gbk"
) -> Path:
    """A CSV of the payloads under the template headers, in the given encoding."""
    rows = [labelled(item_code, p) for p in payloads]
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
