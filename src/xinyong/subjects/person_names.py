"""Which strings of a text are natural persons' names the platform knows (for redaction).

A text of a few hundred characters has thousands of two-to-four-character runs that could
be a name; asking the database about each would cost tens of milliseconds per record. A
per-process Bloom filter of the persons' normalised names (2 MiB whatever the city's size)
answers "certainly not" for almost all of them; the few it lets through are confirmed in
the database, so a false positive costs one look-up and never masks a word wrongly.

The filter follows the subjects table: rows with an id above its watermark are added at
most once a second (re-reading the last ``LOOKBACK`` ids, which a rolled-back insert may
have left for reuse), and it is rebuilt from scratch every ``REBUILD_SECONDS``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.identity.kinds import SubjectKind
from xinyong.subjects.models import Subject

BITS = 1 << 24  # 2 MiB: under 0.5 % false positives at a million persons
_MASK = BITS - 1
REFRESH_SECONDS = 1.0
REBUILD_SECONDS = 600.0
LOOKBACK = 1000
_CHUNK = 500


def _positions(text: str) -> tuple[int, int, int]:
    h = hash(text) & 0xFFFFFFFFFFFFFFFF  # per process, like the filter itself
    return h & _MASK, (h >> 20) & _MASK, (h >> 40) & _MASK


@dataclass
class _Filter:
    bits: bytearray = field(default_factory=lambda: bytearray(BITS // 8))
    watermark: int = 0
    refreshed: float = 0.0
    built: float = field(default_factory=time.monotonic)

    def add(self, text: str) -> None:
        for p in _positions(text):
            self.bits[p >> 3] |= 1 << (p & 7)

    def __contains__(self, text: str) -> bool:
        a, b, c = _positions(text)
        bits = self.bits
        return bool(
            bits[a >> 3] & (1 << (a & 7))
            and bits[b >> 3] & (1 << (b & 7))
            and bits[c >> 3] & (1 << (c & 7))
        )


_FILTERS: dict[str, _Filter] = {}
_LOCK = threading.Lock()


def _persons_after(session: Session, after: int) -> list[tuple[int, str]]:
    stmt = (
        select(Subject.id, Subject.name_normalized)
        .where(Subject.kind == SubjectKind.natural_person.value, Subject.id > after)
        .order_by(Subject.id)
    )
    return [(i, name) for i, name in session.execute(stmt)]


def _current(session: Session) -> _Filter:
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    with _LOCK:
        known = _FILTERS.get(key)
        if known is None or now - known.built > REBUILD_SECONDS:
            known = _FILTERS[key] = _Filter()
        elif now - known.refreshed < REFRESH_SECONDS:
            return known
        for person_id, name in _persons_after(session, max(known.watermark - LOOKBACK, 0)):
            known.add(name)
            known.watermark = max(known.watermark, person_id)
        known.refreshed = now
        return known


def person_names_among(session: Session, candidates: Iterable[str]) -> set[str]:
    """Which of the candidate strings are natural persons' names known to the platform."""
    known = _current(session)
    wanted = sorted({c for c in candidates if c and c in known})
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(
            session.scalars(
                select(Subject.name_normalized).where(
                    Subject.kind == SubjectKind.natural_person.value,
                    Subject.name_normalized.in_(chunk),
                )
            )
        )
    return found
