"""FastAPI application: portal and console pages, the JSON API, sessions and limits."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from anyio import to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from xinyong import __version__, registry
from xinyong.accounts import api as auth_api
from xinyong.accounts import console as audit_console
from xinyong.accounts import views as auth_views
from xinyong.accounts.counter import console as counter_console
from xinyong.accounts.counter import views as counter_views
from xinyong.checks import api as check_api
from xinyong.checks import batch_api, batch_names, bulk_console
from xinyong.checks import batch_console as batch_views
from xinyong.checks import console as checks_console
from xinyong.commitments import api as commitments_api
from xinyong.commitments import console as commitments_console
from xinyong.commitments import views as commitments_views
from xinyong.core.config import get_settings
from xinyong.core.db import is_busy, session_scope
from xinyong.core.errors import API_ERRORS, Invalid, Unauthorized, XinyongError
from xinyong.core.i18n import one_language
from xinyong.desk import console as desk_console
from xinyong.evaluation import api as evaluation_api
from xinyong.evaluation import console as evaluation_console
from xinyong.evaluation import views as evaluation_views
from xinyong.financing import api as financing_api
from xinyong.financing import console as financing_console
from xinyong.financing import views as financing_views
from xinyong.incentives import api as incentives_api
from xinyong.incentives import console as incentives_console
from xinyong.incentives import views as incentives_views
from xinyong.ingest import api as ingest_api
from xinyong.ingest import console as ingest_console
from xinyong.lists import api as lists_api
from xinyong.lists import console as lists_console
from xinyong.measures import api as measures_api
from xinyong.measures import views as measures_views
from xinyong.points import api as points_api
from xinyong.points import console as points_console
from xinyong.points import views as points_views
from xinyong.portal import api as portal_api
from xinyong.portal import records_api as records_api
from xinyong.portal import views as portal_views
from xinyong.portal.exports import views as portal_exports
from xinyong.reports import api as reports_api
from xinyong.reports import console as reports_console
from xinyong.reports import views as reports_views
from xinyong.rights import api as rights_api
from xinyong.rights import console as rights_console
from xinyong.rights import console_counter as rights_counter
from xinyong.rights import evidence
from xinyong.rights import views as rights_views
from xinyong.rights import views_lists as rights_views_lists
from xinyong.supervision import api as supervision_api
from xinyong.supervision import console as supervision_console
from xinyong.supervision import views as supervision_views
from xinyong.web import apidocs, csrf
from xinyong.web.headers import SecurityHeadersMiddleware
from xinyong.web.limits import BodyTooLarge, LimitsMiddleware
from xinyong.web.problems import InvalidInput, api_language, problems_of
from xinyong.web.render import render

log = logging.getLogger(__name__)
HERE = Path(__file__).parent


async def _handle_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, XinyongError)
    if request.url.path.startswith("/api/"):
        lang = api_language(request)
        if isinstance(exc, InvalidInput):
            return JSONResponse(exc.body(lang), status_code=exc.status_code)
        body = {**exc.to_dict(), "message": exc.localized(lang)}
        return JSONResponse(body, status_code=exc.status_code)
    if isinstance(exc, Unauthorized) and request.method == "GET":
        return RedirectResponse("/login?next=" + quote(request.url.path), status_code=303)
    return render(request, "error.html", {"error": exc}, status_code=exc.status_code)


async def _invalid_request(request: Request, exc: Exception) -> Response:
    """Validation errors: each field's label and a sentence in the reader's language."""
    assert isinstance(exc, RequestValidationError)
    return await _handle_error(request, InvalidInput(problems_of(exc.errors())))


async def _no_nul_in_fields(request: Request) -> None:
    """No field keeps a NUL character (PostgreSQL refuses one in text): a query parameter or
    a form's text field holding one is refused as invalid input on both stores, before any
    route reads it (a path holding one names nothing: its route answers 404 or 422 as for
    any unknown code; JSON bodies are checked by their schemas' ``Storable`` fields)."""
    fields: list[tuple[str, Any]] = list(request.query_params.multi_items())
    route = request.scope.get("route")
    kind = request.headers.get("content-type", "")
    if getattr(route, "body_field", None) is not None and kind.startswith(_FORM_KINDS):
        form = await request.form()  # parsed already for the route: this reads the cache
        fields += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    for name, value in fields:
        if "\x00" in name or "\x00" in str(value):
            field = name.replace("\x00", "")
            raise Invalid(key="http.nul_field", params={"field": field}, details={"field": field})


_FORM_KINDS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _nul_in_text(request: Request, exc: Exception) -> Response:
    """A NUL character in a body's text reaching PostgreSQL: invalid input, not a 500."""
    assert isinstance(exc, DataError)
    reason = str(exc.orig)
    if "NUL" not in reason and "\\u0000 cannot be converted" not in reason:  # text, JSONB
        raise exc
    error = Invalid(key="http.nul_body")
    return await _handle_error(request, error)


async def _busy(request: Request, exc: Exception) -> Response:
    """SQLite still busy with another writer after the busy timeout: a clear 503 to retry."""
    assert isinstance(exc, OperationalError)
    if not is_busy(exc):
        raise exc
    error = XinyongError(status_code=503, code="busy", key="http.busy")
    response = await _handle_error(request, error)
    response.headers["retry-after"] = "5"
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    """Framework errors (malformed JSON, unknown path, wrong method) in the platform's shape."""
    assert isinstance(exc, StarletteHTTPException)
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "http_error"
    )
    key = {400: "http.bad_request", 404: "http.not_found", 405: "http.method_not_allowed"}
    error = XinyongError(
        status_code=exc.status_code,
        code=code,
        key=key.get(exc.status_code, "http.other"),
        params={"method": request.method, "status": exc.status_code},
    )
    if exc.status_code == 400 and str(exc.detail) not in ("", "Bad Request"):
        error.details = {"detail": str(exc.detail)}
    response = await _handle_error(request, error)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    if exc.status_code == 405:
        # The router names only the first route of the path; list every method it serves.
        allowed = _methods_of(request.app.routes, request.url.path)
        response.headers["allow"] = ", ".join(sorted(allowed)) or response.headers.get("allow", "")
    return response


