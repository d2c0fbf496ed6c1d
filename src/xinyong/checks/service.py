"""Credit checks (逢办必查): a department asks, in a matter and for a purpose, what applies.

``run_single`` answers one request at once (up to ``MAX_SUBJECTS`` subjects); batch checks
(统查, :mod:`xinyong.checks.batch`) open a check, then feed it rows chunk by chunk with
``process``. Every subject found is registered as a query (查询登记) with the purpose and
matter; every check is one entry in the audit log. Each measure found is a hit with a
feedback due date in working days (``feedback_working_days`` of the measures catalogue).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import JSON, Table, insert, select, text
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.auth import queries, scope
from xinyong.auth.principal import Principal
from xinyong.checks.facts import Found, entry_json, gather
from xinyong.checks.models import CheckHit, CheckRow, CreditCheck
from xinyong.checks.resolve import (
    NameResolver,
    Resolution,
    SearchNames,
    SubjectQuery,
    resolve_all,
)
from xinyong.core.db import is_postgresql, utcnow
from xinyong.core.errors import Forbidden, Invalid, NotFound
from xinyong.core.workdays import add_workdays
from xinyong.measures.catalog import MeasureCatalog, get_catalog
from xinyong.subjects.models import Department

MAX_SUBJECTS = 100
WHAT = ["lists", "measures", "records"]


def _department(session: Session, principal: Principal, department_id: int | None) -> Department:
    """The checking department: the caller's own (never one named by a caller without a
    department, such as an organisation's key); the credit office's admins name one."""
    if scope.acts_for_any(principal):  # the credit office's admins check for the one named
        wanted = department_id if department_id is not None else principal.department_id
        if wanted is None:
            raise Invalid(key="ckc.err.department", details={"field": "department"})
    else:
        wanted = scope.own_department(principal)
        if department_id is not None and department_id != wanted:
            raise Forbidden(key="ckc.err.own_name")
    department = session.get(Department, wanted)
    if department is None or not department.active:
        raise Invalid(
            key="ckc.err.no_department", params={"wanted": wanted}, details={"field": "department"}
        )
    return department


def open_check(
    session: Session,
    *,
    principal: Principal,
    department_id: int | None,
    matter: str,
    purpose: str,
    kind: str,
    today: date,
    rows_total: int = 0,
    file_name: str | None = None,
) -> CreditCheck:
    """A new check (state running for single checks, queued for batches), validated."""
    catalog = get_catalog()
    catalog.matter(matter)
    text = queries.checked_purpose(purpose)
    department = _department(session, principal, department_id)
    check = CreditCheck(
        kind=kind,
        state="running" if kind == "single" else "queued",
        department_id=department.id,
        matter_code=matter,
        purpose=text,
        actor=principal.actor,
        actor_label=principal.label,
        checked_on=today,
        catalog_version=catalog.version,
        rows_total=rows_total,
        file_name=file_name,
    )
    session.add(check)
    session.flush()
    return check


def _row_values(check: CreditCheck, item: Resolution, found: Found | None) -> dict[str, Any]:
    detail = dict(item.detail)
    if found is not None:
        detail["entries"] = [entry_json(e) for e in found.entries]
        detail["records"] = [r.id for r in found.relevant_records()]
    return {
        "check_id": check.id,
        "row_no": item.row_no,
        "query_name": item.name,
        "query_code": item.code_shown,
        "resolution": item.resolution,
        "subject_id": item.subject_id,
        "score": item.score,
        "detail": detail or None,
        "lists": sorted(found.facts.lists) if found is not None else [],
        "hit_count": len(found.hits) if found is not None else 0,
    }


def _hit_values(check: CreditCheck, row_id: int, found: Found, due: date) -> list[dict[str, Any]]:
    return [
        {
            "check_id": check.id,
            "row_id": row_id,
            "subject_id": found.subject.id,
            "department_id": check.department_id,
            "matter_code": check.matter_code,
            "measure_code": hit.measure.code,
            "measure_kind": hit.measure.kind.value,
            "reasons": list(hit.reasons),
            "feedback": "pending",
            "feedback_due": due,
            "version": 1,
            "updated_at": utcnow(),
        }
        for hit in found.hits
    ]


def _copy(session: Session, table: Table, values: list[dict[str, Any]]) -> list[int]:
    """PostgreSQL: insert rows with COPY, ids drawn from the table's sequence; the ids in the
    order of ``values`` (a batch check writes thousands of rows per chunk)."""
    from psycopg.types.json import Jsonb

    draw = text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")
    ids = sorted(session.scalars(draw, {"t": table.name, "n": len(values)}))
    names = list(values[0])
    json_columns = {name for name in names if isinstance(table.c[name].type, JSON)}
    connection = session.connection().connection.driver_connection
    assert connection is not None
    sql = f"COPY {table.name} (id, {', '.join(names)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row_id, row in zip(ids, values, strict=True):
            cells = [Jsonb(row[n]) if n in json_columns and row[n] is not None else row[n]
                     for n in names]  # fmt: skip
            copy.write_row([row_id, *cells])
    return ids


def _insert_rows(session: Session, values: list[dict[str, Any]]) -> dict[int, int]:
    """Insert check rows; their ids by row number."""
    if is_postgresql(session):
        ids = _copy(session, CheckRow.__table__, values)  # type: ignore[arg-type]
        return {value["row_no"]: row_id for value, row_id in zip(values, ids, strict=True)}
    stmt = insert(CheckRow).returning(CheckRow.id, CheckRow.row_no, sort_by_parameter_order=True)
    return {no: rid for rid, no in session.execute(stmt, values)}


def _insert_hits(session: Session, hits: list[dict[str, Any]]) -> None:
    if is_postgresql(session):
        _copy(session, CheckHit.__table__, hits)  # type: ignore[arg-type]
    else:
        session.execute(insert(CheckHit), hits)


def _register(
    session: Session,
    check: CreditCheck,
    found: dict[int, Found],
    *,
    principal: Principal,
    seen: set[int] | None,
) -> None:
    """Register and count the subjects found, those ``seen`` in earlier chunks excepted."""
    new = [sid for sid in found if seen is None or sid not in seen]
    queries.register_many(
        session,
        principal=principal,
        subject_ids=new,
        what=WHAT,
        purpose=check.purpose,
        outcome="allowed",
        matter_code=check.matter_code,
        detail={"check_id": check.id},
    )
    check.subjects_found += len(new)
    check.subjects_hit += sum(1 for sid in new if found[sid].hits)
    if seen is not None:
        seen.update(new)


def process(
    session: Session,
    check: CreditCheck,
    resolutions: Sequence[Resolution],
    *,
    principal: Principal,
    catalog: MeasureCatalog | None = None,
    seen: set[int] | None = None,
) -> None:
    """Check resolved rows: gather facts, store rows and hits, register the queries.
    ``seen``: subjects of the check's earlier chunks (registered and counted once)."""
    catalog = catalog or get_catalog()
    today = check.checked_on
    ids = [r.subject_id for r in resolutions if r.subject_id is not None]
    found = gather(session, ids, catalog=catalog, matter=check.matter_code, today=today)
    values = [_row_values(check, r, found.get(r.subject_id or 0)) for r in resolutions]
    row_ids = _insert_rows(session, values) if values else {}
    due = add_workdays(today, catalog.feedback_working_days)
    hits = [
        hit
        for r in resolutions
        if r.subject_id in found
        for hit in _hit_values(check, row_ids[r.row_no], found[r.subject_id], due)
    ]
    if hits:
        _insert_hits(session, hits)
    _register(session, check, found, principal=principal, seen=seen)
    check.rows_done += len(resolutions)
    check.hits += len(hits)


