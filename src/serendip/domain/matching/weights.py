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
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from serendip.domain.matching.model import History, MatchSettings, Participant, RepeatMode

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

TIER_HIGH = 1 << 40
TIER_LOW = 1 << 20
SCORE_MAX = 1000
FORBIDDEN = -(1 << 55)
OVERLAP_FULL_MINUTES = 240
MIN_OVERLAP_MINUTES = 60
DAY = 1440
_W_OVERLAP, _W_INCLUSION, _W_DEPT_PAIR, _W_SHARED, _W_TEACH, _JITTER = 350, 100, 150, 150, 200, 40
_REPEAT, _FORBID = 1, 2
_BLOOM_BITS = 24
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_CHUNK = 1 << 15
SLOT_MINUTES = 30
_SLOTS = DAY // SLOT_MINUTES


def _popcount(x: npt.NDArray[np.uint64]) -> I64:
    """Set bits per element."""
    if hasattr(np, "bitwise_count"):
        return np.asarray(np.bitwise_count(x), dtype=np.int64)
    total = np.zeros(x.shape, dtype=np.int64)  # numpy < 2.0
    for shift in range(0, 64, 8):
        total += _BYTE_BITS[((x >> np.uint64(shift)) & np.uint64(255)).astype(np.int64)]
    return total


_BYTE_BITS = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def working_slots(start_utc: I64, length: I64) -> npt.NDArray[np.uint64]:
    """Half-hour UTC slots fully inside each circular working window, as 48-bit masks."""
    windows, inverse = np.unique(start_utc * (DAY + 1) + length, return_inverse=True)
    start, span = windows // (DAY + 1), windows % (DAY + 1)
    slot_start = np.arange(_SLOTS, dtype=np.int64) * SLOT_MINUTES
    inside = (slot_start[None, :] - start[:, None]) % DAY + SLOT_MINUTES <= span[:, None]
    weights = np.left_shift(np.uint64(1), np.arange(_SLOTS, dtype=np.uint64))
    masks = (inside * weights[None, :]).sum(axis=1, dtype=np.uint64)
    return np.asarray(masks[inverse.ravel()], dtype=np.uint64)


