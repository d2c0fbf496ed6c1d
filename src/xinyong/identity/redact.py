"""Masking personal data inside free text (违法事实, 处罚内容, reasons …) before it leaves the
trust boundary.

``redact`` is the one function: citizen ID numbers (18 digits with an ``X`` check character
or 15 digits, with or without spaces or hyphens), mainland mobile numbers (``1[3-9]…``,
with or without ``+86`` and separators), bank card numbers (16–19 digits passing the Luhn
check) and the given names of natural persons. Numbers keep their separators and lose the
digits a reader could identify someone by, in the platform's usual forms: ID numbers as
``codes.mask_id_number`` (region and last four), mobiles ``138****5678``, cards first four
and last four; names as ``names.mask_person_name`` (张*伟).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date

from xinyong.identity import codes, names

_SEP = r"[ \-\u3000]?"
_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
# The longest forms first: an ID number is never read as a card or a mobile number.
_ID18 = re.compile(_EDGE_BEFORE + r"\d(?:" + _SEP + r"\d){16}" + _SEP + r"[0-9Xx]" + _EDGE_AFTER)
_CARD = re.compile(_EDGE_BEFORE + r"\d(?:" + _SEP + r"\d){15,18}" + _EDGE_AFTER)
_ID15 = re.compile(_EDGE_BEFORE + r"\d(?:" + _SEP + r"\d){14}" + _EDGE_AFTER)
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|00)86" + _SEP + r"|(?<![0-9])86" + _SEP + r")?"
    r"1" + _SEP + r"[3-9](?:" + _SEP + r"\d){9}" + _EDGE_AFTER
)
_MASKABLE = re.compile(r"[0-9Xx]")
_HAN_RUN = re.compile(r"[\u3400-\u9fff·]{2,}")


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check (bank card numbers)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _digits(span: str) -> str:
    return "".join(ch for ch in span if ch.isdigit() or ch in "Xx").upper()


def _mask_span(span: str, *, head: int, tail: int) -> str:
    """Mask the digits of ``span`` except the first ``head`` and last ``tail``; separators
    and any other characters stay."""
    positions = [m.start() for m in _MASKABLE.finditer(span)]
    hidden = set(positions[head : len(positions) - tail])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(span))


def _plausible_birth(text: str) -> bool:
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= date.today().year


def _id18(match: re.Match[str]) -> str:
    span, digits = match.group(), _digits(match.group())
    if codes.is_valid_id_number(digits) or _plausible_birth(digits[6:14]):
        return _mask_span(span, head=6, tail=4)
    return span  # left for the card pattern


def _card(match: re.Match[str]) -> str:
    span = match.group()
    return _mask_span(span, head=4, tail=4) if luhn_valid(_digits(span)) else span


def _id15(match: re.Match[str]) -> str:
    span = match.group()
    born = "19" + _digits(span)[6:12]
    return _mask_span(span, head=6, tail=4) if _plausible_birth(born) else span


def _mobile(match: re.Match[str]) -> str:
    span = match.group()
    prefix = len(_digits(span)) - 11  # the 86 of +86, if any
    return _mask_span(span, head=prefix + 3, tail=4)


_NUMBERS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (_ID18, _id18),
    (_CARD, _card),
    (_ID15, _id15),
    (_MOBILE, _mobile),
)


def redact_numbers(text: str) -> str:
    """The text with ID, mobile and bank card numbers masked."""
    for pattern, mask in _NUMBERS:
        text = pattern.sub(mask, text)
    return text


def redact_names(text: str, person_names: Iterable[str]) -> str:
    """The text with each of the given persons' names masked (longest names first)."""
    wanted = sorted({n.strip() for n in person_names if len(n.strip()) >= 2}, key=len)
    for name in reversed(wanted):
        if name in text:
            text = text.replace(name, names.mask_person_name(name))
    return text


def redact(text: str, *, person_names: Iterable[str] = ()) -> str:
    """Free text as it may leave the platform: personal numbers and known names masked."""
    if not text:
        return text
    return redact_names(redact_numbers(text), person_names)


def name_candidates(text: str, *, longest: int = 4) -> set[str]:
    """Every run of 2..``longest`` Chinese characters in the text (where a person's name
    may stand), for looking up which of them the platform knows as persons."""
    found: set[str] = set()
    for run in _HAN_RUN.findall(text):
        for size in range(2, longest + 1):
            found.update(run[i : i + size] for i in range(len(run) - size + 1))
    return found
