"""How departments' exports write amounts and subject categories (``data/conventions.yaml``).

The words of units (元, 万, 亿 …) and currencies (人民币, 美元, 港币 … with their ISO 4217
codes) that amount cells and headers use, and the subject category a unified social credit
code's first two characters stand for. Read once, validated on load.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xinyong.core import yamlio
from xinyong.core.errors import CatalogError
from xinyong.identity.kinds import SubjectKind

CONVENTIONS_FILE = Path(__file__).parent / "data" / "conventions.yaml"
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
WordKind = Literal["magnitude", "unit", "currency"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CurrencySpec(_Strict):
    zh: str = Field(min_length=1)
    words: list[str] = Field(min_length=1)


class Hint(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class UsccKinds(_Strict):
    default: SubjectKind
    by_category: dict[Annotated[str, Field(pattern=r"^[0-9A-Z]{2}$")], SubjectKind]


class Conventions(_Strict):
    """The file's content; ``words`` maps every folded word to what it is."""

    home: CurrencyCode
    magnitudes: dict[str, Annotated[Decimal, Field(gt=0)]]
    unit_words: list[str] = Field(min_length=1)
    currencies: dict[CurrencyCode, CurrencySpec]
    hint: Hint
    uscc_subject_kinds: UsccKinds

    @model_validator(mode="after")
    def _consistent(self) -> Conventions:
        if self.home not in self.currencies:
            raise ValueError(f"home currency {self.home} is not among the currencies")
        seen: set[str] = set()
        for word in self._all_words():
            if word in seen:
                raise ValueError(f"word {word!r} is listed twice")
            seen.add(word)
        return self

    def _all_words(self) -> list[str]:
        listed = [*self.magnitudes, *self.unit_words]
        listed += [w for spec in self.currencies.values() for w in spec.words]
        return [fold(word) for word in listed]

    @property
    def words(self) -> dict[str, tuple[WordKind, Decimal | str]]:
        """Folded word -> ("magnitude", factor) | ("unit", 1) | ("currency", ISO code)."""
        out: dict[str, tuple[WordKind, Decimal | str]] = {}
        for word, factor in self.magnitudes.items():
            out[fold(word)] = ("magnitude", factor)
        for word in self.unit_words:
            out[fold(word)] = ("unit", Decimal(1))
        for code, spec in self.currencies.items():
            for word in spec.words:
                out[fold(word)] = ("currency", code)
        return out


def fold(text: str) -> str:
    """A word as amounts are compared: NFKC (full-width folded), no spaces, upper case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


@cache
def conventions() -> Conventions:
    """The shipped conventions (read once)."""
    try:
        return Conventions.model_validate(yamlio.read_yaml(CONVENTIONS_FILE))
    except yamlio.YamlProblem as exc:
        raise CatalogError(
            f"conventions file {CONVENTIONS_FILE}: {exc}", details={"file": str(CONVENTIONS_FILE)}
        ) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(whole file)"
        raise CatalogError(
            f"conventions file {CONVENTIONS_FILE}: {where}: {first['msg']}",
            details={"file": str(CONVENTIONS_FILE)},
        ) from exc


@cache
def word_table() -> dict[str, tuple[WordKind, Decimal | str]]:
    """Every folded unit and currency word -> what it stands for (see ``Conventions.words``)."""
    return conventions().words


@cache
def unit_scale(unit: str | None) -> Decimal | None:
    """How many of the currency's unit a catalogue unit is (万元 -> 10000, 元 -> 1), or None
    when the unit is not a money unit (or there is none)."""
    if not unit:
        return None
    parsed = split_words(fold(unit))
    if parsed is None or any(kind == "currency" for kind, _ in parsed):
        return None
    if not any(kind == "unit" for kind, _ in parsed):
        return None
    scale = Decimal(1)
    for _, value in parsed:
        scale *= Decimal(value)
    return scale


@lru_cache(maxsize=4096)
def split_words(folded: str) -> tuple[tuple[WordKind, Decimal | str], ...] | None:
    """A folded run of words as the words it is made of (longest first), or None."""
    table = word_table()
    longest = _longest_word()
    out: list[tuple[WordKind, Decimal | str]] = []
    start = 0
    while start < len(folded):
        for size in range(min(longest, len(folded) - start), 0, -1):
            hit = table.get(folded[start : start + size])
            if hit is not None:
                out.append(hit)
                start += size
                break
        else:
            return None
    return tuple(out)


@cache
def _longest_word() -> int:
    return max(len(word) for word in word_table())


def currency_code(text: str) -> str | None:
    """The ISO 4217 code a currency name, symbol or code stands for, or None."""
    hit = word_table().get(fold(text))
    if hit is not None and hit[0] == "currency":
        return str(hit[1])
    folded = fold(text)
    return folded if folded in conventions().currencies else None


def currency_name(code: str) -> str:
    """A currency's Chinese name (美元 for USD), or the code when not listed."""
    spec = conventions().currencies.get(code)
    return spec.zh if spec else code


def uscc_subject_kind(code: str) -> str:
    """The subject category a USCC's first two characters stand for (92: individual business)."""
    kinds = conventions().uscc_subject_kinds
    return kinds.by_category.get(code[:2], kinds.default).value
