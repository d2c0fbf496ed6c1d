"""List entries resting on a repaired or revoked record end with it (subscribed to
``records.effects``; 认定依据被撤销 / 信用修复后移出名单)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from xinyong.lists import service
from xinyong.records import effects
from xinyong.records.effects import Cause, Change, Changed


def end_grounded_entries(
    session: Session, change: Change, items: Sequence[Changed], cause: Cause
) -> None:
    """End the live entries whose basis is one of these records (any version of it)."""
    reason = "repaired" if change is Change.repaired else "basis_revoked"
    for item in items:
        service.remove_grounded_on(
            session, record=item, reason=reason, actor=cause.actor, today=cause.today
        )


def subscribe() -> None:
    """Subscribe the lists module to repairs and revocations."""
    effects.subscribe((Change.revoked, Change.repaired), "lists.end_grounded_entries",
                      end_grounded_entries)  # fmt: skip
