"""The parts of a name that matching compares, in a compact form the index can store.

An organisation name becomes :class:`OrgParts` (region of the head office, trade name,
industry words, form, branch part) through :func:`xinyong.identity.names.parse_org_name`;
a person's name becomes its folded characters. Both pack into one string per subject so
that an index over a million subjects stays small.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import opencc

from xinyong.identity.name_lexicon import WordSet, read_list, read_pairs, region_index
from xinyong.identity.names import fold, normalize_person_name, parse_org_name

_SEP = "\x1f"
_HAN = re.compile(r"^[\u3400-\u9fff]+$")
# Securities-name decorations around a listed company's short name: *ST, ST, S*ST, N, C,
# XD, XR, DR before it; the share class (A, B) or a suffix like -U, -W, -UW after it.
_SECURITIES_DECORATION = re.compile(
    r"^(?:S?\*?ST|SST|XD|XR|DR|N|C|S)(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])(?:[AB]|-[A-Z]{1,2})$"
)
# Forms a short name may end with: banks' short names end with 银行 (平安银行); a name
# ending with any other form (店, 厂, 有限公司) is a registered name, not a short one.
_SHORT_NAME_FORMS = ("", "银行")
_SHORT_MAX = 6  # characters of a short name, decorations aside
_DECORATION_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ*-")
# Latin words that mark an organisation rather than a person (ABC TECHNOLOGY CO LTD).
_LATIN_ORG_WORDS = frozenset(
    [
        "LTD",
        "LIMITED",
        "INC",
        "CO",
        "CORP",
        "CORPORATION",
        "COMPANY",
        "GROUP",
        "BANK",
        "LLC",
        "LLP",
        "GMBH",
        "AG",
        "SA",
        "PLC",
        "HOLDINGS",
        "TECHNOLOGY",
        "TRADING",
        "INTERNATIONAL",
    ]
)
_DIVISION_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|自治县|省|市|县|区)$")


class OrgParts(NamedTuple):
    """An organisation name's parts; empty strings stand for absent parts."""

    name: str
    region: str  # of the head office (a branch's own place is part of ``branch``)
    region_code: str
    trade: str
    industry: str
    form: str
    branch: str

    def pack(self) -> str:
        """One string holding every part (for the index)."""
        return _SEP.join(self)

    @classmethod
    def unpack(cls, packed: str) -> OrgParts:
        """The parts from :meth:`pack`'s string."""
        return cls(*packed.split(_SEP))

    @property
    def core(self) -> str:
        """Trade name and industry words."""
        return self.trade + self.industry

    @property
    def head(self) -> str:
        """Region, trade name and industry words: the text the index's n-grams come from."""
        return self.region + self.trade + self.industry


class PersonParts(NamedTuple):
    """A person's folded name with what may confirm it: birth date, ID-number digest."""

    name: str
    normalized: str
    birth_date: str  # ISO date or ""
    id_digest: str  # keyed hash of the ID number (a prefix of it in the index) or ""

    def pack(self) -> str:
        """One string holding every part (for the index)."""
        return _SEP.join(self)

    @classmethod
    def unpack(cls, packed: str) -> PersonParts:
        """The parts from :meth:`pack`'s string."""
        return cls(*packed.split(_SEP))


def org_parts(name: str) -> OrgParts:
    """Parse an organisation name into the parts matching compares."""
    parsed = parse_org_name(name)
    region, code = parsed.region or "", parsed.region_code or ""
    if parsed.branch and parsed.head_office:
        head = parse_org_name(parsed.head_office)
        region, code = head.region or "", head.region_code or ""
    return OrgParts(
        name,
        region,
        code,
        parsed.trade_name or "",
        parsed.industry or "",
        (parsed.form or "").replace("(", "").replace(")", ""),
        parsed.branch or "",
    )


@lru_cache(maxsize=1)
def _plain_t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=4096)
def plain_simplified(word: str) -> str:
    """``word`` in simplified characters without fold's protected ones (乾洗 -> 干洗).

    For industry words only: fold keeps 乾 (乾照光电), which in 乾洗 is traditional 干.
    """
    return str(_plain_t2s().convert(word)) if word and not word.isascii() else word


def bare_fold(name: str) -> str:
    """Folded name without brackets (the text a short name is read against)."""
    return fold(name).replace("(", "").replace(")", "")


def short_core(name: str) -> str:
    """A short name without securities decorations: ``*ST生物`` -> ``生物``, ``万科A`` -> 万科."""
    text = bare_fold(name)
    for _ in range(2):
        text = _SECURITIES_DECORATION.sub("", text)
    return text


@lru_cache(maxsize=65_536)
def is_short_name(parts: OrgParts) -> bool:
    """Whether a name reads as a short name (简称): 2-6 Chinese characters (securities
    decorations aside), no branch, and no form but 银行 (平安银行)."""
    if parts.branch or parts.form not in _SHORT_NAME_FORMS:
        return False
    text = parts.head + parts.form
    han = sum(1 for char in text if "\u3400" <= char <= "\u9fff")
    return 2 <= han <= _SHORT_MAX and all(
        char in _DECORATION_CHARS or "\u3400" <= char <= "\u9fff" for char in text
    )


def code_stem(code: str) -> str:
    """The digits every subdivision of a GB/T 2260 code starts with."""
    if code.endswith("0000"):
        return code[:2]
    return code[:4] if code.endswith("00") else code


