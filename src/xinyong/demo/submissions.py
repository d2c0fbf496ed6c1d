"""Submission files as a department would send them, about a generated city's subjects.

The city is regenerated from its seed and anchor (the same subjects ``xinyong demo``
loads), and each row is an item's payload written under the national template's Chinese
headers — for the collection tests and ``bench/ingest.py``.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import CatalogItem
from xinyong.demo.fields import DepartmentInfo
from xinyong.demo.generator import CityGenerator, SubjectRow
from xinyong.demo.payloads import RecordFactory


def city_subjects(*, subjects: int, seed: int, anchor: date, region: str) -> Iterator[SubjectRow]:
    """The generated city's subjects, in id order."""
    generator = CityGenerator(seed=seed, region=region, anchor=anchor)
    for chunk in generator.chunks(subjects, first_id=1):
        yield from chunk.subjects


def payloads(
    *,
    item: CatalogItem,
    department: DepartmentInfo,
    subjects: list[SubjectRow],
    rows: int,
    anchor: date,
    seed: int = 7,
    max_age_days: int = 300,
) -> Iterator[dict[str, Any]]:
    """``rows`` clear payloads of the item about randomly chosen subjects it applies to."""
    kinds = {k.value for k in item.subject_kinds}
    pool = [s for s in subjects if s.kind in kinds]
    if not pool:
        raise ValueError(f"no generated subject is of a kind item {item.code} applies to")
    factory = RecordFactory(
        catalog=catalog_service.get_catalog(),
        departments={department.kind: [department]},
        anchor=anchor,
        records_per_subject=1,
        first_record_id=1,
        seed=seed,
    )
    rng = random.Random(f"xinyong-submission:{seed}:{item.code}")
    for _ in range(rows):
        subject = rng.choice(pool)
        decided = anchor - timedelta(days=rng.randrange(1, max_age_days))
        yield factory.submission_payload(rng, item, subject, department, decided)
        factory.next_id += 1  # the serial numbers decision documents


def cell(value: Any) -> str:
    """A payload value as a spreadsheet cell (several enum values joined by ';')."""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else str(value)


def write_csv(
    path: Path, item: CatalogItem, rows: Iterator[dict[str, Any]], *, encoding: str = "gbk"
) -> int:
    """Write payloads as a CSV under the items' Chinese labels; rows that the encoding
    cannot hold are skipped (GBK lacks a few rare characters). Returns rows written."""
    written = 0
    names = [spec.name for spec in item.fields]
    with path.open("w", encoding=encoding, newline="") as handle:
        out = csv.writer(handle)
        out.writerow([spec.label.zh for spec in item.fields])
        for payload in rows:
            line = [cell(payload.get(name)) for name in names]
            try:
                "".join(line).encode(encoding)
            except UnicodeEncodeError:
                continue
            out.writerow(line)
            written += 1
    return written


def department_info(
    key: str, department_id: int, kind: str, name: str, code: str
) -> DepartmentInfo:
    """The generator's view of a department (key kept for the caller's convenience)."""
    del key
    return DepartmentInfo(id=department_id, kind=kind, name=name, code=code)
