"""The append-only ledger: declarations, two-person approval, reversing corrections, caps
per item and period, and balances (base + approved entries, never a stored number)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.core.db import utcnow
from xinyong.core.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.points import service
from xinyong.points.config import Scheme
from xinyong.points.models import PointsAccount, PointsEntry, PointsMonth

MAX_EVIDENCE = 500


def last_closed(session: Session, village_id: int) -> str | None:
    """The village's latest closed month (YYYY-MM), if any."""
    stmt = select(func.max(PointsMonth.period)).where(PointsMonth.village_id == village_id)
    return session.scalar(stmt)


def open_period(session: Session, village_id: int, today: date | None = None) -> str:
    """The month an entry recorded today counts in: this month, or the month after the
    village's last closed one if that is later (a closed month never takes entries)."""
    current = service.period_of(today or service.beijing_today())
    closed = last_closed(session, village_id)
    return max(current, service.next_period(closed)) if closed else current


def is_closed(session: Session, village_id: int, period: str) -> bool:
    """Whether the village's month ``period`` is closed (it or a later month was closed)."""
    closed = last_closed(session, village_id)
    return closed is not None and period <= closed


def scheme_for(session: Session, account: PointsAccount) -> Scheme:
    """The account's scheme as its village applies it."""
    return service.scheme_of(session, service.unit(session, account.village_id), account.scheme)


def _cap_window(per: str, day: date) -> tuple[date, date]:
    if per == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    end = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return date(day.year, day.month, 1), date.fromordinal(end.toordinal() - 1)


def used_in_cap(session: Session, *, account_id: int, item_code: str, per: str, day: date) -> int:
    """Points of an item already claimed (pending or approved, not reversed) in the cap's
    period around ``day``."""
    start, end = _cap_window(per, day)
    reversed_ids = select(PointsEntry.reverses_id).where(
        PointsEntry.account_id == account_id,
        PointsEntry.kind == "correction",
        PointsEntry.status != "rejected",
    )
    stmt = select(func.coalesce(func.sum(func.abs(PointsEntry.points)), 0)).where(
        PointsEntry.account_id == account_id,
        PointsEntry.kind == "deed",
        PointsEntry.item_code == item_code,
        PointsEntry.status != "rejected",
        PointsEntry.deed_date.between(start, end),
        PointsEntry.id.not_in(reversed_ids),
    )
    return int(session.scalar(stmt) or 0)


def declare(
    session: Session,
    *,
    account: PointsAccount,
    item_code: str,
    deed_date: date,
    declared_by: str,
    channel: str,
    recorded_by: str,
    evidence: str | None = None,
    today: date | None = None,
) -> PointsEntry:
    """Record a deed (pending until the monthly review approves it); caps are checked."""
    day = today or service.beijing_today()
    scheme = scheme_for(session, account)
    item = scheme.item(item_code)
    if deed_date > day or deed_date.year < day.year - 1:
        raise Invalid(key="pts.err.deed_date", details={"field": "deed_date"})
    if item.evidence != "none" and not (evidence or "").strip():
        raise Invalid(key="pts.err.evidence_needed", details={"field": "evidence"})
    if evidence and len(evidence) > MAX_EVIDENCE:
        raise Invalid(key="pts.err.evidence_long", details={"field": "evidence"})
    used = used_in_cap(
        session, account_id=account.id, item_code=item_code, per=item.cap.per, day=deed_date
    )
    if used + abs(item.points) > item.cap.max_points:
        raise Conflict(
            key="pts.err.cap",
            params={"item": item.text.zh, "max": item.cap.max_points, "used": used},
            details={"field": "item"},
        )
    entry = PointsEntry(
        account_id=account.id, subject_id=account.subject_id, village_id=account.village_id,
        period=open_period(session, account.village_id, day), kind="deed",
        item_code=item_code, points=item.points, deed_date=deed_date,
        declared_by=declared_by[:64], channel=channel, evidence=(evidence or "").strip() or None,
        status="pending", recorded_by=recorded_by,
    )  # fmt: skip
    session.add(entry)
    session.flush()
    _audit(session, entry, "points.entry.declare", recorded_by)
    return entry


