"""Whether a record can be repaired now, and if not why and from when (shown before applying)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog.schemas import Severity
from xinyong.records.models import Record
from xinyong.records.states import RecordState
from xinyong.rights import cases
from xinyong.rights.config import get_config
from xinyong.rights.models import CaseTarget, RightsCase
from xinyong.rights.states import CaseKind, CaseOutcome

REPAIRABLE_STATES = frozenset({RecordState.active.value, RecordState.under_objection.value})


@dataclass(frozen=True)
class Obstacle:
    """One reason a record cannot be repaired now: a stable code and the text in both languages."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class Eligibility:
    """The answer for one record: eligible or not, why, and the earliest date to apply."""

    record_id: int
    tier: str | None
    eligible: bool
    obstacles: list[Obstacle] = field(default_factory=list)
    earliest: date | None = None  # when the waiting periods end (None: no waiting)
    minimum_period: str | None = None
    legal_basis: str = ""


def _last_refusal(session: Session, record: Record) -> RightsCase | None:
    """The newest refused repair of any version of this record."""
    stmt = (
        select(RightsCase)
        .join(CaseTarget, CaseTarget.case_id == RightsCase.id)
        .join(Record, Record.id == CaseTarget.record_id)
        .where(
            RightsCase.kind == CaseKind.repair.value,
            RightsCase.outcome == CaseOutcome.refused.value,
            Record.item_code == record.item_code,
            Record.department_id == record.department_id,
            Record.source_record_id == record.source_record_id,
        )
        .order_by(RightsCase.closed_on.desc(), RightsCase.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def _state_obstacle(record: Record) -> Obstacle | None:
    if record.state in REPAIRABLE_STATES and record.is_current:
        return None
    if record.state == RecordState.repaired.value:
        return Obstacle("already_repaired", "该记录已修复。", "The record is already repaired.")
    if record.state == RecordState.expired.value:
        return Obstacle(
            "not_published",
            "该记录公示期已届满，已停止公示和共享，无需修复。",
            "The record's disclosure period has ended; it is no longer published or shared.",
        )
    return Obstacle(
        "not_current",
        "该记录已被更正或撤销，请针对现行记录申请。",
        "The record was corrected or revoked; apply for its current version.",
    )


def _timing(
    session: Session, record: Record, tier: Severity, today: date
) -> tuple[list[Obstacle], date | None]:
    rules = get_config().repair
    obstacles: list[Obstacle] = []
    earliest = None
    decided = record.decision_date or record.created_at.date()
    ripe = rules.minimum_period.after(tier, decided)
    if ripe > today:
        earliest = ripe
        obstacles.append(
            Obstacle(
                "too_early",
                f"{_TIER_ZH[tier]}失信信息须自决定之日起满最短公示期限后方可申请修复，"
                f"最早可于 {ripe.isoformat()} 申请。",
                f"Repair of {tier.value} dishonesty information can be applied for from "
                f"{ripe.isoformat()} (the minimum period after the decision).",
            )
        )
    refusal = _last_refusal(session, record)
    if refusal is not None and refusal.reapply_from is not None and refusal.reapply_from > today:
        earliest = max(earliest or refusal.reapply_from, refusal.reapply_from)
        obstacles.append(
            Obstacle(
                "recently_refused",
                f"该记录的修复申请已于 {refusal.closed_on} 被决定不予修复(案号 {refusal.number})，"
                f"{refusal.reapply_from.isoformat()} 起可再次申请。",
                f"A repair of this record was refused on {refusal.closed_on} (case "
                f"{refusal.number}); apply again from {refusal.reapply_from.isoformat()}.",
            )
        )
    return obstacles, earliest


_TIER_ZH = {Severity.minor: "轻微", Severity.general: "一般", Severity.serious: "严重"}


def check(session: Session, record: Record, *, today: date) -> Eligibility:
    """Every reason that stops a repair of this record today (none: eligible)."""
    rules = get_config().repair
    obstacles: list[Obstacle] = []
    earliest = None
    state = _state_obstacle(record)
    if state is not None:
        obstacles.append(state)
    irreparable = rules.irreparable.get(record.item_code)
    if irreparable is not None:
        obstacles.append(Obstacle("irreparable", irreparable.zh, irreparable.en))
    tier = Severity(record.severity) if record.severity else None
    if tier is None or record.polarity == "positive":
        obstacles.append(
            Obstacle(
                "not_dishonesty",
                "该记录不属于失信信息，无需修复。",
                "The record is not dishonesty information; there is nothing to repair.",
            )
        )
    elif state is None and irreparable is None:
        timing, earliest = _timing(session, record, tier, today)
        obstacles.extend(timing)
    open_cases = cases.open_cases_of_record(session, record.id, CaseKind.repair)
    if open_cases:
        obstacles.append(
            Obstacle(
                "case_open",
                f"该记录已有在办的修复申请(案号 {open_cases[0].number})。",
                f"A repair application for this record is open (case {open_cases[0].number}).",
            )
        )
    return Eligibility(
        record_id=record.id,
        tier=tier.value if tier else None,
        eligible=not obstacles,
        obstacles=obstacles,
        earliest=earliest,
        minimum_period=getattr(rules.minimum_period, tier.value) if tier else None,
        legal_basis=rules.legal_basis,
    )
