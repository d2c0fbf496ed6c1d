"""``/api/v1/commitments``: approval systems push commitments (one or in bulk) with a
department's API key; anyone reads what its publicity allows; the receiving department
records performance."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from xinyong.auth import policy, queries
from xinyong.auth.principal import Principal
from xinyong.auth.scope import acting_department, acts_for_any
from xinyong.commitments import bulk, performance, service, stats
from xinyong.commitments.models import Commitment
from xinyong.core.errors import API_ERRORS, Invalid
from xinyong.reports.service import beijing_today
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department
from xinyong.web.deps import CurrentPrincipal, DbSession

router = APIRouter(
    prefix="/api/v1/commitments", tags=["commitments · 信用承诺"], responses=API_ERRORS
)
MAX_BULK = 10_000


class CommitmentCreate(BaseModel):
    """A commitment signed in an approval system (or at a counter) · 登记承诺."""

    model_config = ConfigDict(extra="forbid")

    template: str = Field(min_length=1, max_length=64)
    subject_code: str = Field(min_length=1, max_length=32)
    signed_on: date | None = None
    external_ref: str | None = Field(default=None, max_length=64)
    department: str | None = Field(default=None, max_length=64)


class BulkCreate(BaseModel):
    """Many commitments at once · 批量登记 (checked first; nothing stored if one is wrong)."""

    model_config = ConfigDict(extra="forbid")

    department: str | None = Field(default=None, max_length=64)
    items: list[dict[str, str]] = Field(min_length=1, max_length=MAX_BULK)


class Fulfilment(BaseModel):
    """How one condition was performed · 履约情况."""

    model_config = ConfigDict(extra="forbid")

    condition: str = Field(min_length=1, max_length=64)
    outcome: str = Field(min_length=1, max_length=16)
    evidence: str = Field(max_length=100_000)


def view(session: Any, c: Commitment) -> dict[str, Any]:
    """A commitment as the API shows it (the caller may see it)."""
    return {
        "number": c.number,
        "template": c.template_code,
        "kind": c.kind,
        "matter": c.matter,
        "subject_id": c.subject_id,
        "department_id": c.department_id,
        "status": c.status,
        "publicity": c.publicity,
        "channel": c.channel,
        "signed_on": c.signed_on.isoformat(),
        "text": c.text,
        "signature": {"suite": c.suite, "key_id": c.key_id, "valid": service.verify(c)},
        "conditions": [
            {
                "code": k.code,
                "text": k.text,
                "deadline": k.deadline.isoformat(),
                "unit": k.unit,
                "state": k.state,
                "overdue": k.overdue_since is not None and k.state in performance.OPEN_STATES,
            }
            for k in service.conditions(session, c)
        ],
    }


def _department(session: Any, principal: Principal, named: str | None) -> int:
    if named is None and acts_for_any(principal):
        raise Invalid(key="commit.err.name_department", details={"field": "department"})
    return acting_department(session, principal, named)


@router.post("", status_code=201)
def create(
    body: CommitmentCreate, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """登记信用承诺 · Register a commitment pushed by an approval system."""
    policy.require(principal, "commitments.register")
    department_id = _department(session, principal, body.department)
    subject = subjects_service.find_by_code(session, body.subject_code.strip().upper())
    if subject is None:
        raise Invalid(key="commit.err.no_subject", details={"field": "subject_code"})
    today = beijing_today()
    c = service.create(
        session,
        signing_=service.Signing(
            template_code=body.template,
            subject_id=subject.id,
            department_id=department_id,
            channel="api",
            actor=principal.actor,
            signed_on=min(body.signed_on or today, today),
            external_ref=body.external_ref,
        ),
    )
    return view(session, c)


@router.post("/bulk", status_code=201)
def create_bulk(
    body: BulkCreate, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """批量登记信用承诺 · Register many commitments (the bulk path)."""
    policy.require(principal, "commitments.register")
    department_id = _department(session, principal, body.department)
    own = session.get(Department, department_id)
    rows = [{**item, "department": own.key if own else ""} for item in body.items]
    count = bulk.import_rows(session, rows, actor=principal.actor, today=beijing_today(),
                             channel="api")  # fmt: skip
    return {"created": count}


@router.get("")
def browse(
    session: DbSession,
    principal: CurrentPrincipal,
    subject: Annotated[str | None, Query(max_length=32)] = None,
    purpose: Annotated[str | None, Query(max_length=200)] = None,
    kind: Annotated[str, Query(max_length=16)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """信用承诺列表 · Commitments the caller may see (by publicity), filtered; government
    names a ``purpose`` to include 特定范围 ones (the reads are registered)."""
    text = queries.checked_purpose(purpose) if purpose is not None else None
    subject_id = None
    if subject:
        found = subjects_service.find_by_code(session, subject.strip().upper())
        subject_id = found.id if found else -1
    filters = service.Filters(kind=kind, status=status, subject_id=subject_id)
    stmt = service.browse_query(principal, filters, purpose=text).limit(limit).offset(offset)
    rows = list(session.scalars(stmt))
    if text is not None:
        service.register_reads(session, principal, rows, text)
    items = [
        {
            "number": c.number,
            "kind": c.kind,
            "matter": c.matter,
            "subject_id": c.subject_id,
            "department_id": c.department_id,
            "status": c.status,
            "signed_on": c.signed_on.isoformat(),
        }
        for c in rows
    ]
    return {"items": items, "limit": limit, "offset": offset}


@router.get("/figures")
def figures(session: DbSession, principal: CurrentPrincipal) -> dict[str, Any]:
    """信用承诺统计 · Figures by kind, department and status; fulfilment and breach rates
    (over the commitments the caller may see)."""
    return stats.figures(session, publicities=service.publicities_for(principal))


@router.get("/{number}")
def get(
    number: str,
    session: DbSession,
    principal: CurrentPrincipal,
    purpose: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """一份信用承诺 · One commitment with its conditions and signature check (a 特定范围 one:
    government with a ``purpose``, registered)."""
    return view(session, service.readable(session, principal, number, purpose=purpose))


@router.post("/{number}/fulfilment")
def fulfil(
    number: str, body: Fulfilment, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """记录履约情况 · The receiving department records how a condition was performed."""
    policy.require(principal, "commitments.register")
    c = service.readable(session, principal, number)
    department_id = None if acts_for_any(principal) else (principal.department_id or -1)
    performance.record(
        session,
        c=c,
        condition_code=body.condition,
        outcome=body.outcome,
        evidence=body.evidence,
        actor=principal.actor,
        department_id=department_id,
        today=beijing_today(),
    )
    return view(session, c)
