"""Per-person features the pair weights read: working-time slots, tag bits, hashes, special pairs.

Pure vectorised helpers for `weights.build_scorer`; they weigh nothing themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

from serendip.domain.departments import department_key
from serendip.domain.matching.ids import IdIndex
from serendip.domain.matching.model import History, Participant, PastGroups

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

DAY = 1440
SLOT_MINUTES = 30
SLOTS = DAY // SLOT_MINUTES
BLOOM_BITS = 27  # a bit array: 16 MB, few false positives (each costs a searchsorted)
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_BYTE_BITS = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def popcount(x: npt.NDArray[np.uint64]) -> I64:
    """Set bits per element."""
    if hasattr(np, "bitwise_count"):
        return np.asarray(np.bitwise_count(x), dtype=np.int64)
    total = np.zeros(x.shape, dtype=np.int64)  # numpy < 2.0
    for shift in range(0, 64, 8):
        total += _BYTE_BITS[((x >> np.uint64(shift)) & np.uint64(255)).astype(np.int64)]
    return total


def working_slots(start_utc: I64, length: I64) -> npt.NDArray[np.uint64]:
    """Half-hour UTC slots fully inside each circular working window, as 48-bit masks."""
    windows, inverse = np.unique(start_utc * (DAY + 1) + length, return_inverse=True)
    start, span = windows // (DAY + 1), windows % (DAY + 1)
    slot_start = np.arange(SLOTS, dtype=np.int64) * SLOT_MINUTES
    inside = (slot_start[None, :] - start[:, None]) % DAY + SLOT_MINUTES <= span[:, None]
    weights = np.left_shift(np.uint64(1), np.arange(SLOTS, dtype=np.uint64))
    masks = (inside * weights[None, :]).sum(axis=1, dtype=np.uint64)
    return np.asarray(masks[inverse.ravel()], dtype=np.uint64)


def mix64(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser: a cheap, well-spread 64-bit hash."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def pair_hash(n: int) -> npt.NDArray[np.uint64]:
    """A random-looking word per participant index: pair (a, b) hashes to word[a] ^ word[b] (no min/max)."""
    return mix64(np.arange(1, n + 1, dtype=np.uint64) * GOLDEN)


def bloom_bits(hash_u: npt.NDArray[np.uint64], hash_v: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Bit of the special-pair filter for each pair, from the pair hashes of its two members."""
    return (hash_u ^ hash_v) >> np.uint64(64 - BLOOM_BITS)


def bloom_filter(bits: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint8]:
    """The filter's bytes with the given bits set (2^BLOOM_BITS bits)."""
    bloom = np.zeros(1 << (BLOOM_BITS - 3), dtype=np.uint8)
    if bits.size == 0:
        return bloom
    # One sort instead of `bitwise_or.at`: the distinct bits of one byte add up to their OR.
    bits = np.sort(bits)
    bits = bits[np.r_[True, bits[1:] != bits[:-1]]]
    byte = (bits >> np.uint64(3)).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, byte[1:] != byte[:-1]])
    values = np.left_shift(np.uint8(1), (bits & np.uint64(7)).astype(np.uint8))
    bloom[byte[starts]] = np.add.reduceat(values, starts, dtype=np.uint8)
    return bloom


@dataclass
class TagBits:
    """Tag bits of every person: exact for the 64 most common tags, filter and exact words for the rest."""

    top_interests: npt.NDArray[np.uint64]  # exact bits of the 64 most common tags
    top_expertise: npt.NDArray[np.uint64]
    rare_sig_interests: npt.NDArray[np.uint64]  # one hashed bit per rarer tag (a filter)
    rare_sig_expertise: npt.NDArray[np.uint64]
    rare_interests: npt.NDArray[np.uint64] | None  # (words, n) exact bits of rarer tags, if any
    rare_expertise: npt.NDArray[np.uint64] | None
    postings: I64  # (k, 2) (person, tag id) of both kinds


