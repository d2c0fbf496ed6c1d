"""Word lists for organisation-name parsing, read from ``identity/data/names_*.txt``.

Each list is plain text, one entry per line, ``#`` starts a comment. Region names come
from GB/T 2260 (:mod:`xinyong.identity.regions`) plus their short forms (苏州市 -> 苏州,
新宾满族自治县 -> 新宾, 广西壮族自治区 -> 广西).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from xinyong.identity import regions

_DATA = ("data",)
# Division suffixes, longest first, stripped to derive a short form.
_DIVISION_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "行政区",
    "地区",
    "林区",
    "矿区",
    "新区",
    "特区",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
)
# Parts of GB/T 2260 entries that are not place names of their own.
_NOT_A_PLACE = ("直辖", "市辖", "单位", "办事处", "委员会", "海域")
_YEARS = re.compile(r"\[\d*-\d*\]")


@dataclass(frozen=True)
class WordSet:
    """A set of words with fast longest-prefix and longest-suffix lookup."""

    words: frozenset[str]
    lengths: tuple[int, ...]

    @classmethod
    def of(cls, words: Iterable[str]) -> WordSet:
        """Build the set; lengths are kept longest first."""
        frozen = frozenset(w for w in words if w)
        return cls(frozen, tuple(sorted({len(w) for w in frozen}, reverse=True)))

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def suffix(self, text: str, keep: int = 0) -> str | None:
        """The longest word ending ``text`` that leaves at least ``keep`` characters."""
        room = len(text) - keep
        for size in self.lengths:
            if size <= room and text[-size:] in self.words:
                return text[-size:]
        return None

    def prefix(self, text: str, keep: int = 0) -> str | None:
        """The longest word starting ``text`` that leaves at least ``keep`` characters."""
        room = len(text) - keep
        for size in self.lengths:
            if size <= room and text[:size] in self.words:
                return text[:size]
        return None


@dataclass(frozen=True)
class RegionIndex:
    """Region names (full, short, aliases) and the division codes each may stand for."""

    names: WordSet
    codes: dict[str, frozenset[str]]
    full: WordSet
    last_year: dict[str, int]

    def best_code(self, candidates: Iterable[str]) -> str | None:
        """The candidate in use most recently, or None when two tie (ambiguous)."""
        ranked = sorted(candidates, key=lambda c: self.last_year.get(c, 0), reverse=True)
        if not ranked:
            return None
        if len(ranked) > 1 and self.last_year.get(ranked[1], 0) == self.last_year.get(ranked[0], 0):
            return None
        return ranked[0]


def read_list(filename: str, fold: Callable[[str], str] | None = None) -> list[str]:
    """Entries of a ``names_*.txt`` data file, comments and blank lines dropped."""
    path = resources.files("xinyong.identity").joinpath(*_DATA, filename)
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            entries.append(fold(entry) if fold else entry)
    return entries


def read_pairs(filename: str, fold: Callable[[str], str]) -> dict[str, str]:
    """Entries of a data file as ``entry -> canonical`` (``a = b`` lines, else itself)."""
    pairs: dict[str, str] = {}
    for entry in read_list(filename):
        name, _, canonical = entry.partition("=")
        name = fold(name.strip())
        pairs[name] = fold(canonical.strip()) if canonical.strip() else name
    return pairs


def _place_names(raw: str, fold: Callable[[str], str]) -> list[str]:
    """Split a GB/T 2260 entry such as ``襄樊市,[2010-]襄阳市`` into folded names."""
    names = []
    for part in _YEARS.sub("", raw).split(","):
        name = fold(part.strip())
        if len(name) >= 2 and not any(word in name for word in _NOT_A_PLACE):
            names.append(name)
    return names


def _division_codes(fold: Callable[[str], str]) -> tuple[dict[str, set[str]], dict[str, int]]:
    """Map each division name to its codes, and each code to its last year (9999 = current)."""
    found: dict[str, set[str]] = {}
    last_year: dict[str, int] = {}

    def visit(code: str) -> bool:
        region = regions.lookup(code)
        if region is None:
            return False
        last_year[code] = region.end or 9999
        for name in _place_names(region.name, fold):
            found.setdefault(name, set()).add(code)
        return True

    for province in range(11, 83):
        if not visit(f"{province}0000"):
            continue
        for prefecture in range(1, 100):
            stem = f"{province}{prefecture:02d}"
            if visit(stem + "00"):
                for county in range(1, 100):
                    visit(f"{stem}{county:02d}")
    return found, last_year


def short_form(name: str, ethnic: WordSet) -> str | None:
    """The name without its division suffix and ethnic qualifiers (None if under 2 chars)."""
    suffix = next(
        (s for s in _DIVISION_SUFFIXES if name.endswith(s) and len(name) - len(s) >= 2), ""
    )
    stem = name[: len(name) - len(suffix)]
    autonomous = suffix.startswith("自治")
    while True:
        bare = stem[:-1] if stem.endswith("族") else stem
        if not autonomous and bare == stem:
            break
        group = ethnic.suffix(bare, keep=2)
        if group is None:
            break
        stem = bare[: len(bare) - len(group)]
    return stem if len(stem) >= 2 and stem != name else None


@lru_cache(maxsize=1)
def region_index(fold: Callable[[str], str]) -> RegionIndex:
    """All region names usable in organisation names, with their candidate codes."""
    ethnic = WordSet.of(read_list("names_ethnic.txt"))
    excluded = set(read_list("names_region_excluded.txt", fold))
    codes, last_year = _division_codes(fold)
    full = {n for raw in regions.all_names() for n in _place_names(raw, fold)} - excluded
    index: dict[str, set[str]] = {name: set(codes.get(name, ())) for name in full}
    for name in full:
        short = short_form(name, ethnic)
        if short and short not in excluded:
            index.setdefault(short, set()).update(codes.get(name, ()))
            if name.endswith("自治州"):  # 红河哈尼族彝族自治州 is written 红河州 as well
                index.setdefault(short + "州", set()).update(codes.get(name, ()))
    for alias, target in read_pairs("names_region_extra.txt", fold).items():
        if target == alias:
            full.add(alias)
        index.setdefault(alias, set()).update(codes.get(target, ()))
    frozen = {name: frozenset(found) for name, found in index.items()}
    return RegionIndex(WordSet.of(frozen), frozen, WordSet.of(full), last_year)
