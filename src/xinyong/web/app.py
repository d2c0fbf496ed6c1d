"""FastAPI application: landing page, health and statistics API, error handling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from xinyong import __version__
from xinyong.core.db import session_scope
from xinyong.core.errors import XinyongError
from xinyong.core.i18n import pick_language, t
from xinyong.web import stats

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def _language(request: Request) -> str:
    return pick_language(request.query_params.get("lang") or request.cookies.get("lang"))


async def _handle_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, XinyongError)
    if request.url.path.startswith("/api/"):
        return JSONResponse(exc.to_dict(), status_code=exc.status_code)
    lang = _language(request)
    context = {"lang": lang, "t": t, "error": exc}
    return templates.TemplateResponse(request, "error.html", context, status_code=exc.status_code)


def home(request: Request) -> HTMLResponse:
    """Landing page with live counts."""
    lang = _language(request)
    with session_scope() as session:
        figures = stats.headline(session)
    context: dict[str, Any] = {"lang": lang, "t": t, "figures": figures, "version": __version__}
    response = templates.TemplateResponse(request, "home.html", context)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie("lang", lang, samesite="lax", httponly=True)
    return response


def api_stats() -> dict[str, Any]:
    """Headline figures of the platform (subjects, records, departments, catalogue)."""
    with session_scope() as session:
        return stats.headline(session).model_dump(mode="json")


def api_health() -> dict[str, str]:
    """Liveness probe: the database answers."""
    with session_scope() as session:
        stats.ping(session)
    return {"status": "ok", "version": __version__}


def create_app() -> FastAPI:
    """Assemble the platform's web application."""
    app = FastAPI(
        title="xinyong API · 公共信用信息共享平台接口",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.add_exception_handler(XinyongError, _handle_error)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_api_route(
        "/", home, methods=["GET"], response_class=HTMLResponse, include_in_schema=False
    )
    app.add_api_route("/api/v1/stats", api_stats, methods=["GET"], tags=["platform"])
    app.add_api_route("/api/v1/health", api_health, methods=["GET"], tags=["platform"])
    return app