def regions_compatible(x: str, y: str) -> bool:
    """Whether two division codes can name the same place (one lies within the other)."""
    return x.startswith(code_stem(y)) or y.startswith(code_stem(x))


class ShortReading(NamedTuple):
    """One way to read a short name: its text, a fit penalty, the region it implies."""

    text: str
    penalty: int
    regions: frozenset[str]


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, frozenset[str]]:
    codes = region_index(fold).codes
    pairs = read_pairs("names_region_abbr.txt", fold)
    return {abbr: codes.get(full, frozenset()) for abbr, full in pairs.items()}


def short_readings(core: str) -> list[ShortReading]:
    """A short name as written, and without a leading region abbreviation (深康佳 -> 康佳)."""
    readings = [ShortReading(core, 0, frozenset())]
    codes = _abbreviations().get(core[:1])
    if codes is not None and len(core) >= 3:
        readings.append(ShortReading(core[1:], 1, codes))
    return readings


def short_fit(core: str, full: OrgParts) -> int | None:
    """How well a short name fits a full name: fewest contiguous pieces (None: no fit)."""
    text = bare_fold(full.name)
    best: int | None = None
    for reading in short_readings(core):
        if len(text) <= len(reading.text) or not _in_order(reading.text, text):
            continue
        if (
            reading.regions
            and full.region_code
            and not any(regions_compatible(code, full.region_code) for code in reading.regions)
        ):
            continue
        runs = min_runs(reading.text, text)
        if runs is not None and (best is None or runs + reading.penalty < best):
            best = runs + reading.penalty
    return best


def _in_order(short: str, full: str) -> bool:
    remaining = iter(full)
    return all(char in remaining for char in short)


def min_runs(short: str, full: str) -> int | None:
    """Fewest contiguous pieces of ``full`` that spell ``short`` in order (None if none do)."""
    infinity = len(short) + 1
    previous: list[int] = []
    for i, char in enumerate(short):
        current = [infinity] * (len(full) + 1)
        best_before = infinity  # min over previous[1 .. j-1]
        for j, other in enumerate(full):
            if i and j >= 2:
                best_before = min(best_before, previous[j - 1])
            if other != char:
                continue
            current[j + 1] = 1 if i == 0 else min(previous[j], best_before + 1)
        previous = current
    best = min(previous, default=infinity)
    return best if best < infinity else None


@lru_cache(maxsize=1)
def _surnames() -> tuple[WordSet, WordSet]:
    words = read_list("names_surnames.txt")
    return WordSet.of(w for w in words if len(w) == 1), WordSet.of(w for w in words if len(w) > 1)


def looks_like_person(name: str) -> bool:
    """Whether a name reads as a natural person's (张伟, 欧阳小明, 阿卜杜拉·买买提)."""
    normalized = normalize_person_name(name)
    if not normalized or "(" in normalized:
        return False
    if normalized.isascii():
        words = normalized.replace("·", " ").split()
        return (
            len(words) >= 2
            and all(w.isalpha() for w in words)
            and not (_LATIN_ORG_WORDS & set(words))
        )
    if "·" in normalized:
        return all(_HAN.match(part) for part in normalized.split("·") if part)
    single, compound = _surnames()
    if not (_HAN.match(normalized) and 2 <= len(normalized) <= 4):
        return False
    if not (compound.prefix(normalized) or normalized[0] in single):
        return False
    parsed = parse_org_name(normalized)
    industry = parsed.industry or ""
    return not (parsed.form or parsed.branch or len(industry) > 1)


def person_parts(name: str, *, birth_date: str = "", id_digest: str = "") -> PersonParts:
    """A person's name with the birth date and ID-number digest that may confirm it."""
    return PersonParts(name, normalize_person_name(name), birth_date, id_digest)


def trade_key(trade: str) -> str:
    """A trade name without region names written at its start (昆山南野 -> 南野)."""
    names = region_index(fold).names
    while (found := names.prefix(trade, keep=2)) is not None:
        trade = trade[len(found) :]
    return trade


def leading_region(trade: str) -> tuple[str, frozenset[str]] | None:
    """A region name at the start of a trade name, with its codes (昆山南野 -> 昆山)."""
    index = region_index(fold)
    found = index.names.prefix(trade, keep=2)
    return (found, index.codes.get(found, frozenset())) if found else None


def branch_key(branch: str) -> str:
    """A branch part with region names in short form: 广宗县分公司 -> 广宗分公司."""
    names = region_index(fold).names
    out: list[str] = []
    i = 0
    while i < len(branch):
        found = names.prefix(branch[i:])
        if found:
            short = _DIVISION_SUFFIX.sub("", found)
            out.append(short if len(short) >= 2 else found)
            i += len(found)
        else:
            out.append(branch[i])
            i += 1
    return "".join(out)


def bigrams(text: str) -> set[str]:
    """Character bigrams of ``text`` (the text itself when shorter than two characters)."""
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the two texts' character bigrams, in [0, 1]."""
    grams_a, grams_b = bigrams(a), bigrams(b)
    if not grams_a or not grams_b:
        return 1.0 if a == b else 0.0
    return 2 * len(grams_a & grams_b) / (len(grams_a) + len(grams_b))
