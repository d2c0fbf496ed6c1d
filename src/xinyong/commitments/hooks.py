"""Other modules hear when a commitment's status changes without a credit record (a condition
performed settles it as fulfilled, or it is withdrawn): evaluation re-scores the subject.
Modules subscribe here (through the assembly's ``wire_effects``); the commitments module never
imports them."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from xinyong.commitments.models import Commitment

CommitmentHandler = Callable[[Session, Commitment, str], None]

_CHANGED: dict[str, CommitmentHandler] = {}


def on_status_changed(name: str, handler: CommitmentHandler) -> None:
    """Run ``handler(session, commitment, reason)`` whenever a commitment's status changes
    without a record change (idempotent by name)."""
    _CHANGED[name] = handler


def status_changed(session: Session, c: Commitment, *, reason: str) -> None:
    """Tell the subscribers that ``c`` changed status, inside the caller's transaction."""
    for handler in list(_CHANGED.values()):
        handler(session, c, reason)
