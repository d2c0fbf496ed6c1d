"""Figures for clerks and overseers: a village's households with balances, a unit's figures
per child unit (a town sees its villages, the district its towns), an offline SVG chart,
and the household card's QR code."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape

import segno
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.auth.principal import Principal
from xinyong.core.errors import Forbidden, NotFound
from xinyong.points import ledger, months, service
from xinyong.points.models import PointsAccount, PointsEntry, PointsMember, PointsUnit
from xinyong.subjects.models import Subject
from xinyong.web.params import parse_id


@dataclass(frozen=True)
class HouseholdRow:
    account: PointsAccount
    name: str
    balance: int


def households(session: Session, village: PointsUnit) -> list[HouseholdRow]:
    """The village's ledger accounts (households, then pupils) with names and balances."""
    accounts = list(
        session.scalars(
            select(PointsAccount)
            .where(PointsAccount.village_id == village.id)
            .order_by(PointsAccount.kind, PointsAccount.id)
        )
    )
    ids = [a.id for a in accounts]
    sums = dict(
        session.execute(
            select(PointsEntry.account_id, func.sum(PointsEntry.points))
            .where(PointsEntry.account_id.in_(ids), PointsEntry.status == "approved")
            .group_by(PointsEntry.account_id)
        ).all()
    ) if ids else {}  # fmt: skip
    heads = dict(
        session.execute(
            select(PointsMember.account_id, Subject.name)
            .join(Subject, Subject.id == PointsMember.person_id)
            .where(
                PointsMember.account_id.in_(ids),
                PointsMember.role == "head",
                PointsMember.valid_to.is_(None),
            )
        ).all()
    ) if ids else {}  # fmt: skip
    rows = []
    for account in accounts:
        base = ledger.scheme_for(session, account).base_points
        name = heads.get(account.id) or service.head_name(session, account)
        rows.append(HouseholdRow(account, str(name), base + int(sums.get(account.id) or 0)))
    return rows


def dashboard_unit(session: Session, principal: Principal, raw: str) -> PointsUnit | None:
    """The unit a dashboard shows: the one asked for (if the caller may), else the caller's
    own unit; None: every district (platform-wide readers)."""
    if raw:
        target = service.unit(session, parse_id(raw, "unit", error=NotFound))
        service.check_unit(session, principal, target)
        return target
    assigned = service.staff_units(session, principal)
    if assigned is None:
        roots = list(session.scalars(select(PointsUnit).where(PointsUnit.parent_id.is_(None))))
        return roots[0] if len(roots) == 1 else None
    if not assigned:
        raise Forbidden(key="pts.err.no_assignment")
    return assigned[0]


@dataclass(frozen=True)
class UnitFigures:
    unit: PointsUnit
    accounts: int
    points: int
    pending: int
    average: float
    closed: str | None


def figures(session: Session, target: PointsUnit | None) -> list[UnitFigures]:
    """One row per child unit (villages of a town, towns of a district; districts at the
    top): accounts, points held, pending entries, average balance, latest closed month."""
    if target is None:
        units = list(session.scalars(select(PointsUnit).where(PointsUnit.parent_id.is_(None))))
    elif target.kind == "village":
        units = [target]
    else:
        units = service.children(session, target.id)
    village_of_child: dict[int, int] = {}
    for child in units:
        for village in months.villages_under(session, child):
            village_of_child[village.id] = child.id
    counts = dict(
        session.execute(
            select(PointsAccount.village_id, func.count()).group_by(PointsAccount.village_id)
        ).all()
    )
    bases = _base_by_village(session, list(village_of_child))
    held = dict(
        session.execute(
            select(PointsAccount.village_id, func.sum(PointsEntry.points))
            .join(PointsEntry, PointsEntry.account_id == PointsAccount.id)
            .where(PointsEntry.status == "approved")
            .group_by(PointsAccount.village_id)
        ).all()
    )
    waiting = dict(
        session.execute(
            select(PointsEntry.village_id, func.count())
            .where(PointsEntry.status == "pending")
            .group_by(PointsEntry.village_id)
        ).all()
    )
    rows = []
    for child in units:
        villages = [v for v, c in village_of_child.items() if c == child.id]
        accounts = sum(int(counts.get(v) or 0) for v in villages)
        points = sum(
            int(held.get(v) or 0) + bases.get(v, 0) * int(counts.get(v) or 0) for v in villages
        )
        closed = [ledger.last_closed(session, v) for v in villages]
        rows.append(
            UnitFigures(
                unit=child,
                accounts=accounts,
                points=points,
                pending=sum(int(waiting.get(v) or 0) for v in villages),
                average=round(points / accounts, 1) if accounts else 0.0,
                closed=min((c for c in closed if c), default=None),
            )
        )
    return rows


def _base_by_village(session: Session, village_ids: list[int]) -> dict[int, int]:
    found = {}
    for village_id in village_ids:
        village = service.unit(session, village_id)
        found[village_id] = service.scheme_of(session, village).base_points if village.scheme else 0
    return found


def bar_chart(rows: list[UnitFigures]) -> str:
    """An SVG bar chart (no scripts, no web fonts) of the average balance per unit."""
    width, bar, gap, left = 640, 26, 12, 150
    height = 30 + len(rows) * (bar + gap)
    top = max((r.average for r in rows), default=0.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" class="chart" width="100%">'
    ]
    for index, row in enumerate(rows):
        y = 10 + index * (bar + gap)
        length = int((width - left - 80) * row.average / top)
        name = escape(row.unit.name)
        parts.append(
            f'<text x="{left - 8}" y="{y + 18}" text-anchor="end" font-size="14">{name}</text>'
        )
        parts.append(f'<rect x="{left}" y="{y}" width="{length}" height="{bar}" fill="#a61b1b"/>')
        parts.append(
            f'<text x="{left + length + 6}" y="{y + 18}" font-size="14">{row.average}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@lru_cache(maxsize=256)
def card_qr(card_code: str) -> str:
    """The card's QR code (the card code alone) as an SVG data URI."""
    return str(segno.make(card_code, error="m").svg_data_uri(scale=6, border=2))
