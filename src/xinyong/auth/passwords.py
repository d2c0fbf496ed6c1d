"""Password hashing (argon2id) and the platform's password rules."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from xinyong.core.errors import Invalid

MIN_LENGTH = 12
_CLASSES = (str.islower, str.isupper, str.isdigit)


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def check_rules(password: str, *, username: str) -> None:
    """Refuse weak passwords with a reason: length, character classes, the username."""
    if len(password) < MIN_LENGTH:
        raise Invalid(
            key="auth.err.password_short",
            params={"MIN_LENGTH": MIN_LENGTH},
            details={"field": "password"},
        )
    classes = sum(any(test(c) for c in password) for test in _CLASSES)
    classes += any(not c.isalnum() for c in password)
    if classes < 3:
        raise Invalid(
            key="auth.err.password_classes",
            details={"field": "password"},
        )
    if username and username.lower() in password.lower():
        raise Invalid(key="auth.err.password_username", details={"field": "password"})


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether the password matches the stored hash (never raises on a mismatch)."""
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether the hash was made with weaker parameters than the current ones."""
    return _hasher().check_needs_rehash(stored)
