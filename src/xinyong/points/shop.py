"""The village points shop: goods with prices in points and stock; a clerk redeems for a
household (by its card code) with a balance check and a receipt. Two redemptions at once
never overdraw: the account row is locked (PostgreSQL) or the write transaction is
exclusive (SQLite), and stock falls by a conditional update."""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.core.db import utcnow
from xinyong.core.errors import Conflict, Invalid, NotFound
from xinyong.points import ledger, service
from xinyong.points.models import PointsAccount, PointsEntry, PointsGood, PointsRedemption


def add_good(
    session: Session, *, village_id: int, name: str, price: int, stock: int, actor: str
) -> PointsGood:
    """A good on the village shop's shelf."""
    if price <= 0:
        raise Invalid(key="pts.err.price", details={"field": "price"})
    if stock < 0:
        raise Invalid(key="pts.err.stock", details={"field": "stock"})
    good = PointsGood(village_id=village_id, name=name.strip()[:100], price=price, stock=stock)
    session.add(good)
    session.flush()
    audit_service.append(
        session, actor=actor, action="points.good.add", object_type="points_good",
        object_id=good.id, summary={"name": good.name, "price": price, "stock": stock},
    )  # fmt: skip
    return good


def goods(session: Session, village_id: int) -> list[PointsGood]:
    """The village shop's goods, cheapest first."""
    stmt = (
        select(PointsGood)
        .where(PointsGood.village_id == village_id)
        .order_by(PointsGood.price, PointsGood.id)
    )
    return list(session.scalars(stmt))


def redeem(
    session: Session, *, card_code: str, good_id: int, quantity: int, clerk: str
) -> PointsRedemption:
    """Redeem goods for a household: refuses when the balance or the stock is short."""
    if not 1 <= quantity <= 99:
        raise Invalid(key="pts.err.quantity", details={"field": "quantity"})
    found = service.account_by_card(session, card_code)
    # Lock the account: a second redemption for it waits here until this one commits.
    account = session.scalar(
        select(PointsAccount).where(PointsAccount.id == found.id).with_for_update()
    )
    assert account is not None
    session.refresh(account)
    good = session.get(PointsGood, good_id)
    if good is None or good.village_id != account.village_id:
        raise NotFound(key="pts.err.no_good", params={"id": good_id})
    cost = good.price * quantity
    have = ledger.balance(session, account)
    if have < cost:
        raise Conflict(key="pts.err.balance_short", params={"balance": have, "cost": cost})
    taken = session.execute(
        update(PointsGood)
        .where(PointsGood.id == good.id, PointsGood.stock >= quantity)
        .values(stock=PointsGood.stock - quantity)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(key="pts.err.out_of_stock", params={"name": good.name})
    day = service.beijing_today()
    entry = PointsEntry(
        account_id=account.id, subject_id=account.subject_id, village_id=account.village_id,
        period=ledger.open_period(session, account.village_id, day), kind="redemption",
        points=-cost, deed_date=day, declared_by=clerk, channel="in_person",
        status="approved", recorded_by=clerk, approved_by=clerk, decided_at=utcnow(),
        reason=f"{good.name} × {quantity}",
    )  # fmt: skip
    session.add(entry)
    session.flush()
    receipt = PointsRedemption(
        receipt_no=f"R{day:%Y%m%d}{secrets.token_hex(4).upper()}", account_id=account.id,
        good_id=good.id, quantity=quantity, points=cost, entry_id=entry.id, clerk=clerk,
    )  # fmt: skip
    session.add(receipt)
    session.flush()
    session.refresh(good)
    audit_service.append(
        session, actor=clerk, action="points.redeem", object_type="points_redemption",
        object_id=receipt.id, subject_id=account.subject_id,
        summary={"good": good.name, "quantity": quantity, "points": cost},
    )  # fmt: skip
    return receipt


def receipt(session: Session, receipt_no: str) -> PointsRedemption:
    """A redemption by its receipt number, or NotFound."""
    found = session.scalar(
        select(PointsRedemption).where(PointsRedemption.receipt_no == receipt_no[:24])
    )
    if found is None:
        raise NotFound(key="pts.err.no_receipt")
    return found
