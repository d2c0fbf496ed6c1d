"""Other modules hear when a repair application brings its credit commitment: the
commitments module keeps it as a signed, tracked commitment (信用修复型). Modules subscribe
here (through the assembly's ``wire_effects``); the rights module never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class RepairCommitment:
    """A repair applicant's commitment: whose, in which case, through which channel."""

    case_number: str
    subject_id: int
    channel: str  # portal / counter / api
    actor: str
    today: date
    record_id: int  # the credit_commitment record the case keeps


Handler = Callable[[Session, RepairCommitment], None]
_COMMITTED: dict[str, Handler] = {}


def on_repair_commitment(name: str, handler: Handler) -> None:
    """Run ``handler(session, commitment)`` whenever a repair brings a commitment."""
    _COMMITTED[name] = handler


def repair_committed(session: Session, commitment: RepairCommitment) -> None:
    """Tell the subscribers, inside the caller's transaction."""
    for handler in list(_COMMITTED.values()):
        handler(session, commitment)


# --- cases another module decides ------------------------------------------------------------

# An objection may target something other than records (a grade): the module that owns it
# decides it on its own page and endpoint. Rights keeps the case (limits, timeline, queue) and
# sends staff and API callers there instead of refusing without saying where to go.


@dataclass(frozen=True)
class CaseOwner:
    """Where a ground's cases are decided: the console page and the API decision endpoint."""

    console_href: Callable[[int], str]  # case id -> console page
    api_decision: Callable[[int], str]  # case id -> API path of the decision


_OWNERS: dict[str, CaseOwner] = {}


def own_ground(ground: str, owner: CaseOwner) -> None:
    """Cases with this ground are decided by ``owner`` (registered by the owning module)."""
    _OWNERS[ground] = owner


def owner_of(ground: str) -> CaseOwner | None:
    """The module deciding cases of this ground, if not rights itself."""
    return _OWNERS.get(ground)
