"""Text every store keeps: no NUL character (PostgreSQL refuses one in text and JSONB) and
no lone surrogate (no UTF-8 encodes one), so both stores take and refuse the same input."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def storable(value: str) -> str:
    """Refuse text no database keeps (a validator for request fields)."""
    if _UNSTORABLE.search(value):
        raise ValueError("contains a NUL or an invalid (lone surrogate) character")
    return value


Storable = AfterValidator(storable)
StorableStr = Annotated[str, Storable]


def kept(value: Any) -> Any:
    """A JSON-like value as evidence of refused input is kept: strings, keys included, with
    each NUL or lone surrogate replaced by U+FFFD; anything else as it is."""
    if isinstance(value, str):
        return _UNSTORABLE.sub(REPLACEMENT, value) if _UNSTORABLE.search(value) else value
    if isinstance(value, dict):
        return {kept(k): kept(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [kept(v) for v in value]
    return value
