"""Case kinds, states, grounds and outcomes of the rights procedures, and the moves allowed."""

from __future__ import annotations

from enum import StrEnum


class CaseKind(StrEnum):
    objection = "objection"  # 异议
    repair = "repair"  # 信用修复


class CaseState(StrEnum):
    applied = "applied"  # repair: received, waiting to be accepted
    material_requested = "material_requested"  # repair: told once what is missing
    accepted = "accepted"  # objection: registered, records marked; repair: accepted
    decided = "decided"  # closed with an outcome
    not_accepted = "not_accepted"  # repair: not accepted (不予受理), closed
    withdrawn = "withdrawn"  # withdrawn by the applicant, closed


CASE_STATES = tuple(s.value for s in CaseState)
OPEN_STATES = frozenset({CaseState.applied, CaseState.material_requested, CaseState.accepted})

MOVES: dict[CaseKind, dict[CaseState, frozenset[CaseState]]] = {
    CaseKind.objection: {
        CaseState.accepted: frozenset({CaseState.decided, CaseState.withdrawn}),
    },
    CaseKind.repair: {
        CaseState.applied: frozenset(
            {
                CaseState.accepted,
                CaseState.material_requested,
                CaseState.not_accepted,
                CaseState.withdrawn,
            }
        ),
        CaseState.material_requested: frozenset(
            {CaseState.applied, CaseState.not_accepted, CaseState.withdrawn}
        ),
        CaseState.accepted: frozenset({CaseState.decided, CaseState.withdrawn}),
    },
}


def can_move(kind: CaseKind, current: CaseState, target: CaseState) -> bool:
    """Whether a case of this kind may go from ``current`` to ``target``."""
    return target in MOVES[kind].get(current, frozenset())


class ObjectionGround(StrEnum):
    wrong_information = "wrong_information"  # 信息有误
    missing_information = "missing_information"  # 信息遗漏
    published_after_period = "published_after_period"  # 超期公示
    wrongly_listed = "wrongly_listed"  # 不应列入名单
    not_removed = "not_removed"  # 应移出而未移出名单


class TargetOutcome(StrEnum):
    """What a decision does to one disputed record."""

    correct = "correct"  # 更正: a new version with the corrected fields
    supplement = "supplement"  # 补充: a new version with the missing fields added
    stop_publication = "stop_publication"  # 停止公示
    remove_from_list = "remove_from_list"  # 移出名单
    keep = "keep"  # 维持: the objection is rejected for this record, with reasons


CHANGING_OUTCOMES = frozenset(TargetOutcome) - {TargetOutcome.keep}


class RepairOutcome(StrEnum):
    repaired = "repaired"  # 予以修复
    refused = "refused"  # 不予修复


class CaseOutcome(StrEnum):
    """The case's outcome as counted in the statistics."""

    upheld = "upheld"  # objection: at least one record changed
    partly_upheld = "partly_upheld"
    rejected = "rejected"  # objection: every record kept
    repaired = "repaired"
    refused = "refused"
    not_accepted = "not_accepted"
    withdrawn = "withdrawn"


CASE_OUTCOMES = tuple(o.value for o in CaseOutcome)
