"""Property: over random ledgers (declarations, approvals, rejections, corrections, moves,
redemptions and month closes) a balance is the base plus the approved entries at every
point in time, closed months never change, and caps hold."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.core.db import utcnow
from xinyong.core.errors import Conflict
from xinyong.points import ledger, months, service, shop
from xinyong.points.config import get_schemes
from xinyong.points.demo import seed_demo
from xinyong.points.models import PointsEntry, PointsSnapshot

START = date(2026, 3, 2)
ITEMS = ("fz01", "dz03", "zz02", "zz04", "ng05", "dz01")
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("declare"), st.integers(0, 11), st.sampled_from(ITEMS)),
        st.tuples(st.just("decide"), st.integers(0, 50), st.booleans()),
        st.tuples(st.just("correct"), st.integers(0, 50), st.just(True)),
        st.tuples(st.just("move"), st.integers(0, 11), st.integers(0, 1)),
        st.tuples(st.just("redeem"), st.integers(0, 11), st.integers(0, 2)),
        st.tuples(st.just("close"), st.just(0), st.just(0)),
    ),
    min_size=5,
    max_size=30,
)


def _expected(session: Session, account_id: int) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
                PointsEntry.account_id == account_id, PointsEntry.status == "approved"
            )
        )
        or 0
    )


class Run:
    def __init__(self, session: Session, households: list[int], villages: list[int]) -> None:
        self.session = session
        self.households = households
        self.villages = villages
        self.today = START
        self.model = {a: _expected(session, a) for a in households}
        self.checkpoints: list[tuple[datetime, dict[int, int]]] = []
        self.frozen: dict[tuple[int, int], int] = {}

    def step(self, op: str, a: int, b: object) -> None:
        handler = getattr(self, op)
        # refused (cap, balance, stock, nothing to correct): the model stays as it was
        with contextlib.suppress(Conflict), self.session.begin_nested():
            handler(a, b)
        self.session.flush()
        self.checkpoints.append((utcnow(), dict(self.model)))
        for account_id, expected in self.model.items():
            account = service.account(self.session, account_id)
            assert ledger.balance(self.session, account) == 60 + expected

    def declare(self, index: int, item: object) -> None:
        account = service.account(self.session, self.households[index])
        ledger.declare(
            self.session, account=account, item_code=str(item), deed_date=self.today,
            declared_by="本人", channel="phone", recorded_by="clerk", evidence="见证",
            today=self.today,
        )  # fmt: skip

    def _pick(self, index: int, status: str, kinds: tuple[str, ...]) -> PointsEntry | None:
        rows = list(
            self.session.scalars(
                select(PointsEntry)
                .where(PointsEntry.status == status, PointsEntry.kind.in_(kinds))
                .where(PointsEntry.account_id.in_(self.households))
                .order_by(PointsEntry.id)
            )
        )
        return rows[index % len(rows)] if rows else None

    def decide(self, index: int, approve: object) -> None:
        row = self._pick(index, "pending", ("deed", "correction"))
        if row is None:
            return
        ledger.decide(
            self.session, entry_id=row.id, approve=bool(approve), actor="committee", reason="不实"
        )
        if approve:
            self.model[row.account_id] += row.points

    def correct(self, index: int, _: object) -> None:
        row = self._pick(index, "approved", ("deed",))
        if row is not None:
            ledger.correct(
                self.session, entry_id=row.id, reason="更正", actor="clerk", today=self.today
            )

    def move(self, index: int, to: object) -> None:
        account = service.account(self.session, self.households[index])
        target = service.unit(self.session, self.villages[int(str(to))])
        if target.id != account.village_id:
            service.move_household(
                self.session, household=account, to_village=target, actor="clerk", on=self.today
            )

    def redeem(self, index: int, good: object) -> None:
        account = service.account(self.session, self.households[index])
        goods = shop.goods(self.session, account.village_id)
        receipt = shop.redeem(
            self.session, card_code=account.card_code, good_id=goods[int(str(good))].id,
            quantity=1, clerk="clerk",
        )  # fmt: skip
        self.model[account.id] -= receipt.points

    def close(self, _a: int, _b: object) -> None:
        for row in list(
            self.session.scalars(select(PointsEntry).where(PointsEntry.status == "pending"))
        ):
            ledger.decide(self.session, entry_id=row.id, approve=True, actor="committee")
            self.model[row.account_id] += row.points
        period = service.period_of(self.today)
        villages = [service.unit(self.session, v) for v in self.villages]
        closed, refused = months.close_months(
            self.session, villages=villages, period=period, actor="committee", today=self.today
        )
        assert not refused and len(closed) == 2
        for month in closed:
            for snap in self.session.scalars(
                select(PointsSnapshot).where(PointsSnapshot.month_id == month.id)
            ):
                self.frozen[(month.id, snap.account_id)] = snap.balance
                upto = self.session.scalar(
                    select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
                        PointsEntry.account_id == snap.account_id,
                        PointsEntry.status == "approved",
                        PointsEntry.period <= period,
                    )
                )
                base = 60 if snap.account_id in self.households else 0
                assert snap.balance == base + int(upto or 0)
        self.today = date(self.today.year, self.today.month + 1, 2)

    def finish(self) -> None:
        for at, expected in self.checkpoints:  # every point in time, read back afterwards
            for account_id, points in expected.items():
                assert ledger.approved_sum(self.session, account_id, at=at) == points
        for (month_id, account_id), balance in self.frozen.items():
            snap = self.session.get(PointsSnapshot, (month_id, account_id))
            assert snap is not None and snap.balance == balance
        scheme = get_schemes().get("yubei_household", units=("500112", "500112101"))
        for account_id in self.households:
            for code in ITEMS:
                used = ledger.used_in_cap(
                    self.session, account_id=account_id, item_code=code,
                    per=scheme.items[code].cap.per, day=self.today,
                )  # fmt: skip
                assert used <= scheme.items[code].cap.max_points


@settings(
    max_examples=15,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_balance_is_base_plus_approved_entries(session: Session, ops: list[tuple]) -> None:  # type: ignore[type-arg]
    nested = session.begin_nested()
    try:
        town = seed_demo(session, today=START)
        assert town is not None
        run = Run(session, town.household_ids, town.village_ids)
        for op, a, b in ops:
            run.step(op, a, b)
        run.finish()
    finally:
        nested.rollback()
        session.expire_all()
