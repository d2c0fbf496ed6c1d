"""A breach record that no longer stands undoes the breach finding (subscribed to
``records.effects``: revoked, repaired, stopped early, corrected to fulfilled)."""

from __future__ import annotations

from xinyong.commitments import breach
from xinyong.records import effects
from xinyong.records.effects import Change


def subscribe() -> None:
    """Subscribe the commitments module to the changes that can undo a breach."""
    changes = (Change.revoked, Change.repaired, Change.expired, Change.corrected)
    effects.subscribe(changes, "commitments.undo_breach", breach.undo)
