"""Concurrent redemptions never overdraw a balance or the stock, on both stores."""

from __future__ import annotations

import threading
from datetime import date

from xinyong.core.db import session_scope, write_session
from xinyong.core.errors import Conflict
from xinyong.points import ledger, service, shop
from xinyong.points.demo import seed_demo

TODAY = date(2026, 12, 7)


def _redeem_at_once(card: str, good_id: int, tries: int) -> list[str]:
    barrier = threading.Barrier(tries)
    outcomes: list[str] = []

    def attempt() -> None:
        session = write_session()
        try:
            barrier.wait()
            shop.redeem(session, card_code=card, good_id=good_id, quantity=1, clerk="clerk")
            session.commit()
            outcomes.append("ok")
        except Conflict as error:
            session.rollback()
            outcomes.append(error.key or "conflict")
        finally:
            session.close()

    threads = [threading.Thread(target=attempt) for _ in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_concurrent_redemptions_never_overdraw(configured_db: str) -> None:
    with session_scope() as session:
        town = seed_demo(session, today=TODAY)
        assert town is not None
        account = service.account(session, town.household_ids[1])
        balance = ledger.balance(session, account)
        price = balance // 3 + 1  # two fit, a third does not
        good = shop.add_good(
            session, village_id=account.village_id, name="大礼包", price=price, stock=50,
            actor="clerk",
        )  # fmt: skip
        scarce = shop.add_good(
            session, village_id=account.village_id, name="洗衣液", price=1, stock=1, actor="clerk"
        )
        card, good_id, scarce_id, account_id = account.card_code, good.id, scarce.id, account.id
    outcomes = _redeem_at_once(card, good_id, 5)
    assert outcomes.count("ok") == 2
    assert sorted(set(outcomes) - {"ok"}) == ["pts.err.balance_short"]
    with session_scope() as session:
        account = service.account(session, account_id)
        left = ledger.balance(session, account)
        assert left == balance - 2 * price and left >= 0
    other = _redeem_at_once(card, scarce_id, 4)
    assert other.count("ok") == 1
    with session_scope() as session:
        assert [g.stock for g in shop.goods(session, account.village_id) if g.id == scarce_id] == [
            0
        ]
