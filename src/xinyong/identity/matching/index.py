"""The match index: the registry's names, keyed so that screening compares few subjects.

Keys: each organisation's trade name (without a region written into it) and its trade name
with industry words, so that the subjects a name can match are one look-up away (a
different trade name is a different firm); the characters of its region, trade name and
industry, to resolve short names (简称) that may skip characters; each person's folded name;
every code (USCC, secondary identifiers, the keyed hash of an ID number). A subject's
parts are kept as one packed string. The index is built from the database's ``Subject``
rows or from generator rows, and kept current with :meth:`MatchIndex.add`,
:meth:`MatchIndex.update` and :meth:`MatchIndex.remove` (or ``subjects.matching.refresh_index``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import NamedTuple, Protocol

from xinyong.identity.matching.identifiers import DIGEST_CHARS, id_digest
from xinyong.identity.matching.parts import (
    OrgParts,
    PersonParts,
    bare_fold,
    org_parts,
    person_parts,
    short_fit,
    short_readings,
    trade_key,
)
from xinyong.identity.matching.postings import CodeTable, Postings, RecordStore

_KIND_CHARS = {
    "legal_person": "L",
    "individual_business": "I",
    "natural_person": "P",
    "household": "H",
}
_KIND_NAMES = {char: kind for kind, char in _KIND_CHARS.items()}
PERSON_KINDS = frozenset({"natural_person", "household"})
_SCHEME_TAGS = {"uscc": "U", "registration_number": "R", "organization_code": "O", "id_number": "I"}
_SEP = "\x1f"
_CODE_SEP = ","
# A character held by more subjects than this is too common to resolve a short name by.
SHORT_LIMIT = 5_000
# Registered head offices read when looking for a firm's other regions, at most.
REGION_LIMIT = 20_000
_SHORT_CACHE = 4096
# Characters of organisational forms, which the character keys (region, trade name and
# industry only) do not hold.
_FORM_CHARS = frozenset("股份有限公司集团")


class SubjectRowLike(Protocol):
    """A generator row (``xinyong.demo.generator.SubjectRow``) or anything shaped like it."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def uscc(self) -> str | None: ...
    @property
    def id_number(self) -> str | None: ...


class IndexedSubject(NamedTuple):
    """A subject as the index holds it."""

    subject_id: int
    kind: str
    codes: tuple[str, ...]  # scheme tag + value (see _code_key)
    org: OrgParts | None
    person: PersonParts | None

    @property
    def name(self) -> str:
        """The subject's registered name."""
        parts = self.org or self.person
        return parts.name if parts is not None else ""

    def code(self, scheme: str) -> str | None:
        """The value of this subject's code of ``scheme``, if it has one."""
        tag = _SCHEME_TAGS[scheme]
        return next((c[1:] for c in self.codes if c[0] == tag), None)


def _code_key(scheme: str, value: str) -> str:
    """A code as the index files it: a one-letter scheme tag and the value."""
    return _SCHEME_TAGS[scheme] + (value[:DIGEST_CHARS] if scheme == "id_number" else value)


def _code_keys(uscc: str | None, digest: str, secondary: Iterable[tuple[str, str]]) -> list[str]:
    keys = [_code_key("uscc", uscc)] if uscc else []
    if digest:
        keys.append(_code_key("id_number", digest))
    return keys + [_code_key(scheme, value) for scheme, value in secondary]


