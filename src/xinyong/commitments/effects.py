"""Subscribed to ``records.effects``: a breach record that no longer stands undoes the breach
finding (revoked, repaired, stopped early, corrected to fulfilled); published
``credit_commitment`` records collected by ingest become tracked commitments."""

from __future__ import annotations

from xinyong.commitments import breach, ingested
from xinyong.records import effects
from xinyong.records.effects import Change


def subscribe() -> None:
    """Subscribe the commitments module to the changes that can undo a breach."""
    changes = (Change.revoked, Change.repaired, Change.expired, Change.corrected)
    effects.subscribe(changes, "commitments.undo_breach", breach.undo)
    effects.subscribe((Change.published,), "commitments.mirror_ingested", ingested.mirror)
