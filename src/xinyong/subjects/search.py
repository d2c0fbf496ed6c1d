"""Name and code search over organisations, with its bigram index.

Design (identical results on SQLite and PostgreSQL by construction):

* **Key** — a name is normalised (``identity.names.normalize_org_name``: traditional →
  simplified, full width → half width, brackets unified, spaces dropped, legal form in
  canonical spelling) and then stripped of brackets, spaces and punctuation: its *key*.
  A query gets the same treatment, so 恒達科技（蘇州） and 恒达 科技(苏州) are one key.
* **Postings** — every distinct character bigram of an indexed subject's key is one row
  ``(gram, subject_id)`` of ``subject_search_grams`` (primary key = the postings list).
  Bigrams, not trigrams: trade names (字号) are mostly two characters, which neither
  pg_trgm nor FTS5's trigram tokenizer can serve from their index.
* **Match** — a subject matches when it holds every *required* gram: the grams of the
  query's trade name when the query has one (苏州市恒达科技有限公司 → 恒达), else of the
  whole query key. Every substring of a subject's key therefore finds it, and a full
  name finds its firm whatever order the region was written in. The other grams of the
  query (region, industry, form) only rank. The rarest required gram drives the query
  (bounded counts pick it): its postings in index order, one probe per other gram.
* **Rank** — exact code, then exact key, then trade-name match, then more of the
  query's other grams, then the shorter name, then id. Candidates are ranked in Python
  from their stored keys, so both stores order them the same by construction.
* **Broad queries** — a query held by more than ``CANDIDATE_CAP`` organisations (a bare
  industry word, 有限公司) ranks its exact and trade-name matches (found by index) and the
  ``CANDIDATE_CAP`` lowest ids among the rest, and reports its total as capped. This
  bounds every query's work: measured at 1,000,000 subjects in bench/portal.py.

Who is indexed: legal persons and individual businesses (public registration data).
Natural persons and households are never indexed, and an ID number finds nothing: the
public portal shows persons only as masked rows of 双公示 and list publications.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import delete, exists, func, insert, select, text
from sqlalchemy.orm import Session, aliased

from xinyong.core.db import is_postgresql
from xinyong.identity import codes, names
from xinyong.subjects.models import SearchGram, Subject, SubjectIdentifier, SubjectSearch

INDEXED_KINDS = ("legal_person", "individual_business")
# Bounded document frequency used to pick the rarest required gram.
RARITY_PROBE = 5_000
# Candidates ranked per query at most: a query held by more organisations (a bare
# industry word, 科技有限公司) ranks its exact and trade-name matches and this many
# others (lowest ids), and says its total is capped.
CANDIDATE_CAP = 2_000
# Query keys longer than this are cut (names are at most ~60 characters).
MAX_QUERY_KEY = 64
MATCH_NAMES = {0: "code", 1: "name", 2: "trade_name", 3: "partial"}


def search_key(text: str) -> str:
    """The folded text without brackets, spaces or punctuation: what grams are cut from."""
    return "".join(ch for ch in names.fold(text) if ch.isalnum())


def grams_of(key: str) -> list[str]:
    """The distinct character bigrams of a key, sorted."""
    return sorted({key[i : i + 2] for i in range(len(key) - 1)})


@dataclass(frozen=True)
class IndexEntry:
    subject_id: int
    name_key: str
    trade_key: str | None
    grams: list[str]


def entry_for(subject_id: int, kind: str, name: str) -> IndexEntry | None:
    """The index entry of one subject (None for kinds that are not indexed)."""
    if kind not in INDEXED_KINDS:
        return None
    key = search_key(names.normalize_org_name(name))[:255]
    trade = names.parse_org_name(name).trade_name
    trade_key = search_key(trade)[:255] if trade else None
    return IndexEntry(subject_id, key, trade_key or None, grams_of(key))


# --- maintenance ------------------------------------------------------------------------


def _remove(session: Session, subject_ids: Sequence[int]) -> None:
    """Delete the index rows of these subjects (grams found from their stored keys)."""
    held = session.execute(
        select(SubjectSearch.subject_id, SubjectSearch.name_key).where(
            SubjectSearch.subject_id.in_(subject_ids)
        )
    ).all()
    # Every gram a subject holds lies in the union: exactly these subjects' rows go.
    held_grams = sorted({g for _, key in held for g in grams_of(key)})
    if held_grams:
        session.execute(
            delete(SearchGram).where(
                SearchGram.subject_id.in_([sid for sid, _ in held]),
                SearchGram.gram.in_(held_grams),
            )
        )
    session.execute(delete(SubjectSearch).where(SubjectSearch.subject_id.in_(subject_ids)))


def _insert(session: Session, entries: Sequence[IndexEntry]) -> None:
    if not entries:
        return
    session.execute(
        insert(SubjectSearch),
        [
            {
                "subject_id": e.subject_id,
                "name_key": e.name_key,
                "trade_key": e.trade_key,
            }
            for e in entries
        ],
    )
    rows = [{"gram": g, "subject_id": e.subject_id} for e in entries for g in e.grams]
    if rows:
        session.execute(insert(SearchGram), rows)


def _batched(values: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def index_subjects(session: Session, subject_ids: Iterable[int]) -> int:
    """(Re)index these subjects after they were created or renamed; returns entries written.

    Call it after the subjects are flushed, in the same transaction.
    """
    written = 0
    for chunk in _batched(sorted(set(subject_ids)), 500):
        _remove(session, chunk)
        rows = session.execute(
            select(Subject.id, Subject.kind, Subject.name).where(Subject.id.in_(chunk))
        ).all()
        entries = [e for row in rows if (e := entry_for(row.id, row.kind, row.name))]
        _insert(session, entries)
        written += len(entries)
    session.flush()
    return written


def _entries_from(session: Session, batch: int) -> Iterator[list[IndexEntry]]:
    """Index entries of every indexed subject, ``batch`` subjects at a time, by id."""
    last = 0
    while True:
        rows = session.execute(
            select(Subject.id, Subject.kind, Subject.name)
            .where(Subject.id > last, Subject.kind.in_(INDEXED_KINDS))
            .order_by(Subject.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        yield [e for row in rows if (e := entry_for(row.id, row.kind, row.name))]


def _copy_rows(
    session: Session, table: str, columns: str, rows: Iterable[tuple[object, ...]]
) -> None:
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _copy_entries(session: Session, entries: Sequence[IndexEntry]) -> None:
    _copy_rows(
        session,
        "subject_search",
        "subject_id, name_key, trade_key",
        ((e.subject_id, e.name_key, e.trade_key) for e in entries),
    )
    _copy_rows(
        session,
        "subject_search_grams",
        "gram, subject_id",
        ((g, e.subject_id) for e in entries for g in e.grams),
    )


def rebuild_index(session: Session, *, batch: int = 20_000) -> int:
    """Recreate the whole index from ``subjects`` (after bulk loads); returns entries.

    PostgreSQL: COPY with the postings' primary key dropped and rebuilt once at the end
    (one sort instead of millions of B-tree inserts); SQLite: batched inserts.
    """
    postgres = is_postgresql(session)
    if postgres:
        session.execute(text("TRUNCATE subject_search_grams, subject_search"))
        session.execute(
            text("ALTER TABLE subject_search_grams DROP CONSTRAINT pk_subject_search_grams")
        )
    else:
        session.execute(delete(SearchGram))
        session.execute(delete(SubjectSearch))
    written = 0
    for entries in _entries_from(session, batch):
        (_copy_entries if postgres else _insert)(session, entries)
        written += len(entries)
    if postgres:
        session.execute(
            text(
                "ALTER TABLE subject_search_grams ADD CONSTRAINT pk_subject_search_grams "
                "PRIMARY KEY (gram, subject_id)"
            )
        )
        session.execute(text("ANALYZE subject_search_grams"))
        session.execute(text("ANALYZE subject_search"))
    session.flush()
    return written


# --- queries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A search text read as a code or as a name key with required and ranking grams."""

    text: str
    key: str
    trade_key: str | None
    required: list[str]
    optional: list[str]

    @property
    def grams(self) -> list[str]:
        return sorted({*self.required, *self.optional})


