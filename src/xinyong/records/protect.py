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
    if codes.validate_id_number(value).valid:
        return codes.mask_id_number(value)
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def personal_fields(item: CatalogItem, *, subject_is_person: bool) -> tuple[str, ...]:
    """Fields whose values are personal identity numbers for a subject of this kind.

    Explicitly personal fields always; the subject-code field too when the subject is a
    natural person (its code is then the person's ID number).
    """
    return tuple(
        spec.name
        for spec in item.fields
        if spec.is_personal or (subject_is_person and spec.type is FieldType.subject_code)
    )


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


def content_hash(masked: dict[str, Any], clear: dict[str, str], decision_date: date | None) -> str:
    """Digest of what makes two submissions of a record the same (payload, clear personal
    numbers, decision date); equal digests mean an unchanged resubmission."""
    body = orjson.dumps(
        [masked, clear, decision_date.isoformat() if decision_date else None],
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(body).hexdigest()
