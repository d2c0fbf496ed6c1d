"""What other modules add to a subject's public page and its open-API profile: the grades a
model makes public (evaluation). Modules register a provider here (through the assembly's
``wire_effects``); the portal never imports them."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from xinyong.portal.schemas import PublicGrade
from xinyong.subjects.models import Subject

GradeProvider = Callable[[Session, Subject], list[PublicGrade]]

_GRADES: dict[str, GradeProvider] = {}


def on_public_grades(name: str, provider: GradeProvider) -> None:
    """Add ``provider(session, subject)`` to the grades a public page shows (idempotent by name)."""
    _GRADES[name] = provider


def public_grades(session: Session, subject: Subject) -> list[PublicGrade]:
    """The subject's public grades from every provider (none when nobody registered)."""
    found: list[PublicGrade] = []
    for provider in list(_GRADES.values()):
        found.extend(provider(session, subject))
    return found
