"""The subject hears when a department revokes one of its records or when a record's
disclosure period ends (subscribed to ``records.effects``). Repairs and objection outcomes
are told by the rights case that decided them, in its own words."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.orm import Session

from xinyong.catalog import labels
from xinyong.core.db import utcnow
from xinyong.notices.models import Notice
from xinyong.records import effects
from xinyong.records.effects import Cause, Change, Changed


def tell_subjects(session: Session, change: Change, items: Sequence[Changed], cause: Cause) -> None:
    """One notice per changed record to its subject (``notice.record.<change>``)."""
    now = utcnow()
    rows = [
        {
            "key": f"record.{change.value}",
            "params": {
                "item_code": item.item_code,
                "item_zh": labels.item_name(item.item_code, "zh"),
                "item_en": labels.item_name(item.item_code, "en"),
                "source_record_id": item.source_record_id,
                "date": cause.today.isoformat(),
                "reason": cause.reason[:500],
            },
            "subject_id": item.subject_id,
            "ref_type": "record",
            "ref_id": str(item.record_id),
            "created_at": now,
        }
        for item in items
    ]
    session.execute(insert(Notice), rows)


def subscribe() -> None:
    """Subscribe the notices module to revocations and expiries."""
    effects.subscribe((Change.revoked, Change.expired), "notices.tell_subjects", tell_subjects)
