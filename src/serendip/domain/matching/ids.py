"""Participant id -> index for many ids at once, vectorised (a dict lookup per id is the slow part
of reading history at 100,000 people: cache misses, not hashing).

Ids become rows of UTF-32 code units (read two at a time, as 64-bit words); a polynomial hash of
each row is looked up with `searchsorted` among the participants' sorted hashes, and a hit is
confirmed by comparing the rows themselves, so the answer is exact. Rare inputs the row form
cannot represent (a NUL character) or participants whose hashes collide fall back to a dict.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
_MULT = np.uint64(0x100000001B3)  # odd: distinct rows rarely share a hash (and a shared one is checked)


def _rows(ids: Sequence[str], width: int) -> U64:
    """(len(ids), width / 2) words of two code units each, zero padded (numpy's fixed-width unicode
    layout); longer ids are cut at `width` (an even number)."""
    return np.array(ids, dtype=f"<U{width}").view(np.uint64).reshape(len(ids), width // 2)


def _hash(rows: U64) -> npt.NDArray[np.uint64]:
    """Polynomial hash of each row."""
    h = np.zeros(rows.shape[0], dtype=np.uint64)
    for j in range(rows.shape[1]):
        h = h * _MULT + rows[:, j]
    h ^= h >> np.uint64(29)  # the last characters only reach the low bits: spread them (buckets use the top)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    return h ^ (h >> np.uint64(32))


class IdIndex:
    """Maps ids to positions in `ids` (-1 for unknown ids)."""

    def __init__(self, ids: Sequence[str]) -> None:
        self._ids = ids
        self._dict: dict[str, int] | None = None
        self._width = 2 * -(-max(1, max(map(len, ids), default=1)) // 2)
        self._vector = len(ids) > 0 and "\0" not in "".join(ids)
        if not self._vector:
            return
        rows = _rows(ids, self._width)
        hashes = _hash(rows)
        self._order = np.argsort(hashes, kind="stable")
        self._hashes = hashes[self._order]
        self._sorted_rows = rows[self._order]
        self._vector = not bool((self._hashes[1:] == self._hashes[:-1]).any())  # also: ids are unique
        # Bucket b of the top bits holds sorted positions _start[b]:_start[b + 1]: a lookup scans ~1 hash.
        self._shift = np.uint64(64 - max(1, len(ids).bit_length()))
        self._start = np.searchsorted(
            self._hashes >> self._shift, np.arange((1 << (64 - int(self._shift))) + 1)
        )

    def _as_dict(self) -> dict[str, int]:
        """The plain dict (built on first use: only rare inputs need it)."""
        if self._dict is None:
            self._dict = {x: i for i, x in enumerate(self._ids)}
        return self._dict

    def lookup(self, keys: Sequence[str]) -> I64:
        """Position of each key, -1 where it is not a participant."""
        if not keys:
            return np.zeros(0, dtype=np.int64)
        joined = "".join(keys)
        if not self._vector or "\0" in joined:
            get = self._as_dict().get
            return np.fromiter((get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
        rows = _rows(keys, self._width)
        fits = None
        if np.count_nonzero(rows.view(np.uint32)) != len(joined):  # some key was cut: it is no participant
            fits = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys)) <= self._width
        pos = self._search(_hash(rows)).clip(max=self._hashes.size - 1)
        differ = np.zeros(len(keys), dtype=np.uint64)
        for j in range(rows.shape[1]):  # word by word: `.all(axis=1)` over a few columns is slow
            differ |= self._sorted_rows[pos, j] ^ rows[:, j]
        hit = differ == 0 if fits is None else (differ == 0) & fits
        return np.where(hit, self._order[pos], -1)

    def lookup_repeated(self, keys: Sequence[str]) -> I64:
        """`lookup` for keys that repeat as the very same objects (past rounds share each id's
        string): each distinct object is looked up once, found by its address without reading it."""
        if len(keys) < 2:
            return self.lookup(keys)
        address = np.fromiter(map(id, keys), dtype=np.int64, count=len(keys))
        order = np.argsort(address)
        address = address[order]
        first = np.empty(len(keys), dtype=np.bool_)
        first[0], first[1:] = True, address[1:] != address[:-1]
        # `keys` holds every object alive, so equal addresses are one object, hence one id
        distinct = self.lookup(list(map(keys.__getitem__, order[first].tolist())))
        out = np.empty(len(keys), dtype=np.int64)
        out[order] = distinct[np.cumsum(first) - 1]
        return out

    def _search(self, h: npt.NDArray[np.uint64]) -> I64:
        """`searchsorted(self._hashes, h)`, from the start of each hash's bucket."""
        bucket = (h >> self._shift).astype(np.int64)
        pos, end = self._start[bucket], self._start[bucket + 1]
        live = np.flatnonzero(pos < end)
        while live.size:
            live = live[self._hashes[pos[live]] < h[live]]
            pos[live] += 1
            live = live[pos[live] < end[live]]
        return pos
