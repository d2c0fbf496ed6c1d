"""Webhooks for banks' systems: an endpoint per organisation, events queued in a delivery
table in the same transaction as the change, pushed by a job with retries and backoff.

Each POST carries ``X-Xinyong-Event``, ``X-Xinyong-Delivery`` and ``X-Xinyong-Signature:
t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>``; the body
is the JSON payload. A 2xx answer delivers; anything else (or no answer) is retried after
``webhook_backoff_seconds`` until they run out (then the delivery is ``failed``)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.core import crypto
from xinyong.core.db import as_utc, utcnow
from xinyong.financing import institutions
from xinyong.financing.config import get_config
from xinyong.financing.models import WebhookDelivery, WebhookEndpoint

# (url, body, headers, timeout) -> HTTP status; raises OSError when nobody answers.
Sender = Callable[[str, bytes, dict[str, str], float], int]


@dataclass(frozen=True)
class Registered:
    endpoint: WebhookEndpoint
    secret: str  # shown once


def register(session: Session, *, principal: Principal, url: str) -> Registered:
    """A bank's system registers where new applications are pushed; the secret is shown once."""
    policy.require(principal, "financing.review")
    institutions.acting_scope(session, principal)
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(
        organisation_id=principal.organisation_id or 0,
        url=url.strip(),
        secret_enc=crypto.encrypt_text(secret),
    )
    session.add(endpoint)
    session.flush()
    audit_service.append(
        session,
        actor=principal.actor,
        action="financing.webhook.register",
        object_type="financing_webhook",
        object_id=endpoint.id,
        summary={"url": endpoint.url},
    )
    return Registered(endpoint, secret)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The v1 signature of a body sent at ``timestamp``."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, header: str, body: bytes) -> bool:
    """Whether a ``X-Xinyong-Signature`` header fits the body (what a bank's receiver does)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        return False
    return hmac.compare_digest(signature(secret, int(parts["t"]), body), parts["v1"])


def enqueue(
    session: Session, *, organisation_ids: set[int], event: str, payload: dict[str, Any]
) -> int:
    """Queue the event for every active endpoint of these organisations; the count queued."""
    stmt = select(WebhookEndpoint).where(
        WebhookEndpoint.organisation_id.in_(organisation_ids), WebhookEndpoint.active.is_(True)
    )
    count = 0
    for endpoint in session.scalars(stmt):
        session.add(WebhookDelivery(endpoint_id=endpoint.id, event=event, payload=payload))
        count += 1
    session.flush()
    return count


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _attempt(delivery: WebhookDelivery, endpoint: WebhookEndpoint, send: Sender) -> str | None:
    """One attempt; None when delivered, else what went wrong."""
    body = orjson.dumps(
        {"id": delivery.id, "event": delivery.event, "data": delivery.payload},
        option=orjson.OPT_SORT_KEYS,
    )
    timestamp = int(utcnow().timestamp())
    secret = crypto.decrypt_text(endpoint.secret_enc)
    headers = {
        "Content-Type": "application/json",
        "X-Xinyong-Event": delivery.event,
        "X-Xinyong-Delivery": str(delivery.id),
        "X-Xinyong-Signature": f"t={timestamp},v1={signature(secret, timestamp, body)}",
    }
    try:
        status = send(endpoint.url, body, headers, get_config().webhook_timeout_seconds)
    except OSError as error:
        return f"no answer: {error}"[:500]
    return None if 200 <= status < 300 else f"HTTP {status}"


def deliver_due(
    session: Session, *, now: datetime | None = None, send: Sender = _post
) -> dict[str, int]:
    """Attempt every pending delivery whose time has come; counts of delivered, retried, failed."""
    now = now or utcnow()
    backoff = get_config().webhook_backoff_seconds
    counts = {"delivered": 0, "retried": 0, "failed": 0}
    stmt = select(WebhookDelivery).where(WebhookDelivery.state == "pending")
    for delivery in session.scalars(stmt.order_by(WebhookDelivery.id)).all():
        if (as_utc(delivery.next_attempt_at) or now) > now:
            continue
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
        assert endpoint is not None
        delivery.attempts += 1
        problem = _attempt(delivery, endpoint, send) if endpoint.active else "endpoint inactive"
        if problem is None:
            delivery.state, delivery.delivered_at = "delivered", now
            counts["delivered"] += 1
        elif delivery.attempts > len(backoff):
            delivery.state, delivery.last_error = "failed", problem
            counts["failed"] += 1
        else:
            delivery.last_error = problem
            delivery.next_attempt_at = now + timedelta(seconds=backoff[delivery.attempts - 1])
            counts["retried"] += 1
        session.flush()
    return counts
