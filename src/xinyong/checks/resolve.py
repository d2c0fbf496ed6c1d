"""Who a credit check is about: each input row resolved to a subject, never guessed.

A row gives a code, a name, or both. A valid code decides exactly (USCC, ID number, old
registration number or organisation code; an ID number is kept only masked). A row with
only a name goes through the matching engine: a ``match`` that no other subject ties is
resolved, with its score and evidence; anything weaker, or several equal matches, is
``ambiguous`` with the candidates shown, and the check says nothing about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.core.crypto import lookup_hash
from xinyong.core.i18n import t
from xinyong.identity import codes
from xinyong.identity.matching.index import MatchIndex
from xinyong.identity.matching.service import Candidate, screen
from xinyong.subjects import matching as subjects_matching
from xinyong.subjects import search
from xinyong.subjects.models import Subject, SubjectIdentifier

CHUNK = 1000
MAX_NAME = 255
MAX_CODE = 32  # CheckRow.query_code
NAME_CANDIDATES = 20  # registry candidates a single name check compares in full


@dataclass(frozen=True)
class SubjectQuery:
    """One subject asked about: its row number (1-based) and what was given."""

    row_no: int
    name: str | None = None
    code: str | None = None


@dataclass
class Resolution:
    """How a row was resolved; ``subject_id`` is set for ``code`` and ``name`` only."""

    row_no: int
    name: str | None
    code_shown: str | None
    resolution: str  # code | name | ambiguous | not_found | invalid
    subject_id: int | None = None
    score: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class NameResolver(Protocol):
    """Finds the registry's candidates for a name (best first)."""

    def candidates(self, name: str) -> list[Candidate]: ...


def shown_code(result: codes.CodeResult) -> str:
    """The code as a check may keep and show it: ID numbers masked."""
    if result.kind == "id_number":
        return codes.mask_id_number(result.code)
    return result.code


def _clean(value: str | None) -> str | None:
    """The text as given, without control or invisible format characters, cut to size."""
    text = "".join(ch for ch in (value or "") if ch.isprintable() or ch == " ").strip()
    return text[:MAX_NAME] if text else None


