"""Which keys this replay has already written: key collisions are decided here, in input order.

Two events mapped to the same object key either carry the same content (the same event twice in
the logs: a *duplicate*, not a conflict) or different content (a *collision*: publishing the second
would overwrite or be refused, and one of them would silently lose). The runner claims each job's
key in input order, so "first in input order wins" holds regardless of thread timing.

Memory: a replay may write millions of keys, so nothing per key is a Python object. The registry
is an open-addressing hash table (linear probing, load <= 1/2) over three ``array('Q')`` columns:
64-bit BLAKE2b of the key, 64-bit content digest, and the packed origin (input index, line).
That is 24 bytes per slot, ~50 MB at 1,000,000 keys (see benchmarks/bench_replay.py for the
measured RSS). A 64-bit key hash can collide (~3e-8 for a million keys); it then reports a
collision between two different keys, which fails a record loudly (dead-letter) rather than
losing one.
"""

from __future__ import annotations

import enum
import hashlib
import threading
from array import array

_MAX_LOAD_NUM, _MAX_LOAD_DEN = 1, 2
_LINE_BITS = 40  # origin = input index << 40 | line: a trillion lines per file, 16M files


class ClaimResult(enum.Enum):
    """What claiming a key found."""

    NEW = "new"  # first time this key is written in this run
    DUPLICATE = "duplicate"  # already claimed with the same content: the same event again
    COLLISION = "collision"  # already claimed with different content


def key_hash(key: str) -> int:
    """64-bit, never 0 (0 marks an empty slot)."""
    value = int.from_bytes(
        hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
    )
    return value or 1


class KeyRegistry:
    """Remembers (key -> content digest, origin) for every key claimed in this run.

    ``claim`` is called from one thread (the runner's reading thread) but is locked anyway, so it
    is safe to share.
    """

    def __init__(self, initial_capacity: int = 1 << 16) -> None:
        capacity = 1
        while capacity < initial_capacity:
            capacity <<= 1
        self._allocate(capacity)
        self._count = 0
        self._sources: list[str] = []
        self._source_index: dict[str, int] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._count

    @property
    def capacity(self) -> int:
        """Slots in the table (memory is 24 bytes per slot)."""
        return self._mask + 1

    def claim(
        self, key: str, content_digest: bytes, *, source: str | None = None, line: int = 0
    ) -> ClaimResult:
        """Claim ``key`` for content with ``content_digest`` (its first 8 bytes are used).

        ``source`` / ``line`` locate the claiming record, so a later collision can name it
        (:meth:`origin_of`).
        """
        h = key_hash(key)
        digest = int.from_bytes(content_digest[:8].ljust(8, b"\0"), "little")
        with self._lock:
            keys = self._keys
            mask = self._mask
            slot = h & mask
            while True:
                existing = keys[slot]
                if existing == 0:
                    break
                if existing == h:
                    if self._digests[slot] == digest:
                        return ClaimResult.DUPLICATE
                    return ClaimResult.COLLISION
                slot = (slot + 1) & mask
            keys[slot] = h
            self._digests[slot] = digest
            self._origins[slot] = self._pack_origin(source, line)
            self._count += 1
            if self._count * _MAX_LOAD_DEN > (mask + 1) * _MAX_LOAD_NUM:
                self._grow()
            return ClaimResult.NEW

    def origin_of(self, key: str) -> tuple[str, int] | None:
        """(source, line) of the record that first claimed ``key``, None if unknown/unclaimed."""
        h = key_hash(key)
        with self._lock:
            slot = h & self._mask
            while True:
                existing = self._keys[slot]
                if existing == 0:
                    return None
                if existing == h:
                    packed = self._origins[slot]
                    if packed == 0:
                        return None
                    return self._sources[(packed >> _LINE_BITS) - 1], packed & ((1 << _LINE_BITS) - 1)
                slot = (slot + 1) & self._mask

    def describe_origin(self, key: str) -> str:
        """``source:line`` of the first claim of ``key``, or 'an earlier event in this run'."""
        origin = self.origin_of(key)
        return "an earlier event in this run" if origin is None else f"{origin[0]}:{origin[1]}"

    def _pack_origin(self, source: str | None, line: int) -> int:
        if source is None:
            return 0
        index = self._source_index.get(source)
        if index is None:
            index = len(self._sources)
            self._sources.append(source)
            self._source_index[source] = index
        # +1 so that 0 means "unknown origin"
        return ((index + 1) << _LINE_BITS) | (line & ((1 << _LINE_BITS) - 1))

    def _allocate(self, capacity: int) -> None:
        zeros = bytes(8 * capacity)
        self._keys = array("Q", zeros)
        self._digests = array("Q", zeros)
        self._origins = array("Q", zeros)
        self._mask = capacity - 1

    def _grow(self) -> None:
        old_keys, old_digests, old_origins = self._keys, self._digests, self._origins
        self._allocate(2 * len(old_keys))
        keys, digests, origins, mask = self._keys, self._digests, self._origins, self._mask
        for old_slot, h in enumerate(old_keys):
            if h == 0:
                continue
            slot = h & mask
            while keys[slot] != 0:
                slot = (slot + 1) & mask
            keys[slot] = h
            digests[slot] = old_digests[old_slot]
            origins[slot] = old_origins[old_slot]
