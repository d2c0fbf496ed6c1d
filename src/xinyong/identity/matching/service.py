"""Name matching for the other modules: compare two names, screen names against the registry.

``match_names`` compares two names (with codes and birth dates when known); ``screen``
finds a name's best candidates in a :class:`MatchIndex`; ``build_index`` builds that index
from the database. Codes decide when both sides have one; otherwise the names do, by the
rules of :mod:`orgs` and :mod:`persons`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from xinyong.identity.matching.config import MatchingConfig, default_config
from xinyong.identity.matching.identifiers import Identifier, compare_identifiers, identifier
from xinyong.identity.matching.index import PERSON_KINDS, IndexedSubject, MatchIndex
from xinyong.identity.matching.orgs import Registry, compare_orgs, may_match
from xinyong.identity.matching.parts import (
    OrgParts,
    PersonParts,
    is_short_name,
    looks_like_person,
    org_parts,
    person_parts,
    short_core,
)
from xinyong.identity.matching.persons import compare_persons
from xinyong.identity.matching.result import Evidence, MatchResult, NameKind, Party, Verdict

Parts = OrgParts | PersonParts


@dataclass(frozen=True)
class Candidate:
    """A registered subject found for a screened name, with the comparison's result."""

    subject_id: int
    name: str
    kind: str
    code: str | None  # the subject's USCC (persons' ID numbers are never shown)
    result: MatchResult

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "subject_id": self.subject_id,
            "name": self.name,
            "kind": self.kind,
            "code": self.code,
            **{k: v for k, v in self.result.to_dict().items() if k not in ("a", "b")},
        }


def guess_kind(*names: str) -> NameKind:
    """``person`` when every name reads as a person's, else ``organisation``."""
    return "person" if names and all(looks_like_person(n) for n in names) else "organisation"


def _kind_from_codes(*found: Identifier | None) -> NameKind | None:
    schemes = {f.scheme for f in found if f is not None}
    if not schemes:
        return None
    return "person" if schemes == {"id_number"} else "organisation"


def _parts(party: Party, found: Identifier | None, kind: NameKind) -> Parts:
    if kind == "organisation":
        return org_parts(party.name)
    birth = party.birth_date or (found.birth_date if found else None)
    digest = found.value if found is not None and found.scheme == "id_number" else ""
    return person_parts(party.name, birth_date=birth.isoformat() if birth else "", id_digest=digest)


def _compare_parts(
    a: Parts, b: Parts, config: MatchingConfig, registry: Registry | None
) -> Verdict:
    if isinstance(a, PersonParts) and isinstance(b, PersonParts):
        return compare_persons(a, b, config)
    if isinstance(a, OrgParts) and isinstance(b, OrgParts):
        return compare_orgs(a, b, config, registry)
    raise TypeError("compare two organisation names or two person names")


def _decide(
    names: Verdict, a: Identifier | None, b: Identifier | None, config: MatchingConfig
) -> Verdict:
    """The names' verdict, overruled by the codes when both are present and comparable."""
    by_codes = compare_identifiers(a, b, config)
    if by_codes is None:
        return names
    by_codes.evidence.extend(names.evidence)
    by_codes.relation = None if by_codes.score >= config.thresholds.match else names.relation
    return by_codes


def _note_unusable_codes(
    verdict: Verdict,
    parties: tuple[Party, Party],
    found: tuple[Identifier | None, Identifier | None],
) -> None:
    for side, (party, code) in enumerate(zip(parties, found, strict=True)):
        if party.code and party.code.strip() and code is None:
            a, b = (party.code, None) if side == 0 else (None, party.code)
            verdict.note("code", "absent", a, b, "not a valid code; ignored")


def _as_party(value: str | Party) -> Party:
    return value if isinstance(value, Party) else Party(value)


def match_names(
    a: str | Party,
    b: str | Party,
    *,
    kind: NameKind | None = None,
    index: MatchIndex | None = None,
    config: MatchingConfig | None = None,
) -> MatchResult:
    """Compare two names (and their codes and birth dates when given).

    ``kind`` is ``organisation`` or ``person``; by default it comes from the parties, their
    codes, or how the names read. With an ``index`` the registry resolves short names and
    tells whether a name without a region is ambiguous.
    """
    config = config or default_config()
    party_a, party_b = _as_party(a), _as_party(b)
    found = identifier(party_a.code), identifier(party_b.code)
    kind = (
        kind
        or party_a.kind
        or party_b.kind
        or _kind_from_codes(*found)
        or guess_kind(party_a.name, party_b.name)
    )
    names = _compare_parts(
        _parts(party_a, found[0], kind), _parts(party_b, found[1], kind), config, index
    )
    verdict = _decide(names, found[0], found[1], config)
    _note_unusable_codes(verdict, (party_a, party_b), found)
    return verdict.result(party_a.name, party_b.name, kind, config)


