"""New applications reach a bank's system through its webhook: a local HTTP receiver (the
bank's side, the one thing mocked) fails the first attempt; the job retries after the
backoff and the event is delivered once, its signature verified with the shared secret."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.financing.conftest import World, application_data
from xinyong.core.db import utcnow
from xinyong.financing import applications, webhooks
from xinyong.financing.models import WebhookDelivery


class Receiver(ThreadingHTTPServer):
    """Answers 500 to the first POST, 204 after; keeps what it was sent."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[dict[str, str], bytes, int]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/xinyong"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        server: Any = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status = 500 if not server.received else 204
        server.received.append((dict(self.headers), body, status))
        self.send_response(status)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_delivered_once_after_a_failed_first_attempt(
    session: Session, world: World, receiver: Receiver
) -> None:
    hook = webhooks.register(session, principal=world.head_admin, url=receiver.url)
    app = applications.apply(session, principal=world.firm_p, data=application_data(world))
    now = utcnow()
    first = webhooks.deliver_due(session, now=now)
    assert first == {"delivered": 0, "retried": 1, "failed": 0}
    assert webhooks.deliver_due(session, now=now) == {"delivered": 0, "retried": 0, "failed": 0}
    second = webhooks.deliver_due(session, now=now + timedelta(seconds=2))
    assert second == {"delivered": 1, "retried": 0, "failed": 0}
    assert webhooks.deliver_due(session, now=now + timedelta(hours=1))["delivered"] == 0
    delivered = [(h, b) for h, b, status in receiver.received if status == 204]
    assert len(receiver.received) == 2 and len(delivered) == 1
    headers, body = delivered[0]
    assert webhooks.verify(hook.secret, headers["X-Xinyong-Signature"], body)
    assert not webhooks.verify("whsec_wrong", headers["X-Xinyong-Signature"], body)
    assert not webhooks.verify(hook.secret, headers["X-Xinyong-Signature"], body + b" ")
    event = json.loads(body)
    assert event["event"] == "application.created"
    assert event["data"]["application_id"] == app.id
    row = session.get(WebhookDelivery, event["id"])
    assert row is not None and row.state == "delivered" and row.attempts == 2


def test_a_receiver_that_never_answers_is_given_up(session: Session, world: World) -> None:
    webhooks.register(session, principal=world.officer, url="http://127.0.0.1:9/nothing")
    applications.apply(session, principal=world.firm_p, data=application_data(world))

    def refuse(*_: object) -> int:
        raise OSError("connection refused")

    now = utcnow()
    for step in range(10):
        webhooks.deliver_due(session, now=now + timedelta(hours=step), send=refuse)
    rows = list(session.query(WebhookDelivery))
    assert [r.state for r in rows] == ["failed"] and rows[0].attempts == 6