def _bits(rows: I64, cols: I64, shape: tuple[int, ...]) -> npt.NDArray[np.uint64]:
    """OR 1 << (col % 64) into word col // 64 of each row (1-D result when shape has one axis)."""
    out = np.zeros(shape, dtype=np.uint64)
    values = np.left_shift(np.uint64(1), (cols % 64).astype(np.uint64))
    if len(shape) == 1:
        np.bitwise_or.at(out, rows, values)
    else:
        np.bitwise_or.at(out, (cols // 64, rows), values)
    return out


def tag_bits(people: Sequence[Participant]) -> TagBits:
    """Exact bits for the 64 most common tags; rarer ones get a hashed filter word and exact words."""
    counts = Counter(chain.from_iterable(p.interests | p.expertise for p in people))
    index = {t: i for i, t in enumerate(sorted(counts, key=lambda t: (-counts[t], t)))}
    n, rare_words = len(people), max(0, -(-(len(index) - 64) // 64))
    out: list[npt.NDArray[np.uint64] | None] = []
    postings = []
    for attr in ("interests", "expertise"):
        sets = [getattr(p, attr) for p in people]
        sizes = np.fromiter(map(len, sets), dtype=np.int64, count=n)
        cols = np.fromiter(
            map(index.__getitem__, chain.from_iterable(sets)), dtype=np.int64, count=int(sizes.sum())
        )
        # frozenset order follows PYTHONHASHSEED: sort each person's tags so results do not depend on it
        key = np.sort(np.repeat(np.arange(n, dtype=np.int64), sizes) * max(1, len(index)) + cols)
        rows, cols = key // max(1, len(index)), key % max(1, len(index))
        postings.append(np.stack([rows, cols], axis=1))
        top, rare = cols < 64, cols >= 64
        rare_cols = cols[rare] - 64
        out += [
            _bits(rows[top], cols[top], (n,)),
            _bits(rows[rare], (mix64(rare_cols.astype(np.uint64)) % np.uint64(64)).astype(np.int64), (n,)),
            _bits(rows[rare], rare_cols, (rare_words, n)) if rare_words else None,
        ]
    ti, si, ri, tx, sx, rx = out
    assert ti is not None and si is not None and tx is not None and sx is not None
    return TagBits(ti, tx, si, sx, ri, rx, np.concatenate(postings))


def history_pairs(index: IdIndex, history: History, cooldown: int) -> I64:
    """(k, 2) index pairs that met in the last `cooldown` rounds (unknown ids ignored)."""
    # max(0, ...): while history is shorter than the cooldown a negative start would keep only the newest rounds
    if isinstance(history, PastGroups):
        rounds = list(history.rounds)[max(0, len(history) - cooldown) :] if cooldown > 0 else []
        sizes = np.concatenate([s for _, s in rounds]) if rounds else np.zeros(0, dtype=np.int64)
        # each person is looked up once; the seats are numbers into `ids`
        named = index.lookup(list(history.ids)) if rounds else np.zeros(0, dtype=np.int64)
        idx = named[np.concatenate([s for s, _ in rounds])] if rounds else named
    else:
        window = list(history)[max(0, len(history) - cooldown) :] if cooldown > 0 else []
        groups = [g for rnd in window for g in rnd]
        sizes = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
        idx = index.lookup_repeated(list(chain.from_iterable(groups)))
    gid = np.repeat(np.arange(len(sizes)), sizes)
    found = [np.zeros((0, 2), dtype=np.int64)]
    for d in range(1, min(8, int(sizes.max(initial=0)))):
        same = (gid[:-d] == gid[d:]) & (idx[:-d] >= 0) & (idx[d:] >= 0)
        found.append(np.stack([idx[:-d][same], idx[d:][same]], axis=1))
    return np.concatenate(found)


def forbidden_pairs(people: Sequence[Participant], index: IdIndex) -> I64:
    """(k, 2) index pairs that are blocked either way or manager/report."""
    blocked = [p.blocked for p in people]
    managers = [p.manager_id for p in people]
    sizes = np.fromiter(map(len, blocked), dtype=np.int64, count=len(people))
    has_manager = np.fromiter((m is not None for m in managers), dtype=np.bool_, count=len(people))
    who = np.concatenate(
        [np.repeat(np.arange(len(people), dtype=np.int64), sizes), np.flatnonzero(has_manager)]
    )
    other = index.lookup([*chain.from_iterable(blocked), *(m for m in managers if m is not None)])
    known = other >= 0
    return np.stack([who[known], other[known]], axis=1)


def department_keys(people: Sequence[Participant]) -> list[str | None]:
    """department_key of each person's department (each distinct spelling normalised once)."""
    memo: dict[str | None, str | None] = {}
    return [
        memo[d] if d in memo else memo.setdefault(d, department_key(d))
        for d in (p.department for p in people)
    ]
