"""Other modules hear when a list entry ends (removed or withdrawn): evaluation re-scores the
subject. Modules subscribe here (through the assembly's ``wire_effects``); the lists module
never imports them."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from xinyong.lists.models import ListEntry

EntryHandler = Callable[[Session, ListEntry, str], None]

_ENDED: dict[str, EntryHandler] = {}


def on_entry_ended(name: str, handler: EntryHandler) -> None:
    """Run ``handler(session, entry, reason)`` whenever an entry ends (idempotent by name)."""
    _ENDED[name] = handler


def entry_ended(session: Session, entry: ListEntry, *, reason: str) -> None:
    """Tell the subscribers that ``entry`` ended, inside the caller's transaction."""
    for handler in list(_ENDED.values()):
        handler(session, entry, reason)
