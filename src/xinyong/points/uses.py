"""What other modules may read of points: a star level, only where the scheme shares it
with that purpose (信易+ scenarios, evaluation of natural persons)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.points import ledger, service
from xinyong.points.models import PointsAccount


@dataclass(frozen=True)
class StarLevel:
    stars: int
    name_zh: str
    name_en: str
    scheme: str


def star_level(session: Session, *, subject_id: int, purpose: str) -> StarLevel | None:
    """The star level of a household (by its subject, or a current member's subject) for
    ``purpose`` ("incentives" or "evaluation"); None when the scheme does not share it for
    that purpose, the subject holds no ledger, or the balance reaches no level."""
    account = session.scalar(
        select(PointsAccount).where(
            PointsAccount.subject_id == subject_id, PointsAccount.kind == "household"
        )
    )
    if account is None:
        membership = service.current_membership(session, subject_id)
        if membership is None:
            return None
        account = service.account(session, membership.account_id)
    scheme = ledger.scheme_for(session, account)
    if not scheme.uses.star_level_shared or purpose not in scheme.uses.purposes:
        return None
    level = scheme.star_level(ledger.balance(session, account))
    if level is None:
        return None
    return StarLevel(level.stars, level.name.zh, level.name.en, scheme.code)
