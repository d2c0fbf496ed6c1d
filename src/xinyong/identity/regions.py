"""Administrative region codes (GB/T 2260), read from python-stdnum's region table.

The table lists every six-digit code with the years it was in use, e.g.
``320508 姑苏区 [2012-]``; codes ending in ``00`` are provinces or prefectures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_ENTRY = re.compile(r'^\s*(\d+)\s+(province|county)="(.*)"\s*$')
_NAME = re.compile(r"^(?:\[(\d*)-(\d*)\])?(.+)$")


@dataclass(frozen=True)
class Region:
    """One administrative division and the years it existed (None = open-ended)."""

    code: str
    name: str
    start: int | None
    end: int | None

    @property
    def current(self) -> bool:
        return self.end is None

    @property
    def level(self) -> str:
        if self.code.endswith("0000"):
            return "province"
        if self.code.endswith("00"):
            return "prefecture"
        return "county"


def _parse_line(line: str, province: str) -> list[Region]:
    """One line may name several successive divisions: ``[-1991]东郊区,[1992-]东丽区``."""
    match = _ENTRY.match(line)
    if not match:
        return []
    digits, kind, names = match.groups()
    code = digits + "0000" if kind == "province" else province + digits
    out = []
    for part in names.split(","):
        named = _NAME.match(part.strip())
        if named:
            start, end, name = named.groups()
            out.append(Region(code, name, int(start) if start else None, int(end) if end else None))
    return out


@lru_cache(maxsize=1)
def _table() -> dict[str, list[Region]]:
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    table: dict[str, list[Region]] = {}
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province = line.split()[0]
        for region in _parse_line(line, province):
            table.setdefault(region.code, []).append(region)
    return table


def lookup(code: str, *, year: int | None = None) -> Region | None:
    """The region with this six-digit code (in use in ``year`` if given, else newest)."""
    candidates = _table().get(code, [])
    if year is not None:
        candidates = [r for r in candidates if (r.start or 0) <= year <= (r.end if r.end else 9999)]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (r.end is None, r.end or 0, r.start or 0))


def exists(code: str) -> bool:
    """Whether the code was ever a GB/T 2260 division."""
    return code in _table()


def full_name(code: str) -> str | None:
    """Province + prefecture + county names for a code, e.g. 江苏省苏州市姑苏区."""
    region = lookup(code)
    if region is None:
        return None
    parts: list[str] = []
    for prefix in (code[:2] + "0000", code[:4] + "00"):
        parent = lookup(prefix)
        if parent and prefix != code and parent.name not in parts and parent.name != "市辖区":
            parts.append(parent.name)
    if region.name not in parts:
        parts.append(region.name)
    return "".join(parts)


@lru_cache(maxsize=512)
def current_children(prefix_code: str) -> tuple[Region, ...]:
    """Current county-level divisions under a province or prefecture code."""
    if prefix_code.endswith("0000"):
        stem = prefix_code[:2]
    elif prefix_code.endswith("00"):
        stem = prefix_code[:4]
    else:
        stem = prefix_code
    out = []
    for code in _table():
        if code.startswith(stem) and not code.endswith("00"):
            region = lookup(code)
            if region and region.current and region.name not in ("市辖区", "县"):
                out.append(region)
    return tuple(sorted(out, key=lambda r: r.code))


@lru_cache(maxsize=1)
def all_names() -> frozenset[str]:
    """Every region name ever used (province, prefecture, county), for name parsing."""
    return frozenset(
        r.name for regions in _table().values() for r in regions if r.name not in ("市辖区", "县")
    )