def _mix64(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser: a cheap, well-spread 64-bit hash."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@dataclass
class _Tags:
    sig_interests: npt.NDArray[np.uint64]
    sig_expertise: npt.NDArray[np.uint64]
    interests: npt.NDArray[np.uint64] | None
    expertise: npt.NDArray[np.uint64] | None
    postings: I64  # (k, 2) (person, tag id) of both kinds


def _tag_bits(people: Sequence[Participant]) -> _Tags:
    """Tag signatures (one bit per tag: exact up to 64 tags, hashed beyond) and exact bitsets."""
    vocab = sorted({t for p in people for t in p.interests | p.expertise})
    index = {t: i for i, t in enumerate(vocab)}
    small = len(vocab) <= 64
    words = -(-len(vocab) // 64)
    sigs, exact, postings = [], [], []
    for attr in ("interests", "expertise"):
        rows = np.array([i for i, p in enumerate(people) for _ in getattr(p, attr)], dtype=np.int64)
        cols = np.array([index[t] for p in people for t in getattr(p, attr)], dtype=np.int64)
        postings.append(np.stack([rows, cols], axis=1))
        bit = cols % 64 if small else (_mix64(cols.astype(np.uint64)) % np.uint64(64)).astype(np.int64)
        sig = np.zeros(len(people), dtype=np.uint64)
        np.bitwise_or.at(sig, rows, np.left_shift(np.uint64(1), bit.astype(np.uint64)))
        sigs.append(sig)
        if not small:
            bits = np.zeros((words, len(people)), dtype=np.uint64)
            np.bitwise_or.at(bits, (cols // 64, rows), np.left_shift(np.uint64(1), (cols % 64).astype(np.uint64)))
            exact.append(bits)
    return _Tags(sigs[0], sigs[1], exact[0] if exact else None, exact[1] if exact else None,
                 np.concatenate(postings))


def _history_pairs(index: dict[str, int], history: History, cooldown: int) -> I64:
    """(k, 2) index pairs that met in the last `cooldown` rounds (unknown ids ignored)."""
    found = []
    for rnd in list(history)[len(history) - cooldown :] if cooldown > 0 else []:
        idx = np.array([index.get(x, -1) for g in rnd for x in g], dtype=np.int64)
        gid = np.repeat(np.arange(len(rnd)), [len(g) for g in rnd])
        for d in range(1, 8):
            same = (gid[:-d] == gid[d:]) & (idx[:-d] >= 0) & (idx[d:] >= 0)
            found.append(np.stack([idx[:-d][same], idx[d:][same]], axis=1))
    return np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)


def _forbidden_pairs(people: Sequence[Participant], index: dict[str, int]) -> I64:
    """(k, 2) index pairs that are blocked either way or manager/report."""
    pairs = [(i, index[b]) for i, p in enumerate(people) for b in p.blocked if b in index]
    pairs += [(i, index[p.manager_id]) for i, p in enumerate(people) if p.manager_id in index]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


@dataclass
class PairScorer:
    """Weights and flags of arbitrary pairs of participant indices, vectorised."""

    n: int
    dept: I64  # department code, -1 unknown (or everyone, in mode off)
    window_start: I64  # start of the working window in UTC minutes, in [0, 1440)
    slots: npt.NDArray[np.uint64]  # bit k: works UTC minutes [30k, 30k + 30)
    novelty: npt.NDArray[np.float64]  # 1 / (1 + cross-team ties)
    id_hash: npt.NDArray[np.uint64]
    sig_interests: npt.NDArray[np.uint64]  # one hashed bit per tag (exact with <= 64 tags)
    sig_expertise: npt.NDArray[np.uint64]
    interests: npt.NDArray[np.uint64] | None  # (words, n) exact bitsets when there are > 64 tags
    expertise: npt.NDArray[np.uint64] | None
    tag_postings: I64  # (k, 2) (person, tag id), interests and expertise
    special_keys: I64  # sorted pair keys with a repeat and/or forbidden flag
    special_flags: npt.NDArray[np.int8]
    bloom: B
    dp_keys: I64  # sorted department-pair keys (low * dp_width + high) with a known tie count
    dp_few: npt.NDArray[np.float64]
    dp_width: int
    tier_repeat: int  # weight of "not a repeat"
    tier_cross: int  # weight of "cross-team"
    seed_mix: np.uint64

    def keys(self, u: I64, v: I64) -> I64:
        """Order-free pair key."""
        return np.minimum(u, v) * self.n + np.maximum(u, v)

    def special(self, u: I64, v: I64) -> npt.NDArray[np.int8]:
        """Repeat/forbidden flag bits of each pair (0 for the vast majority)."""
        out = np.zeros(u.shape, dtype=np.int8)
        if self.special_keys.size == 0:
            return out
        k = self.keys(u, v)
        maybe = np.flatnonzero(self.bloom[(k.astype(np.uint64) * _GOLDEN) >> np.uint64(64 - _BLOOM_BITS)])
        if maybe.size:
            pos = np.searchsorted(self.special_keys, k[maybe]).clip(max=self.special_keys.size - 1)
            hit = self.special_keys[pos] == k[maybe]
            out[maybe[hit]] = self.special_flags[pos[hit]]
        return out

    def cross(self, u: I64, v: I64) -> B:
        """Both departments known and different."""
        du, dv = self.dept[u], self.dept[v]
        return np.asarray((du != dv) & (du >= 0) & (dv >= 0), dtype=np.bool_)

    def overlap(self, u: I64, v: I64) -> I64:
        """Minutes of common working time per day (half-hour resolution)."""
        return _popcount(self.slots[u] & self.slots[v]) * SLOT_MINUTES

    def shared_tags(self, u: I64, v: I64) -> tuple[B, B]:
        """(shared interest, one's expertise meets the other's interest)."""
        iu, iv, xu, xv = self.sig_interests[u], self.sig_interests[v], self.sig_expertise[u], self.sig_expertise[v]
        shared, teach = (iu & iv) != 0, ((xu & iv) | (iu & xv)) != 0
        if self.interests is None or self.expertise is None:
            return shared, teach  # at most 64 tags: the signatures are exact
        maybe = np.flatnonzero(shared | teach)  # signatures never miss, may over-report
        su, sv = u[maybe], v[maybe]
        exact_s = np.zeros(maybe.size, dtype=np.bool_)
        exact_t = np.zeros(maybe.size, dtype=np.bool_)
        for ints, exps in zip(self.interests, self.expertise, strict=True):
            exact_s |= (ints[su] & ints[sv]) != 0
            exact_t |= ((exps[su] & ints[sv]) | (ints[su] & exps[sv])) != 0
        shared[maybe], teach[maybe] = exact_s, exact_t
        return shared, teach

    def score(self, u: I64, v: I64, cross: B) -> I64:
        """Rule 3: overlap, inclusion, rare department pairs, tags, jitter; 0..SCORE_MAX."""
        s = _W_OVERLAP * np.minimum(self.overlap(u, v), OVERLAP_FULL_MINUTES) / OVERLAP_FULL_MINUTES
        s += cross * (_W_INCLUSION * (self.novelty[u] + self.novelty[v]))
        if self.dp_keys.size:
            du, dv = self.dept[u], self.dept[v]
            k = np.minimum(du, dv) * self.dp_width + np.maximum(du, dv)
            pos = np.searchsorted(self.dp_keys, k).clip(max=self.dp_keys.size - 1)
            few = np.where(self.dp_keys[pos] == k, self.dp_few[pos], 1.0)
        else:
            few = np.ones(u.shape)
        s += cross * (_W_DEPT_PAIR * few)
        shared, teach = self.shared_tags(u, v)
        s += np.where(teach, _W_TEACH, np.where(shared, _W_SHARED, 0))
        lo, hi = np.minimum(self.id_hash[u], self.id_hash[v]), np.maximum(self.id_hash[u], self.id_hash[v])
        jitter = _mix64(lo * _GOLDEN ^ hi ^ self.seed_mix) % np.uint64(_JITTER)
        return s.astype(np.int64) + jitter.astype(np.int64)

    def weights(self, u: I64, v: I64) -> I64:
        """Tiered integer weight of each pair; FORBIDDEN for blocked or manager/report pairs."""
        if u.size <= _CHUNK:
            return self._weights(u, v)
        return np.concatenate([self._weights(u[i : i + _CHUNK], v[i : i + _CHUNK]) for i in range(0, u.size, _CHUNK)])

    def _weights(self, u: I64, v: I64) -> I64:
        """`weights` on one cache-sized chunk."""
        flags = self.special(u, v)
        cross = self.cross(u, v)
        w = self.score(u, v, cross)
        w += np.where(flags & _REPEAT, 0, self.tier_repeat) + cross * np.int64(self.tier_cross)
        w[(flags & _FORBID) != 0] = FORBIDDEN
        w[u == v] = FORBIDDEN
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
    index = {p.id: i for i, p in enumerate(people)}
    depts: dict[str, int] = {}
    off = settings.mode is RepeatMode.OFF
    dept = np.array([-1 if off or p.department is None else depts.setdefault(p.department, len(depts))
                     for p in people], dtype=np.int64)
    hours = np.array([(p.working_hours[0] - p.utc_offset_minutes, p.working_hours[1] - p.working_hours[0])
                      for p in people], dtype=np.int64).reshape(-1, 2)
    length = hours[:, 1] % DAY
    length[length == 0] = DAY  # start == end: around the clock
    ids = [p.id.encode() for p in people]
    id_hash = np.array([zlib.crc32(b) | (zlib.crc32(b, 0x5EED) << 32) for b in ids], dtype=np.uint64)
    tags = _tag_bits(people)
    rep, forb = _history_pairs(index, history, settings.cooldown), _forbidden_pairs(people, index)
    keys = np.concatenate([np.minimum(p[:, 0], p[:, 1]) * n + np.maximum(p[:, 0], p[:, 1]) for p in (rep, forb)])
    flags = np.concatenate([np.full(len(rep), _REPEAT, np.int8), np.full(len(forb), _FORBID, np.int8)])
    special_keys, inverse = np.unique(keys, return_inverse=True)
    special_flags = np.zeros(special_keys.size, dtype=np.int8)
    np.bitwise_or.at(special_flags, inverse, flags)
    bloom = np.zeros(1 << _BLOOM_BITS, dtype=np.bool_)
    bloom[(special_keys.astype(np.uint64) * _GOLDEN) >> np.uint64(64 - _BLOOM_BITS)] = True
    dp_keys, dp_few = _department_pairs(depts, settings)
    high, low = (TIER_LOW, TIER_HIGH) if settings.mode is RepeatMode.STRICT else (TIER_HIGH, TIER_LOW)
    return PairScorer(
        n=n, dept=dept, window_start=hours[:, 0] % DAY, slots=working_slots(hours[:, 0] % DAY, length),
        novelty=1.0 / (1.0 + np.array([max(0, p.cross_team_ties) for p in people], dtype=np.float64)),
        id_hash=id_hash, sig_interests=tags.sig_interests, sig_expertise=tags.sig_expertise,
        interests=tags.interests, expertise=tags.expertise, tag_postings=tags.postings,
        special_keys=special_keys, special_flags=special_flags, bloom=bloom,
        dp_keys=dp_keys, dp_few=dp_few, dp_width=max(1, len(depts)), tier_repeat=high, tier_cross=0 if off else low,
        seed_mix=_mix64(np.array([settings.seed & (2**64 - 1)], dtype=np.uint64))[0],
    )


def _department_pairs(depts: dict[str, int], settings: MatchSettings) -> tuple[I64, npt.NDArray[np.float64]]:
    """Sorted department-pair keys and a 'fewness' in (0, 1] (1 = no ties yet)."""
    width = max(1, len(depts))
    items = {}
    for (a, b), ties in settings.department_pair_ties.items():
        if a in depts and b in depts and a != b:
            da, db = sorted((depts[a], depts[b]))
            items[da * width + db] = max(0, ties)
    if not items:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    scale = max(1.0, float(np.mean([t for t in items.values() if t > 0] or [1])))
    keys = np.array(sorted(items), dtype=np.int64)
    return keys, np.array([1.0 / (1.0 + items[int(k)] / scale) for k in keys])
