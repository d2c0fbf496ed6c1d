"""Turn generated chunks into plain row tuples ready for bulk insert.

This is the CPU-heavy half of loading a demo city (generation, name normalisation, ID
encryption, JSON): it runs either inline or in a producer process that feeds the writer
through a queue, so that generation and writing overlap on a multi-core machine.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from xinyong.catalog import service as catalog_service
from xinyong.core.crypto import encrypt_text, lookup_hash
from xinyong.core.db import utcnow
from xinyong.demo.fields import DepartmentInfo
from xinyong.demo.generator import Chunk, CityGenerator, SubjectRow
from xinyong.demo.payloads import RecordFactory, RecordRow
from xinyong.identity import codes
from xinyong.identity.kinds import SubjectKind
from xinyong.subjects import service as subjects_service

SUBJECT_COLUMNS = (
    "id", "kind", "category", "uscc", "id_number_hash", "id_number_enc", "id_number_masked",
    "name", "name_normalized", "status", "verified", "region_code", "registration_date",
    "industry", "created_at", "updated_at",
)  # fmt: skip
RELATION_COLUMNS = ("subject_id", "related_subject_id", "kind", "share_ratio", "valid_from")
RECORD_COLUMNS = (
    "id", "subject_id", "item_code", "department_id", "source_record_id", "version",
    "is_current", "state", "decision_date", "severity", "polarity", "disclosure_end", "payload",
    "protected", "catalog_version", "batch_id", "supersedes_id", "state_reason", "created_at",
    "updated_at",
)  # fmt: skip
EVENT_COLUMNS = ("record_id", "subject_id", "from_state", "to_state", "reason", "actor", "at")


@dataclass(frozen=True)
class CitySpec:
    """Everything needed to generate a city, picklable for a producer process."""

    subjects: int
    seed: int
    region: str
    anchor: date
    records_per_subject: float
    first_subject_id: int
    first_record_id: int
    departments: dict[str, list[DepartmentInfo]]
    postgres: bool


@dataclass
class ChunkRows:
    subjects: list[tuple[Any, ...]] = field(default_factory=list)
    relations: list[tuple[Any, ...]] = field(default_factory=list)
    records: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ProducerFailure:
    """A producer process failed; the traceback travels to the writer, which raises it."""

    text: str


def _timestamp(postgres: bool) -> datetime | str:
    now = utcnow()
    return now if postgres else now.strftime("%Y-%m-%d %H:%M:%S.%f")


def _subject_tuple(row: SubjectRow, now: datetime | str) -> tuple[Any, ...]:
    secret = masked = digest = None
    if row.id_number:
        digest = lookup_hash(row.id_number)
        secret = encrypt_text(row.id_number)
        masked = codes.mask_id_number(row.id_number)
    name_normalized = subjects_service.normalized_name(SubjectKind(row.kind), row.name)
    return (
        row.id, row.kind, row.category, row.uscc, digest, secret, masked, row.name,
        name_normalized, row.status, True, row.region_code, row.registration_date,
        row.industry, now, now,
    )  # fmt: skip


def _record_tuple(row: RecordRow, version: str, now: datetime | str) -> tuple[Any, ...]:
    return (
        row.id, row.subject_id, row.item_code, row.department_id, row.source_record_id,
        row.version, row.is_current, row.state, row.decision_date, row.severity, row.polarity,
        row.disclosure_end, json.dumps(row.payload, ensure_ascii=False), row.protected, version,
        row.batch_id, row.supersedes_id, row.state_reason, now, now,
    )  # fmt: skip


def chunk_rows(chunk: Chunk, factory: RecordFactory, postgres: bool) -> ChunkRows:
    """All rows of one chunk: subjects, relations, records and their state events."""
    now = _timestamp(postgres)
    records = factory.records_for_chunk(chunk)
    out = ChunkRows()
    out.subjects = [_subject_tuple(r, now) for r in chunk.subjects]
    out.relations = [
        (r.subject_id, r.related_subject_id, r.kind, r.share_ratio, r.valid_from)
        for r in chunk.relations
    ]
    version = factory.catalog.version
    out.records = [_record_tuple(r, version, now) for r in records]
    out.events = [
        (r.id, r.subject_id, "active", r.state, r.state_reason or "", "demo:generator", now)
        for r in records
        if r.state != "active"
    ]
    for row in chunk.subjects:
        out.by_kind[row.kind] = out.by_kind.get(row.kind, 0) + 1
    return out


def generate(spec: CitySpec) -> Iterator[ChunkRows]:
    """The city's rows, chunk by chunk, in order."""
    generator = CityGenerator(seed=spec.seed, region=spec.region, anchor=spec.anchor)
    factory = RecordFactory(
        catalog=catalog_service.get_catalog(),
        departments=spec.departments,
        anchor=spec.anchor,
        records_per_subject=spec.records_per_subject,
        first_record_id=spec.first_record_id,
        seed=spec.seed,
    )
    for chunk in generator.chunks(spec.subjects, first_id=spec.first_subject_id):
        yield chunk_rows(chunk, factory, spec.postgres)


def produce(spec: CitySpec, queue: Any) -> None:
    """Producer process: put every chunk's rows on the queue, then None (or a failure)."""
    try:
        for rows in generate(spec):
            queue.put(rows)
        queue.put(None)
    except BaseException:
        queue.put(ProducerFailure(traceback.format_exc()))
