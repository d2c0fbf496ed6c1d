"""States of a list entry (名单记录) and the moves between them."""

from __future__ import annotations

from enum import StrEnum


class EntryState(StrEnum):
    proposed = "proposed"  # 拟列入: decided on by the department, the subject not yet told
    notified = "notified"  # 已告知: the subject is told and may object until objection_until
    listed = "listed"  # 已列入
    removed = "removed"  # 已移出 (after being listed)
    withdrawn = "withdrawn"  # 已撤回 (never listed: the department gave it up)
    rejected = "rejected"  # 不予列入 (never listed: the subject's objection was upheld)


class EntrySource(StrEnum):
    platform = "platform"  # proposed, notified and listed on the platform
    record = "record"  # imported from a department's or court's reported record


class SystemReason(StrEnum):
    """Removal reasons the platform applies by itself (jobs and other modules' calls)."""

    term_ended = "term_ended"
    repaired = "repaired"
    basis_revoked = "basis_revoked"
    objection_upheld = "objection_upheld"


ENTRY_STATES = tuple(s.value for s in EntryState)
ENTRY_SOURCES = tuple(s.value for s in EntrySource)
# Entries that still count: a subject has at most one of these per list (platform entries).
LIVE_STATES = (EntryState.proposed, EntryState.notified, EntryState.listed)
LIVE_VALUES = tuple(s.value for s in LIVE_STATES)
# A reported record still carries its entry in these record states.
LIVE_RECORD_STATES = ("active", "under_objection")

MOVES: dict[EntryState, frozenset[EntryState]] = {
    EntryState.proposed: frozenset({EntryState.notified, EntryState.withdrawn}),
    EntryState.notified: frozenset({EntryState.listed, EntryState.withdrawn, EntryState.rejected}),
    EntryState.listed: frozenset({EntryState.removed}),
    EntryState.removed: frozenset(),
    EntryState.withdrawn: frozenset(),
    EntryState.rejected: frozenset(),
}


def can_move(current: EntryState, target: EntryState) -> bool:
    """Whether an entry may move from ``current`` to ``target``."""
    return target in MOVES[current]
