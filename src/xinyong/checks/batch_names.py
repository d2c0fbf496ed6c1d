"""Names in batch credit checks (统查): one full match index per process, and a quiet heap.

A batch resolves its name-only rows against every registered subject, so the job screens
them through a full :class:`MatchIndex`, built once per process (about 36 s per million
subjects) and refreshed between jobs with the subjects changed since. A server builds it
when it starts (``warm_index``, setting ``match_index_at_start``), so no job waits for it;
a command-line job builds its own. While a job runs, the objects alive when it started (the
application, the catalogues, the index: some 1.5 objects per subject) are frozen out of the
cyclic garbage collector (``gc.freeze``): otherwise every full collection walks the whole
index again, which took half of a job's time. A server's index stays frozen between jobs
too, so the collections of ordinary requests do not walk it either.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.checks.resolve import IndexNames, NameResolver, SubjectQuery
from xinyong.identity.matching.index import MatchIndex
from xinyong.identity.matching.service import Candidate
from xinyong.subjects import matching as subjects_matching
from xinyong.subjects.models import Subject, SubjectIdentifier

INDEX_LOCK = threading.RLock()  # held while the index is refreshed or screened
_INDEXES: dict[str, MatchIndex] = {}
log = logging.getLogger(__name__)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _secondary(session: Session, ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    columns = (SubjectIdentifier.subject_id, SubjectIdentifier.scheme, SubjectIdentifier.value)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for sid, scheme, value in session.execute(
            select(*columns).where(SubjectIdentifier.subject_id.in_(chunk))
        ):
            found.setdefault(sid, []).append((scheme, value))
    return found


def refresh(index: MatchIndex, session: Session) -> int:
    """Add the subjects changed since the index's watermark, read in bulk; how many.

    Like ``MatchIndex.refresh_from_session`` it reads again the subjects stamped at the
    watermark's very instant (one committed later in the same clock tick is not missed), but
    it re-adds only those the index does not hold yet: after a bulk load thousands of
    subjects share that instant, and re-adding them all would cost a minute per job.
    """
    mark = index.watermark
    columns = (Subject.id, Subject.kind, Subject.name, Subject.uscc, Subject.id_number_hash)
    stmt = select(*columns, Subject.updated_at)
    if mark is not None:
        stmt = stmt.where(Subject.updated_at >= mark)
    changed = [
        row
        for row in session.execute(stmt)
        if mark is None or _naive_utc(row[5]) > mark or row[0] not in index
    ]
    secondary = _secondary(session, [row[0] for row in changed])
    for sid, kind, name, uscc, digest, stamp in changed:
        index.add(
            sid, kind=kind, name=name, uscc=uscc, id_number_digest=digest or "",
            secondary=secondary.get(sid, ()),
        )  # fmt: skip
        if index.watermark is None or _naive_utc(stamp) > index.watermark:
            index.watermark = _naive_utc(stamp)
    return len(changed)


def shared_index(session: Session) -> MatchIndex:
    """The full match index of this database: built once per process, refreshed per job."""
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    with INDEX_LOCK:
        index = _INDEXES.get(key)
        if index is None:
            _INDEXES.clear()  # one database per process: do not keep another's index
            index = _INDEXES[key] = subjects_matching.build_index(session)
            if _FROZEN:
                gc.freeze()  # the new index joins the objects a running job keeps frozen
        else:
            refresh(index, session)
        return index


def _by_name(query: SubjectQuery) -> bool:
    return not (query.code or "").strip() and bool((query.name or "").strip())


class JobNames:
    """A job's names: each distinct name screened once (lists repeat names)."""

    def __init__(self, inner: NameResolver) -> None:
        self.inner = inner
        self.screened: dict[str, list[Candidate]] = {}

    def candidates(self, name: str) -> list[Candidate]:
        """The inner resolver's candidates, remembered for the job."""
        found = self.screened.get(name)
        if found is None:
            found = self.screened[name] = self.inner.candidates(name)
        return found


def resolver_for(session: Session, queries: Sequence[SubjectQuery]) -> NameResolver:
    """Names against the full registry; an empty index when no row asks by name alone."""
    if any(_by_name(q) for q in queries):
        return IndexNames(shared_index(session))
    return IndexNames(MatchIndex())


_FROZEN = 0  # jobs running with the heap frozen
_FROZEN_LOCK = threading.Lock()
_HELD = False  # a server holds its index frozen between jobs


def warm_index(session: Session) -> float:
    """Build (or refresh) this process's index before any job asks, and keep it out of the
    cyclic collector for good; the seconds it took."""
    global _HELD
    started = time.perf_counter()
    index = shared_index(session)
    with _FROZEN_LOCK:
        _HELD = True
        if _FROZEN == 0:
            gc.collect()
            gc.freeze()
    seconds = time.perf_counter() - started
    log.info("match index of %d subjects ready in %.1f s", len(index), seconds)
    return seconds


@contextmanager
def quiet_heap() -> Iterator[None]:
    """Keep the objects alive now out of the cyclic collector until the last running job
    ends (``gc.freeze``; the job's own garbage is collected as usual)."""
    global _FROZEN
    with _FROZEN_LOCK:
        _FROZEN += 1
        gc.freeze()
    try:
        yield
    finally:
        with _FROZEN_LOCK:
            _FROZEN -= 1
            if _FROZEN == 0:
                gc.unfreeze()
                if _HELD:  # let the job's garbage go, keep the index frozen
                    gc.collect()
                    gc.freeze()
