"""Partner platforms hear of every record change (subscribed to ``records.effects``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.orm import Session

from xinyong.core.db import utcnow
from xinyong.core.workdays import add_workdays
from xinyong.exchange.models import OutboundEvent
from xinyong.records import effects
from xinyong.records.effects import Cause, Change, Changed

# Without a deadline from the cause (rights cases bring their own), events go out within
# this many working days.
DEFAULT_DUE_WORKDAYS = 3


def queue_events(session: Session, change: Change, items: Sequence[Changed], cause: Cause) -> None:
    """One outbound event per changed record, ``record.<change>``, due by the cause's day."""
    due = cause.partner_due or add_workdays(cause.today, DEFAULT_DUE_WORKDAYS)
    now = utcnow()
    rows = [
        {
            "kind": f"record.{change.value}",
            "subject_id": item.subject_id,
            "record_id": item.record_id,
            "payload": {
                "item_code": item.item_code,
                "source_record_id": item.source_record_id,
                "state": item.state,
                **({"ref": cause.ref} if cause.ref else {}),
            },
            "due_on": due,
            "created_at": now,
        }
        for item in items
    ]
    session.execute(insert(OutboundEvent), rows)


def subscribe() -> None:
    """Subscribe the exchange module to every record change."""
    effects.subscribe(Change, "exchange.queue_events", queue_events)
