"""Identifier codes: USCC (GB 32100), citizen ID numbers (GB 11643), old registration numbers
(15 digits, ISO 7064 MOD 11,10) and organisation codes (GB 11714).

Every validator takes raw input, normalises it and returns a ``CodeResult`` whose ``reason``
says in plain English why a code is invalid; ``notes`` carry non-fatal observations.
"""

from __future__ import annotations

import random
import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from operator import mul
from typing import Any, Literal

from xinyong.core.config import get_settings
from xinyong.core.i18n import Language, t
from xinyong.identity import regions

Kind = Literal["uscc", "id_number", "registration_number", "organization_code", "unknown"]

DIGITS = frozenset(string.digits)
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CHARS = string.digits + string.ascii_uppercase
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
EARLIEST_BIRTH_YEAR = 1890

# GB 32100-2015 annex A: registering authority -> (name, {organisation kind -> name}).
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {"1": "其他"}),
}

# Prefixes of organisation codes allocated by the unified-code system (seen in issued codes):
# market regulation MA…, staffing offices MB…, civil affairs MJ…
_NEW_ORG_PREFIX = {"9": "MA", "1": "MB", "5": "MJ"}
_ORG_CODE_WITH_HYPHEN = re.compile(r"^([0-9A-Z]{8})-([0-9X])$")
_EXCEPTIONS_RESOURCE = ("data", "uscc_exceptions.txt")


@dataclass(frozen=True)
class CodeResult:
    """Outcome of validating one identifier, with what the code itself tells."""

    input: str
    code: str
    kind: Kind
    valid: bool
    reason: str | None = None
    category: str | None = None
    category_name: str | None = None
    authority: str | None = None
    region: str | None = None
    region_name: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    exception: bool = False
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (dates as ISO strings)."""
        return {
            "input": self.input,
            "code": self.code,
            "valid": self.valid,
            "kind": self.kind,
            "category": self.category,
            "region": self.region,
            "reason": self.reason,
            "category_name": self.category_name,
            "authority": self.authority,
            "region_name": self.region_name,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex,
            "exception": self.exception,
            "notes": list(self.notes),
        }


class Reason(str):
    """Why a code is invalid: the English text (as a ``str``), and the catalogue key and
    parameters that read it in the reader's language (``localized``)."""

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, **params: Any) -> Reason:
        made = super().__new__(cls, t(key, "en").format_map(params))
        made.key, made.params = key, params
        return made

    def localized(self, lang: Language) -> str:
        params = {
            k: reason_in(v, lang) if isinstance(v, Reason) else v for k, v in self.params.items()
        }
        return t(self.key, lang).format_map(params)


def _why(key: str, **params: Any) -> Reason:
    return Reason(key, **params)


def reason_in(reason: str | None, lang: Language) -> str:
    """A code's reason in the reader's language (a plain text as it is)."""
    if isinstance(reason, Reason):
        return reason.localized(lang)
    return reason or ""


def normalize_code(raw: str) -> str:
    """Fold full-width to half-width, drop whitespace and the org-code hyphen, upper-case."""
    folded = unicodedata.normalize("NFKC", raw)
    kept = "".join(
        ch for ch in folded if not ch.isspace() and unicodedata.category(ch) != "Cf"
    ).upper()
    return _ORG_CODE_WITH_HYPHEN.sub(r"\1\2", kept)


def _is_digits(text: str) -> bool:
    return bool(text) and set(text) <= DIGITS


def _bad_char(text: str, allowed: str | frozenset[str], offset: int = 0) -> str | None:
    for index, ch in enumerate(text, start=offset + 1):
        if ch not in allowed:
            return _why("identity.why.bad_char", char=ch, position=index)
    return None


# --- check characters -------------------------------------------------------------------


