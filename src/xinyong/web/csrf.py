"""CSRF protection for cookie-authenticated requests (forms and JSON alike).

A random token lives in the signed session; every unsafe request made with the session
cookie must echo it, as the ``csrf_token`` form field or the ``X-CSRF-Token`` header.
Bearer-key API calls carry no cookie and are exempt. ``verify`` is one application-wide
dependency (``web.app.create_app``), so no router can be mounted without it.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from xinyong.core.errors import Forbidden

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    value = request.session.get("csrf")
    if not value:
        value = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(value)


def rotate(request: Request) -> str:
    """A fresh token (after login), so a token seen before login is worthless."""
    request.session["csrf"] = secrets.token_urlsafe(32)
    return str(request.session["csrf"])


async def verify(request: Request) -> None:
    """Refuse an unsafe cookie-authenticated request without the session's token."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and "form" in request.headers.get("content-type", ""):
        sent = str((await request.form()).get("csrf_token") or "")
    expected = request.session.get("csrf")
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise Forbidden(key="http.csrf", code="csrf")
