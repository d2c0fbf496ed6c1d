"""Labelled pairs from real registers, when ``shared/data/real`` is present.

How the pairs are labelled:

- ``listed`` (``listed/szse_name_variants_with_uscc.csv``): each listed company's
  securities short name (简称, e.g. 深振业Ａ) against its full registered name is the same
  subject; the short name against the *most similar other* listed company's full name
  (most shared characters, spelled in order first) is a different subject. Names only, no
  codes: the codes would decide. The registry they are resolved against is every listed
  company's full name (``listed/szse_a_share_list.csv`` and the variants file) plus the
  40,000 names of ``registry/enterprise_registry_sample.csv``, one entry per distinct name.
- ``collisions`` (``registry/enterprise_registry_collisions.csv``): rows of
  ``same_code_diff_name`` are one registered subject under two names (renamings such as
  郫县支行 -> 郫都支行 after a district was renamed, a branch written with and without its
  intermediate level, and re-used codes of old processing plants): every pair within a
  code is the same subject, compared *with* their codes, as the registry holds them.
  Rows of ``same_name_diff_code`` are one name registered under several codes (the same
  hotel group or telecom branch name in several cities): every pair within a name is two
  subjects, compared with their codes. This set checks that codes decide, both ways.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from bench.sets.matching import BenchmarkSet, LabelledPair

from xinyong.identity.matching.index import MatchIndex
from xinyong.identity.matching.parts import bare_fold, short_core
from xinyong.identity.matching.result import Party
from xinyong.identity.names import normalize_org_name

VARIANTS = "listed/szse_name_variants_with_uscc.csv"
SZSE_LIST = "listed/szse_a_share_list.csv"
REGISTRY_SAMPLE = "registry/enterprise_registry_sample.csv"
COLLISIONS = "registry/enterprise_registry_collisions.csv"


@dataclass(frozen=True)
class _RegistryRow:
    id: int
    kind: str
    name: str
    uscc: str | None = None
    id_number: str | None = None


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _registry(names: list[str]) -> MatchIndex:
    """An index over distinct names (one entry per normalised name)."""
    distinct = list(dict.fromkeys(n for n in names if n.strip()))
    seen: set[str] = set()
    rows: list[_RegistryRow] = []
    for name in distinct:
        key = normalize_org_name(name)
        if key not in seen:
            seen.add(key)
            rows.append(_RegistryRow(len(rows) + 1, "legal_person", name))
    return MatchIndex.build_from_rows(rows)


def _spelled(core: str, full: str) -> bool:
    remaining = iter(full)
    return all(char in remaining for char in core)


def _hardest_other(core: str, own: str, fulls: list[str]) -> str:
    """The other full name most like the short name: spelled in order, then shared characters."""
    chars = set(core)

    def closeness(full: str) -> tuple[bool, int, int]:
        bare = bare_fold(full)
        return (_spelled(core, bare), len(chars & set(bare)), -len(bare))

    return max((f for f in fulls if f != own), key=closeness)


def listed_set(real: Path) -> BenchmarkSet | None:
    """Short names against full names of listed companies (None when the files are absent)."""
    variants_path, list_path, sample_path = (
        real / VARIANTS,
        real / SZSE_LIST,
        real / REGISTRY_SAMPLE,
    )
    if not variants_path.exists():
        return None
    rows = _read(variants_path)
    fulls = [r["公司全称"] for r in rows]
    names = list(fulls)
    if list_path.exists():
        names += [r["公司全称"] for r in _read(list_path)]
    if sample_path.exists():
        names += [r["企业名称"] for r in _read(sample_path)]
    pairs: list[LabelledPair] = []
    for row in rows:
        short, full = row["A股简称(原样)"], row["公司全称"]
        pairs.append(
            LabelledPair(
                Party(short), Party(full), "organisation", True, "listed:short_name", "listed"
            )
        )
        other = _hardest_other(short_core(short), full, fulls)
        pairs.append(
            LabelledPair(
                Party(short), Party(other), "organisation", False, "listed:other_firm", "listed"
            )
        )
    note = f"{len(rows)} listed companies; registry of {len(set(names)):,} names"
    return BenchmarkSet("listed", pairs, _registry(names), note)


def collisions_set(real: Path) -> BenchmarkSet | None:
    """Renamings (one code, two names) and namesakes (one name, two codes), with codes."""
    path = real / COLLISIONS
    if not path.exists():
        return None
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for row in _read(path):
        groups[(row["collision_type"], row["key"])].append(
            (row["企业名称"], row["统一社会信用代码"])
        )
    pairs: list[LabelledPair] = []
    for (kind, _), members in groups.items():
        same = kind == "same_code_diff_name"
        case = "collisions:renamed" if same else "collisions:namesakes"
        for (name_a, code_a), (name_b, code_b) in combinations(members, 2):
            pairs.append(
                LabelledPair(
                    Party(name_a, code_a), Party(name_b, code_b), "organisation", same, case,
                    "collisions",
                )
            )  # fmt: skip
    names = [p.a.name for p in pairs] + [p.b.name for p in pairs]
    return BenchmarkSet("collisions", pairs, _registry(names), f"{len(groups)} collision groups")


def real_sets(real: Path) -> list[BenchmarkSet]:
    """Every real set whose files are present under ``real`` (``shared/data/real``)."""
    found = [listed_set(real), collisions_set(real)]
    return [s for s in found if s is not None]
