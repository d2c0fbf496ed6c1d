"""The seam where other modules' data enter reports: evaluation grades and commitments.

A report section may name a ``source`` (``grades`` or ``commitments``). The module that owns
that data registers a provider here once it is installed (the app assembly or the module's
own start-up calls ``register_source``); until then ``external_rows`` answers None and the
section says so ("暂无信用评价结果"). Providers return rows in the report's row shape (see
``content.RecordRow``); they decide visibility for the audience they are given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy.orm import Session

SourceKind = Literal["grades", "commitments"]


@dataclass(frozen=True)
class SourceRequest:
    """What a provider is asked for: whose data, for which audience, as of which day."""

    subject_id: int
    audience: str
    as_of: date


Provider = Callable[[Session, SourceRequest], list[dict[str, Any]]]
_PROVIDERS: dict[str, Provider] = {}


def register_source(kind: SourceKind, provider: Provider) -> None:
    """Plug a module's data into report sections naming this source."""
    _PROVIDERS[kind] = provider


def unregister_source(kind: SourceKind) -> None:
    """Take a provider out again (tests; a module switched off)."""
    _PROVIDERS.pop(kind, None)


def external_rows(
    session: Session, *, source: SourceKind, subject_id: int, audience: str, as_of: date
) -> list[dict[str, Any]] | None:
    """The rows another module supplies for a section, or None when it is not installed."""
    provider = _PROVIDERS.get(source)
    if provider is None:
        return None
    return provider(session, SourceRequest(subject_id, audience, as_of))
