"""Protection of personal identifiers: AES-256-GCM at rest, HMAC-SHA256 for look-ups."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from xinyong.core.config import get_settings

_NONCE_BYTES = 12
_AAD = b"xinyong:id_number:v1"


@lru_cache(maxsize=8)
def _aead(data_key: str) -> AESGCM:
    return AESGCM(hashlib.sha256(("xinyong-data:" + data_key).encode()).digest())


def encrypt_text(plain: str) -> str:
    """Encrypt a short secret (an ID number) to a base64 token: nonce + ciphertext."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _aead(get_settings().data_key).encrypt(nonce, plain.encode("utf-8"), _AAD)
    return base64.b64encode(nonce + sealed).decode("ascii")


def decrypt_text(token: str) -> str:
    """Decrypt a token made by ``encrypt_text`` (fails loudly on a wrong key or tampering)."""
    raw = base64.b64decode(token)
    nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    return _aead(get_settings().data_key).decrypt(nonce, sealed, _AAD).decode("utf-8")


def lookup_hash(value: str) -> str:
    """Keyed hash used to find a subject by ID number without storing it in clear."""
    key = get_settings().lookup_key.encode("utf-8")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
