"""The documented offline check (docs/incentives-offline-verification.md) accepts a genuine,
fresh token with nothing but the published keys, and refuses altered or expired ones."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature

from xinyong.core.db import utcnow
from xinyong.incentives import tokens
from xinyong.incentives.api import keys

DOC = Path(__file__).resolve().parents[2] / "docs" / "incentives-offline-verification.md"


def _documented_check() -> object:
    """The example function of the document, executed as written."""
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"```python\n(.*?)```", text, re.S)
    assert found, "the document lost its example"
    namespace: dict[str, object] = {}
    exec(found.group(1), namespace)
    return namespace["offline_check"]


def _published() -> dict[str, str]:
    return {k["key_id"]: k["public_hex"] for k in keys()["keys"] if k["suite"] == "ed25519"}


def test_the_documented_check_accepts_a_fresh_token_and_nothing_else() -> None:
    check = _documented_check()
    token_id = tokens.new_token_id()
    token = tokens.make(token_id, utcnow())
    assert check(token, _published()) == token_id  # type: ignore[operator]
    assert json.loads(base64.urlsafe_b64decode(token.split(".")[2] + "==")).keys() == {
        "id",
        "iat",
        "exp",
    }  # nothing about the holder
    head, _, signature = token.rpartition(".")
    altered = head[:-2] + ("AA" if head[-2:] != "AA" else "BB") + "." + signature
    with pytest.raises((InvalidSignature, AssertionError, ValueError)):
        check(altered, _published())  # type: ignore[operator]
    stale = tokens.make(token_id, utcnow() - tokens.LIFETIME - timedelta(seconds=5))
    with pytest.raises(AssertionError):
        check(stale, _published())  # type: ignore[operator]
    with pytest.raises(AssertionError):
        check(token, {})  # type: ignore[operator]
