"""The month's close (一月一审核): a frozen snapshot per account (balance, change, the
year's points, rank), the year-end carry-over, and the village board (一月一公示)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from xinyong.audit import service as audit_service
from xinyong.core.db import is_postgresql, utcnow
from xinyong.core.errors import Conflict, Invalid, NotFound
from xinyong.identity.names import mask_person_name
from xinyong.points import ledger, service
from xinyong.points.config import Scheme
from xinyong.points.models import (
    PointsAccount,
    PointsEntry,
    PointsMember,
    PointsMonth,
    PointsSnapshot,
    PointsUnit,
)
from xinyong.subjects.models import Subject

_SNAPSHOT_SQL = """
INSERT INTO points_snapshots (month_id, account_id, balance, change, year_points, rank)
SELECT m.id, a.id, ({base}) + COALESCE(s.total, 0), COALESCE(s.change, 0),
       COALESCE(s.year_points, 0),
       RANK() OVER (PARTITION BY a.village_id, a.scheme
                    ORDER BY ({base}) + COALESCE(s.total, 0) DESC)
FROM points_accounts a
JOIN points_months m ON m.village_id = a.village_id AND m.period = :period
LEFT JOIN (
    SELECT e.account_id AS account_id, SUM(e.points) AS total,
           SUM(CASE WHEN e.period = :period THEN e.points ELSE 0 END) AS change,
           SUM(CASE WHEN e.period >= :year_start AND e.kind <> 'redemption'
                    THEN e.points ELSE 0 END) AS year_points
    FROM points_entries e
    WHERE e.status = 'approved' AND e.period <= :period {entry_filter}
    GROUP BY e.account_id
) s ON s.account_id = a.id
WHERE m.id IN ({month_ids})
"""


def check_period(period: str) -> str:
    """A month given as YYYY-MM, or Invalid."""
    if len(period) != 7 or period[4] != "-" or not period.replace("-", "").isdigit():
        raise Invalid(key="pts.err.period", params={"period": period[:20]})
    if not 1 <= int(period[5:]) <= 12:
        raise Invalid(key="pts.err.period", params={"period": period})
    return period


def _base_case(session: Session, villages: list[PointsUnit]) -> str:
    """SQL of each account's base points: by scheme (one value per scheme in these villages)."""
    bases: dict[str, set[int]] = {}
    used: dict[int, set[str]] = {}
    stmt = (
        select(PointsAccount.village_id, PointsAccount.scheme)
        .where(PointsAccount.village_id.in_([v.id for v in villages]))
        .distinct()
    )
    for village_id, code in session.execute(stmt).all():
        used.setdefault(village_id, set()).add(code)
    for village in villages:
        for code in used.get(village.id, set()) | {village.scheme or ""}:
            if code:
                bases.setdefault(code, set()).add(
                    service.scheme_of(session, village, code).base_points
                )
    if any(len(values) > 1 for values in bases.values()):
        raise Conflict(key="pts.err.mixed_bases")
    whens = " ".join(f"WHEN '{code}' THEN {values.pop()}" for code, values in bases.items())
    return f"CASE a.scheme {whens} ELSE 0 END" if whens else "0"


def _schemes_in(session: Session, village_id: int) -> set[str]:
    stmt = select(PointsAccount.scheme).where(PointsAccount.village_id == village_id).distinct()
    return set(session.scalars(stmt))


def _year_end(session: Session, village: PointsUnit, period: str, actor: str) -> None:
    """December: keep the scheme's share of each account's gain, write the rest off."""
    for scheme_code in _schemes_in(session, village.id):
        scheme = service.scheme_of(session, village, scheme_code)
        keep = scheme.accumulation.carry_over
        if keep >= 1.0:
            continue
        accounts = select(PointsAccount).where(
            PointsAccount.village_id == village.id, PointsAccount.scheme == scheme_code
        )
        for account in session.scalars(accounts):
            gain = ledger.approved_sum(session, account.id)
            cut = round(gain * (1 - keep))
            if cut <= 0:
                continue
            session.add(
                PointsEntry(
                    account_id=account.id,
                    subject_id=account.subject_id,
                    village_id=village.id,
                    period=period,
                    kind="year_end",
                    points=-cut,
                    deed_date=date(int(period[:4]), 12, 31),
                    declared_by=actor,
                    channel="in_person",
                    status="approved",
                    recorded_by=actor,
                    approved_by=actor,
                    decided_at=utcnow(),
                    reason="year_end",
                )
            )
    session.flush()