def _routes_at(routes: Iterable[object], path: str) -> Iterator[tuple[str, set[str]]]:
    """(path template, methods) of the routes matching ``path`` (included routers walked)."""
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's included routers
        if included is not None:
            yield from _routes_at(included.routes, path)
            continue
        regex, methods = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and methods and regex.match(path):
            yield str(getattr(route, "path", "")), set(methods)


def _methods_of(routes: Iterable[object], path: str) -> set[str]:
    """The methods served at ``path``: those of the routes written exactly so (``/checks/batch``)
    when there are any, else those of the templates it fits (``/checks/{check_id}``)."""
    found = list(_routes_at(routes, path))
    exact = [methods for template, methods in found if template == path]
    return set().union(*(exact or [methods for _, methods in found]))


async def _too_large(request: Request, exc: Exception) -> Response:
    message = one_language(str(exc), api_language(request))
    return JSONResponse({"code": "too_large", "message": message}, status_code=413)


def api_health() -> dict[str, str]:
    """Liveness probe: the database answers."""
    with session_scope() as session:
        session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}


@asynccontextmanager
async def _lifespan(_: FastAPI) -> AsyncIterator[None]:
    """Size the thread pool that runs routes and database work (``worker_threads``); build
    the batch checks' matching index in the background (``match_index_at_start``)."""
    settings = get_settings()
    to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
    if settings.match_index_at_start:
        threading.Thread(target=_warm_match_index, name="match-index", daemon=True).start()
    yield


def _warm_match_index() -> None:
    try:
        with session_scope() as session:
            batch_names.warm_index(session)
    except Exception:  # a server whose database is not ready still serves; jobs build it
        log.exception("the match index was not built at start; the first name job builds it")


def create_app() -> FastAPI:
    """Assemble the platform's web application."""
    settings = get_settings()
    registry.wire_effects()
    app = FastAPI(
        lifespan=_lifespan,
        title="xinyong API · 公共信用信息共享平台接口",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served by web/apidocs.py from the platform's own files
        redoc_url=None,
        # CSRF for every router: cookie-authenticated unsafe requests echo the session token
        dependencies=[Depends(_no_nul_in_fields), Depends(csrf.verify)],
    )
    app.add_exception_handler(XinyongError, _handle_error)
    app.add_exception_handler(BodyTooLarge, _too_large)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(DataError, _nul_in_text)
    app.add_exception_handler(OperationalError, _busy)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="xinyong_session",
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.env == "production",
    )
    body_caps = [ingest_api.BODY_CAP, batch_api.BODY_CAP, evidence.BODY_CAP]
    app.add_middleware(LimitsMiddleware, body_caps=body_caps)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: on 413 and 429 answers too
    static = Path(__file__).parent / "web" / "static"
    app.mount("/static", StaticFiles(directory=static), name="static")
    app.include_router(portal_api.platform_router)
    app.include_router(apidocs.router)
    app.add_api_route(
        "/api/v1/health", api_health, methods=["GET"], tags=["platform"], responses=API_ERRORS
    )
    for router in (
        auth_views.router,
        desk_console.router,
        auth_api.router,
        counter_views.router,
        counter_views.api_router,
        counter_console.router,
        records_api.router,
        audit_console.router,
        portal_views.router,
        portal_exports.router,
    ):
        app.include_router(router)
    app.include_router(portal_api.router)
    for router in (ingest_api.router, ingest_console.router):
        app.include_router(router)
    for router in (
        rights_api.router,
        rights_views.router,
        rights_views_lists.router,
        rights_console.router,
        rights_counter.router,
    ):
        app.include_router(router)
    for router in (measures_api.router, measures_views.router, check_api.router):
        app.include_router(router)
    app.include_router(checks_console.router)  # {check_id:int}: never takes /batch
    app.include_router(bulk_console.router)
    # batch checks (统查) before any /console/checks/{check_id} route: "batch" is no id
    for router in (batch_api.router, batch_views.router):
        app.include_router(router)
    for router in (lists_api.router, lists_console.router):
        app.include_router(router)
    for router in (points_api.router, points_views.router, points_console.router):
        app.include_router(router)
    # /reports/request before /reports/{number}; the console's fixed paths before /{number}
    for router in (
        reports_api.router,
        reports_api.public_router,
        reports_views.router,
        reports_console.router,
    ):
        app.include_router(router)
    for router in (
        evaluation_api.router,
        evaluation_views.router,
        evaluation_console.router,
        supervision_api.router,
        supervision_console.router,
        supervision_views.router,
    ):
        app.include_router(router)
    for router in (financing_api.router, financing_views.router, financing_console.router):
        app.include_router(router)
    for router in (incentives_api.router, incentives_views.router, incentives_console.router):
        app.include_router(router)
    # commitments: /bulk and /counter are declared before /{number} in their routers
    for router in (commitments_api.router, commitments_views.router, commitments_console.router):
        app.include_router(router)
    return app