def finish(session: Session, check: CreditCheck, *, principal: Principal) -> None:
    """Close the check and write its one audit entry."""
    check.state = "done"
    check.finished_at = utcnow()
    session.flush()
    audit(session, check, principal=principal, action="measures.check")


def audit(session: Session, check: CreditCheck, *, principal: Principal, action: str) -> None:
    """One audit entry for the check (the subject's id when it was about one subject)."""
    subject_id = None
    if check.kind == "single" and check.subjects_found == 1:
        subject_id = session.scalar(
            select(CheckRow.subject_id).where(
                CheckRow.check_id == check.id, CheckRow.subject_id.is_not(None)
            )
        )
    audit_service.append(
        session,
        actor=principal.actor,
        action=action,
        object_type="credit_check",
        object_id=check.id,
        subject_id=subject_id,
        summary={
            "kind": check.kind,
            "state": check.state,
            "department_id": check.department_id,
            "matter": check.matter_code,
            "purpose": check.purpose,
            "rows": check.rows_done,
            "subjects_found": check.subjects_found,
            "subjects_hit": check.subjects_hit,
            "hits": check.hits,
        },
    )


def checked_subjects(subjects: Sequence[SubjectQuery]) -> Sequence[SubjectQuery]:
    """Between 1 and MAX_SUBJECTS rows, each with a code or a name."""
    if not subjects or len(subjects) > MAX_SUBJECTS:
        raise Invalid(
            key="ckc.err.subjects_count",
            params={"MAX_SUBJECTS": MAX_SUBJECTS},
            details={"field": "subjects"},
        )
    for query in subjects:
        if not (query.code or "").strip() and not (query.name or "").strip():
            raise Invalid(
                key="ckc.err.code_or_name",
                params={"row": query.row_no},
                details={"field": f"subjects[{query.row_no - 1}]"},
            )
    return subjects