def _readiness(
    session: Session, villages: list[PointsUnit], period: str, today: date
) -> dict[int, Conflict]:
    """Why each village that cannot close ``period`` cannot (two grouped queries)."""
    if period > service.period_of(today):
        error = Conflict(key="pts.err.month_not_begun", params={"period": period})
        return {v.id: error for v in villages}
    ids = [v.id for v in villages]
    closed = dict(
        session.execute(
            select(PointsMonth.village_id, func.max(PointsMonth.period))
            .where(PointsMonth.village_id.in_(ids))
            .group_by(PointsMonth.village_id)
        ).all()
    )
    waiting = dict(
        session.execute(
            select(PointsEntry.village_id, func.count())
            .where(
                PointsEntry.village_id.in_(ids),
                PointsEntry.status == "pending",
                PointsEntry.period <= period,
            )
            .group_by(PointsEntry.village_id)
        ).all()
    )
    refused: dict[int, Conflict] = {}
    for village_id in ids:
        if closed.get(village_id) is not None and period <= closed[village_id]:
            refused[village_id] = Conflict(key="pts.err.month_closed", params={"period": period})
        elif waiting.get(village_id):
            refused[village_id] = Conflict(
                key="pts.err.pending_left", params={"count": waiting[village_id]}
            )
    return refused


def close_months(
    session: Session,
    *,
    villages: list[PointsUnit],
    period: str,
    actor: str,
    today: date | None = None,
) -> tuple[list[PointsMonth], dict[str, Conflict]]:
    """Close ``period`` for these villages: each that is ready gets a closed month and its
    frozen snapshot; the others are returned with the reason (nothing is written for them)."""
    day = today or service.beijing_today()
    check_period(period)
    problems = _readiness(session, villages, period, day)
    ready = [v for v in villages if v.id not in problems]
    refused = {v.code: problems[v.id] for v in villages if v.id in problems}
    if not ready:
        return [], refused
    if period.endswith("-12"):
        for village in ready:
            _year_end(session, village, period, actor)
    months = _insert_months(session, ready, period, actor, day)
    _snapshot(session, ready, months, period)
    _totals(session, months)
    if len(months) <= 20:
        for month in months:
            audit_service.append(
                session, actor=actor, action="points.month.close", object_type="points_month",
                object_id=month.id, summary={"village_id": month.village_id, "period": period,
                                             "accounts": month.accounts},
            )  # fmt: skip
    else:  # a district's close: one entry naming every month closed
        if is_postgresql(session):  # fresh statistics, or boards plan on an "empty" table
            session.execute(text("ANALYZE points_snapshots"))
        audit_service.append(
            session, actor=actor, action="points.month.close_all", object_type="points_month",
            object_id=months[0].id, summary={"period": period, "months": [m.id for m in months],
                                             "accounts": sum(m.accounts for m in months)},
        )  # fmt: skip
    return months, refused


def _insert_months(
    session: Session, villages: list[PointsUnit], period: str, actor: str, day: date
) -> list[PointsMonth]:
    months = []
    for village in villages:
        days = service.scheme_of(session, village).publication.objection_days
        months.append(
            PointsMonth(
                village_id=village.id,
                period=period,
                closed_by=actor,
                objection_until=day + timedelta(days=days),
                accounts=0,
                points_total=0,
            )
        )
    session.add_all(months)
    session.flush()
    return months


def _snapshot(
    session: Session, villages: list[PointsUnit], months: list[PointsMonth], period: str
) -> None:
    ids = ", ".join(str(m.id) for m in months)
    # A few villages: read only their accounts' entries (by the account index); many: one
    # pass over the ledger.
    entry_filter = ""
    if len(villages) <= 20:
        accounts = session.scalars(
            select(PointsAccount.id).where(PointsAccount.village_id.in_([v.id for v in villages]))
        ).all()
        entry_filter = f"AND e.account_id IN ({', '.join(str(a) for a in accounts) or '0'})"
    elif is_postgresql(session):
        # PostgreSQL: one hash aggregate of every account's entries fits in memory this way
        # (the 4 MB default spills a district's 300,000 groups to disk); this transaction only.
        session.execute(text("SET LOCAL work_mem = '256MB'"))
    sql = _SNAPSHOT_SQL.format(
        base=_base_case(session, villages), entry_filter=entry_filter, month_ids=ids
    )
    session.execute(text(sql), {"period": period, "year_start": period[:4] + "-01"})