def parse_query(raw: str) -> Query:
    """Normalise a typed name into its key, its trade name and its grams."""
    key = search_key(names.normalize_org_name(raw))[:MAX_QUERY_KEY]
    trade = names.parse_org_name(raw).trade_name if key else None
    trade_key = search_key(trade) if trade else None
    every = grams_of(key)
    own = grams_of(trade_key or "")
    required = own if own and set(own) <= set(every) else every
    optional = [g for g in every if g not in set(required)]
    return Query(raw, key, trade_key or None, required, optional)


@dataclass(frozen=True)
class Ranked:
    subject_id: int
    match: str  # "code" | "name" | "trade_name" | "partial"


@dataclass(frozen=True)
class SearchResult:
    query: Query
    total: int
    ranked: list[Ranked]
    capped: bool = False  # more candidates than CANDIDATE_CAP: total means "this or more"


def _code_match(session: Session, raw: str) -> tuple[bool, int | None]:
    """Whether the text is a code, and the public organisation it names (if any)."""
    result = codes.detect(raw)
    if not result.valid:
        return False, None
    if result.kind == "uscc":
        stmt = select(Subject.id).where(Subject.uscc == result.code)
    elif result.kind in ("registration_number", "organization_code"):
        stmt = (
            select(Subject.id)
            .join(SubjectIdentifier)
            .where(SubjectIdentifier.scheme == result.kind, SubjectIdentifier.value == result.code)
        )
    else:
        return True, None  # an ID number: persons are not found by the public
    return True, session.scalar(stmt.where(Subject.kind.in_(INDEXED_KINDS)))