def compare_pairs(
    pairs: Iterable[tuple[str | Party, str | Party]],
    *,
    kind: NameKind | None = None,
    index: MatchIndex | None = None,
    config: MatchingConfig | None = None,
) -> Iterator[MatchResult]:
    """``match_names`` over many pairs, in order."""
    for a, b in pairs:
        yield match_names(a, b, kind=kind, index=index, config=config)


def _held_identifier(held: IndexedSubject, query: Identifier) -> Identifier | None:
    scheme = query.scheme
    value = held.code(scheme)
    if value is None and scheme == "organization_code":
        scheme, value = "uscc", held.code("uscc")
    if value is None:
        return None
    return Identifier(scheme, value, value if scheme != "id_number" else "(on file)")


def _candidate_ids(index: MatchIndex, query: Parts, found: Identifier | None) -> list[int]:
    ids: list[int] = []
    if found is not None:
        holder = index.find_code(found.scheme, found.value)
        if holder is not None:
            ids.append(holder)
    if isinstance(query, PersonParts):
        ids.extend(index.person_candidates(query))
        return ids
    ids.extend(index.org_candidates(query))
    if is_short_name(query):
        ids.extend(index.resolve_short_ids(short_core(query.name)))
    return ids


def _screen_verdict(
    index: MatchIndex,
    query: Parts,
    found: Identifier | None,
    held: IndexedSubject,
    config: MatchingConfig,
) -> Verdict | None:
    """The comparison of a screened name with one registered subject (None: skipped as a
    sure non-match, which only names without a code to decide can be)."""
    other = held.person if held.person is not None else held.org
    assert other is not None
    held_code = _held_identifier(held, found) if found is not None else None
    if (
        held_code is None
        and isinstance(query, OrgParts)
        and isinstance(other, OrgParts)
        and not may_match(query, other)
    ):
        return None
    return _decide(_compare_parts(query, other, config, index), found, held_code, config)


def screen(
    index: MatchIndex,
    name: str,
    *,
    code: str | None = None,
    birth_date: date | None = None,
    kind: NameKind | None = None,
    limit: int = 5,
    include_related: bool = True,
    config: MatchingConfig | None = None,
) -> list[Candidate]:
    """The registry's best candidates for a name, best first (``match`` and ``possible``;
    with ``include_related`` also branches and head offices of the name)."""
    config = config or default_config()
    found = identifier(code)
    kind = kind or _kind_from_codes(found) or guess_kind(name)
    query = _parts(Party(name, code, birth_date), found, kind)
    kept: list[Candidate] = []
    for subject_id in dict.fromkeys(_candidate_ids(index, query, found)):
        held = index.get(subject_id)
        if held is None or (held.kind in PERSON_KINDS) != (kind == "person"):
            continue
        verdict = _screen_verdict(index, query, found, held, config)
        if verdict is None or (
            verdict.final() < config.thresholds.possible
            and not (include_related and verdict.relation)
        ):
            continue
        result = verdict.result(name, held.name, kind, config)
        kept.append(Candidate(subject_id, held.name, held.kind, held.code("uscc"), result))
    kept.sort(key=lambda c: (-c.result.score, c.result.relation is not None, c.subject_id))
    return _flag_ties(kept, config)[:limit]


def _flag_ties(ranked: list[Candidate], config: MatchingConfig) -> list[Candidate]:
    """Several subjects matching one name equally well are none of them a match: each is
    capped at ``screening.ambiguous`` (a registry should not hold two such names)."""
    tied = [
        c
        for c in ranked
        if c.result.decision == "match" and c.result.score == ranked[0].result.score
    ]
    if len(tied) < 2:
        return ranked
    ceiling = config.screening.ambiguous
    note = Evidence("registry", "ambiguous", None, None, f"{len(tied)} subjects match equally")
    flagged = {
        c.subject_id: replace(
            c,
            result=replace(
                c.result,
                score=min(c.result.score, ceiling),
                decision=config.decide(min(c.result.score, ceiling)),
                evidence=(*c.result.evidence, note),
            ),
        )
        for c in tied
    }
    return [flagged.get(c.subject_id, c) for c in ranked]


@dataclass(frozen=True)
class ScreenQuery:
    """One name to screen, as read from a file (``row`` is its line number there)."""

    row: int
    name: str
    code: str | None = None
    kind: NameKind | None = None


def screen_many(
    index: MatchIndex,
    queries: Iterable[ScreenQuery],
    *,
    limit: int = 5,
    config: MatchingConfig | None = None,
) -> Iterator[tuple[ScreenQuery, list[Candidate]]]:
    """``screen`` over many names, in order."""
    for query in queries:
        yield (
            query,
            screen(index, query.name, code=query.code, kind=query.kind, limit=limit, config=config),
        )
