"""``/api/v1/points/…``: a village's published board (public), an account's balance and
history (staff of its unit), declarations and review decisions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from xinyong.auth import policy, queries
from xinyong.auth.principal import Principal
from xinyong.core.errors import API_ERRORS, NotFound
from xinyong.points import ledger, months, service
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import RawId, parse_id

router = APIRouter(prefix="/api/v1/points", tags=["points · 村民积分制"], responses=API_ERRORS)


def _allowed(action: str) -> Callable[[Principal], Principal]:
    """A dependency: the caller, once allowed ``action`` (checked before the body is read)."""

    def guard(principal: CurrentPrincipal) -> Principal:
        policy.require(principal, action)
        return principal

    return guard


Reader = Annotated[Principal, Depends(_allowed("points.read"))]
Recorder = Annotated[Principal, Depends(_allowed("points.record"))]
Reviewer = Annotated[Principal, Depends(_allowed("points.review"))]


class Declaration(BaseModel):
    """A deed to record for an account (it waits for the monthly review)."""

    model_config = ConfigDict(extra="forbid")

    account_id: int = Field(ge=1, le=2**31 - 1)
    item: str = Field(min_length=1, max_length=16)
    deed_date: date
    declared_by: str = Field(min_length=1, max_length=64)
    channel: Literal["in_person", "phone", "sms", "wechat", "app"] = "in_person"
    evidence: str | None = Field(default=None, max_length=500)


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    reason: str | None = Field(default=None, max_length=500)


def _entry_json(entry: Any) -> dict[str, Any]:
    return {
        "id": entry.id, "kind": entry.kind, "item": entry.item_code, "points": entry.points,
        "period": entry.period, "deed_date": entry.deed_date.isoformat(), "status": entry.status,
        "channel": entry.channel, "reverses": entry.reverses_id,
    }  # fmt: skip


@router.get("/villages/{village_id}/board")
def board(village_id: RawId, session: DbSession) -> dict[str, Any]:
    """村积分公示 · A village's latest published board (names masked as the scheme says)."""
    village = service.village(session, parse_id(village_id, "village_id", error=NotFound))
    found = months.board(session, village=village)
    return {
        "village": village.name,
        "period": found.month.period,
        "objection_until": found.month.objection_until.isoformat(),
        "rows": [
            {"rank": r.rank, "name": r.name, "balance": r.balance, "change": r.change,
             "stars": r.stars}
            for r in found.rows
        ],
    }  # fmt: skip


@router.get("/accounts/{account_id}")
def account(
    account_id: RawId,
    session: DbSession,
    principal: Reader,
    purpose: Annotated[str, Query(max_length=200)] = "村民积分管理",
) -> dict[str, Any]:
    """积分账户 · An account's balance (base + approved entries), star level and entries;
    the read is registered (查询登记) with its purpose."""
    found = service.account(session, parse_id(account_id, "account_id", error=NotFound))
    service.check_unit(session, principal, service.village(session, found.village_id))
    queries.register(
        session, principal=principal, subject_id=found.subject_id, what=["points_ledger"],
        purpose=queries.checked_purpose(purpose), outcome="allowed",
    )  # fmt: skip
    scheme = ledger.scheme_for(session, found)
    balance = ledger.balance(session, found)
    level = scheme.star_level(balance)
    return {
        "id": found.id, "kind": found.kind, "scheme": scheme.code, "base": scheme.base_points,
        "balance": balance, "stars": level.stars if level else 0,
        "entries": [_entry_json(e) for e in ledger.history(session, found.id)],
    }  # fmt: skip


@router.post("/entries", status_code=201)
def declare(data: Declaration, session: DbSession, principal: Recorder) -> dict[str, Any]:
    """申报积分 · Record a deed for an account of the caller's unit (pending review)."""
    found = service.account(session, data.account_id)
    service.check_unit(session, principal, service.village(session, found.village_id))
    entry = ledger.declare(
        session, account=found, item_code=data.item, deed_date=data.deed_date,
        declared_by=data.declared_by, channel=data.channel, recorded_by=principal.actor,
        evidence=data.evidence,
    )  # fmt: skip
    return _entry_json(entry)


@router.post("/entries/{entry_id}/decision")
def decide(
    entry_id: RawId, data: Decision, session: DbSession, principal: Reviewer
) -> dict[str, Any]:
    """审核积分 · Approve or reject a pending entry (a second person; its month open)."""
    row = ledger.entry(session, parse_id(entry_id, "entry_id", error=NotFound))
    service.check_unit(session, principal, service.village(session, row.village_id))
    decided = ledger.decide(
        session, entry_id=row.id, approve=data.approve, actor=principal.actor, reason=data.reason
    )
    return _entry_json(decided)