def _audit(session: Session, entry: PointsEntry, action: str, actor: str) -> None:
    audit_service.append(
        session, actor=actor, action=action, object_type="points_entry", object_id=entry.id,
        subject_id=entry.subject_id,
        summary={"kind": entry.kind, "item": entry.item_code, "points": entry.points,
                 "period": entry.period, "status": entry.status},
    )  # fmt: skip


def entry(session: Session, entry_id: int, *, lock: bool = False) -> PointsEntry:
    """The entry with this id, or NotFound."""
    stmt = select(PointsEntry).where(PointsEntry.id == entry_id)
    found = session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        raise NotFound(key="pts.err.no_entry", params={"id": entry_id})
    return found


def decide(
    session: Session, *, entry_id: int, approve: bool, actor: str, reason: str | None = None
) -> PointsEntry:
    """Approve or reject a pending entry: the reviewer must not be who recorded it, and the
    entry's month must still be open."""
    row = entry(session, entry_id, lock=True)
    if row.status != "pending":
        raise Conflict(key="pts.err.decided")
    if row.recorded_by == actor:
        raise Forbidden(key="pts.err.same_person")
    if is_closed(session, row.village_id, row.period):
        raise Conflict(key="pts.err.month_closed", params={"period": row.period})
    if not approve and not (reason or "").strip():
        raise Invalid(key="pts.err.reason_needed", details={"field": "reason"})
    row.status = "approved" if approve else "rejected"
    row.approved_by = actor
    row.decided_at = utcnow()
    if reason and not row.reason:
        row.reason = reason.strip()[:500]
    session.flush()
    _audit(session, row, "points.entry.approve" if approve else "points.entry.reject", actor)
    return row


def correct(
    session: Session, *, entry_id: int, reason: str, actor: str, today: date | None = None
) -> PointsEntry:
    """A reversing entry of an approved deed (pending review, booked in the open month)."""
    original = entry(session, entry_id, lock=True)
    if original.kind not in ("deed", "year_end") or original.status != "approved":
        raise Conflict(key="pts.err.not_correctable")
    if not reason.strip():
        raise Invalid(key="pts.err.reason_needed", details={"field": "reason"})
    taken = select(PointsEntry.id).where(
        PointsEntry.reverses_id == original.id, PointsEntry.status != "rejected"
    )
    if session.scalar(taken) is not None:
        raise Conflict(key="pts.err.already_corrected")
    account = service.account(session, original.account_id)
    row = PointsEntry(
        account_id=account.id, subject_id=account.subject_id, village_id=account.village_id,
        period=open_period(session, account.village_id, today), kind="correction",
        item_code=original.item_code, points=-original.points, deed_date=original.deed_date,
        declared_by=actor, channel="in_person", status="pending", recorded_by=actor,
        reverses_id=original.id, reason=reason.strip()[:500],
    )  # fmt: skip
    session.add(row)
    session.flush()
    _audit(session, row, "points.entry.correct", actor)
    return row


def approved_sum(session: Session, account_id: int, *, at: datetime | None = None) -> int:
    """Sum of the account's approved entries (decided by ``at`` if given)."""
    stmt = select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
        PointsEntry.account_id == account_id, PointsEntry.status == "approved"
    )
    if at is not None:
        stmt = stmt.where(PointsEntry.decided_at <= at)
    return int(session.scalar(stmt) or 0)


def balance(session: Session, account: PointsAccount, *, at: datetime | None = None) -> int:
    """The account's balance: the scheme's base plus its approved entries."""
    return scheme_for(session, account).base_points + approved_sum(session, account.id, at=at)


def history(session: Session, account_id: int, *, limit: int = 100) -> list[PointsEntry]:
    """The account's entries, newest first."""
    stmt = (
        select(PointsEntry)
        .where(PointsEntry.account_id == account_id)
        .order_by(PointsEntry.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def pending(session: Session, village_id: int, *, limit: int = 200) -> list[PointsEntry]:
    """A village's entries waiting for the monthly review, oldest first."""
    stmt = (
        select(PointsEntry)
        .where(PointsEntry.village_id == village_id, PointsEntry.status == "pending")
        .order_by(PointsEntry.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))