def uscc_check_character(body: str) -> str:
    """The GB 32100 check character for the first 17 characters of a USCC."""
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def organization_check_digit(body: str) -> str:
    """The GB 11714 check digit for the first 8 characters of an organisation code."""
    total = sum(ORG_CHARS.index(ch) * w for ch, w in zip(body, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def id_check_digit(body: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check digit for the first 17 digits of an ID number."""
    total = sum(int(ch) * w for ch, w in zip(body, ID_WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def registration_check_digit(body: str) -> str:
    """The ISO 7064 MOD 11,10 check digit for the first 14 digits of a registration number."""
    product = 10
    for ch in body:
        product = ((product + int(ch)) % 10 or 10) * 2 % 11
    return str((11 - product) % 10)


# --- exceptions -------------------------------------------------------------------------


def _parse_exceptions(text: str, source: str) -> set[str]:
    codes: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        code = normalize_code(line.split("#", 1)[0])
        if not code:
            continue
        if len(code) != 18 or _bad_char(code, USCC_CHARS):
            raise ValueError(f"{source}:{number}: {code!r} is not an 18-character USCC")
        codes.add(code)
    return codes


@lru_cache(maxsize=1)
def load_exceptions() -> frozenset[str]:
    """Legitimately issued USCCs that fail the checksum: shipped list plus the city's file."""
    shipped = resources.files("xinyong.identity").joinpath(*_EXCEPTIONS_RESOURCE)
    codes = _parse_exceptions(shipped.read_text(encoding="utf-8"), "uscc_exceptions.txt")
    extra = get_settings().uscc_exceptions
    if extra is not None:
        codes |= _parse_exceptions(extra.read_text(encoding="utf-8"), str(extra))
    return frozenset(codes)


def clear_cache() -> None:
    """Forget the loaded exceptions (for tests and after changing settings)."""
    load_exceptions.cache_clear()


# --- USCC -------------------------------------------------------------------------------


def _uscc_format_error(code: str) -> str | None:
    if len(code) != 18:
        return _why("identity.why.length", length=len(code), expected=18)
    bad = _bad_char(code, USCC_CHARS)
    if bad:
        return bad
    region_bad = _bad_char(code[2:8], DIGITS, offset=2)
    return _why("identity.why.region_char", problem=region_bad) if region_bad else None


def _uscc_category_error(code: str) -> str | None:
    authority, kind = code[0], code[1]
    if authority not in AUTHORITIES:
        return _why("identity.why.authority", authority=authority)
    name, kinds = AUTHORITIES[authority]
    if kind not in kinds:
        return _why("identity.why.org_kind", kind=kind, authority=authority, name=name)
    return None


def _embedded_org_error(code: str) -> str | None:
    expected = organization_check_digit(code[8:16])
    if code[16] != expected:
        return _why("identity.why.embedded_check", found=code[16], expected=expected)
    return None


def _uscc_described(base: CodeResult) -> CodeResult:
    code = base.code
    authority = AUTHORITIES.get(code[0])
    region_name = regions.full_name(code[2:8])
    notes = () if region_name else (f"region {code[2:8]} is not in GB/T 2260",)
    return replace(
        base,
        category=code[:2],
        category_name=authority[1].get(code[1]) if authority else None,
        authority=authority[0] if authority else None,
        region=code[2:8],
        region_name=region_name,
        notes=notes,
    )


def validate_uscc(raw: str) -> CodeResult:
    """Validate a unified social credit code (GB 32100-2015) and tell what it encodes.

    The embedded organisation code (positions 9-17) must pass its GB 11714 check when the
    unified-code system allocated it (it starts with ``M``: ``MA…``, ``MB…``, ``MJ…``). Codes
    carried over from the old organisation-code register are taken as issued: a wrong check
    digit there is a note, because real registered codes carry such historical errors.
    A region outside GB/T 2260 (development zones, 功能区) is a note, not an error; but one
    code with both oddities (like the dummy ``123456789012345678``) is invalid.
    """
    code = normalize_code(raw)
    base = CodeResult(raw, code, "uscc", False)
    error = _uscc_format_error(code)
    if error:
        return replace(base, reason=error)
    described = _uscc_described(base)
    if code in load_exceptions():
        return replace(described, valid=True, exception=True)
    expected = uscc_check_character(code[:17])
    error = _uscc_category_error(code)
    if error is None and code[17] != expected:
        error = _why("identity.why.check_char", found=code[17], expected=expected)
    if error:
        return replace(described, reason=error)
    org_error = _embedded_org_error(code)
    if org_error and (code[8] == "M" or described.region_name is None):
        return replace(described, reason=org_error)
    notes = (f"{org_error} (legacy organisation code, accepted)",) if org_error else ()
    return replace(described, valid=True, notes=described.notes + notes)


def generate_uscc(rng: random.Random, *, category: str = "91", region: str) -> str:
    """A valid USCC for the category and six-digit region, new (``MA…``) or legacy style."""
    if len(category) != 2 or category[1] not in AUTHORITIES.get(category[0], ("", {}))[1]:
        raise ValueError(f"unknown USCC category {category!r}")
    if len(region) != 6 or not _is_digits(region):
        raise ValueError(f"region must be six digits, got {region!r}")
    prefix = _NEW_ORG_PREFIX.get(category[0])
    if prefix and rng.random() < 0.5:
        body = prefix + "".join(rng.choice(USCC_CHARS) for _ in range(6))
    else:
        body = "".join(rng.choice(string.digits) for _ in range(8))
    partial = category + region + body + organization_check_digit(body)
    return partial + uscc_check_character(partial)


# --- citizen ID numbers -----------------------------------------------------------------


def _parse_date(digits: str) -> date | None:
    if not _is_digits(digits) or len(digits) != 8:
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def _id_format_error(code: str) -> str | None:
    if len(code) != 18:
        return _why("identity.why.length", length=len(code), expected=18)
    return _bad_char(code[:17], DIGITS) or _bad_char(code[17], DIGITS | {"X"}, offset=17)


def _birth_date_error(digits: str, birth: date | None) -> str | None:
    if birth is None:
        return _why("identity.why.birth_not_date", digits=digits)
    if birth > date.today():
        return _why("identity.why.birth_future", date=birth.isoformat())
    if birth.year < EARLIEST_BIRTH_YEAR:
        return _why("identity.why.birth_early", date=birth.isoformat(), year=EARLIEST_BIRTH_YEAR)
    return None


def validate_id_number(raw: str) -> CodeResult:
    """Validate a citizen ID number (GB 11643) and extract birth date, sex and region.

    A region code never listed in GB/T 2260 invalidates the number. One that existed, but not
    in the birth year, is only a note: numbers are assigned at registration, not at birth.
    """
    code = normalize_code(raw)
    base = CodeResult(raw, code, "id_number", False)
    error = _id_format_error(code)
    if error:
        return replace(base, reason=error)
    birth = _parse_date(code[6:14])
    described = replace(
        base,
        region=code[:6],
        region_name=regions.full_name(code[:6]),
        birth_date=birth,
        sex="M" if int(code[16]) % 2 else "F",
    )
    expected = id_check_digit(code[:17])
    if code[17] != expected:
        return replace(
            described, reason=_why("identity.why.check_digit", found=code[17], expected=expected)
        )
    error = _birth_date_error(code[6:14], birth)
    if error is None and not regions.exists(code[:6]):
        error = _why("identity.why.region", region=code[:6])
    if error or birth is None:
        return replace(described, reason=error)
    notes: tuple[str, ...] = ()
    if regions.lookup(code[:6], year=birth.year) is None:
        notes = (f"region {code[:6]} was not in use in {birth.year}",)
    return replace(described, valid=True, notes=notes)


def generate_id_number(rng: random.Random, *, region: str, birth_date: date, sex: str) -> str:
    """A valid ID number for the region, birth date and sex ('M' or 'F')."""
    if len(region) != 6 or not _is_digits(region):
        raise ValueError(f"region must be six digits, got {region!r}")
    if sex not in ("M", "F"):
        raise ValueError(f"sex must be 'M' or 'F', got {sex!r}")
    if _birth_date_error(birth_date.strftime("%Y%m%d"), birth_date):
        raise ValueError(f"birth date {birth_date.isoformat()} is out of range")
    sequence = rng.randrange(1 if sex == "M" else 2, 1000, 2)
    body = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return body + id_check_digit(body)


def mask_id_number(number: str) -> str:
    """Region and last four only, birth date hidden: ``110105********002X``."""
    code = normalize_code(number)
    if len(code) <= 10:
        return "*" * len(code)
    return code[:6] + "*" * (len(code) - 10) + code[-4:]


# --- secondary identifiers --------------------------------------------------------------


def validate_registration_number(raw: str) -> CodeResult:
    """Validate an old 15-digit business registration number (ISO 7064 MOD 11,10)."""
    code = normalize_code(raw)
    base = CodeResult(raw, code, "registration_number", False)
    if len(code) != 15:
        return replace(base, reason=_why("identity.why.length", length=len(code), expected=15))
    error = _bad_char(code, DIGITS)
    if error:
        return replace(base, reason=error)
    described = replace(base, region=code[:6], region_name=regions.full_name(code[:6]))
    expected = registration_check_digit(code[:14])
    if code[14] != expected:
        return replace(
            described, reason=_why("identity.why.check_digit", found=code[14], expected=expected)
        )
    return replace(described, valid=True)


def validate_organization_code(raw: str) -> CodeResult:
    """Validate a 9-character organisation code (GB 11714), with or without its hyphen."""
    code = normalize_code(raw)
    base = CodeResult(raw, code, "organization_code", False)
    if len(code) != 9:
        return replace(base, reason=_why("identity.why.length", length=len(code), expected=9))
    error = _bad_char(code[:8], ORG_CHARS) or _bad_char(code[8], DIGITS | {"X"}, offset=8)
    if error:
        return replace(base, reason=error)
    expected = organization_check_digit(code[:8])
    if code[8] != expected:
        return replace(
            base, reason=_why("identity.why.check_digit", found=code[8], expected=expected)
        )
    return replace(base, valid=True)


# --- fast checks ------------------------------------------------------------------------
# Booleans with exactly the verdict of the validators above, a few times faster: for bulk
# submissions, which call the explaining validators only for the codes that fail.

_USCC_VALUE = {ch: index for index, ch in enumerate(USCC_CHARS)}
_ORG_VALUE = {ch: index for index, ch in enumerate(ORG_CHARS)}
_ID_DIGIT_SUM = 48 * sum(ID_WEIGHTS)  # the ASCII offset of the digits, weighted
_ID_CHECK = "10X98765432"  # check character by weighted sum mod 11


def _canonical(raw: str) -> str:
    """``normalize_code(raw)``, skipping the work when ``raw`` is already plain ASCII."""
    if raw.isascii() and raw.isalnum() and (raw.isupper() or raw.isdigit()):
        return raw
    return normalize_code(raw)


def _uscc_ok(code: str) -> bool:
    if len(code) != 18 or not code[2:8].isdigit():
        return False
    try:
        values = list(map(_USCC_VALUE.__getitem__, code))
    except KeyError:
        return False
    if code in load_exceptions():
        return True
    kinds = AUTHORITIES.get(code[0])
    if kinds is None or code[1] not in kinds[1]:
        return False
    if (31 - sum(map(mul, values, USCC_WEIGHTS)) % 31) % 31 != values[17]:
        return False
    if code[8] != "M" and regions.exists(code[2:8]):
        return True  # a legacy organisation code is taken as issued
    org_value = 11 - sum(map(mul, map(_ORG_VALUE.__getitem__, code[8:16]), ORG_WEIGHTS)) % 11
    return code[16] == ("X" if org_value == 10 else "0" if org_value == 11 else str(org_value))


def _id_ok(code: str) -> bool:
    if len(code) != 18 or not code.isascii() or not code[:17].isdigit():
        return False
    total = sum(map(mul, code[:17].encode(), ID_WEIGHTS)) - _ID_DIGIT_SUM
    if _ID_CHECK[total % 11] != code[17]:
        return False
    try:
        birth = date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return False
    if birth > date.today() or birth.year < EARLIEST_BIRTH_YEAR:
        return False
    return regions.exists(code[:6])


def is_valid_uscc(raw: str) -> bool:
    """Whether ``validate_uscc(raw).valid`` (same verdict, exceptions included; faster)."""
    return _uscc_ok(_canonical(raw))


def is_valid_id_number(raw: str) -> bool:
    """Whether ``validate_id_number(raw).valid`` (same verdict; faster)."""
    return _id_ok(_canonical(raw))


def valid_kind(raw: str) -> tuple[Kind, str] | None:
    """``(kind, code)`` when ``detect(raw)`` finds a valid identifier, else None (fast).

    Call ``detect`` for the reason when this returns None.
    """
    code = _canonical(raw)
    if len(code) == 18:
        if code[:17].isdigit() and code[17] in "0123456789X" and _id_ok(code):
            return "id_number", code
        return ("uscc", code) if _uscc_ok(code) else None
    result = detect(code) if len(code) in (15, 9) else None
    return (result.kind, result.code) if result is not None and result.valid else None


# --- detection --------------------------------------------------------------------------


def _detect_18(raw: str, code: str) -> CodeResult:
    if not (_is_digits(code[:17]) and code[17] in DIGITS | {"X"}):
        return validate_uscc(raw)
    as_id, as_uscc = validate_id_number(raw), validate_uscc(raw)
    if as_id.valid and as_uscc.valid:
        return replace(as_id, notes=(*as_id.notes, "also a valid USCC"))
    if as_id.valid or as_uscc.valid:
        return as_id if as_id.valid else as_uscc
    looks_like_id = _parse_date(code[6:14]) is not None and regions.exists(code[:6])
    return as_id if looks_like_id else as_uscc


def detect(raw: str) -> CodeResult:
    """Recognise and validate any supported identifier from its shape.

    18 characters: a USCC or an ID number. An all-digit string (or digits + ``X``) can be
    both; the one whose checks pass wins, the ID number when both pass (about 1 in 600
    generated ID numbers also passes the USCC checks, while a USCC almost never forms a known
    region and a real date), and when neither passes the guess is the ID number if positions
    1-14 hold a known region and a real date. 15 characters: an old business registration number;
    first-generation 15-digit ID numbers (void since 2013) are not recognised, as they carry
    no check digit and cannot be told apart. 9 characters: an organisation code.
    """
    code = normalize_code(raw)
    if len(code) == 18:
        return _detect_18(raw, code)
    if len(code) == 15:
        return validate_registration_number(raw)
    if len(code) == 9:
        return validate_organization_code(raw)
    reason = (
        _why("identity.why.empty")
        if not code
        else _why("identity.why.length_any", length=len(code))
    )
    return CodeResult(raw, code, "unknown", False, reason=reason)


def validate_many(values: Iterable[str]) -> list[CodeResult]:
    """Detect and validate each value, keeping input order."""
    return [detect(value) for value in values]
