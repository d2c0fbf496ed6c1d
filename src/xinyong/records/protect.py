"""Personal identity numbers inside payloads: masked in the payload, sealed beside it.

A payload keeps the masked form (``320505********3794``) so that every reader sees only
that; the clear values are encrypted (AES-256-GCM) into ``Record.protected`` and come
back only through ``reveal``, which callers use after registering their purpose.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

import orjson

from xinyong.catalog.schemas import CatalogItem, FieldType
from xinyong.core.crypto import decrypt_text, encrypt_text
from xinyong.identity import codes


def mask_identifier(value: str) -> str:
    """Mask an identity number: the citizen-ID form, or first and last two characters."""
    if len(value) == 18 and value[:17].isdigit() and value[17] in "0123456789Xx":
        return value[:6] + "********" + value[-4:].upper()  # citizen-ID form, even mistyped
    if codes.is_valid_id_number(value):
        return codes.mask_id_number(value)
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


# (id(item), person?) -> (item, fields): the item is kept so that its id stays its own.
_PERSONAL: dict[tuple[int, bool], tuple[CatalogItem, tuple[str, ...]]] = {}


def personal_fields(item: CatalogItem, *, subject_is_person: bool) -> tuple[str, ...]:
    """Fields whose values are personal identity numbers for a subject of this kind.

    Explicitly personal fields always; the subject-code field too when the subject is a
    natural person (its code is then the person's ID number).
    """
    key = (id(item), subject_is_person)
    hit = _PERSONAL.get(key)
    if hit is None or hit[0] is not item:
        names = tuple(
            spec.name
            for spec in item.fields
            if spec.is_personal or (subject_is_person and spec.type is FieldType.subject_code)
        )
        hit = _PERSONAL[key] = (item, names)
    return hit[1]


def split_personal(
    item: CatalogItem, payload: dict[str, Any], *, subject_is_person: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """The payload with personal numbers masked, and the clear values by field name."""
    masked = dict(payload)
    clear: dict[str, str] = {}
    for name in personal_fields(item, subject_is_person=subject_is_person):
        value = payload.get(name)
        if isinstance(value, str) and value:
            clear[name] = value
            masked[name] = mask_identifier(value)
    return masked, clear


def seal(clear: dict[str, str]) -> str | None:
    """Encrypt the clear personal values of a payload (None when there are none)."""
    if not clear:
        return None
    return encrypt_text(json.dumps(clear, ensure_ascii=False, sort_keys=True))


def unseal(token: str | None) -> dict[str, str]:
    """The clear personal values sealed by ``seal``."""
    if not token:
        return {}
    values: dict[str, str] = json.loads(decrypt_text(token))
    return values


def reveal(payload: dict[str, Any], token: str | None) -> dict[str, Any]:
    """The payload with its personal numbers in clear (register the purpose first)."""
    return {**payload, **unseal(token)}


def payload_json(masked: dict[str, Any]) -> bytes:
    """The canonical JSON of a (masked) payload: sorted keys, non-ASCII kept."""
    return orjson.dumps(masked, option=orjson.OPT_SORT_KEYS)


def content_hash(
    masked: dict[str, Any],
    clear: dict[str, str],
    decision_date: date | None,
    *,
    masked_json: bytes | None = None,
) -> str:
    """Digest of what makes two submissions of a record the same (payload, clear personal
    numbers, decision date); equal digests mean an unchanged resubmission. ``masked_json``
    is ``payload_json(masked)`` when the caller has it already."""
    body = b"".join(
        (
            b"[",
            masked_json if masked_json is not None else payload_json(masked),
            b",",
            orjson.dumps(clear, option=orjson.OPT_SORT_KEYS),
            b",",
            orjson.dumps(decision_date.isoformat() if decision_date else None),
            b"]",
        )
    )
    return hashlib.sha256(body).hexdigest()
