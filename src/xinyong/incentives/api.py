"""JSON API of 信易+: the public scenarios and keys, partners' verification and proposals,
and figures (a partner its own; the credit office all)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from xinyong.auth import policy
from xinyong.core.db import write_session
from xinyong.core.errors import API_ERRORS, Forbidden
from xinyong.incentives import service, tokens
from xinyong.incentives import verify as verification
from xinyong.reports import signing
from xinyong.web.deps import CurrentPrincipal, DbSession, current_principal

router = APIRouter(prefix="/api/v1/incentives", tags=["incentives · 信易+"], responses=API_ERRORS)


class VerifyRequest(BaseModel):
    """A scan at a partner's outlet: the scenario, the token read from the code, the outlet."""

    scenario: str = Field(min_length=1, max_length=64)
    token: str = Field(min_length=1, max_length=tokens.MAX_TOKEN)
    outlet: str | None = Field(default=None, max_length=200)


class VerifyAnswer(BaseModel):
    """The agreed answer: nothing about the holder beyond its masked name."""

    status: str
    scenario: str
    holder: str | None
    message: dict[str, str]
    checked_at: str


class Proposal(BaseModel):
    """A partner's scenario (the same fields as incentives/data/scenarios.yaml)."""

    definition: dict[str, Any]


def public_view(scenario: service.Scenario) -> dict[str, Any]:
    """A published scenario as anyone may read it (rule and legal basis included)."""
    spec = scenario.spec.model_dump(mode="json")
    return {**spec, "source": scenario.source}


@router.get("/scenarios")
def scenarios(session: DbSession) -> list[dict[str, Any]]:
    """The published scenarios and how to qualify · 信易+ 场景及条件."""
    return [public_view(s) for _, s in sorted(service.catalogue(session).items())]


@router.get("/keys")
def keys() -> dict[str, Any]:
    """The public keys credit codes are signed with, and the token format · 信用码验签公钥."""
    return {
        "format": "XYC1.<key id>.<base64url payload>.<base64url signature>",
        "signed": "ASCII of XYC1.<key id>.<payload>",
        "payload": {"id": "random token id", "iat": "issued (Unix s)", "exp": "expires (Unix s)"},
        "lifetime_seconds": int(tokens.LIFETIME.total_seconds()),
        "keys": [key.__dict__ for key in signing.public_keys().values()],
    }


@router.post("/verify", response_model=VerifyAnswer)
def verify(body: VerifyRequest, request: Request) -> dict[str, Any]:
    """Verify a holder's credit code for the partner's scenario; eligible means redeemed ·
    核验信用码(符合即核销)."""
    # One writing session opened, used and committed in this handler's thread (not the
    # request's session dependency): the transaction holds the store's write lock (SQLite)
    # and the audit chain's lock, and under load every worker thread may be waiting for
    # them, so a transaction spread over two threads could wait for a free thread in turn.
    session = write_session()
    try:
        principal = current_principal(request, session)
        answer = verification.verify(
            session,
            principal=principal,
            scenario_code=body.scenario,
            token=body.token,
            outlet=body.outlet,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    return answer.as_json()


@router.post("/proposals", status_code=201)
def propose(body: Proposal, principal: CurrentPrincipal, session: DbSession) -> dict[str, Any]:
    """A partner proposes a scenario; the credit office publishes it · 合作机构申报场景."""
    row = service.propose(session, principal=principal, definition=body.definition)
    return {"id": row.id, "code": row.code, "state": row.state}


@router.get("/figures")
def figures(principal: CurrentPrincipal, session: DbSession) -> list[dict[str, Any]]:
    """Verifications, redemptions and value per scenario: a partner's own, or all for the
    credit office · 场景统计."""
    if policy.can(principal, "incentives.figures"):
        rows = service.figures(session)
    elif policy.can(principal, "incentives.verify") or policy.can(principal, "incentives.propose"):
        if principal.organisation_id is None:
            raise Forbidden(key="inc.err.partners_only")
        rows = service.figures(session, organisation_id=principal.organisation_id)
    else:
        policy.require(principal, "incentives.figures")
        rows = []
    return [{**row.__dict__, "value": str(row.value)} for row in rows]
