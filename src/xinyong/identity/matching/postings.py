"""Memory-lean look-up structures for the match index.

``Postings`` maps a key (an n-gram, a person's name) to subject ids: a key held by one
subject stores the id itself, a key held by more stores a compact ``array('q')``.
``CodeTable`` maps codes to subject ids through sorted arrays of 64-bit digests (16 bytes a
code instead of a dictionary entry with two objects), with a small overlay for changes.
"""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left
from collections.abc import Sequence


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


class _Bulk:
    def __init__(self, table: CodeTable) -> None:
        self.table = table

    def __enter__(self) -> CodeTable:
        self.table._begin()
        return self.table

    def __exit__(self, *exc: object) -> None:
        self.table._end()