class MatchIndex:
    """Names, codes and n-gram keys of the registry's subjects (see the module docstring)."""

    def __init__(self) -> None:
        self._records = RecordStore()
        self._keys = Postings()
        self._chars = Postings()
        self._codes = CodeTable()
        self._short: dict[str, list[int]] = {}
        self.watermark: datetime | None = None

    # -- building --------------------------------------------------------------------
    def bulk(self) -> AbstractContextManager[object]:
        """A context in which many subjects are added at once (codes are sorted once)."""
        return self._codes.bulk()

    @classmethod
    def build_from_rows(cls, rows: Iterable[SubjectRowLike]) -> MatchIndex:
        """An index over generator rows (no database needed)."""
        index = cls()
        with index._codes.bulk():
            for row in rows:
                index.add(
                    row.id,
                    kind=row.kind,
                    name=row.name,
                    uscc=row.uscc,
                    id_number_digest=id_digest(row.id_number) if row.id_number else "",
                    birth_date=_birth_from_id(row.id_number),
                )
        return index

    # -- changes ---------------------------------------------------------------------
    def add(
        self,
        subject_id: int,
        *,
        kind: str,
        name: str,
        uscc: str | None = None,
        id_number_digest: str = "",
        birth_date: date | None = None,
        secondary: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Add a subject (replacing it if it is already held)."""
        if self._records.get(subject_id) is not None:
            self.remove(subject_id)
        codes = _code_keys(uscc, id_number_digest, secondary)
        if kind in PERSON_KINDS:
            parts: OrgParts | PersonParts = person_parts(
                name,
                birth_date=birth_date.isoformat() if birth_date else "",
                id_digest=id_number_digest[:DIGEST_CHARS],
            )
        else:
            parts = org_parts(name)
        record = _KIND_CHARS[kind] + _CODE_SEP.join(codes) + _SEP + parts.pack()
        self._records.set(subject_id, record)
        for key in _stored_keys(parts):
            self._keys.add(key, subject_id)
        if isinstance(parts, OrgParts):
            for char in set(parts.head):
                self._chars.add(char, subject_id)
        for code in codes:
            self._codes.add(code, subject_id)
        self._short.clear()

    update = add  # adding a held subject replaces its entry

    def remove(self, subject_id: int) -> bool:
        """Remove a subject; False when the index does not hold it."""
        held = self.get(subject_id)
        if held is None:
            return False
        parts = held.org if held.org is not None else held.person
        assert parts is not None
        for key in _stored_keys(parts):
            self._keys.remove(key, subject_id)
        if held.org is not None:
            for char in set(held.org.head):
                self._chars.remove(char, subject_id)
        for code in held.codes:
            if self._codes.get(code) == subject_id:
                self._codes.remove(code)
        self._records.pop(subject_id)
        self._short.clear()
        return True

    # -- reading ---------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, subject_id: object) -> bool:
        return isinstance(subject_id, int) and self._records.get(subject_id) is not None

    def get(self, subject_id: int) -> IndexedSubject | None:
        """The subject as held, or None."""
        record = self._records.get(subject_id)
        if record is None:
            return None
        head, _, packed = record.partition(_SEP)
        kind = _KIND_NAMES[head[0]]
        codes = tuple(c for c in head[1:].split(_CODE_SEP) if c)
        if kind in PERSON_KINDS:
            return IndexedSubject(subject_id, kind, codes, None, PersonParts.unpack(packed))
        return IndexedSubject(subject_id, kind, codes, OrgParts.unpack(packed), None)

    def find_code(self, scheme: str, value: str) -> int | None:
        """The subject holding this code (an ID number by its keyed-hash prefix), or None."""
        return self._codes.get(_code_key(scheme, value))

    def org_candidates(self, parts: OrgParts, *, limit: int = 200) -> list[int]:
        """Organisations that may be ``parts``'s firm: those whose trade name (read without a
        region written into it) is the name's, or another reading of its trade name and
        industry words (鑫韵 + 生物科技 / 鑫韵生物 + 科技); at most ``limit`` per reading."""
        found: dict[int, None] = {}
        for key in _lookup_keys(parts):
            found.update(dict.fromkeys(self._keys.get(key)[:limit]))
        return list(found)

    def person_candidates(self, parts: PersonParts) -> Sequence[int]:
        """Persons and households whose folded name is exactly ``parts``'s."""
        return self._keys.get("P" + parts.normalized)

    def competing_regions(self, parts: OrgParts) -> frozenset[str]:
        """Region codes of registered head offices with the same trade name and industry."""
        found: set[str] = set()
        for key in _stored_keys(parts):
            for subject_id in self._keys.get(key)[:REGION_LIMIT]:
                held = self.get(subject_id)
                other = held.org if held is not None else None
                if other is None or other.branch or other.core != parts.core:
                    continue
                if other.trade == parts.trade and other.region_code:
                    found.add(other.region_code)
        return frozenset(found)

    def resolve_short(self, core: str) -> list[str]:
        """Names of the head offices a short name fits best; one name when unambiguous."""
        return [self._records_name(i) for i in self.resolve_short_ids(core)]

    def resolve_short_ids(self, core: str) -> list[int]:
        """Ids of the head offices a short name fits best; one id when unambiguous.

        A short name fits a registered name that spells it in order, possibly after a
        region abbreviation (深康佳: 深圳 + 康佳). Joint-stock companies (股份有限公司) rank
        first, as securities short names belong to listed companies and only joint-stock
        companies list; then fewer contiguous pieces (深振业 is 深圳市 + 振业); then names
        whose trade name the short name holds whole.
        """
        if core in self._short:
            return self._short[core]
        ranked: list[tuple[tuple[int, int, int], int]] = []
        for subject_id in self._short_candidates(core):
            held = self.get(subject_id)
            if held is None or held.org is None or held.org.branch:
                continue
            runs = short_fit(core, held.org)
            if runs is not None:
                joint_stock = 0 if "股份" in held.org.form else 1
                whole_trade = 0 if held.org.trade and held.org.trade in core else 1
                ranked.append(((joint_stock, runs, whole_trade), subject_id))
        best = min((rank for rank, _ in ranked), default=None)
        found = sorted(subject_id for rank, subject_id in ranked if rank == best)
        if len(self._short) >= _SHORT_CACHE:
            self._short.clear()
        self._short[core] = found
        return found

    def _records_name(self, subject_id: int) -> str:
        held = self.get(subject_id)
        return held.name if held is not None else ""

    def _short_candidates(self, core: str) -> set[int]:
        """Every organisation holding the rarest character of each reading of ``core``."""
        found: set[int] = set()
        for reading in short_readings(core):
            sizes = [(self._chars.size(c), c) for c in set(reading.text) if c not in _FORM_CHARS]
            usable = [(n, c) for n, c in sizes if n]
            if usable:
                size, rarest = min(usable)
                if size <= SHORT_LIMIT:
                    found.update(self._chars.get(rarest))
        return found

    def memory_bytes(self) -> int:
        """Bytes held by the index's own objects: records, keys, postings, code arrays."""
        parts = (self._records, self._keys, self._chars, self._codes)
        return sum(part.memory_bytes() for part in parts)

    def stats(self) -> dict[str, int]:
        """Sizes: subjects, n-gram keys and postings, person names, codes."""
        return {
            "subjects": len(self._records),
            "name_keys": len(self._keys),
            "name_postings": self._keys.postings(),
            "char_postings": self._chars.postings(),
            "codes": len(self._codes),
        }


def naive_utc(moment: datetime) -> datetime:
    """``moment`` as a naive UTC time, as the database columns hold it."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _stored_keys(parts: OrgParts | PersonParts) -> set[str]:
    """The keys a subject is filed under: P + a person's folded name; for an organisation
    T + its trade name read without a region written into it, or, with no trade name,
    I + its industry words (无锡市保险公司), or N + the whole name."""
    if isinstance(parts, PersonParts):
        return {"P" + parts.normalized} if parts.normalized else set()
    if parts.trade:
        return {"T" + trade_key(parts.trade)}
    return {"I" + parts.industry} if parts.industry else {"N" + bare_fold(parts.name)}


def _lookup_keys(parts: OrgParts) -> list[str]:
    """The keys to look a name up by: its own, then every other split of its trade name
    and industry words into a trade name of two characters or more."""
    keys = list(_stored_keys(parts))
    if parts.trade:
        core = trade_key(parts.trade) + parts.industry
        keys += [f"T{core[:size]}" for size in range(2, len(core) + 1)]
    return list(dict.fromkeys(keys))


def _birth_from_id(number: str | None) -> date | None:
    if not number or len(number) != 18 or not number[6:14].isdigit():
        return None
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
