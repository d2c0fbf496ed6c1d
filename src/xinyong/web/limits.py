"""Abuse limits: per-client request rates (429 with Retry-After) and request size (413)."""

from __future__ import annotations

import asyncio
import math
import re
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xinyong.core.config import get_settings


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


def _client_key(scope: Scope) -> tuple[str, bool]:
    for name, value in scope.get("headers", []):
        if name == b"authorization" and value.lower().startswith(b"bearer xy_"):
            prefix = value[7:].split(b"_")[1] if value.count(b"_") >= 2 else b"?"
            return "key:" + prefix.decode(errors="replace"), True
    client = scope.get("client") or ("unknown", 0)
    return f"ip:{client[0]}", False


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
        self.admission = asyncio.Semaphore(get_settings().max_concurrent_requests)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        if scope["path"].startswith("/api/") or scope["method"] == "POST":
            key, keyed = _client_key(scope)
            limit = settings.rate_key_per_minute if keyed else settings.rate_anonymous_per_minute
            wait = self.limiter.hit(key, limit)
            if wait is not None:
                body = b'{"code":"rate_limited","message":"too many requests; retry later"}'
                retry = str(max(1, math.ceil(wait))).encode()
                await _reply(send, 429, body, [(b"retry-after", retry)])
                return
        cap = body_cap(scope["path"], self.body_caps)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            await _reply(send, 413, _too_large(cap), [])
            return
        async with self.admission:
            await self.app(scope, _capped(receive, cap), send)


def _too_large(limit: int) -> bytes:
    return f'{{"code":"too_large","message":"request body over {limit} bytes"}}'.encode()


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
        super().__init__(f"request body over {limit} bytes")
        self.limit = limit
