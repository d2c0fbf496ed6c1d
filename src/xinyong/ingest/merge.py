"""The set-based half of a load: a staging table, then SQL that decides and applies.

Rows are streamed into a temporary staging table (COPY on PostgreSQL, executemany on
SQLite); subjects are resolved, in-file duplicates and conflicts with existing records are
found, and the outcome of every row is decided with a handful of statements on both
stores. Nothing outside the staging table is written until ``apply`` — so a strict batch
with one bad row writes no record, and a killed process leaves the database as it was
(the whole batch is one transaction, committed by the caller).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, DateTime, bindparam, text

from xinyong.core.db import utcnow
from xinyong.ingest.stage import STAGE_COLUMNS, dumps
from xinyong.ingest.values import kind_zh

STAGE = "ingest_stage"
# Once ``classify`` has run, a row without an outcome is accepted: marking every new row
# 'accepted' would rewrite the whole staging table once more (most rows of a load are new).
ACCEPTED = "outcome IS NULL"

_TYPES = {
    "row_number": "INTEGER", "outcome": "TEXT", "errors": "{json}", "cells": "{json}",
    "source_record_id": "TEXT", "code_kind": "TEXT", "lookup": "TEXT", "subject_code": "TEXT",
    "subject_kind": "TEXT", "subject_name": "TEXT", "decision_date": "DATE",
    "severity": "TEXT", "polarity": "TEXT", "disclosure_end": "DATE", "state": "TEXT",
    "payload": "{json}", "protected": "TEXT", "content_hash": "TEXT", "late": "INTEGER",
    "workdays": "INTEGER",
}  # fmt: skip
_DECIDED = (
    ("subject_id", "INTEGER"),
    ("current_id", "INTEGER"),
    ("current_version", "INTEGER"),
    ("current_state", "TEXT"),
    ("current_subject_id", "INTEGER"),
    ("current_hash", "TEXT"),
)


def _copy_escaped(value: str) -> str:
    """A value in COPY's text format: backslash escapes for the characters that would end a
    value or a row (``str.replace`` per character: ``str.translate`` with a table is slow on
    Chinese text, and most values need no escape at all)."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value:
        value = value.replace("\t", "\\t")
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return value


def copy_text(rows: Sequence[Sequence[Any]]) -> bytes:
    """Staged rows in PostgreSQL's COPY text format (what ``Stage.write`` sends), so parse
    workers can format their chunks themselves and the loading process only passes bytes on."""
    lines = []
    for row in rows:
        cells = []
        for value in row:
            if value is None:
                cells.append("\\N")
            elif isinstance(value, str):
                cells.append(_copy_escaped(value))
            elif isinstance(value, bool | int):
                cells.append(str(int(value)))
            else:
                cells.append(_copy_escaped(str(value)))
        lines.append("\t".join(cells))
    lines.append("")
    return "\n".join(lines).encode("utf-8")


@dataclass(frozen=True)
class Rejection:
    """A row the merge refuses, with the column and reason to report."""

    row: int
    column: str
    value: str
    reason: str


