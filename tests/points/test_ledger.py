"""The ledger on both stores: balances, two-person review, caps, closed months, moves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.core.errors import Conflict, Forbidden, Invalid
from xinyong.points import ledger, months, service, uses
from xinyong.points.demo import seed_demo
from xinyong.points.models import PointsEntry, PointsSnapshot

TODAY = date(2026, 12, 7)


def test_demo_town_balances_are_base_plus_approved(session: Session) -> None:
    town = seed_demo(session, today=TODAY)
    assert town is not None and len(town.household_ids) == 12
    for account_id in town.household_ids:
        account = service.account(session, account_id)
        approved = session.scalar(
            select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
                PointsEntry.account_id == account_id, PointsEntry.status == "approved"
            )
        )
        assert ledger.balance(session, account) == 60 + approved
    board = months.board(session, village=service.village(session, town.village_ids[0]))
    assert board.month.period == "2026-11" and len(board.rows) == 6
    assert all("*" in row.name for row in board.rows)
    assert all(
        ("月度十佳诚信户表彰", "Month's top ten households honoured") in r.rewards
        for r in board.rows
    )
    assert not any(("年度诚信礼包", "Year's honesty gift pack") in r.rewards for r in board.rows)
    assert [r.balance for r in board.rows] == sorted((r.balance for r in board.rows), reverse=True)


def test_two_person_review_and_closed_month(session: Session) -> None:
    town = seed_demo(session, today=TODAY)
    assert town is not None
    account = service.account(session, town.household_ids[1])
    village = service.village(session, account.village_id)
    entry = ledger.declare(
        session, account=account, item_code="fz01", deed_date=TODAY, declared_by="本人",
        channel="phone", recorded_by="account:1", today=TODAY,
    )  # fmt: skip
    assert entry.period == "2026-12" and entry.status == "pending"
    with pytest.raises(Forbidden):
        ledger.decide(session, entry_id=entry.id, approve=True, actor="account:1")
    with pytest.raises(Conflict):  # pending entries block the close
        months.close_month(session, village=village, period="2026-12", actor="a:2", today=TODAY)
    for waiting in ledger.pending(session, village.id):
        ledger.decide(session, entry_id=waiting.id, approve=True, actor="account:2")
    before = ledger.balance(session, account) - 2
    assert ledger.balance(session, account) == before + 2
    month = months.close_month(
        session, village=village, period="2026-12", actor="account:2", today=TODAY
    )
    snap = session.get(PointsSnapshot, (month.id, account.id))
    assert snap is not None and snap.balance == before + 2 and snap.change == 2
    # after the close the same day's deeds count in January; the closed month cannot change
    late = ledger.declare(
        session, account=account, item_code="dz03", deed_date=TODAY, declared_by="本人",
        channel="app", recorded_by="account:1", evidence="照片", today=TODAY,
    )  # fmt: skip
    assert late.period == "2027-01"
    correction = ledger.correct(session, entry_id=entry.id, reason="重复申报", actor="account:1")
    assert correction.period == "2027-01" and correction.points == -2
    ledger.decide(session, entry_id=correction.id, approve=True, actor="account:2")
    assert ledger.balance(session, account) == before
    session.refresh(snap)
    assert snap.balance == before + 2  # the frozen snapshot is unchanged
    with pytest.raises(Conflict):
        ledger.correct(session, entry_id=entry.id, reason="again", actor="account:1")
    with pytest.raises(Conflict):
        months.close_month(session, village=village, period="2026-12", actor="x", today=TODAY)


def test_closed_month_refuses_a_late_decision(session: Session) -> None:
    town = seed_demo(session, today=TODAY)
    assert town is not None
    account = service.account(session, town.household_ids[0])
    village = service.village(session, account.village_id)
    entry = ledger.declare(
        session, account=account, item_code="zz01", deed_date=TODAY, declared_by="本人",
        channel="phone", recorded_by="account:1", evidence="会议签到", today=TODAY,
    )  # fmt: skip
    # force the month closed around the pending entry, as a direct write would
    closed = PointsEntry.__table__
    session.execute(closed.update().where(closed.c.id == entry.id).values(period="2026-11"))
    session.expire_all()
    with pytest.raises(Conflict):
        ledger.decide(session, entry_id=entry.id, approve=True, actor="account:2")
    assert village.kind == "village"


def test_caps_per_item_and_period(session: Session) -> None:
    town = seed_demo(session, today=TODAY)
    assert town is not None
    account = service.account(session, town.household_ids[2])
    kwargs = dict(declared_by="本人", channel="phone", recorded_by="account:1", today=TODAY)
    # dz03: 2 points, at most 4 a month
    ledger.declare(
        session, account=account, item_code="dz03", deed_date=TODAY, evidence="照片", **kwargs
    )  # type: ignore[arg-type]
    ledger.declare(
        session,
        account=account,
        item_code="dz03",
        deed_date=TODAY - timedelta(days=1),
        evidence="照片",
        **kwargs,
    )  # type: ignore[arg-type]
    with pytest.raises(Conflict) as refused:
        ledger.declare(
            session, account=account, item_code="dz03", deed_date=TODAY, evidence="照片", **kwargs
        )  # type: ignore[arg-type]
    assert "最多计 4 分" in refused.value.localized("zh")
    # another month has its own cap
    ledger.declare(
        session,
        account=account,
        item_code="dz03",
        deed_date=date(2026, 10, 3),
        evidence="照片",
        **kwargs,
    )  # type: ignore[arg-type]
    with pytest.raises(Invalid):  # evidence is needed for this item
        ledger.declare(session, account=account, item_code="zz02", deed_date=TODAY, **kwargs)  # type: ignore[arg-type]
    # the town's layer: zz01 is worth 3 points in 大湾镇
    entry = ledger.declare(
        session, account=account, item_code="zz01", deed_date=TODAY, evidence="签到", **kwargs
    )  # type: ignore[arg-type]
    assert entry.points == 3


def test_moves_keep_the_ledger_and_member_history(session: Session) -> None:
    town = seed_demo(session, today=TODAY)
    assert town is not None
    account = service.account(session, town.household_ids[0])
    before = ledger.balance(session, account)
    other = service.village(session, town.village_ids[1])
    service.move_household(session, household=account, to_village=other, actor="account:1")
    assert account.village_id == other.id and ledger.balance(session, account) == before
    pupil = service.account(session, town.pupil_ids[0])
    assert pupil.village_id == other.id
    (_, head), (old, member) = service.members(session, account.id)[:2]
    assert head.id_number_enc and head.id_number_enc.count(":") == 2  # sealed, not clear
    assert head.id_number_masked and "*" in head.id_number_masked
    target = service.account(session, town.household_ids[3])
    number = "500112198506150029"  # the member's number is only held sealed: use a new person
    moved = service.add_member(
        session, household=target, name="周小英", id_number=number, actor="a"
    )
    again = service.add_member(
        session, household=account, name="周小英", id_number=number, actor="a"
    )
    session.refresh(moved)
    assert moved.valid_to is not None and again.valid_to is None  # history kept
    assert service.current_membership(session, again.person_id) == again
    assert old.valid_to is None and member.kind == "natural_person"


def test_star_level_only_where_the_scheme_shares_it(session: Session) -> None:
    town = seed_demo(session, today=TODAY)
    assert town is not None
    household = service.account(session, town.household_ids[0])
    level = uses.star_level(session, subject_id=household.subject_id, purpose="incentives")
    assert level is not None and level.stars >= 1
    assert uses.star_level(session, subject_id=household.subject_id, purpose="evaluation") is None
    pupil = service.account(session, town.pupil_ids[0])
    assert uses.star_level(session, subject_id=pupil.subject_id, purpose="incentives") is None


def test_year_end_keeps_the_schemes_share(session: Session) -> None:
    """December's close: pupils (carry-over 0) start the year at the base again; households
    (carry-over 1) keep everything; both through entries, so balances stay base + entries."""
    day = date(2026, 12, 20)
    town = seed_demo(session, today=day)
    assert town is not None
    pupil = service.account(session, town.pupil_ids[0])
    ledger.declare(
        session, account=pupil, item_code="pu02", deed_date=day, declared_by="老师",
        channel="in_person", recorded_by="account:1", evidence="表扬信", today=day,
    )  # fmt: skip
    village = service.village(session, pupil.village_id)
    for row in ledger.pending(session, village.id):
        ledger.decide(session, entry_id=row.id, approve=True, actor="account:2")
    household = service.account(session, town.household_ids[0])
    kept = ledger.balance(session, household)
    assert ledger.balance(session, pupil) == 3
    months.close_month(session, village=village, period="2026-12", actor="account:2", today=day)
    assert ledger.balance(session, pupil) == 0 and ledger.balance(session, household) == kept
    year_end = session.scalars(
        select(PointsEntry).where(
            PointsEntry.account_id == pupil.id, PointsEntry.kind == "year_end"
        )
    ).all()
    assert [e.points for e in year_end] == [-3]
