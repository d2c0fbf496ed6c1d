"""The credit code's token (信用码): signed, short-lived, no personal data inside.

Format (ASCII, fits a small QR code)::

    XYC1.<key id>.<payload>.<signature>

``payload`` is base64url (no padding) of compact JSON ``{"id": <random token id>, "iat":
<issued, Unix seconds>, "exp": <expires, Unix seconds>}``; ``signature`` is base64url of the
platform's signature (Ed25519, or SM2 under the national suite; ``reports.signing``, the
same keys that sign credit reports) over the ASCII bytes ``XYC1.<key id>.<payload>``. Only
the platform knows whose token an id is. The public keys are published at
``/api/v1/incentives/keys``; docs/incentives-offline-verification.md describes the check.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from xinyong.core.config import get_settings
from xinyong.reports import signing

PREFIX = "XYC1"
LIFETIME = timedelta(minutes=3)
MAX_TOKEN = 400
_SHAPE = re.compile(r"^XYC1\.[A-Za-z0-9-]{4,24}\.[A-Za-z0-9_-]{8,200}\.[A-Za-z0-9_-]{40,200}$")


@dataclass(frozen=True)
class Claims:
    """What a verified token says: its id and validity."""

    token_id: str
    issued_at: datetime
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_token_id() -> str:
    """A random token id (96 bits)."""
    return secrets.token_urlsafe(12)


def make(token_id: str, issued_at: datetime) -> str:
    """The signed token of an id issued at ``issued_at`` (valid for LIFETIME)."""
    suite = signing.current_suite()
    key_id = signing.public_key_of(get_settings().report_signing_key, suite).key_id
    expires = issued_at + LIFETIME
    body = {"id": token_id, "iat": int(issued_at.timestamp()), "exp": int(expires.timestamp())}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    head = f"{PREFIX}.{key_id}.{payload}"
    signed_by, signature = signing.sign(head.encode("ascii"), suite=suite)
    assert signed_by == key_id
    return f"{head}.{_b64(base64.b64decode(signature))}"


def read(token: str) -> Claims | None:
    """The claims of a genuine token (signature valid under a platform key), else None.

    Expiry is not judged here: the caller compares ``expires_at`` with its clock."""
    token = token.strip()
    if len(token) > MAX_TOKEN or not _SHAPE.match(token):
        return None
    head, _, signature = token.rpartition(".")
    _, key_id, payload = head.split(".")
    try:
        raw_signature = base64.b64encode(_unb64(signature)).decode("ascii")
        if not signing.verify(key_id, head.encode("ascii"), raw_signature):
            return None
        body = json.loads(_unb64(payload))
        return Claims(
            str(body["id"]),
            datetime.fromtimestamp(int(body["iat"]), UTC),
            datetime.fromtimestamp(int(body["exp"]), UTC),
        )
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None