def _totals(session: Session, months: list[PointsMonth]) -> None:
    stmt = (
        select(
            PointsSnapshot.month_id,
            func.count(),
            func.coalesce(func.sum(PointsSnapshot.balance), 0),
        )
        .where(PointsSnapshot.month_id.in_([m.id for m in months]))
        .group_by(PointsSnapshot.month_id)
    )
    found = {month_id: (n, total) for month_id, n, total in session.execute(stmt)}
    rows = []
    for month in months:
        accounts, total = found.get(month.id, (0, 0))
        rows.append({"id": month.id, "accounts": int(accounts), "points_total": int(total)})
        set_committed_value(month, "accounts", int(accounts))
        set_committed_value(month, "points_total", int(total))
    session.execute(update(PointsMonth), rows)  # one bulk update by primary key


def close_month(
    session: Session, *, village: PointsUnit, period: str, actor: str, today: date | None = None
) -> PointsMonth:
    """Close one village's month, or Conflict saying why it cannot close."""
    months, refused = close_months(
        session, villages=[village], period=period, actor=actor, today=today
    )
    if not months:
        raise refused[village.code]
    return months[0]


def villages_under(session: Session, unit_row: PointsUnit | None) -> list[PointsUnit]:
    """Every village (under a unit if given), by code."""
    stmt = select(PointsUnit).where(PointsUnit.kind == "village").order_by(PointsUnit.code)
    villages = list(session.scalars(stmt))
    if unit_row is None:
        return villages
    return [v for v in villages if unit_row.id in {u.id for u in service.chain(session, v)}]


def latest_month(session: Session, village_id: int, period: str | None = None) -> PointsMonth:
    """The village's closed month ``period`` (default: the latest), or NotFound."""
    stmt = select(PointsMonth).where(PointsMonth.village_id == village_id)
    if period:
        stmt = stmt.where(PointsMonth.period == period)
    found = session.scalar(stmt.order_by(PointsMonth.period.desc()).limit(1))
    if found is None:
        raise NotFound(key="pts.err.no_board")
    return found


@dataclass(frozen=True)
class BoardRow:
    rank: int
    name: str
    balance: int
    change: int
    stars: int
    star_name: str
    star_name_en: str
    # The scheme's rewards this household earns on this board (names: zh, en).
    rewards: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Board:
    village: PointsUnit
    month: PointsMonth
    rows: list[BoardRow]
    scheme_name: str
    scheme_name_en: str


def _rewards(scheme: Scheme, rank: int, stars: int) -> tuple[tuple[str, str], ...]:
    """The rewards of the scheme a board row earns: by stars reached or by rank."""
    earned = []
    for reward in scheme.rewards:
        by_stars = reward.min_stars is not None and stars >= reward.min_stars
        by_rank = reward.ranked_within is not None and rank <= reward.ranked_within
        if by_stars or by_rank:
            earned.append((reward.name.zh, reward.name.en))
    return tuple(earned)


def board(session: Session, *, village: PointsUnit, period: str | None = None) -> Board:
    """The village's published board (households, ranked): names masked as the scheme says."""
    month = latest_month(session, village.id, period)
    scheme = service.scheme_of(session, village)
    # The ranked snapshot rows first (by the snapshot's key), then the heads' names of just
    # those households (by the members' account index).
    stmt = (
        select(PointsSnapshot)
        .join(PointsAccount, PointsAccount.id == PointsSnapshot.account_id)
        .where(PointsSnapshot.month_id == month.id, PointsAccount.scheme == scheme.code)
        .order_by(PointsSnapshot.rank, PointsSnapshot.account_id)
        .limit(scheme.publication.ranked)
    )
    snaps = list(session.scalars(stmt))
    heads = dict(
        session.execute(
            select(PointsMember.account_id, Subject.name)
            .join(Subject, Subject.id == PointsMember.person_id)
            .where(
                PointsMember.account_id.in_([s.account_id for s in snaps]),
                PointsMember.role == "head",
                PointsMember.valid_to.is_(None),
            )
        ).all()
    )
    rows = []
    for snap in snaps:
        name = str(heads.get(snap.account_id, ""))
        level = scheme.star_level(snap.balance)
        rows.append(
            BoardRow(
                rank=snap.rank,
                name=mask_person_name(name) if scheme.publication.mask_names else name,
                balance=snap.balance,
                change=snap.change,
                stars=level.stars if level else 0,
                star_name=level.name.zh if level else "",
                star_name_en=level.name.en if level else "",
                rewards=_rewards(scheme, snap.rank, level.stars if level else 0),
            )
        )
    return Board(
        village=village, month=month, rows=rows, scheme_name=scheme.name.zh,
        scheme_name_en=scheme.name.en,
    )  # fmt: skip
