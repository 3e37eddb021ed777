"""Vectorised pair weights: rules 1-2 as integer tiers, rule 3 as a bounded score.

Every allowed pair gets `tier_high * a + tier_low * b + score` where (a, b) are (not a repeat,
cross-team) in mode `prefer`, swapped in `strict`, and cross-team is always 0 in `off`.
`score` <= SCORE_MAX, and tier_low > the score of any matching of up to ~2,000 people, so the
exact solver honours the priority order; local search only compares a handful of edges at a
time, where the tiers are strict at any size. Forbidden pairs (blocked, manager/report) weigh
FORBIDDEN, far below anything else.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat

import numpy as np
import numpy.typing as npt

from serendip.domain.departments import department_key
from serendip.domain.matching.ids import IdIndex
from serendip.domain.matching.model import History, MatchSettings, PairTies, Participant, RepeatMode
from serendip.domain.matching.pair_features import (
    DAY,
    GOLDEN,
    I64,
    SLOT_MINUTES,
    B,
    TagBits,
    bloom_bits,
    bloom_filter,
    department_keys,
    forbidden_pairs,
    history_pairs,
    mix64,
    pair_hash,
    popcount,
    tag_bits,
    working_slots,
)

# The array types are re-exported: the matching modules import them from here.
__all__ = [
    "FORBIDDEN",
    "I64",
    "MIN_OVERLAP_MINUTES",
    "OVERLAP_FULL_MINUTES",
    "SCORE_MAX",
    "TIER_HIGH",
    "TIER_LOW",
    "B",
    "PairScorer",
    "build_scorer",
]

TIER_HIGH = 1 << 40
TIER_LOW = 1 << 20
SCORE_MAX = 1000
FORBIDDEN = -(1 << 55)
OVERLAP_FULL_MINUTES = 240
MIN_OVERLAP_MINUTES = 60
_W_OVERLAP, _W_INCLUSION, _W_DEPT_PAIR, _W_SHARED, _W_TEACH, _JITTER = 350, 100, 150, 150, 200, 40
_REPEAT, _FORBID = 1, 2
_CHUNK = 1 << 13  # pairs weighed at once: their packed rows (2 x 512 KB) stay in L2
_DENSE_DEPARTMENTS = 4096  # up to this many departments, department-pair points sit in a table (<= 16 MB)
_SLOTS_COL, _HASH, _TOP_I, _TOP_X, _SIG, _DEPT, _INCLUSION, _PAIR_HASH = range(
    8
)  # columns of PairScorer.packed


_OVERLAP_POINTS = np.array(
    [
        _W_OVERLAP * min(k * SLOT_MINUTES, OVERLAP_FULL_MINUTES) // OVERLAP_FULL_MINUTES
        for k in range(DAY // SLOT_MINUTES + 1)
    ],
    dtype=np.int64,
)


@dataclass
class PairScorer:
    """Weights and flags of arbitrary pairs of participant indices, vectorised."""

    n: int
    dept: I64  # department code, -1 unknown (or everyone, in mode off)
    window_start: I64  # start of the working window in UTC minutes, in [0, 1440)
    slots: npt.NDArray[np.uint64]  # bit k: works UTC minutes [30k, 30k + 30)
    inclusion: I64  # points per person for a cross-team partner: _W_INCLUSION / (1 + ties)
    id_hash: npt.NDArray[np.uint64]
    tags: TagBits
    tag_postings: I64  # (k, 2) (person, tag id), interests and expertise
    special_keys: I64  # sorted pair keys with a repeat and/or forbidden flag
    special_flags: npt.NDArray[np.int8]
    bloom: npt.NDArray[np.uint8]  # bit k: some special key hashes to k
    dp_keys: I64  # sorted department-pair keys (low * dp_width + high) with a known tie count
    dp_points: I64  # _W_DEPT_PAIR scaled by how few ties the department pair has
    dp_width: int
    tier_repeat: int  # weight of "not a repeat"
    tier_cross: int  # weight of "cross-team"
    seed_mix: np.uint64
    packed: npt.NDArray[np.uint64] = field(init=False)  # (n, 8): one cache line per person for `weights`
    rare: npt.NDArray[np.uint64] | None = field(init=False)  # (n, 2 * words) exact rare-tag bits, both kinds
    dp_table: npt.NDArray[np.uint8] | None = field(init=False)  # points of key low * dp_width + high

    def __post_init__(self) -> None:
        t = self.tags
        # _SIG: the rare-tag filter words of both kinds at once (one test finds every pair to check)
        self.packed = np.stack(
            [
                self.slots,
                self.id_hash,
                t.top_interests,
                t.top_expertise,
                t.rare_sig_interests | t.rare_sig_expertise,
                self.dept.view(np.uint64),
                self.inclusion.view(np.uint64),
                pair_hash(self.n),
            ],
            axis=1,
        )
        self.rare = None
        if t.rare_interests is not None and t.rare_expertise is not None:
            self.rare = np.ascontiguousarray(np.concatenate([t.rare_interests, t.rare_expertise]).T)
        # One lookup per pair instead of a binary search among ~100,000 department pairs (points <= 150).
        self.dp_table = None
        if self.dp_keys.size and self.dp_width <= _DENSE_DEPARTMENTS:
            self.dp_table = np.full(self.dp_width * self.dp_width, _W_DEPT_PAIR, dtype=np.uint8)
            self.dp_table[self.dp_keys] = self.dp_points

    def keys(self, u: I64, v: I64) -> I64:
        """Order-free pair key."""
        return np.minimum(u, v) * self.n + np.maximum(u, v)

    def special(self, u: I64, v: I64) -> npt.NDArray[np.int8]:
        """Repeat/forbidden flag bits of each pair (0 for the vast majority)."""
        out = np.zeros(u.shape, dtype=np.int8)
        pair_hash = self.packed[:, _PAIR_HASH]
        at, flags = self._special_at(u, v, pair_hash[u], pair_hash[v])
        out[at] = flags
        return out

    def _special_at(
        self, u: I64, v: I64, hash_u: npt.NDArray[np.uint64], hash_v: npt.NDArray[np.uint64]
    ) -> tuple[I64, npt.NDArray[np.int8]]:
        """Positions of the pairs with a repeat/forbidden flag, and their flag bits."""
        if self.special_keys.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int8)
        bit = bloom_bits(hash_u, hash_v)
        maybe = np.flatnonzero((self.bloom[bit >> np.uint64(3)] >> (bit & np.uint64(7)).astype(np.uint8)) & 1)
        k = self.keys(u[maybe], v[maybe])
        pos = np.searchsorted(self.special_keys, k).clip(max=self.special_keys.size - 1)
        hit = self.special_keys[pos] == k
        return maybe[hit], self.special_flags[pos[hit]]

    def cross(self, u: I64, v: I64) -> B:
        """Both departments known and different."""
        du, dv = self.dept[u], self.dept[v]
        return np.asarray((du != dv) & (du >= 0) & (dv >= 0), dtype=np.bool_)

    def overlap(self, u: I64, v: I64) -> I64:
        """Minutes of common working time per day (half-hour resolution)."""
        return popcount(self.slots[u] & self.slots[v]) * SLOT_MINUTES

    def shared_tags(self, u: I64, v: I64) -> tuple[B, B]:
        """(shared interest, one's expertise meets the other's interest)."""
        return self._shared_rows(u, v, np.take(self.packed, u, axis=0), np.take(self.packed, v, axis=0))

    def _shared_rows(
        self, u: I64, v: I64, pu: npt.NDArray[np.uint64], pv: npt.NDArray[np.uint64]
    ) -> tuple[B, B]:
        """`shared_tags` given the packed rows of u and v."""
        iu, iv, xu, xv = pu[:, _TOP_I], pv[:, _TOP_I], pu[:, _TOP_X], pv[:, _TOP_X]
        shared, teach = (iu & iv) != 0, ((xu & iv) | (iu & xv)) != 0
        if self.rare is None:
            return shared, teach
        maybe = np.flatnonzero(pu[:, _SIG] & pv[:, _SIG])  # a superset of the pairs meeting on a rare tag
        ru, rv, words = (
            np.take(self.rare, u[maybe], axis=0),
            np.take(self.rare, v[maybe], axis=0),
            self.rare.shape[1] // 2,
        )
        ints_u, exps_u, ints_v, exps_v = ru[:, :words], ru[:, words:], rv[:, :words], rv[:, words:]
        shared[maybe] |= ((ints_u & ints_v) != 0).any(axis=1)
        teach[maybe] |= (((exps_u & ints_v) | (ints_u & exps_v)) != 0).any(axis=1)
        return shared, teach

    def score(self, u: I64, v: I64, cross: B) -> I64:
        """Rule 3: overlap, inclusion, rare department pairs, tags, jitter; 0..SCORE_MAX."""
        return self._score_rows(u, v, np.take(self.packed, u, axis=0), np.take(self.packed, v, axis=0), cross)

    def _score_rows(
        self, u: I64, v: I64, pu: npt.NDArray[np.uint64], pv: npt.NDArray[np.uint64], cross: B, tier: int = 0
    ) -> I64:
        """`score` given the packed rows of u and v, plus `tier` for each cross-team pair."""
        s = _OVERLAP_POINTS[popcount(pu[:, _SLOTS_COL] & pv[:, _SLOTS_COL])]
        bonus = pu[:, _INCLUSION].view(np.int64) + pv[:, _INCLUSION].view(np.int64)
        if self.dp_table is not None:
            du, dv = pu[:, _DEPT].view(np.int64), pv[:, _DEPT].view(np.int64)
            # An unknown department (-1) gives a key in [-dp_width - 1, 0): a valid negative index whose
            # points do not count (such a pair is never cross-team).
            bonus += self.dp_table[np.minimum(du, dv) * self.dp_width + np.maximum(du, dv)]
            bonus += tier
        elif self.dp_keys.size:
            du, dv = pu[:, _DEPT].view(np.int64), pv[:, _DEPT].view(np.int64)
            k = np.minimum(du, dv) * self.dp_width + np.maximum(du, dv)
            pos = np.searchsorted(self.dp_keys, k).clip(max=self.dp_keys.size - 1)
            bonus += np.where(self.dp_keys[pos] == k, self.dp_points[pos] + tier, _W_DEPT_PAIR + tier)
        else:
            bonus += _W_DEPT_PAIR + tier
        s += cross * bonus
        shared, teach = self._shared_rows(u, v, pu, pv)
        s += np.where(teach, _W_TEACH, np.where(shared, _W_SHARED, 0))
        hu, hv = pu[:, _HASH], pv[:, _HASH]
        jitter = mix64(np.minimum(hu, hv) * GOLDEN ^ np.maximum(hu, hv) ^ self.seed_mix) % np.uint64(_JITTER)
        s += jitter.view(np.int64)
        return np.asarray(s, dtype=np.int64)

    def weights(self, u: I64, v: I64) -> I64:
        """Tiered integer weight of each pair; FORBIDDEN for blocked or manager/report pairs."""
        if u.size <= _CHUNK:
            return self._weights(u, v)
        return np.concatenate(
            [self._weights(u[i : i + _CHUNK], v[i : i + _CHUNK]) for i in range(0, u.size, _CHUNK)]
        )

    def _weights(self, u: I64, v: I64) -> I64:
        """`weights` on one cache-sized chunk."""
        pu, pv = np.take(self.packed, u, axis=0), np.take(self.packed, v, axis=0)
        du, dv = pu[:, _DEPT].view(np.int64), pv[:, _DEPT].view(np.int64)
        cross = (du != dv) & ((du | dv) >= 0)  # -1 (unknown) on either side sets the sign bit
        w = self._score_rows(u, v, pu, pv, cross, self.tier_cross)
        w += self.tier_repeat
        at, flags = self._special_at(
            u, v, pu[:, _PAIR_HASH], pv[:, _PAIR_HASH]
        )  # a few pairs: fix those alone
        w[at[(flags & _REPEAT) != 0]] -= self.tier_repeat
        w[at[(flags & _FORBID) != 0]] = FORBIDDEN
        same = u == v
        if same.any():
            w[same] = FORBIDDEN
        return w

    def repeat(self, u: I64, v: I64) -> B:
        """Pair met within the cooldown."""
        return np.asarray((self.special(u, v) & _REPEAT) != 0, dtype=np.bool_)

    def forbidden(self, u: I64, v: I64) -> B:
        """Pair must never share a group."""
        return np.asarray(((self.special(u, v) & _FORBID) != 0) | (u == v), dtype=np.bool_)


def build_scorer(people: Sequence[Participant], history: History, settings: MatchSettings) -> PairScorer:
    """Precompute per-person arrays and the repeat/forbidden table for one round."""
    n = len(people)
    index = IdIndex([p.id for p in people])
    depts: dict[str, int] = {}
    off = settings.mode is RepeatMode.OFF
    team = [None] * n if off else department_keys(people)  # "Sales" and " sales" are one team
    dept = np.array([-1 if k is None else depts.setdefault(k, len(depts)) for k in team], dtype=np.int64)
    window = np.fromiter(chain.from_iterable(p.working_hours for p in people), dtype=np.int64, count=2 * n)
    offset = np.fromiter((p.utc_offset_minutes for p in people), dtype=np.int64, count=n)
    start = (window[0::2] - offset) % DAY
    length = (window[1::2] - window[0::2]) % DAY
    length[length == 0] = DAY  # start == end: around the clock
    ids = [p.id.encode() for p in people]
    id_hash = np.fromiter(map(zlib.crc32, ids), dtype=np.uint64, count=n) | (
        np.fromiter(map(zlib.crc32, ids, repeat(0x5EED, n)), dtype=np.uint64, count=n) << np.uint64(32)
    )
    tags = tag_bits(people)
    rep, forb = history_pairs(index, history, settings.cooldown), forbidden_pairs(people, index)
    keys = np.concatenate(
        [np.minimum(p[:, 0], p[:, 1]) * n + np.maximum(p[:, 0], p[:, 1]) for p in (rep, forb)]
    )
    flags = np.concatenate([np.full(len(rep), _REPEAT, np.int8), np.full(len(forb), _FORBID, np.int8)])
    keyed = np.sort(
        keys * 4 + flags
    )  # flags in the low bits: one plain sort (np.unique hashes in numpy 2.3+)
    keys, flags = keyed >> 2, (keyed & 3).astype(np.int8)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else np.zeros(0, dtype=np.int64)
    special_keys = keys[starts]
    special_flags = np.bitwise_or.reduceat(flags, starts) if keys.size else np.zeros(0, dtype=np.int8)
    bloom = bloom_filter(bloom_bits(*pair_hash(n)[[special_keys // max(1, n), special_keys % max(1, n)]]))
    dp_keys, dp_points = _department_pairs(depts, settings)
    high, low = (TIER_LOW, TIER_HIGH) if settings.mode is RepeatMode.STRICT else (TIER_HIGH, TIER_LOW)
    return PairScorer(
        n=n,
        dept=dept,
        window_start=start,
        slots=working_slots(start, length),
        inclusion=(
            _W_INCLUSION
            / (1.0 + np.maximum(0, np.fromiter((p.cross_team_ties for p in people), np.int64, n)))
        ).astype(np.int64),
        id_hash=id_hash,
        tags=tags,
        tag_postings=tags.postings,
        special_keys=special_keys,
        special_flags=special_flags,
        bloom=bloom,
        dp_keys=dp_keys,
        dp_points=dp_points,
        dp_width=max(1, len(depts)),
        tier_repeat=high,
        tier_cross=0 if off else low,
        seed_mix=mix64(np.array([settings.seed & (2**64 - 1)], dtype=np.uint64))[0],
    )


def _department_pairs(depts: dict[str, int], settings: MatchSettings) -> tuple[I64, I64]:
    """Sorted department-pair keys and their points: _W_DEPT_PAIR / (1 + ties / mean ties).

    `depts` is keyed by department_key; tie counts under several spellings of a pair add up.
    """
    width = max(1, len(depts))
    given = settings.department_pair_ties
    if not len(given):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ties = given if isinstance(given, PairTies) else PairTies.of(given)
    # department_key once per spelling: hundreds of thousands of tied pairs share a few thousand
    code = np.array([depts.get(department_key(name) or "", -1) for name in ties.names], dtype=np.int64)
    ca, cb = code[ties.first], code[ties.second]
    count = np.maximum(0, ties.count)
    ok = (ca >= 0) & (cb >= 0) & (ca != cb)
    if not ok.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ca, cb = ca[ok], cb[ok]
    key = np.minimum(ca, cb) * width + np.maximum(ca, cb)
    order = np.argsort(key)
    keys, count = key[order], count[ok][order]
    # tie counts under several spellings of one pair add up
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    keys, counts = keys[starts], np.add.reduceat(count, starts)
    scale = max(1.0, float(np.mean(counts[counts > 0]) if (counts > 0).any() else 1.0))
    # the same float operations as int(_W_DEPT_PAIR / (1.0 + ties / scale)) per pair, truncated likewise
    return keys, (_W_DEPT_PAIR / (1.0 + counts / scale)).astype(np.int64)
