"""Report signatures: Ed25519 by default, SM2 with SM3 under the national suite.

Signing keys are configured like the data keys: ``XINYONG_REPORT_SIGNING_KEY`` is the seed
of the current key, ``XINYONG_REPORT_SIGNING_KEYS_PREVIOUS`` the seeds of earlier ones. Each
report stores the id of the key that signed it, so after a rotation old reports still
verify. Only public keys leave this module (``public_keys``), e.g. for offline checks.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from xinyong.audit import hashing
from xinyong.core.config import get_settings

Suite = Literal["ed25519", "sm2"]
SUITES: tuple[Suite, ...] = ("ed25519", "sm2")
SM2_ORDER = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)


@dataclass(frozen=True)
class PublicKey:
    """A verification key as published: suite, id and the key (hex)."""

    suite: Suite
    key_id: str
    public_hex: str


def current_suite() -> Suite:
    """SM2 under ``XINYONG_CRYPTO_SUITE=national``, Ed25519 otherwise."""
    return "sm2" if get_settings().crypto_suite == "national" else "ed25519"


def digest_algorithm(suite: Suite) -> str:
    """The digest that goes with a suite: SM3 with SM2, SHA-256 with Ed25519."""
    return "sm3" if suite == "sm2" else "sha256"


def digest(algorithm: str, data: bytes) -> str:
    """Hex digest of data with the named algorithm (sha256 or sm3)."""
    return hashing.digest(algorithm, data)


def _seed(secret: str, suite: Suite) -> bytes:
    return hashlib.sha256(f"xinyong-report-sign:{suite}:{secret}".encode()).digest()


@lru_cache(maxsize=16)
def _ed25519(secret: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_seed(secret, "ed25519"))


@lru_cache(maxsize=16)
def _sm2_private(secret: str) -> str:
    value = int.from_bytes(_seed(secret, "sm2"), "big") % (SM2_ORDER - 1) + 1
    return f"{value:064x}"


@lru_cache(maxsize=16)
def _sm2_public(private_hex: str) -> str:
    from gmssl import sm2

    crypt = sm2.CryptSM2(private_key=private_hex, public_key="")
    return str(crypt._kg(int(private_hex, 16), sm2.default_ecc_table["g"]))


@lru_cache(maxsize=16)
def public_key_of(secret: str, suite: Suite) -> PublicKey:
    """The public key (and its id) of a signing seed under a suite."""
    if suite == "sm2":
        public_hex = _sm2_public(_sm2_private(secret))
    else:
        raw = _ed25519(secret).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        public_hex = raw.hex()
    key_id = suite[:2] + "-" + hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:12]
    return PublicKey(suite, key_id, public_hex)


def sign(data: bytes, *, suite: Suite | None = None) -> tuple[str, str]:
    """(key id, base64 signature) of data with the current signing key."""
    suite = suite or current_suite()
    secret = get_settings().report_signing_key
    key = public_key_of(secret, suite)
    if suite == "sm2":
        from gmssl import sm2

        crypt = sm2.CryptSM2(private_key=_sm2_private(secret), public_key=key.public_hex)
        signature = bytes.fromhex(crypt.sign_with_sm3(data))
    else:
        signature = _ed25519(secret).sign(data)
    return key.key_id, base64.b64encode(signature).decode("ascii")


def public_keys() -> dict[str, PublicKey]:
    """Every key a report may have been signed with: current and previous, both suites."""
    settings = get_settings()
    keys: dict[str, PublicKey] = {}
    for secret in (settings.report_signing_key, *settings.report_signing_keys_previous):
        for suite in SUITES:
            key = public_key_of(secret, suite)
            keys[key.key_id] = key
    return keys


def verify_with(key: PublicKey, data: bytes, signature_b64: str) -> bool:
    """Whether the signature over data is valid under this public key."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except ValueError:
        return False
    if key.suite == "sm2":
        from gmssl import sm2

        crypt = sm2.CryptSM2(private_key="", public_key=key.public_hex)
        try:
            return bool(crypt.verify_with_sm3(signature.hex(), data))
        except (ValueError, IndexError, ZeroDivisionError):
            return False
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(key.public_hex)).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def verify(key_id: str, data: bytes, signature_b64: str) -> bool:
    """Whether the signature is valid under the configured key with this id (unknown: no)."""
    key = public_keys().get(key_id)
    return key is not None and verify_with(key, data, signature_b64)


def pdf_message(number: str, pdf_digest: str) -> bytes:
    """What the PDF signature covers: the report number and the digest of the PDF's bytes."""
    return f"xinyong-report-pdf:{number}:{pdf_digest}".encode()
