"""The bulk path: many commitments from a file or an approval system's batch, all checked
first (per-row errors, nothing stored if any row is wrong), then inserted set-wise."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.commitments import service
from xinyong.commitments.config import Template, get_config
from xinyong.commitments.models import Commitment, CommitmentCondition
from xinyong.core.db import is_postgresql, utcnow
from xinyong.core.errors import Invalid, XinyongError
from xinyong.core.i18n import t
from xinyong.reports import signing
from xinyong.subjects.models import Department, Subject

COLUMNS = ("template", "department", "subject_code", "signed_on")
NUMBER = re.compile(r"^\d{20}$")
CHUNK = 2000


@dataclass(frozen=True)
class Row:
    template: Template
    department: Department
    subject: Subject
    signed_on: date
    number: str | None
    external_ref: str | None


def read_csv(data: bytes) -> list[dict[str, str]]:
    """Rows of a UTF-8 (or GB18030) CSV with the columns template, department, subject_code,
    signed_on and optionally number, external_ref."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(key="commit.err.import_columns", params={"columns": ", ".join(missing)})
    return [dict(row) for row in reader]


def _problem(row: int, error: XinyongError | str) -> str:
    text = error.localized("zh") if isinstance(error, XinyongError) else error
    return t("commit.err.import_row", "zh").format(row=row, problem=text)


class _Lookup:
    """Departments and subjects by key/code, loaded once per batch."""

    def __init__(self, session: Session, rows: Sequence[Mapping[str, str]]) -> None:
        self.departments: dict[str, Department] = {}
        for d in session.scalars(select(Department)):
            self.departments[d.key] = self.departments[d.code] = d
        codes = sorted({(r.get("subject_code") or "").strip().upper() for r in rows})
        self.subjects: dict[str, Subject] = {}
        for start in range(0, len(codes), CHUNK):
            part = codes[start : start + CHUNK]
            for s in session.scalars(select(Subject).where(Subject.uscc.in_(part))):
                self.subjects[s.uscc or ""] = s


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid(key="commit.err.bad_date", params={"value": raw[:20]}) from None


def _row(lookup: _Lookup, raw: Mapping[str, str], today: date) -> Row:
    template = get_config().get((raw.get("template") or "").strip())
    department = lookup.departments.get((raw.get("department") or "").strip())
    if department is None:
        raise Invalid(key="commit.err.no_such_department", details={"field": "department"})
    service.check_department(template, department)
    subject = lookup.subjects.get((raw.get("subject_code") or "").strip().upper())
    if subject is None:
        raise Invalid(key="commit.err.no_subject", details={"field": "subject_code"})
    service.check_subject(subject)
    signed_on = _day(raw.get("signed_on") or "")
    if signed_on > today:
        raise Invalid(key="commit.err.bad_date", params={"value": signed_on.isoformat()})
    number = (raw.get("number") or "").strip() or None
    if number is not None and not NUMBER.match(number):
        raise Invalid(key="commit.err.bad_number", params={"value": number[:30]})
    ref = (raw.get("external_ref") or "").strip() or None
    return Row(template, department, subject, signed_on, number, ref)


def check(session: Session, raws: Sequence[Mapping[str, str]], *, today: date) -> list[Row]:
    """Every row checked; any problem raises Invalid listing the rows (nothing stored)."""
    if not raws:
        raise Invalid(key="commit.err.import_empty")
    lookup = _Lookup(session, raws)
    rows: list[Row] = []
    problems: list[str] = []
    for index, raw in enumerate(raws, start=2):
        try:
            rows.append(_row(lookup, raw, today))
        except XinyongError as error:
            problems.append(_problem(index, error))
    problems += _duplicates(session, rows)
    if problems:
        raise Invalid("; ".join(problems[:20]), details={"problems": problems[:200]})
    return rows


def _duplicates(session: Session, rows: list[Row]) -> list[str]:
    """Numbers given twice in the file or already stored."""
    given = [r.number for r in rows if r.number]
    seen: set[str] = set()
    dupes = {n for n in given if n in seen or seen.add(n)}  # type: ignore[func-returns-value]
    for start in range(0, len(given), CHUNK):
        part = given[start : start + CHUNK]
        dupes |= set(session.scalars(select(Commitment.number).where(Commitment.number.in_(part))))
    return [t("commit.err.duplicate_number", "zh").format(number=n) for n in sorted(dupes)[:50]]


