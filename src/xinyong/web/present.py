"""Presentation helpers every page uses: same-site links, the language switch, pagers,
highlighted matches, whether a route is served."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from fastapi import Request

from xinyong.core.i18n import Language

QueryValue = str | int | date | None


def highlight(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut into runs, each marked whether it lies inside a matched span."""
    marked = [False] * len(text)
    for start, end in spans:
        for index in range(max(start, 0), min(end, len(text))):
            marked[index] = True
    runs: list[tuple[str, bool]] = []
    for char, hit in zip(text, marked, strict=True):
        if runs and runs[-1][1] == hit:
            runs[-1] = (runs[-1][0] + char, hit)
        else:
            runs.append((char, hit))
    return runs


def href(path: str, params: Mapping[str, QueryValue], **changes: QueryValue) -> str:
    """A same-site link: ``path`` with the non-empty ``params`` (updated by ``changes``)."""
    merged = {**params, **changes}
    query = urlencode({k: str(v) for k, v in merged.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


def switch_href(request: Request, lang: Language) -> str:
    """The current page in the other language (the other query parameters kept)."""
    params: dict[str, QueryValue] = dict(request.query_params)
    return href(request.url.path, params, lang="en" if lang == "zh" else "zh")


def _paths(routes: Iterable[object]) -> Iterator[str]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's included routers
        if included is not None:
            yield from _paths(included.routes)
        elif isinstance(path := getattr(route, "path", None), str):
            yield path


def served_paths(request: Request) -> set[str]:
    """Every path template the application serves."""
    return set(_paths(request.app.routes))


def route_exists(request: Request, path: str) -> bool:
    """Whether the application serves ``path`` (pages of later issues appear by themselves)."""
    return path in set(_paths(request.app.routes))


@dataclass(frozen=True)
class Pager:
    """Numbered pages over an offset-paginated result."""

    page: int
    pages: int
    total: int
    prev_href: str | None
    next_href: str | None


def pager(
    path: str, params: Mapping[str, QueryValue], *, total: int, page: int, limit: int
) -> Pager:
    """Previous and next links for page ``page`` of ``total`` rows, ``limit`` per page."""
    pages = max((total + limit - 1) // limit, 1)
    prev_href = href(path, params, page=page - 1 if page > 2 else None) if page > 1 else None
    next_href = href(path, params, page=page + 1) if page < pages else None
    return Pager(page, pages, total, prev_href, next_href)
