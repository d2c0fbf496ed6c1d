"""Template rendering shared by the portal and console pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from xinyong.core.i18n import pick_language, t

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def language(request: Request) -> str:
    """The page language: ?lang=, then the cookie, else Chinese."""
    return pick_language(request.query_params.get("lang") or request.cookies.get("lang"))


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a page with the language, the text function and the CSRF token."""
    from xinyong.web import csrf

    full = {"lang": language(request), "t": t, "csrf_token": csrf.token(request), **context}
    return templates.TemplateResponse(request, name, full, status_code=status_code)
