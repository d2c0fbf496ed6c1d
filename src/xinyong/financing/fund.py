"""The risk-compensation fund (风险补偿资金池): contributions by the credit office, loss
claims by banks on granted loans, the office's approval, and an append-only ledger whose
running balance always equals contributions minus compensations (``reconcile``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from xinyong.audit import service as audit_service
from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.core.db import utcnow
from xinyong.core.errors import Conflict, Invalid, NotFound, XinyongError
from xinyong.financing import applications
from xinyong.financing.config import get_config
from xinyong.financing.models import FundClaim, FundEntry


class LedgerIsAppendOnly(XinyongError):
    """A ledger row was about to be changed or deleted."""

    status_code = 409
    code = "ledger_append_only"


@event.listens_for(FundEntry, "before_update")
@event.listens_for(FundEntry, "before_delete")
def _refuse_change(*_: object) -> None:
    raise LedgerIsAppendOnly(key="fin.err.append_only")


def balance(session: Session) -> int:
    """The fund's balance: the last ledger row's balance (0 before any)."""
    last = session.scalar(select(FundEntry).order_by(FundEntry.id.desc()).limit(1))
    return last.balance_after if last is not None else 0


def _append(
    session: Session, *, kind: str, amount: int, actor: str, note: str, claim_id: int | None = None
) -> FundEntry:
    current = balance(session)
    after = current + amount if kind == "contribution" else current - amount
    if after < 0:
        raise Conflict(key="fin.err.fund_short", params={"balance": current})
    row = FundEntry(
        kind=kind, amount=amount, balance_after=after, actor=actor, note=note, claim_id=claim_id
    )
    session.add(row)
    session.flush()
    audit_service.append(
        session,
        actor=actor,
        action=f"financing.fund.{kind}",
        object_type="financing_fund_entry",
        object_id=row.id,
        summary={"amount": amount, "balance_after": after, "claim_id": claim_id},
    )
    return row


def contribute(
    session: Session, *, principal: Principal, amount: int, note: str, actor: str | None = None
) -> FundEntry:
    """The credit office pays money into the fund (``actor``: a job acting for it)."""
    policy.require(principal, "financing.fund")
    if amount <= 0:
        raise Invalid(key="fin.err.positive", details={"field": "amount"})
    who = actor or principal.actor
    return _append(session, kind="contribution", amount=amount, actor=who, note=note)


def _paid(session: Session, column: InstrumentedAttribute[int], value: int) -> int:
    stmt = select(func.coalesce(func.sum(FundClaim.compensation), 0)).where(
        column == value, FundClaim.state == "approved"
    )
    return int(session.scalar(stmt) or 0)


def compensation_for(session: Session, *, subject_id: int, bank_id: int, loss: int) -> int:
    """The share of a loss the rules pay, within what the caps per firm and bank leave."""
    rules = get_config().fund
    left_firm = rules.cap_per_firm - _paid(session, FundClaim.subject_id, subject_id)
    left_bank = rules.cap_per_bank - _paid(session, FundClaim.bank_id, bank_id)
    return max(0, min(int(loss * rules.share), left_firm, left_bank))


def file_claim(
    session: Session, *, principal: Principal, application_id: int, loss_amount: int, note: str
) -> FundClaim:
    """A bank files a loss claim on a loan it granted (one open claim per loan)."""
    app = applications.for_bank(
        session, principal=principal, application_id=application_id, action="financing.claim"
    )
    if app.state != "granted" or app.granted_amount is None:
        raise Conflict(key="fin.err.not_granted", params={"id": app.id})
    if loss_amount > app.granted_amount:
        raise Invalid(key="fin.err.loss", details={"field": "loss_amount"})
    open_claim = session.scalar(
        select(FundClaim.id).where(
            FundClaim.application_id == app.id, FundClaim.state.in_(("filed", "approved"))
        )
    )
    if open_claim is not None:
        raise Conflict(key="fin.err.claimed", params={"id": app.id})
    claim = FundClaim(
        application_id=app.id,
        subject_id=app.subject_id,
        bank_id=app.bank_id,
        loss_amount=loss_amount,
        compensation=compensation_for(
            session, subject_id=app.subject_id, bank_id=app.bank_id, loss=loss_amount
        ),
        note=note.strip(),
        filed_by=principal.actor,
    )
    session.add(claim)
    session.flush()
    audit_service.append(
        session,
        actor=principal.actor,
        action="financing.claim.file",
        object_type="financing_fund_claim",
        object_id=claim.id,
        subject_id=claim.subject_id,
        summary={"loss": loss_amount, "compensation": claim.compensation},
    )
    return claim


def decide_claim(
    session: Session, *, principal: Principal, claim_id: int, approve: bool
) -> FundClaim:
    """The credit office approves (paying out of the fund, recomputed within the caps) or
    rejects a filed claim."""
    policy.require(principal, "financing.fund")
    claim = session.get(FundClaim, claim_id)
    if claim is None:
        raise NotFound(key="fin.err.no_claim", params={"id": claim_id})
    if claim.state != "filed":
        raise Conflict(key="fin.err.claim_decided", params={"id": claim_id})
    claim.decided_by, claim.decided_at = principal.actor, utcnow()
    if approve:
        claim.compensation = compensation_for(
            session, subject_id=claim.subject_id, bank_id=claim.bank_id, loss=claim.loss_amount
        )
        if claim.compensation > 0:
            _append(
                session,
                kind="compensation",
                amount=claim.compensation,
                actor=principal.actor,
                note=f"claim {claim.id} · application {claim.application_id}",
                claim_id=claim.id,
            )
    claim.state = "approved" if approve else "rejected"
    session.flush()
    return claim


@dataclass(frozen=True)
class Reconciliation:
    contributions: int
    compensations: int
    balance: int
    approved_claims: int
    ok: bool


def reconcile(session: Session) -> Reconciliation:
    """Contributions − compensations = balance; every row's balance follows from the one
    before; compensations paid = approved claims' compensation."""
    running, chained = 0, True
    totals = {"contribution": 0, "compensation": 0}
    for row in session.scalars(select(FundEntry).order_by(FundEntry.id)):
        running += row.amount if row.kind == "contribution" else -row.amount
        totals[row.kind] += row.amount
        chained = chained and running == row.balance_after
    approved = int(
        session.scalar(
            select(func.coalesce(func.sum(FundClaim.compensation), 0)).where(
                FundClaim.state == "approved"
            )
        )
        or 0
    )
    ok = chained and running == balance(session) and approved == totals["compensation"]
    return Reconciliation(totals["contribution"], totals["compensation"], running, approved, ok)


def claims(
    session: Session, *, state: str | None = None, bank_ids: set[int] | None = None
) -> list[FundClaim]:
    """Claims, newest first (of some banks, in a state)."""
    stmt = select(FundClaim)
    if state:
        stmt = stmt.where(FundClaim.state == state)
    if bank_ids is not None:
        stmt = stmt.where(FundClaim.bank_id.in_(bank_ids))
    return list(session.scalars(stmt.order_by(FundClaim.id.desc()).limit(500)))


def ledger(session: Session, *, limit: int = 500) -> list[FundEntry]:
    """The ledger, newest first."""
    return list(session.scalars(select(FundEntry).order_by(FundEntry.id.desc()).limit(limit)))
