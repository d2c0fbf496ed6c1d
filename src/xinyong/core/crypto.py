"""Protection of personal identifiers at rest, and keyed hashes to find them.

Tokens are ``<suite>:<key id>:<base64(nonce + ciphertext + tag)>``: suite ``a`` is
AES-256-GCM, suite ``s`` is SM4-GCM (the national algorithms, ``XINYONG_CRYPTO_SUITE=national``).
The key id names which data key sealed the token, so a new key can be introduced while
old tokens stay readable (``XINYONG_DATA_KEYS_PREVIOUS``) and re-sealed in the background
(``xinyong keys rotate``): rotation without downtime. Look-ups use HMAC-SHA256 with the
separate lookup key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from xinyong.core.config import get_settings

_NONCE_BYTES = 12
_TAG_BYTES = 16
_AAD = b"xinyong:id_number:v1"
_SUITES = {"international": "a", "national": "s"}


class DecryptionError(ValueError):
    """A token could not be opened: unknown key, wrong suite, or tampering."""


@lru_cache(maxsize=32)
def _key_bytes(secret: str, suite: str) -> bytes:
    digest = hashlib.sha256(("xinyong-data:" + secret).encode()).digest()
    return digest if suite == "a" else digest[:16]  # SM4 takes a 128-bit key


@lru_cache(maxsize=32)
def key_id(secret: str) -> str:
    """A short public name of a data key (never the key itself)."""
    return hashlib.sha256(("xinyong-key-id:" + secret).encode()).hexdigest()[:8]


@lru_cache(maxsize=32)
def _aes_gcm(secret: str) -> AESGCM:
    """The AES-256-GCM of a data key, made once (a bulk load seals a number per row)."""
    return AESGCM(_key_bytes(secret, "a"))


def _seal(suite: str, secret: str, plain: bytes) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    if suite == "a":  # nonce + ciphertext + tag, as the generic GCM below writes it
        return nonce + _aes_gcm(secret).encrypt(nonce, plain, _AAD)
    encryptor = Cipher(algorithms.SM4(_key_bytes(secret, suite)), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(_AAD)
    body = encryptor.update(plain) + encryptor.finalize()
    return nonce + body + encryptor.tag


def _open(suite: str, secret: str, raw: bytes) -> bytes:
    nonce, body, tag = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:-_TAG_BYTES], raw[-_TAG_BYTES:]
    if suite == "a":
        try:
            return _aes_gcm(secret).decrypt(nonce, raw[_NONCE_BYTES:], _AAD)
        except InvalidTag as error:
            raise DecryptionError("token does not open with its key (tampered?)") from error
    cipher = Cipher(algorithms.SM4(_key_bytes(secret, suite)), modes.GCM(nonce, tag))
    decryptor = cipher.decryptor()
    decryptor.authenticate_additional_data(_AAD)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except Exception as error:  # InvalidTag
        raise DecryptionError("token does not open with its key (tampered?)") from error


def current_prefix() -> str:
    """``<suite>:<key id>:`` of tokens sealed now."""
    settings = get_settings()
    return f"{_SUITES[settings.crypto_suite]}:{key_id(settings.data_key)}:"


def encrypt_text(plain: str) -> str:
    """Seal a short secret (an ID number) with the current suite and data key."""
    settings = get_settings()
    suite = _SUITES[settings.crypto_suite]
    raw = _seal(suite, settings.data_key, plain.encode("utf-8"))
    return current_prefix() + base64.b64encode(raw).decode("ascii")


def _known_keys() -> dict[str, str]:
    settings = get_settings()
    keys = [settings.data_key, *settings.data_keys_previous]
    return {key_id(secret): secret for secret in keys}


def decrypt_text(token: str) -> str:
    """Open a token sealed with the current or a previous data key."""
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] not in _SUITES.values():
        raise DecryptionError("not a xinyong token")
    suite, kid, body = parts
    secret = _known_keys().get(kid)
    if secret is None:
        raise DecryptionError(
            f"token sealed with unknown key {kid}; configure it as a previous key"
        )
    return _open(suite, secret, base64.b64decode(body)).decode("utf-8")


def needs_rotation(token: str) -> bool:
    """Whether a token was sealed with another key or suite than the current ones."""
    return not token.startswith(current_prefix())


def lookup_hash(value: str) -> str:
    """Keyed hash used to find a subject by ID number without storing it in clear."""
    return _lookup_hmac(get_settings().lookup_key).copy_with(value)


class _KeyedHash:
    """HMAC-SHA256 with its key schedule done once (``hmac.new`` per value redoes it)."""

    def __init__(self, key: str) -> None:
        self._base = hmac.new(key.encode("utf-8"), digestmod=hashlib.sha256)

    def copy_with(self, value: str) -> str:
        mac = self._base.copy()
        mac.update(value.encode("utf-8"))
        return mac.hexdigest()


@lru_cache(maxsize=8)
def _lookup_hmac(key: str) -> _KeyedHash:
    return _KeyedHash(key)