def _rarest_first(session: Session, grams: list[str]) -> list[str] | None:
    """The grams ordered by (bounded) document frequency; None if one is held by nobody."""
    counts = [
        select(func.count())
        .select_from(
            select(SearchGram.subject_id).where(SearchGram.gram == g).limit(RARITY_PROBE).subquery()
        )
        .scalar_subquery()
        for g in grams
    ]
    row = session.execute(select(*counts)).one()
    if min(row) == 0:
        return None
    return [g for _, g in sorted(zip(row, grams, strict=True))]


@dataclass(frozen=True)
class _Candidate:
    subject_id: int
    name_key: str
    trade_key: str | None


def _holding_all(session: Session, grams: list[str]) -> list[_Candidate]:
    """Up to CANDIDATE_CAP + 1 subjects holding every gram, lowest ids first: postings
    of the rarest gram in index order, one probe per other gram."""
    driver = aliased(SearchGram)
    probes = [
        exists().where(SearchGram.gram == g, SearchGram.subject_id == driver.subject_id)
        for g in grams[1:]
    ]
    stmt = (
        select(SubjectSearch.subject_id, SubjectSearch.name_key, SubjectSearch.trade_key)
        .join(driver, driver.subject_id == SubjectSearch.subject_id)
        .where(driver.gram == grams[0], *probes)
        .order_by(driver.subject_id)
        .limit(CANDIDATE_CAP + 1)
    )
    return [_Candidate(*row) for row in session.execute(stmt)]


def _exact(session: Session, query: Query) -> list[_Candidate]:
    """Subjects whose key, then those whose trade name, equals the query's (both hold
    every required gram), at most CANDIDATE_CAP of each."""
    found: list[_Candidate] = []
    trade = query.trade_key or query.key
    for condition in (SubjectSearch.name_key == query.key, SubjectSearch.trade_key == trade):
        stmt = (
            select(SubjectSearch.subject_id, SubjectSearch.name_key, SubjectSearch.trade_key)
            .where(condition)
            .order_by(SubjectSearch.subject_id)
            .limit(CANDIDATE_CAP)
        )
        found += [_Candidate(*row) for row in session.execute(stmt)]
    return found


def _rank(query: Query, candidate: _Candidate) -> tuple[int, int, int, int]:
    """(match class, fewer of the other grams, longer name, id): smaller ranks first."""
    if candidate.name_key == query.key:
        match = 1
    elif candidate.trade_key == (query.trade_key or query.key):
        match = 2
    else:
        match = 3
    held = sum(1 for gram in query.optional if gram in candidate.name_key)
    return match, -held, len(candidate.name_key), candidate.subject_id


def _matching(session: Session, query: Query) -> tuple[list[_Candidate], bool]:
    """Every candidate of the query (or, for very broad queries, the exact and trade-name
    matches plus the CANDIDATE_CAP lowest ids) and whether the set was capped."""
    ordered = _rarest_first(session, query.required)
    if ordered is None:
        return [], False
    found = _holding_all(session, ordered)
    if len(found) <= CANDIDATE_CAP:
        return found, False
    merged = {c.subject_id: c for c in found[:CANDIDATE_CAP]}
    merged.update((c.subject_id, c) for c in _exact(session, query))
    return list(merged.values()), True


def search(session: Session, *, query: str, limit: int, offset: int) -> SearchResult:
    """Organisations matching a name or code, best first: ``limit`` hits from ``offset``."""
    parsed = parse_query(query)
    is_code, found = _code_match(session, query.strip())
    if is_code:
        hits = [Ranked(found, "code")] if found is not None and offset == 0 else []
        return SearchResult(parsed, 0 if found is None else 1, hits)
    if not parsed.required:
        return SearchResult(parsed, 0, [])
    candidates, capped = _matching(session, parsed)
    ranked = sorted((_rank(parsed, c), c.subject_id) for c in candidates)
    page = [Ranked(sid, MATCH_NAMES[rank[0]]) for rank, sid in ranked[offset : offset + limit]]
    return SearchResult(parsed, len(ranked), page, capped)


def highlights(name: str, grams: Iterable[str]) -> list[tuple[int, int]]:
    """Spans [start, end) of ``name`` (as displayed) covered by any of the query's grams."""
    wanted = set(grams)
    folded: list[tuple[str, int]] = []  # (folded character, index in name)
    for index, ch in enumerate(name):
        folded += [(c, index) for c in search_key(ch)]
    marked: set[int] = set()
    for i in range(len(folded) - 1):
        if folded[i][0] + folded[i + 1][0] in wanted:
            marked.update((folded[i][1], folded[i + 1][1]))
    spans: list[tuple[int, int]] = []
    for index in sorted(marked):
        if spans and spans[-1][1] == index:
            spans[-1] = (spans[-1][0], index + 1)
        else:
            spans.append((index, index + 1))
    return spans
