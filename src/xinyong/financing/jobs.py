"""Scheduled 信易贷 work: push queued webhook deliveries (retries with backoff)."""

from __future__ import annotations

from xinyong.core.db import session_scope
from xinyong.financing import webhooks


def deliver_webhooks() -> dict[str, int]:
    """Attempt every delivery whose time has come (run every few seconds by a scheduler)."""
    with session_scope() as session:
        return webhooks.deliver_due(session)
