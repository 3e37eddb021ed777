"""Participant id -> index for many ids at once, vectorised (a dict lookup per id is the slow part
of reading history at 100,000 people: cache misses, not hashing).

Ids become rows of UTF-32 code units; a polynomial hash of each row is looked up with
`searchsorted` among the participants' sorted hashes, and a hit is confirmed by comparing the
rows themselves, so the answer is exact. Rare inputs the row form cannot represent (a NUL
character) or participants whose hashes collide fall back to a dict.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
_MULT = np.uint64(0x100000001B3)  # odd: distinct rows rarely share a hash (and a shared one is checked)


def _rows(ids: Sequence[str], width: int) -> U32:
    """(len(ids), width) code units, zero padded (numpy's fixed-width unicode layout)."""
    return np.array(ids, dtype=f"<U{width}").view(np.uint32).reshape(len(ids), width)


def _hash(rows: U32) -> npt.NDArray[np.uint64]:
    """Polynomial hash of each row."""
    h = np.zeros(rows.shape[0], dtype=np.uint64)
    for j in range(rows.shape[1]):
        h = h * _MULT + rows[:, j]
    return h


class IdIndex:
    """Maps ids to positions in `ids` (-1 for unknown ids)."""

    def __init__(self, ids: Sequence[str]) -> None:
        self._dict = {x: i for i, x in enumerate(ids)}
        self._width = max(1, max(map(len, ids), default=1))
        self._vector = len(self._dict) == len(ids) and "\0" not in "".join(ids)
        if not self._vector:
            return
        rows = _rows(ids, self._width)
        hashes = _hash(rows)
        self._order = np.argsort(hashes, kind="stable")
        self._hashes = hashes[self._order]
        self._sorted_rows = rows[self._order]
        self._vector = not bool((self._hashes[1:] == self._hashes[:-1]).any())

    def __getitem__(self, key: str) -> int:
        return self._dict[key]

    def __contains__(self, key: object) -> bool:
        return key in self._dict

    def lookup(self, keys: Sequence[str]) -> I64:
        """Position of each key, -1 where it is not a participant."""
        if not keys:
            return np.zeros(0, dtype=np.int64)
        if not self._vector or len(self._order) == 0 or "\0" in "".join(keys):
            get = self._dict.get
            return np.fromiter((get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
        rows = _rows(keys, max(self._width, max(map(len, keys))))
        fits = ~rows[:, self._width :].any(axis=1)  # longer than every participant id: unknown
        rows = rows[:, : self._width]
        pos = np.searchsorted(self._hashes, _hash(rows)).clip(max=self._hashes.size - 1)
        hit = fits & (self._sorted_rows[pos] == rows).all(axis=1)
        return np.where(hit, self._order[pos], -1)
