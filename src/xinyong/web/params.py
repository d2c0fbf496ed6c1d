"""Request parameters shared by pages and APIs: language, paging, ids in paths and forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request

from xinyong.core.errors import Invalid, XinyongError
from xinyong.core.i18n import Language, pick_language
from xinyong.web.render import language

MAX_ID = 2**31 - 1  # the largest id an integer column holds on both stores
# An id in the path: a positive integer a row can have (anything else is a 422).
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
# An id in the path as text, so that a malformed one is a 404 after the access checks.
RawId = Annotated[str, Path(max_length=12)]
# How far into a long listing a page starts.
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


def lang_of(request: Request) -> Language:
    """The page language: ``?lang=``, then the cookie, else Chinese."""
    return pick_language(language(request))


def colon(lang: Language) -> str:
    """The colon after a label: full-width in Chinese."""
    return "：" if lang == "zh" else ": "


def parse_id(raw: str, field: str, *, error: type[XinyongError] = Invalid, noun: str = "id") -> int:
    """A positive id from a path or form value, or an error naming the field."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise error(f"{field}: {raw!r} is not a valid {noun}", details={"field": field})
    return int(text)
