"""Abuse limits: per-client request rates (429 with Retry-After) and request size (413)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import re
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from anyio import to_thread
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xinyong.auth import apikeys
from xinyong.core.config import get_settings
from xinyong.core.db import session_scope

log = logging.getLogger(__name__)


@dataclass
class _Window:
    started: float
    count: int


class RateLimiter:
    """Fixed one-minute windows per client key; in process (a shared store can replace it)."""

    def __init__(self) -> None:
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, now: float | None = None) -> float | None:
        """Count a request; None if allowed, else seconds until the window resets."""
        now = time.monotonic() if now is None else now
        with self._lock:
            window = self._windows.get(key)
            if window is None or now - window.started >= 60:
                window = self._windows[key] = _Window(now, 0)
            window.count += 1
            if window.count <= limit:
                return None
            return 60 - (now - window.started)


class KeyIdentity:
    """Which API key a bearer token verifiably is (None: none), remembered for a minute by
    the token's digest, so that a forged token with a real key's prefix is never counted as
    that key, and a made-up prefix is no escape from the client address's limit."""

    TTL_SECONDS = 60.0
    MAX_REMEMBERED = 10_000

    def __init__(self) -> None:
        self._known: dict[str, tuple[float, int | None]] = {}
        self._lock = threading.Lock()

    def lookup(self, token: str) -> int | None:
        """The key id of a token (database look-up at most once a minute per token)."""
        digest = hashlib.sha256(token.encode(errors="replace")).hexdigest()
        now = time.monotonic()
        with self._lock:
            known = self._known.get(digest)
        if known is not None and now - known[0] < self.TTL_SECONDS:
            return known[1]
        key_id = _verify(token)
        with self._lock:
            if len(self._known) >= self.MAX_REMEMBERED:
                self._known.clear()
            self._known[digest] = (now, key_id)
        return key_id


def _verify(token: str) -> int | None:
    """The verified key id of a token; None when it is no live key or the store is down."""
    try:
        with session_scope() as session:
            return apikeys.verified_key_id(session, token)
    except SQLAlchemyError:
        log.warning("API key not verified for the rate limit (database error)", exc_info=True)
        return None


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            token = value[7:].strip().decode("latin-1")
            return token if token.startswith("xy_") and len(token) <= 200 else None
    return None


async def _reply(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), *headers],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})


# A path pattern and the largest body accepted on the paths it fits: the modules that take
# files declare theirs (uploads, batch check lists, evidence), the app hands them in.
BodyCap = tuple[re.Pattern[str], Callable[[], int]]


def body_cap(path: str, caps: Sequence[BodyCap] = ()) -> int:
    """The largest request body accepted on this path."""
    for pattern, cap in caps:
        if pattern.fullmatch(path):
            return cap()
    return get_settings().max_request_bytes


class LimitsMiddleware:
    """Refuse oversized bodies (413) and clients over their rate (429 + Retry-After), and let
    at most ``max_concurrent_requests`` requests of this process into the app at once.

    Admission: a request takes a database connection in one worker-thread step and gives it
    back in a later one; with more requests inside than connections in the pool, requests
    holding threads wait for connections held by requests waiting for threads, until the
    pool's timeout. The others wait here, in the event loop, holding neither.
    """

    def __init__(
        self,
        app: ASGIApp,
        limiter: RateLimiter | None = None,
        body_caps: Sequence[BodyCap] = (),
    ) -> None:
        self.app = app
        self.body_caps = tuple(body_caps)
        self.limiter = limiter or RateLimiter()
        self.identity = KeyIdentity()
        self.admission = asyncio.Semaphore(get_settings().max_concurrent_requests)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = body_cap(scope["path"], self.body_caps)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            await _reply(send, 413, _too_large(cap), [])
            return
        async with self.admission:
            if scope["path"].startswith("/api/") or scope["method"] == "POST":
                wait = await self._rate(scope)
                if wait is not None:
                    retry = str(max(1, math.ceil(wait))).encode()
                    await _reply(send, 429, RATE_LIMITED, [(b"retry-after", retry)])
                    return
            await self.app(scope, _capped(receive, cap), send)

    async def _rate(self, scope: Scope) -> float | None:
        """Count the request against its client: the verified API key, else the address."""
        settings = get_settings()
        token = _bearer(scope)
        key_id = await to_thread.run_sync(self.identity.lookup, token) if token else None
        if key_id is not None:
            return self.limiter.hit(f"key:{key_id}", settings.rate_key_per_minute)
        client = scope.get("client") or ("unknown", 0)
        return self.limiter.hit(f"ip:{client[0]}", settings.rate_anonymous_per_minute)


RATE_LIMITED = (
    '{"code":"rate_limited","message":"请求过于频繁，请稍后再试 · too many requests; retry later"}'
).encode()


def _too_large(limit: int) -> bytes:
    message = f"请求内容超过 {limit} 字节 · request body over {limit} bytes"
    return f'{{"code":"too_large","message":"{message}"}}'.encode()


def _capped(receive: Receive, limit: int) -> Callable[[], Awaitable[Message]]:
    """A receive channel that stops a streamed body that grows past the limit."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return wrapped


class BodyTooLarge(Exception):
    """A streamed request body passed the size limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"请求内容超过 {limit} 字节 · request body over {limit} bytes")
        self.limit = limit
