"""Interface text of the rights console pages (Chinese first, English available)."""

from __future__ import annotations

from xinyong.core.i18n import Language, register

TEXT: dict[str, dict[Language, str]] = {}

register(TEXT)
