"""Rows in, staging tuples out: parse and stage inline, or in worker processes for big files.

Parsing and staging (dates, codes, tiers, masking, sealing, digests) is the CPU-heavy half
of a load. For a large file the reading process hands chunks of raw rows to a pool of
workers (``spawn``: no database connection crosses a fork) and writes their staged chunks,
in order, while the workers parse the next ones. Small files and API arrays stay inline.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice
from multiprocessing.pool import AsyncResult
from typing import Any

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import CatalogItem
from xinyong.core.config import get_settings
from xinyong.core.workdays import get_calendar
from xinyong.ingest.mapping import ColumnMap, map_headers
from xinyong.ingest.merge import copy_text
from xinyong.ingest.readers import RawRow
from xinyong.ingest.stage import Stager
from xinyong.ingest.values import CellError, RowParser

CHUNK = 5000
# Files from this size on are parsed by worker processes (when the machine has cores).
PARALLEL_FROM_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Parsed:
    """A row's payload, or its errors; ``review_name`` when it waits for review."""

    payload: dict[str, Any] | None
    errors: list[CellError]
    review_name: str | None = None


_LOOSE: dict[int, tuple[CatalogItem, CatalogItem]] = {}


def loose(item: CatalogItem) -> CatalogItem:
    """The item with its subject code optional: parses rows bound for the review queue."""
    hit = _LOOSE.get(id(item))
    if hit is None or hit[0] is not item:
        hit = _LOOSE[id(item)] = (item, _relaxed(item))
    return hit[1]


def _relaxed(item: CatalogItem) -> CatalogItem:
    fields = [
        spec.model_copy(update={"required": False})
        if spec.name == item.subject_code_field
        else spec
        for spec in item.fields
    ]
    return item.model_copy(update={"fields": fields})


def _header_of(columns: ColumnMap, name: str) -> str | None:
    return next((h for h, f in columns.fields.items() if f == name), None)


class FileRows:
    """Parses a file's rows; a row whose only fault is an empty subject code but which names
    its subject is parsed again without the code and goes to the review queue."""

    def __init__(self, columns: ColumnMap, today: date) -> None:
        self.columns = columns
        self.today = today
        self.parser = RowParser(columns, today=today)
        item = columns.item
        self.code_header = _header_of(columns, item.subject_code_field)
        self.name_header = _header_of(columns, item.subject_name_field)
        self._review: RowParser | None = None

    def parse(self, row: RawRow) -> Parsed:
        """One row's outcome of parsing."""
        payload, errors = self.parser.parse(row)
        if payload is not None:
            return Parsed(payload, [])
        name = str(row.cells.get(self.name_header) or "").strip() if self.name_header else ""
        if name and self._only_code_missing(errors, row):
            loose_payload, _ = self.review_parser().parse(row)
            if loose_payload is not None:
                return Parsed(loose_payload, [], review_name=name)
        return Parsed(None, errors)

    def review_parser(self) -> RowParser:
        if self._review is None:
            columns = self.columns
            relaxed = replace(columns, item=loose(columns.item))
            self._review = RowParser(relaxed, today=self.today)
        return self._review

    def _only_code_missing(self, errors: list[CellError], row: RawRow) -> bool:
        header = self.code_header
        if header is None or str(row.cells.get(header) or "").strip():
            return False
        return bool(errors) and all(e.column == header for e in errors)


def stage_one(
    stager: Stager, number: int, cells: dict[str, Any], parsed: Parsed
) -> tuple[Any, ...]:
    """The staging tuple of one parsed row."""
    if parsed.payload is None:
        return stager.rejected(number, cells, parsed.errors)
    if parsed.review_name is not None:
        return stager.review(number, cells, parsed.payload, parsed.review_name)
    return stager.staged(number, cells, parsed.payload)


def inline_chunks(
    stager: Stager, rows: Iterable[tuple[int, dict[str, Any], Parsed]]
) -> Iterator[list[tuple[Any, ...]]]:
    """Staged rows in chunks, made in this process."""
    chunk: list[tuple[Any, ...]] = []
    for number, cells, parsed in rows:
        chunk.append(stage_one(stager, number, cells, parsed))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def file_chunks(
    columns: ColumnMap, rows: Iterable[RawRow], today: date
) -> Iterator[list[tuple[Any, ...]]]:
    """A file's staged rows in chunks, parsed in this process."""
    parser = FileRows(columns, today)
    stager = Stager(item=columns.item, today=today, calendar=get_calendar())
    return inline_chunks(stager, ((r.number, r.cells, parser.parse(r)) for r in rows))


# --- worker processes ------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(item_code: str, headers: list[str], today: date, as_copy: bool) -> None:
    item = catalog_service.get_catalog().item(item_code)
    columns = map_headers(item, headers)
    _WORKER["headers"] = headers
    _WORKER["copy"] = as_copy
    _WORKER["rows"] = FileRows(columns, today)
    _WORKER["stager"] = Stager(item=item, today=today, calendar=get_calendar())


def _work(chunk: list[tuple[int, list[Any]]]) -> list[tuple[Any, ...]] | bytes:
    headers: list[str] = _WORKER["headers"]
    parser: FileRows = _WORKER["rows"]
    stager: Stager = _WORKER["stager"]
    out = []
    for number, values in chunk:
        row = RawRow(number, dict(zip(headers, values, strict=True)))
        out.append(stage_one(stager, number, row.cells, parser.parse(row)))
    return copy_text(out) if _WORKER["copy"] else out


def _raw_chunks(
    rows: Iterable[RawRow], headers: list[str]
) -> Iterator[list[tuple[int, list[Any]]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK)):
        yield [(r.number, [r.cells.get(h) for h in headers]) for r in chunk]


def workers() -> int:
    """How many parse workers to use (0: parse inline): the setting, else the cores."""
    configured = get_settings().ingest_workers
    if configured is not None:
        return max(0, configured)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(4, cores or 1) if (cores or 1) > 1 else 0


def parallel_chunks(
    columns: ColumnMap,
    headers: list[str],
    rows: Iterable[RawRow],
    today: date,
    processes: int,
    *,
    as_copy: bool = False,
) -> Iterator[list[tuple[Any, ...]] | bytes]:
    """A file's staged rows in chunks, in order, parsed by ``processes`` worker processes;
    ``as_copy``: each chunk already in COPY's text format (PostgreSQL), formatted by the
    worker and passed on as one string of bytes."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(
        processes, initializer=_init_worker, initargs=(columns.item.code, headers, today, as_copy)
    ) as pool:
        # At most two chunks per worker in flight: memory stays flat however big the file.
        pending: deque[AsyncResult[list[tuple[Any, ...]] | bytes]] = deque()
        for chunk in _raw_chunks(rows, headers):
            pending.append(pool.apply_async(_work, (chunk,)))
            if len(pending) >= 2 * processes:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