def run_single(
    session: Session,
    *,
    principal: Principal,
    department_id: int | None,
    matter: str,
    purpose: str,
    subjects: Sequence[SubjectQuery],
    today: date,
    names: NameResolver | None = None,
) -> CreditCheck:
    """Check up to MAX_SUBJECTS subjects now and return the finished check."""
    rows = checked_subjects(subjects)
    check = open_check(
        session,
        principal=principal,
        department_id=department_id,
        matter=matter,
        purpose=purpose,
        kind="single",
        today=today,
        rows_total=len(rows),
    )
    resolved = resolve_all(session, rows, names or SearchNames(session))
    process(session, check, resolved, principal=principal)
    finish(session, check, principal=principal)
    return check


def get(session: Session, check_id: int) -> CreditCheck:
    """The check with this id, or NotFound."""
    check = session.get(CreditCheck, check_id)
    if check is None:
        raise NotFound(key="cb.err.no_check", params={"check_id": check_id})
    return check


def may_read(principal: Principal, check: CreditCheck) -> bool:
    """The checking department's own staff and keys; admins and auditors everything."""
    if principal.kind == "staff" and principal.role in ("admin", "auditor"):
        return True
    return principal.department_id is not None and principal.department_id == check.department_id


def readable(session: Session, principal: Principal, check_id: int) -> CreditCheck:
    """The check if the principal may read it (NotFound otherwise: no existence leak)."""
    check = get(session, check_id)
    if not may_read(principal, check):
        raise NotFound(key="cb.err.no_check", params={"check_id": check_id})
    return check


def rows_of(
    session: Session,
    check_id: int,
    *,
    offset: int = 0,
    limit: int = 200,
    with_hits: bool = False,
) -> list[CheckRow]:
    """A page of the check's rows, in input order (``with_hits``: only rows with a hit)."""
    stmt = select(CheckRow).where(CheckRow.check_id == check_id)
    if with_hits:
        stmt = stmt.where(CheckRow.hit_count > 0)
    stmt = stmt.order_by(CheckRow.row_no).offset(offset).limit(limit)
    return list(session.scalars(stmt))


def hits_of(session: Session, row_ids: Sequence[int]) -> dict[int, list[CheckHit]]:
    """The hits of these rows, by row id."""
    found: dict[int, list[CheckHit]] = {}
    if not row_ids:
        return found
    stmt = select(CheckHit).where(CheckHit.row_id.in_(list(row_ids))).order_by(CheckHit.id)
    for hit in session.scalars(stmt):
        found.setdefault(hit.row_id, []).append(hit)
    return found
