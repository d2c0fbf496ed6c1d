"""Canonical serialisation of audit entries and the chain's hash functions (SHA-256, SM3).

An entry's hash covers every field except the hash itself: sorted-key compact JSON,
UTF-8, the timestamp in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``. Summaries are reduced
to strings, integers, booleans, nulls, lists and objects before they are stored, so
that both stores give back exactly what was hashed (PostgreSQL's JSONB rewrites
non-integer numbers, so those are kept as strings).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Literal

from cryptography.exceptions import UnsupportedAlgorithm

from xinyong.core.errors import Invalid
from xinyong.identity import codes

Algorithm = Literal["sha256", "sm3"]
ALGORITHMS: tuple[Algorithm, ...] = ("sha256", "sm3")
GENESIS_HASH = "0" * 64
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# Every field of an entry that its hash covers (all but ``hash``).
HASHED_FIELDS = (
    "seq",
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "subject_id",
    "summary",
    "algorithm",
    "prev_hash",
)
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def _sm3_gmssl(data: bytes) -> str:
    from gmssl import func, sm3

    return str(sm3.sm3_hash(func.bytes_to_list(data)))


def _sm3_hashlib(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def _sm3_cryptography(data: bytes) -> str:
    from cryptography.hazmat.primitives import hashes

    context = hashes.Hash(hashes.SM3())
    context.update(data)
    return context.finalize().hex()


# GB/T 32905-2016, example 1: SM3("abc").
_SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def _choose_sm3() -> tuple[str, Callable[[bytes], str]]:
    """OpenSSL's SM3 (through hashlib or cryptography) when it is at hand, else gmssl.

    gmssl is pure Python: about 500 hashes/s, too slow to verify a large log.
    """
    candidates: tuple[tuple[str, Callable[[bytes], str]], ...] = (
        ("hashlib (OpenSSL)", _sm3_hashlib),
        ("cryptography (OpenSSL)", _sm3_cryptography),
    )
    for name, function in candidates:
        try:
            if function(b"abc") == _SM3_ABC:
                return name, function
        except (ValueError, UnsupportedAlgorithm):  # this OpenSSL lacks SM3: try the next
            continue
    return "gmssl (pure Python)", _sm3_gmssl


_SM3_NAME, _SM3 = _choose_sm3()
_DIGESTS: dict[str, Callable[[bytes], str]] = {
    "sha256": lambda data: hashlib.sha256(data).hexdigest(),
    "sm3": _SM3,
}


def sm3_backend() -> str:
    """Which SM3 implementation the platform uses."""
    return _SM3_NAME


def digest(algorithm: str, data: bytes) -> str:
    """Lower-case hex digest of ``data`` with the named algorithm."""
    try:
        function = _DIGESTS[algorithm]
    except KeyError:
        raise Invalid(f"unknown audit hash algorithm {algorithm!r}") from None
    return function(data)


def format_timestamp(at: datetime) -> str:
    """The fixed UTC form of a timestamp; naive values (SQLite) are taken as UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def canonical_bytes(fields: Mapping[Any, Any]) -> bytes:
    """Sorted-key compact JSON of the hashed fields, UTF-8 encoded."""
    document = {name: fields[name] for name in HASHED_FIELDS}
    document["at"] = format_timestamp(fields["at"])
    text = json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return text.encode("utf-8")


def entry_hash(fields: Mapping[Any, Any]) -> str:
    """The hash of an entry's fields with the algorithm the entry names."""
    return digest(str(fields["algorithm"]), canonical_bytes(fields))


def _mask_text(text: str) -> str:
    def mask(match: re.Match[str]) -> str:
        value = match.group(0)
        return codes.mask_id_number(value) if codes.validate_id_number(value).valid else value

    return _ID_NUMBER.sub(mask, text)


def normalise_summary(value: Any) -> Any:
    """A summary reduced to JSON that round-trips unchanged, with ID numbers masked."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return _mask_text(value)
    if isinstance(value, Enum):
        return normalise_summary(value.value)
    if isinstance(value, float | Decimal):
        if isinstance(value, float) and value != value:
            raise Invalid("audit summaries cannot hold NaN")
        return str(value)
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): normalise_summary(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [normalise_summary(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    raise Invalid(f"audit summaries cannot hold {type(value).__name__} values")