def _shown_invalid(result: codes.CodeResult, given: str | None) -> str | None:
    """An invalid code as a check keeps it: cut to fit, an ID number never in clear."""
    if result.kind == "id_number":
        return codes.mask_id_number(result.code)
    text = _clean(given)
    return text[:MAX_CODE] if text else None


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _lookup(session: Session, column: Any, values: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(values):
        found.update(session.execute(select(column, Subject.id).where(column.in_(chunk))).all())
    return found


def _lookup_secondary(session: Session, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    values = sorted({value for _, value in pairs})
    for chunk in _chunks(values):
        stmt = select(
            SubjectIdentifier.scheme, SubjectIdentifier.value, SubjectIdentifier.subject_id
        ).where(SubjectIdentifier.value.in_(chunk))
        found.update(((scheme, value), sid) for scheme, value, sid in session.execute(stmt))
    return found


def _keys(result: codes.CodeResult) -> tuple[str, str]:
    """(how to look it up, the value): uscc, id_hash, or a secondary scheme."""
    if result.kind == "uscc":
        return "uscc", result.code
    if result.kind == "id_number":
        return "id_hash", lookup_hash(result.code)
    return str(result.kind), result.code


def resolve_codes(session: Session, queries: Sequence[SubjectQuery]) -> list[Resolution]:
    """Resolve rows that give a code, in bulk (a few queries per 1,000 rows)."""
    detected = [(query, codes.detect(query.code or "")) for query in queries]
    keyed = [(q, r, _keys(r)) for q, r in detected if r.valid]
    usccs = _lookup(session, Subject.uscc, sorted({v for _, _, (k, v) in keyed if k == "uscc"}))
    hashes = sorted({v for _, _, (k, v) in keyed if k == "id_hash"})
    persons = _lookup(session, Subject.id_number_hash, hashes)
    others = _lookup_secondary(
        session, [key for _, _, key in keyed if key[0] not in ("uscc", "id_hash")]
    )
    resolved: list[Resolution] = []
    for query, result in detected:
        name = _clean(query.name)
        if not result.valid:
            detail = {"reason": _both(result.reason)}
            shown = _shown_invalid(result, query.code)
            resolved.append(Resolution(query.row_no, name, shown, "invalid", detail=detail))
            continue
        scheme, value = _keys(result)
        table = usccs if scheme == "uscc" else persons if scheme == "id_hash" else None
        subject_id = table.get(value) if table is not None else others.get((scheme, value))
        outcome = "code" if subject_id is not None else "not_found"
        resolved.append(Resolution(query.row_no, name, shown_code(result), outcome, subject_id))
    return resolved


def _candidate_json(candidate: Candidate) -> dict[str, Any]:
    return {
        "subject_id": candidate.subject_id,
        "name": candidate.name,
        "code": candidate.code,
        "score": round(candidate.result.score, 4),
        "decision": candidate.result.decision,
        "relation": candidate.result.relation,
    }


def _both(reason: str | None) -> str:
    """A code's reason kept as ``中文 · English`` (pages show the reader's half)."""
    if not reason:
        return f"{t('ckc.err.bad_code', 'zh')} · {t('ckc.err.bad_code', 'en')}"
    return f"{codes.reason_in(reason, 'zh')} · {reason}"


def resolve_name(resolver: NameResolver, query: SubjectQuery) -> Resolution:
    """Resolve a row that gives only a name through the matching engine."""
    name = _clean(query.name)
    if name is None:
        reason = {"reason": f"{t('ckc.err.give_code', 'zh')} · {t('ckc.err.give_code', 'en')}"}
        return Resolution(query.row_no, None, None, "invalid", detail=reason)
    found = [c for c in resolver.candidates(name) if c.result.relation is None]
    if not found:
        return Resolution(
            query.row_no, name, None, "not_found", detail={"name": {"candidates": []}}
        )
    best = found[0]
    detail: dict[str, Any] = {
        "name": {
            "decision": best.result.decision,
            "score": round(best.result.score, 4),
            "explanation": best.result.explanation,
            "evidence": [item.to_dict() for item in best.result.evidence],
            "candidates": [_candidate_json(c) for c in found[:5]],
        }
    }
    if best.result.decision == "match":
        resolved = Resolution(query.row_no, name, best.code, "name", best.subject_id, detail=detail)
        resolved.score = round(best.result.score, 4)
        return resolved
    return Resolution(
        query.row_no, name, None, "ambiguous", score=round(best.result.score, 4), detail=detail
    )


class IndexNames:
    """Names screened against a full match index (batch checks: built once per batch)."""

    def __init__(self, index: MatchIndex) -> None:
        self.index = index

    def candidates(self, name: str) -> list[Candidate]:
        return screen(self.index, name, limit=5, include_related=False)


class SearchNames:
    """Names screened against the few subjects the portal's name search finds for them
    (single checks: no full index in memory). Natural persons are not in that search: a
    person is checked by ID number, a name alone does not identify one."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def candidates(self, name: str) -> list[Candidate]:
        found = search.search(self.session, query=name, limit=NAME_CANDIDATES, offset=0)
        ids = [hit.subject_id for hit in found.ranked]
        if not ids:
            return []
        subjects = self.session.scalars(select(Subject).where(Subject.id.in_(ids))).all()
        index = MatchIndex()
        for subject in subjects:
            subjects_matching.index_subject(index, subject)
        return screen(index, name, limit=5, include_related=False)


def resolve_all(
    session: Session, queries: Sequence[SubjectQuery], names: NameResolver
) -> list[Resolution]:
    """Every row resolved, in row order: codes in bulk, names one by one."""
    with_code = [q for q in queries if (q.code or "").strip()]
    by_row = {r.row_no: r for r in resolve_codes(session, with_code)}
    for query in queries:
        if query.row_no not in by_row:
            by_row[query.row_no] = resolve_name(names, query)
    return [by_row[q.row_no] for q in queries]
