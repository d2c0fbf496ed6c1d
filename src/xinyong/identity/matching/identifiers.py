"""Codes decide when both sides have one: the same code is the same subject, two different
valid codes of one scheme are two subjects, whatever the names say.

A natural person's ID number is compared through its keyed hash (the registry stores no
clear ID numbers); a USCC carries the organisation code at positions 9-17, so a USCC and
an old organisation code can be compared too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xinyong.core.crypto import lookup_hash
from xinyong.identity import codes
from xinyong.identity.matching.config import MatchingConfig
from xinyong.identity.matching.result import Verdict

DIGEST_CHARS = 16  # the index keeps this much of an ID number's keyed hash


@dataclass(frozen=True)
class Identifier:
    """A validated code: its scheme, the value compared, and a form safe to show."""

    scheme: str  # uscc, registration_number, organization_code, id_number
    value: str  # the code itself, or an ID number's keyed-hash prefix
    shown: str
    birth_date: date | None = None


def id_digest(number: str) -> str:
    """The prefix of an ID number's keyed hash that the index stores."""
    return lookup_hash(number)[:DIGEST_CHARS]


def identifier(raw: str | None) -> Identifier | None:
    """The identifier in ``raw``, or None when it is empty or not a valid code."""
    if not raw or not raw.strip():
        return None
    result = codes.detect(raw)
    if not result.valid:
        return None
    if result.kind == "id_number":
        return Identifier(
            "id_number",
            id_digest(result.code),
            codes.mask_id_number(result.code),
            result.birth_date,
        )
    return Identifier(result.kind, result.code, result.code)


def _comparable(a: Identifier, b: Identifier) -> tuple[str, str] | None:
    """The two values to compare, or None when the schemes say nothing about each other."""
    if a.scheme == b.scheme:
        return a.value, b.value
    schemes = {a.scheme, b.scheme}
    if schemes == {"uscc", "organization_code"}:
        embedded = [x.value[8:17] if x.scheme == "uscc" else x.value for x in (a, b)]
        return embedded[0], embedded[1]
    return None


def compare_identifiers(
    a: Identifier | None, b: Identifier | None, config: MatchingConfig
) -> Verdict | None:
    """A deciding verdict when both codes are present and comparable, else None."""
    if a is None or b is None:
        return None
    values = _comparable(a, b)
    if values is None:
        return None
    same = values[0] == values[1]
    verdict = Verdict(config.codes.same if same else config.codes.differ)
    part = "id_number" if a.scheme == "id_number" else "code"
    verdict.note(
        part,
        "agree" if same else "differ",
        a.shown,
        b.shown,
        "the same code is the same subject" if same else "two different codes: two subjects",
    )
    return verdict
