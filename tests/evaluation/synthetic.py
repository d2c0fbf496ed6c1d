"""In-memory evaluation inputs (no database) for the engine's property tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from xinyong.evaluation import frames
from xinyong.evaluation.config import get_models

DEPARTMENTS = {1: "market_regulation", 2: "transport", 3: "ecology_environment", 4: "tax"}


@dataclass
class Rec:
    item: str
    decided: date
    severity: str | None = None
    department: int = 1
    fields: dict[str, Any] = field(default_factory=dict)


def inputs(
    subjects: list[tuple[int, str, str | None, date | None]],
    records: list[tuple[int, Rec]],
    lists: list[tuple[int, str]],
) -> frames.Inputs:
    """Frames shaped exactly as ``frames.read_inputs`` returns them."""
    models = list(get_models().models.values())
    names = frames.payload_fields(models)
    coded = set(frames.coded_fields(models))
    subject_frame = pl.DataFrame(
        subjects,
        schema={
            "subject_id": pl.Int64,
            "kind": pl.Utf8,
            "industry": pl.Utf8,
            "registration_date": pl.Date,
        },
        orient="row",
    )
    rows = []
    for index, (subject_id, rec) in enumerate(records, start=1):
        payload = [
            json.dumps(rec.fields[n], ensure_ascii=False)
            if isinstance(rec.fields.get(n), list)
            else (None if rec.fields.get(n) is None else str(rec.fields[n]))
            for n in names
        ]
        rows.append(
            (subject_id, index, rec.item, rec.severity, rec.decided, None, rec.department, *payload)
        )
    schema: dict[str, Any] = {
        "subject_id": pl.Int64,
        "record_id": pl.Int64,
        "item_code": pl.Categorical,
        "severity": pl.Categorical,
        "decision_date": pl.Date,
        "disclosure_end": pl.Date,
        "department_id": pl.Int64,
        **{f"f_{n}": pl.Categorical if n in coded else pl.Utf8 for n in names},
    }
    record_frame = pl.DataFrame(rows, schema=schema, orient="row")
    list_frame = pl.DataFrame(
        lists, schema={"subject_id": pl.Int64, "list_code": pl.Utf8}, orient="row"
    )
    return frames.Inputs(subject_frame, record_frame, list_frame, DEPARTMENTS)