def _commitment_values(
    row: Row, number: str, actor: str, channel: str, at: datetime
) -> dict[str, Any]:
    text = service.render_text(row.template, row.subject, row.department, row.signed_on)
    seal = service.sealed(number, row.subject.id, row.template.code, text, at)
    return {
        "number": number,
        "template_code": row.template.code,
        "kind": row.template.kind.value,
        "subject_id": row.subject.id,
        "department_id": row.department.id,
        "matter": row.template.matter,
        "publicity": row.template.publicity.value,
        "status": "in_force",
        "channel": channel,
        "signed_on": row.signed_on,
        "signed_at": at,
        "signed_by": actor,
        "text": text,
        "text_digest": seal.text_digest,
        "suite": seal.suite,
        "key_id": seal.key_id,
        "signature": seal.signature,
        "external_ref": row.external_ref,
        "breach_entry_ids": [],
        "created_at": at,
    }


def _numbers(session: Session, rows: list[Row]) -> list[str]:
    """The given numbers, or fresh serials taken in one block per area and day."""
    needed: dict[tuple[str, date], int] = {}
    for row in rows:
        if row.number is None:
            key = ((row.department.region_code or "000000")[:6], row.signed_on)
            needed[key] = needed.get(key, 0) + 1
    next_serial = service.take_serial_blocks(session, needed)
    numbers = []
    for row in rows:
        if row.number is not None:
            numbers.append(row.number)
            continue
        key = ((row.department.region_code or "000000")[:6], row.signed_on)
        numbers.append(service.number_of(key[0], key[1], next_serial[key]))
        next_serial[key] += 1
    return numbers


def store(session: Session, rows: list[Row], *, actor: str, channel: str = "import") -> int:
    """Insert checked rows with their conditions, in chunks; returns how many."""
    numbers = _numbers(session, rows)
    signing.public_keys()  # warm the key cache once
    for start in range(0, len(rows), CHUNK):
        part = list(zip(rows[start : start + CHUNK], numbers[start : start + CHUNK], strict=True))
        at = utcnow().replace(microsecond=0)
        values = [_commitment_values(row, number, actor, channel, at) for row, number in part]
        if is_postgresql(session):
            _copy(session, values, part)
            continue
        made = session.execute(
            insert(Commitment).returning(Commitment.number, Commitment.id), values
        )
        ids = {number: id_ for number, id_ in made.all()}
        session.execute(insert(CommitmentCondition), list(_condition_values(part, ids)))
    audit_service.append(
        session,
        actor=actor,
        action="commitment.import",
        object_type="commitments",
        object_id=f"{numbers[0]}..{numbers[-1]}",
        summary={"count": len(rows), "channel": channel},
    )
    session.flush()
    return len(rows)


def _copy_rows(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    """Rows into a table by COPY (PostgreSQL's bulk path; parsing many-VALUES inserts costs
    more than writing them). JSON values go as their text."""
    columns = list(rows[0])
    driver: Any = session.connection().connection.driver_connection
    names = ", ".join(columns)
    with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(v) if isinstance(v, list | dict) else v for v in row.values()]
            )


def _copy(session: Session, values: list[dict[str, Any]], part: list[tuple[Row, str]]) -> None:
    """The PostgreSQL path: ids drawn from the sequence, both tables written by COPY."""
    new_ids = session.scalars(
        text(
            "SELECT nextval(pg_get_serial_sequence('commitments', 'id')) "
            "FROM generate_series(1, :n)"
        ),
        {"n": len(values)},
    ).all()
    for row, id_ in zip(values, new_ids, strict=True):
        row["id"] = id_
    _copy_rows(session, "commitments", values)
    ids = {row["number"]: row["id"] for row in values}
    _copy_rows(session, "commitment_conditions", list(_condition_values(part, ids)))


def _condition_values(
    part: Iterable[tuple[Row, str]], ids: Mapping[str, int]
) -> Iterable[dict[str, Any]]:
    for row, number in part:
        for condition in row.template.conditions:
            yield {
                "commitment_id": ids[number],
                "subject_id": row.subject.id,
                "department_id": row.department.id,
                "code": condition.code,
                "text": condition.text.zh,
                "deadline": condition.deadline.due(row.signed_on),
                "unit": condition.deadline.unit,
                "state": "pending",
            }


def import_rows(
    session: Session, raws: Sequence[Mapping[str, str]], *, actor: str, today: date,
    channel: str = "import",
) -> int:  # fmt: skip
    """Check then store; nothing is stored when any row is wrong."""
    rows = check(session, raws, today=today)
    return store(session, rows, actor=actor, channel=channel)
