"""What a record's change of state sets off, in one place.

A record is published (a new record loaded), corrected (a new version supersedes it),
revoked (the source department withdrew it, or an objection removed a list record),
repaired (credit repair stopped its publication) or expired (its disclosure period
ended). Whichever path causes the change (ingest, withdrawals, the expiry job, rights
decisions, lists), the caller reports it here once, inside its own transaction, and every
consequence follows from the handlers the modules subscribed: list entries resting on the
record end, partner platforms are told, the subject is flagged for re-evaluation, the
subject is notified. Callers never fan out by hand.

Modules subscribe through a ``subscribe()`` function in their own ``effects.py``; the
assembly (``xinyong.registry.wire_effects``) calls them all once per process. A change
reported before any module subscribed is an error (``EffectsNotWired``): a consequence
must never be skipped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.records.models import Record


class Change(StrEnum):
    """A record's change of state that has consequences beyond the record."""

    published = "published"
    corrected = "corrected"
    revoked = "revoked"
    repaired = "repaired"
    expired = "expired"


@dataclass(frozen=True)
class Changed:
    """The facts of one changed record that every handler may need (no ORM object: the
    expiry job changes records in bulk without loading them)."""

    record_id: int
    subject_id: int
    item_code: str
    department_id: int
    source_record_id: str
    state: str


@dataclass(frozen=True)
class Cause:
    """Who changed the records, when and why; ``ref`` names the case or batch behind it."""

    actor: str
    today: date
    reason: str
    ref: str = ""
    # Partner events are due by this day (rights cases set it by their rules); else the
    # exchange module's default applies.
    partner_due: date | None = None


Handler = Callable[[Session, Change, Sequence[Changed], Cause], None]


class EffectsNotWired(RuntimeError):
    """A record changed before any module subscribed to record effects."""


_HANDLERS: dict[Change, dict[str, Handler]] = {change: {} for change in Change}


def subscribe(changes: Iterable[Change], name: str, handler: Handler) -> None:
    """Run ``handler`` on every change of these kinds; ``name`` makes subscribing idempotent
    (the same module subscribing twice replaces its handler)."""
    for change in changes:
        _HANDLERS[change][name] = handler


def subscribers(change: Change) -> list[str]:
    """The names of the handlers a change of this kind runs, in the order they run."""
    return list(_HANDLERS[change])


def wired() -> bool:
    """Whether any module has subscribed."""
    return any(_HANDLERS.values())


def changed_of(record: Record) -> Changed:
    """The facts handlers need, read off a loaded record."""
    return Changed(
        record_id=record.id,
        subject_id=record.subject_id,
        item_code=record.item_code,
        department_id=record.department_id,
        source_record_id=record.source_record_id,
        state=record.state,
    )


def record_changed(
    session: Session,
    change: Change,
    records: Sequence[Record | Changed],
    *,
    cause: Cause,
) -> None:
    """Carry out every consequence of ``change`` to ``records`` in the caller's transaction
    and note in the audit log which consequences ran."""
    if not records:
        return
    if not wired():
        raise EffectsNotWired(
            "record effects are not wired: call xinyong.registry.wire_effects() at start-up"
        )
    items = [r if isinstance(r, Changed) else changed_of(r) for r in records]
    for handler in list(_HANDLERS[change].values()):
        handler(session, change, items, cause)
    audit_service.append(
        session,
        actor=cause.actor,
        action=f"record.effects.{change.value}",
        object_type="records",
        object_id=cause.ref or f"{change.value}:{items[0].record_id}",
        summary={
            "change": change.value,
            "records": len(items),
            "subjects": len({item.subject_id for item in items}),
            "handlers": subscribers(change),
            "reason": cause.reason[:200],
        },
    )
