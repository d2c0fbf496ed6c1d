"""Text every store keeps: no NUL character (PostgreSQL refuses one in text and JSONB) and
no lone surrogate (no UTF-8 encodes one), so both stores take and refuse the same input."""

from __future__ import annotations

import re
import unicodedata
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


class TextProblem(ValueError):
    """Text that cannot be stored (a lone surrogate): ``reason`` says which character."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def clean_text(raw: str, *, multiline: bool) -> str:
    """Text without control or format characters (keeping ``\\n``/``\\t`` if multiline), trimmed."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    if text.replace("\n", "").replace("\t", "").isprintable():
        return text.strip()
    kept: list[str] = []
    for ch in text:
        if ch.isprintable() or ch in "\n\t":
            kept.append(ch)
            continue
        category = unicodedata.category(ch)
        if category == "Cs":
            raise TextProblem(
                f"含有无效字符（孤立代理项 U+{ord(ch):04X}） · "
                f"contains an invalid character (lone surrogate U+{ord(ch):04X})"
            )
        if category in ("Zl", "Zp"):
            kept.append("\n" if multiline else " ")
        elif category not in ("Cc", "Cf"):
            kept.append(ch)  # spaces such as U+3000, private-use characters
    return "".join(kept).strip()
