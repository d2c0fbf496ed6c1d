"""The seam where other modules add a section to a subject's public page (e.g. its public
credit commitments). A module registers a provider once (the app assembly calls it); the
provider returns the template to include and its context, or None to show nothing. The page
is the same for every reader: providers show only what is public."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Section:
    """A template under ``templates/`` and the context it reads (as ``section``)."""

    template: str
    context: dict[str, Any]


Provider = Callable[[Session, int], Section | None]
_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add a section provider (idempotent by name)."""
    _PROVIDERS[name] = provider


def for_subject(session: Session, subject_id: int) -> list[Section]:
    """The sections the registered modules add to this subject's page, in order."""
    found = (provider(session, subject_id) for provider in list(_PROVIDERS.values()))
    return [section for section in found if section is not None]
