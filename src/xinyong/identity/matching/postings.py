"""Memory-lean look-up structures for the match index.

``Postings`` maps a key (an n-gram, a person's name) to subject ids: a key held by one
subject stores the id itself, a key held by more stores a compact ``array('q')``.
``CodeTable`` maps codes to subject ids through sorted arrays of 64-bit digests (16 bytes a
code instead of a dictionary entry with two objects), with a small overlay for changes.
``RecordStore`` maps subject ids to records in a list indexed by id while ids are dense
(database keys and generator ids are), and in a dictionary for ids far beyond the rest.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence


class Postings:
    """Key -> subject ids, with single ids stored unboxed in the dictionary."""

    def __init__(self) -> None:
        self._map: dict[str, int | array[int]] = {}

    def add(self, key: str, subject_id: int) -> None:
        """Add ``subject_id`` under ``key``; the caller adds each (key, id) pair once."""
        held = self._map.get(key)
        if held is None:
            self._map[key] = subject_id
        elif isinstance(held, int):
            self._map[key] = array("i", (held, subject_id))
        else:
            held.append(subject_id)

    def remove(self, key: str, subject_id: int) -> None:
        """Remove ``subject_id`` from ``key`` if it is there."""
        held = self._map.get(key)
        if held is None:
            return
        if isinstance(held, int):
            if held == subject_id:
                del self._map[key]
            return
        if subject_id in held:
            held.remove(subject_id)
        if len(held) == 1:
            self._map[key] = held[0]

    def get(self, key: str) -> Sequence[int]:
        """The ids under ``key`` (empty when none)."""
        held = self._map.get(key)
        if held is None:
            return ()
        return (held,) if isinstance(held, int) else held

    def size(self, key: str) -> int:
        """How many ids ``key`` holds."""
        held = self._map.get(key)
        if held is None:
            return 0
        return 1 if isinstance(held, int) else len(held)

    def __len__(self) -> int:
        return len(self._map)

    def memory_bytes(self) -> int:
        """Bytes held by the mapping, its keys and its arrays (shared small ints aside)."""
        held = sys.getsizeof(self._map)
        for key, value in self._map.items():
            held += sys.getsizeof(key) + sys.getsizeof(value)
        return held

    def postings(self) -> int:
        """How many (key, id) pairs are held."""
        return sum(1 if isinstance(v, int) else len(v) for v in self._map.values())


def code_digest(key: str) -> int:
    """A stable signed 64-bit digest of a code key."""
    return int.from_bytes(
        hashlib.blake2b(key.encode(), digest_size=8).digest(), "little", signed=True
    )


class CodeTable:
    """Code -> subject id, as sorted digest and id arrays plus an overlay of recent changes.

    Inside :meth:`bulk` additions are appended unsorted and sorted once at the end, so a
    build of a million codes never holds a million-entry dictionary.
    """

    _OVERLAY_LIMIT = 100_000

    def __init__(self) -> None:
        self._digests: array[int] = array("q")
        self._ids: array[int] = array("q")
        self._added: dict[int, int] = {}
        self._removed: set[int] = set()
        self._pending: tuple[array[int], array[int]] | None = None

    def add(self, key: str, subject_id: int) -> None:
        """Map ``key`` to ``subject_id``."""
        digest = code_digest(key)
        if self._pending is not None:
            self._pending[0].append(digest)
            self._pending[1].append(subject_id)
            return
        if self._sorted_at(digest) is not None:
            self._removed.add(digest)  # shadowed by the overlay
        self._added[digest] = subject_id
        if len(self._added) > self._OVERLAY_LIMIT:
            self._compact([], [])

    def remove(self, key: str) -> None:
        """Forget ``key``."""
        digest = code_digest(key)
        self._added.pop(digest, None)
        if self._sorted_at(digest) is not None:
            self._removed.add(digest)

    def get(self, key: str) -> int | None:
        """The subject id of ``key``, or None."""
        digest = code_digest(key)
        if digest in self._added:
            return self._added[digest]
        at = self._sorted_at(digest)
        return None if at is None or digest in self._removed else self._ids[at]

    def _sorted_at(self, digest: int) -> int | None:
        at = bisect_left(self._digests, digest)
        return at if at < len(self._digests) and self._digests[at] == digest else None

    def bulk(self) -> _Bulk:
        """A context in which additions are batched and sorted once at its end."""
        return _Bulk(self)

    def _begin(self) -> None:
        self._pending = (array("q"), array("q"))

    def _end(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            self._compact(pending[0], pending[1])

    def _compact(self, digests: Sequence[int], ids: Sequence[int]) -> None:
        dropped = self._removed | self._added.keys()
        keep = [i for i, d in enumerate(self._digests) if d not in dropped]
        all_digests = array("q", (self._digests[i] for i in keep))
        all_ids = array("q", (self._ids[i] for i in keep))
        all_digests.extend(digests)
        all_ids.extend(ids)
        all_digests.extend(self._added.keys())
        all_ids.extend(self._added.values())
        order = sorted(range(len(all_digests)), key=all_digests.__getitem__)
        # a later entry for the same digest replaces an earlier one (sorting is stable)
        last = [i for n, i in enumerate(order) if n + 1 == len(order) or
                all_digests[order[n + 1]] != all_digests[i]]  # fmt: skip
        self._digests = array("q", (all_digests[i] for i in last))
        self._ids = array("q", (all_ids[i] for i in last))
        self._added.clear()
        self._removed.clear()

    def __len__(self) -> int:
        return len(self._digests) - len(self._removed) + len(self._added)

    def memory_bytes(self) -> int:
        """Bytes held by the arrays and the overlay."""
        overlay = sys.getsizeof(self._added) + sys.getsizeof(self._removed)
        return sys.getsizeof(self._digests) + sys.getsizeof(self._ids) + overlay


class _Bulk:
    def __init__(self, table: CodeTable) -> None:
        self.table = table

    def __enter__(self) -> CodeTable:
        self.table._begin()
        return self.table

    def __exit__(self, *exc: object) -> None:
        self.table._end()


class RecordStore:
    """Subject id -> record string: a list slot per id while ids are dense, else a dict."""

    _SLACK = 1024  # ids this far past twice the count still extend the list

    def __init__(self) -> None:
        self._slots: list[str | None] = []
        self._extra: dict[int, str] = {}
        self._count = 0

    def get(self, subject_id: int) -> str | None:
        """The record of ``subject_id``, or None."""
        if 0 <= subject_id < len(self._slots):
            return self._slots[subject_id]
        return self._extra.get(subject_id)

    def set(self, subject_id: int, record: str) -> None:
        """Store (or replace) the record of ``subject_id``."""
        if self.get(subject_id) is None:
            self._count += 1
        if len(self._slots) <= subject_id < 2 * self._count + self._SLACK:
            self._grow(subject_id + 1)
        if 0 <= subject_id < len(self._slots):
            self._slots[subject_id] = record
        else:
            self._extra[subject_id] = record

    def pop(self, subject_id: int) -> bool:
        """Forget ``subject_id``; False when it was not held."""
        if self.get(subject_id) is None:
            return False
        if 0 <= subject_id < len(self._slots):
            self._slots[subject_id] = None
        else:
            del self._extra[subject_id]
        self._count -= 1
        return True

    def _grow(self, size: int) -> None:
        size = max(size, len(self._slots) + len(self._slots) // 4)
        self._slots.extend([None] * (size - len(self._slots)))
        for subject_id in [i for i in self._extra if i < size]:
            self._slots[subject_id] = self._extra.pop(subject_id)

    def __len__(self) -> int:
        return self._count

    def items(self) -> Iterator[tuple[int, str]]:
        """(subject id, record) pairs."""
        for subject_id, record in enumerate(self._slots):
            if record is not None:
                yield subject_id, record
        yield from self._extra.items()

    def memory_bytes(self) -> int:
        """Bytes held by the list, the dictionary and the record strings."""
        held = sys.getsizeof(self._slots) + sys.getsizeof(self._extra)
        return held + sum(sys.getsizeof(record) for _, record in self.items())
