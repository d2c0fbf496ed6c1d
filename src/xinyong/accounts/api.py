"""JSON routes of accounts: who am I, my query register, my authorisations (thin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from xinyong.auth import authorisations, policy, queries
from xinyong.auth.schemas import AuthorisationCreate
from xinyong.core.errors import API_ERRORS, Forbidden
from xinyong.web.deps import CurrentPrincipal, DbSession

router = APIRouter(
    prefix="/api/v1/me",
    tags=["accounts · 账户"],
    responses=API_ERRORS,
)


class Me(BaseModel):
    kind: str
    role: str | None
    label: str
    department_id: int | None
    organisation_id: int | None
    subject_id: int | None
    actions: list[str]


class QueryEntry(BaseModel):
    at: datetime
    who: str
    what: list[str]
    purpose: str
    matter_code: str | None
    outcome: str


class AuthorisationRead(BaseModel):
    id: int
    organisation_id: int
    scope: list[str]
    purpose: str
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@router.get("", response_model=Me)
def me(principal: CurrentPrincipal) -> Me:
    """Who is calling and what they may do · 当前身份及权限."""
    actions = sorted(a for a in policy.ACTIONS if policy.can(principal, a))
    return Me(
        kind=principal.kind,
        role=principal.role,
        label=principal.label,
        department_id=principal.department_id,
        organisation_id=principal.organisation_id,
        subject_id=principal.subject_id,
        actions=actions,
    )


def _own_subject(principal: Any, action: str) -> int:
    policy.require(principal, action)
    if principal.subject_id is None:
        raise Forbidden(key="auth.err.own_account")
    return int(principal.subject_id)


@router.get("/queries", response_model=list[QueryEntry])
def my_queries(principal: CurrentPrincipal, session: DbSession) -> list[QueryEntry]:
    """Who looked at my non-public data, what and why · 查询记录."""
    subject_id = _own_subject(principal, "queries.read_own")
    return [
        QueryEntry(
            at=q.at,
            who=q.actor_label,
            what=q.what,
            purpose=q.purpose,
            matter_code=q.matter_code,
            outcome=q.outcome,
        )
        for q in queries.for_subject(session, subject_id=subject_id)
    ]


@router.post("/authorisations", response_model=AuthorisationRead, status_code=201)
def grant_authorisation(
    data: AuthorisationCreate, principal: CurrentPrincipal, session: DbSession
) -> AuthorisationRead:
    """Let an organisation read my listed items for a purpose until a date · 授权查询."""
    subject_id = _own_subject(principal, "authorisations.manage")
    row = authorisations.grant(
        session, subject_id=subject_id, data=data, granted_by=principal.account_id
    )
    return AuthorisationRead.model_validate(row, from_attributes=True)


@router.delete("/authorisations/{authorisation_id}", response_model=AuthorisationRead)
def revoke_authorisation(
    authorisation_id: int, principal: CurrentPrincipal, session: DbSession
) -> AuthorisationRead:
    """Withdraw an authorisation at once · 撤回授权."""
    subject_id = _own_subject(principal, "authorisations.manage")
    row = authorisations.revoke(
        session,
        authorisation_id=authorisation_id,
        subject_id=subject_id,
        account_id=principal.account_id,
    )
    return AuthorisationRead.model_validate(row, from_attributes=True)