class Stage:
    """The staging table of one batch on one connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    # --- set-up and streaming -------------------------------------------------------------

    def create(self) -> None:
        """Create the (temporary) staging table."""
        json_type = "JSONB" if self.postgres else "TEXT"
        columns = [f"{name} {_TYPES[name].format(json=json_type)}" for name in STAGE_COLUMNS]
        columns += [f"{name} {kind}" for name, kind in _DECIDED]
        scope = "ON COMMIT DROP" if self.postgres else ""
        if self.postgres:
            self.exec("SET LOCAL work_mem = '128MB'")  # joins and groupings of the stage in memory
        else:
            # A bulk merge touches the records indexes all over: give SQLite a cache for them.
            self.exec("PRAGMA cache_size=-262144")
        self.exec(f"DROP TABLE IF EXISTS {STAGE}")
        self.exec(f"CREATE TEMPORARY TABLE {STAGE} ({', '.join(columns)}) {scope}")

    def write(self, rows: Sequence[Sequence[Any]] | bytes) -> None:
        """Append staged rows (COPY on PostgreSQL, executemany on SQLite); on PostgreSQL also
        rows already in COPY's text format (``copy_text``)."""
        if not rows:
            return
        driver: Any = self.connection.connection.driver_connection
        names = ", ".join(STAGE_COLUMNS)
        if self.postgres:
            with driver.cursor() as cursor, cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN") as cp:
                if isinstance(rows, bytes):
                    cp.write(rows)
                else:
                    for row in rows:
                        cp.write_row(row)
            return
        if isinstance(rows, bytes):
            raise TypeError("COPY text is for PostgreSQL; SQLite takes rows")
        marks = ", ".join("?" for _ in STAGE_COLUMNS)
        cursor = driver.cursor()
        cursor.executemany(f"INSERT INTO {STAGE} ({names}) VALUES ({marks})", rows)
        cursor.close()

    def index(self) -> None:
        """Indexes the decisions need, built once the rows are in."""
        self.exec(f"CREATE INDEX ix_{STAGE}_source ON {STAGE} (source_record_id)")
        self.exec(f"CREATE INDEX ix_{STAGE}_row ON {STAGE} (row_number)")
        if self.postgres:
            self.exec(f"ANALYZE {STAGE}")

    def drop(self) -> None:
        """Drop the staging table (PostgreSQL drops it at commit anyway)."""
        self.exec(f"DROP TABLE IF EXISTS {STAGE}")

    def exec(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        """Run one statement on the batch's connection."""
        return self.connection.execute(text(sql), params or {})

    # --- resolution -----------------------------------------------------------------------

    def resolve_subjects(self) -> None:
        """Existing subjects by USCC, by the keyed hash of an ID number, or by an old code."""
        pending = f"{STAGE}.outcome IS NULL AND {STAGE}.subject_id IS NULL"
        self.exec(
            f"UPDATE {STAGE} SET subject_id = s.id FROM subjects s "
            f"WHERE {pending} AND {STAGE}.code_kind = 'uscc' AND s.uscc = {STAGE}.lookup"
        )
        self.exec(
            f"UPDATE {STAGE} SET subject_id = s.id FROM subjects s WHERE {pending} "
            f"AND {STAGE}.code_kind = 'id_number' AND s.id_number_hash = {STAGE}.lookup"
        )
        self.exec(
            f"UPDATE {STAGE} SET subject_id = i.subject_id FROM subject_identifiers i "
            f"WHERE {pending} AND {STAGE}.code_kind IN ('registration_number', "
            f"'organization_code') AND i.scheme = {STAGE}.code_kind AND i.value = {STAGE}.lookup"
        )

    def unknown_subjects(self) -> list[tuple[str, str, str, str, str]]:
        """Codes of rows to load whose subject does not exist yet (one row per code)."""
        rows = self.exec(
            f"SELECT code_kind, lookup, subject_code, subject_kind, subject_name FROM {STAGE} "
            f"WHERE row_number IN (SELECT MIN(row_number) FROM {STAGE} WHERE {ACCEPTED} "
            f"AND subject_id IS NULL GROUP BY code_kind, lookup) ORDER BY row_number"
        )
        return [tuple(r) for r in rows]

    def wrong_kinds(self, allowed: Iterable[str]) -> list[Rejection]:
        """Rows whose (existing) subject is of a kind the item does not apply to."""
        kinds = sorted(allowed)
        marks = ", ".join(f":k{i}" for i in range(len(kinds)))
        rows = self.exec(
            f"SELECT st.row_number, s.kind FROM {STAGE} st JOIN subjects s ON s.id = st.subject_id "
            f"WHERE st.outcome IS NULL AND (s.kind NOT IN ({marks}) OR s.kind <> st.subject_kind)",
            {f"k{i}": k for i, k in enumerate(kinds)},
        )
        return [
            Rejection(
                r[0],
                "subject",
                r[1],
                f"该代码对应的主体是{kind_zh(r[1])} · the subject with this code is a {r[1]}",
            )
            for r in rows
        ]

    # --- decisions ------------------------------------------------------------------------

    def duplicates(self) -> tuple[list[Rejection], int]:
        """Same source record id twice in the file: different content → every occurrence
        rejected; identical content → the first loads, the others are unchanged."""
        groups = self.exec(
            f"SELECT source_record_id, COUNT(DISTINCT content_hash) FROM {STAGE} "
            f"WHERE outcome IS NULL GROUP BY source_record_id HAVING COUNT(*) > 1"
        ).all()
        rejected: list[Rejection] = []
        for source_id, distinct in groups:
            rows = [
                r[0]
                for r in self.exec(
                    f"SELECT row_number FROM {STAGE} WHERE outcome IS NULL AND "
                    f"source_record_id = :s ORDER BY row_number",
                    {"s": source_id},
                )
            ]
            if distinct > 1:
                listed = ", ".join(str(r) for r in rows[:10])
                listed_zh = "、".join(str(r) for r in rows[:10])
                reason = (
                    f"源记录编号 {source_id} 在第 {listed_zh} 行重复出现，且内容不同 · "
                    f"source record id {source_id} appears in rows {listed} with different content"
                )
                rejected += [Rejection(r, "source_record_id", source_id, reason) for r in rows]
            else:
                self.exec(
                    f"UPDATE {STAGE} SET outcome = 'unchanged' WHERE source_record_id = :s "
                    f"AND outcome IS NULL AND row_number > :first",
                    {"s": source_id, "first": rows[0]},
                )
        return rejected, len(groups)

    def attach_current(self, *, item_code: str, department_id: int) -> int:
        """The current version of each row's record, if the platform holds one; how many
        rows name a record the platform holds."""
        updated = self.exec(
            f"UPDATE {STAGE} SET current_id = r.id, current_version = r.version, "
            f"current_state = r.state, current_subject_id = r.subject_id, "
            f"current_hash = r.content_hash FROM records r WHERE {STAGE}.outcome IS NULL "
            f"AND r.item_code = :item AND r.department_id = :dept "
            f"AND r.source_record_id = {STAGE}.source_record_id AND r.is_current",
            {"item": item_code, "dept": department_id},
        )
        return int(updated.rowcount)

    def missing_hashes(self) -> list[int]:
        """Current versions loaded before content digests existed (digested in Python)."""
        rows = self.exec(
            f"SELECT current_id FROM {STAGE} WHERE outcome IS NULL AND current_id IS NOT NULL "
            f"AND current_hash IS NULL"
        )
        return [r[0] for r in rows]

    def set_current_hashes(self, digests: dict[int, str]) -> None:
        """Fill in digests computed in Python."""
        for record_id, digest in digests.items():
            self.exec(
                f"UPDATE {STAGE} SET current_hash = :h WHERE current_id = :id",
                {"h": digest, "id": record_id},
            )

    def conflicts(self) -> list[Rejection]:
        """Rows whose record belongs to another subject, or was revoked and is resent changed."""
        rows = self.exec(
            f"SELECT row_number, source_record_id, current_state, "
            f"(subject_id IS NULL OR subject_id <> current_subject_id) FROM {STAGE} "
            f"WHERE outcome IS NULL AND current_id IS NOT NULL AND ("
            f"subject_id IS NULL OR subject_id <> current_subject_id OR "
            f"(current_state = 'revoked' AND content_hash <> current_hash))"
        )
        out = []
        for row, source_id, state, other in rows:
            reason = (
                f"记录 {source_id} 已属于其他主体 · "
                f"record {source_id} already belongs to another subject"
                if other
                else f"记录 {source_id} 已撤销（{state}），不能再更正 · "
                f"record {source_id} was revoked ({state}) and cannot be corrected"
            )
            out.append(Rejection(row, "source_record_id", source_id, reason))
        return out

    def classify(self) -> None:
        """Unchanged or corrected: the undecided rows naming a record the platform holds get
        their outcome; the other undecided rows are accepted (``ACCEPTED``, left as they are)."""
        self.exec(
            f"UPDATE {STAGE} SET outcome = CASE WHEN content_hash = current_hash "
            f"THEN 'unchanged' ELSE 'corrected' END "
            f"WHERE outcome IS NULL AND current_id IS NOT NULL"
        )

    def reject(self, rejections: Sequence[Rejection]) -> None:
        """Mark rows rejected, adding each reason to the row's errors."""
        by_row: dict[int, list[dict[str, Any]]] = {}
        for r in rejections:
            entry = {"row": r.row, "column": r.column, "value": r.value, "reason": r.reason}
            by_row.setdefault(r.row, []).append(entry)
        for row, errors in by_row.items():
            self.exec(
                f"UPDATE {STAGE} SET outcome = 'rejected', errors = :e WHERE row_number = :r",
                {"e": dumps(errors), "r": row},
            )

    def counts(self) -> dict[str, int]:
        """Rows per outcome, and late rows among the accepted ones (after ``classify``)."""
        out = {"late": 0}
        for outcome, n, late in self.exec(
            f"SELECT outcome, COUNT(*), SUM(CASE WHEN late = 1 THEN 1 ELSE 0 END) FROM {STAGE} "
            f"GROUP BY outcome"
        ):
            out[outcome or "accepted"] = int(n)
            if outcome is None:
                out["late"] = int(late or 0)
        return out

    def keep_rejected(self, batch_id: str) -> None:
        """Copy rows rejected while parsing (cells staged) to the batch's rejected rows."""
        self.exec(
            f"INSERT INTO ingest_rejected_rows (batch_id, row_number, cells, errors) "
            f"SELECT :batch, row_number, cells, errors FROM {STAGE} "
            f"WHERE outcome IN ('rejected', 'review') AND cells IS NOT NULL ORDER BY row_number",
            {"batch": batch_id},
        )

    def rejected_without_cells(self) -> list[tuple[int, Any]]:
        """Rows the merge rejected (valid rows, staged without their cells): row, errors."""
        rows = self.exec(
            f"SELECT row_number, errors FROM {STAGE} WHERE outcome IN ('rejected', 'review') "
            f"AND cells IS NULL ORDER BY row_number"
        )
        return [(r[0], r[1]) for r in rows]

    def review_rows(self) -> Iterator[tuple[int, Any, str | None]]:
        """Rows waiting for review: row, payload, subject name."""
        rows = self.exec(
            f"SELECT row_number, payload, subject_name FROM {STAGE} WHERE outcome = 'review' "
            f"ORDER BY row_number"
        )
        for r in rows.all():
            yield r[0], r[1], r[2]

    # --- apply ----------------------------------------------------------------------------

    def apply(
        self, *, item_code: str, department_id: int, batch_id: str, actor: str, catalog: str
    ) -> None:
        """Write the decided rows: supersede corrected versions, insert new versions."""
        now = utcnow()
        reason = f"resubmitted with changes in batch {batch_id}"
        params = {"now": now, "reason": reason, "actor": actor}
        self._run(
            f"INSERT INTO record_events (record_id, subject_id, from_state, to_state, reason, "
            f"actor, at) SELECT current_id, current_subject_id, current_state, 'corrected', "
            f":reason, :actor, :now FROM {STAGE} WHERE outcome = 'corrected'",
            params,
        )
        self._run(
            f"UPDATE records SET is_current = FALSE, state = 'corrected', state_reason = :reason, "
            f"updated_at = :now WHERE id IN (SELECT current_id FROM {STAGE} "
            f"WHERE outcome = 'corrected')",
            {"now": now, "reason": reason},
        )
        # SQLite reads the stage in row order through its index; PostgreSQL would sort.
        order = "" if self.postgres else " ORDER BY row_number"
        self._run(_INSERT_RECORDS.format(stage=STAGE, order=order), {
            "now": now, "item": item_code, "dept": department_id, "batch": batch_id,
            "catalog": catalog,
        })  # fmt: skip

    def _run(self, sql: str, params: dict[str, Any]) -> None:
        statement = text(sql).bindparams(bindparam("now", type_=DateTime(timezone=True)))
        self.connection.execute(statement, params)


_INSERT_RECORDS = """
INSERT INTO records (subject_id, item_code, department_id, source_record_id, version,
    is_current, state, decision_date, severity, polarity, disclosure_end, payload, protected,
    content_hash, catalog_version, batch_id, supersedes_id, state_reason, reported_workdays,
    reported_late, created_at, updated_at)
SELECT subject_id, :item, :dept, source_record_id, COALESCE(current_version, 0) + 1, TRUE,
    CASE WHEN current_state = 'repaired' THEN 'repaired' ELSE state END,
    decision_date, severity, polarity, disclosure_end, payload, protected, content_hash,
    :catalog, :batch, current_id, NULL, workdays,
    CASE WHEN workdays IS NULL THEN NULL WHEN late = 1 THEN TRUE ELSE FALSE END, :now, :now
FROM {stage} WHERE outcome IS NULL OR outcome = 'corrected'{order}
"""
