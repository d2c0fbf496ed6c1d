"""Record states and the transitions the platform allows between them."""

from __future__ import annotations

from enum import StrEnum


class RecordState(StrEnum):
    active = "active"
    under_objection = "under_objection"  # 异议处理中: still published, marked as disputed
    corrected = "corrected"  # superseded by a newer version
    revoked = "revoked"  # withdrawn by the source (撤销), e.g. decision annulled
    repaired = "repaired"  # 信用修复: publication stopped
    expired = "expired"  # disclosure period ended


RECORD_STATES = tuple(s.value for s in RecordState)

# ``corrected`` is reached only by making a new version (records.service.correct).
ALLOWED_TRANSITIONS: dict[RecordState, frozenset[RecordState]] = {
    RecordState.active: frozenset(
        {
            RecordState.under_objection,
            RecordState.corrected,
            RecordState.revoked,
            RecordState.repaired,
            RecordState.expired,
        }
    ),
    RecordState.under_objection: frozenset(
        {
            RecordState.active,
            RecordState.corrected,
            RecordState.revoked,
            RecordState.repaired,
            RecordState.expired,
        }
    ),
    # A repair decision can be withdrawn (e.g. obtained with false material).
    RecordState.repaired: frozenset(
        {RecordState.active, RecordState.corrected, RecordState.revoked}
    ),
    RecordState.expired: frozenset({RecordState.corrected, RecordState.revoked}),
    RecordState.corrected: frozenset(),
    RecordState.revoked: frozenset(),
}

# States in which a record can still be shown to the public (subject to its item's rules).
PUBLISHABLE_STATES = frozenset({RecordState.active, RecordState.under_objection})


def can_transition(current: RecordState, target: RecordState) -> bool:
    """Whether the platform allows a record to move from ``current`` to ``target``."""
    return target in ALLOWED_TRANSITIONS[current]
