"""Diverse candidate partners per person: random, other-department, nearby time zone, shared tag."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from serendip.domain.matching.weights import I64, PairScorer

COMPLETE_UP_TO = 200  # below this every pair is a candidate
K_RANDOM, K_CROSS, K_ZONE, TAG_ROUNDS = 6, 8, 6, 2
ZONE_WINDOW = 48


def all_pairs(n: int) -> tuple[I64, I64]:
    """Every unordered pair of 0..n-1."""
    u, v = np.triu_indices(n, 1)
    return u.astype(np.int64), v.astype(np.int64)


def candidate_edges(scorer: PairScorer, rng: np.random.Generator) -> tuple[I64, I64]:
    """Directed candidate edges (u -> v), about 24 per person, self-loops removed."""
    n = scorer.n
    if n <= COMPLETE_UP_TO:
        return all_pairs(n)
    people = np.arange(n, dtype=np.int64)
    parts_u, parts_v = [np.repeat(people, K_RANDOM)], [_random_others(n, K_RANDOM, rng)]
    parts_u.append(np.repeat(people, K_CROSS))
    parts_v.append(_other_department(scorer.dept, K_CROSS, rng).ravel())
    parts_u.append(np.repeat(people, K_ZONE))
    parts_v.append(_near_zone(scorer.window_start, K_ZONE, rng).ravel())
    tu, tv = _shared_tag(scorer.tag_postings, TAG_ROUNDS, rng)
    parts_u.append(tu)
    parts_v.append(tv)
    u, v = np.concatenate(parts_u), np.concatenate(parts_v)
    keep = u != v
    return u[keep], v[keep]


def _random_others(n: int, k: int, rng: np.random.Generator) -> I64:
    """k uniformly random people other than each person, flattened row-major."""
    c = rng.integers(0, n - 1, size=(n, k))
    return (c + (c >= np.arange(n)[:, None])).ravel().astype(np.int64)


def _other_department(dept: I64, k: int, rng: np.random.Generator) -> I64:
    """k random people from another department per person (anyone, if there is none)."""
    n = dept.size
    order = _by_key_then_noise(dept, rng.random(n))
    codes, start, size = np.unique(dept[order], return_index=True, return_counts=True)
    slot = np.searchsorted(codes, dept)
    own_start, own_size = start[slot][:, None], size[slot][:, None]
    others = np.maximum(n - own_size, 1)
    r = (rng.random((n, k)) * others).astype(np.int64)
    r = np.where(r >= own_start, r + own_size, r)
    r = np.where(n - own_size > 0, r, rng.integers(0, n, size=(n, k)))
    return order[np.minimum(r, n - 1)]


def _near_zone(start: I64, k: int, rng: np.random.Generator) -> I64:
    """k random people close in working-window start (UTC) per person."""
    n = start.size
    order = _by_key_then_noise(start, rng.random(n))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    step = rng.integers(1, ZONE_WINDOW + 1, size=(n, k)) * rng.choice([-1, 1], size=(n, k))
    return np.asarray(order[(rank[:, None] + step) % n], dtype=np.int64)


def _shared_tag(postings: I64, rounds: int, rng: np.random.Generator) -> tuple[I64, I64]:
    """For each (person, tag) posting, random others holding the same tag (either kind)."""
    if postings.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = _by_key_then_noise(postings[:, 1], rng.random(len(postings)))
    person, tag = postings[order, 0], postings[order, 1]
    _, start, size = np.unique(tag, return_index=True, return_counts=True)
    block = np.repeat(np.arange(start.size), size)
    us, vs = [], []
    for _ in range(rounds):
        pick = start[block] + (rng.random(person.size) * size[block]).astype(np.int64)
        us.append(person)
        vs.append(person[pick])
    return np.concatenate(us), np.concatenate(vs)


def _by_key_then_noise(key: I64, noise: npt.NDArray[np.float64]) -> I64:
    """`np.lexsort((noise, key))`, several times faster: with distinct noise (as `rng.random` draws
    almost surely are), key and noise rank packed in one word are unique, and any sort of unique
    words gives that one order."""
    n = key.size
    by_noise = np.argsort(noise)
    if n == 0 or key.min() < 0 or int(key.max()) >= 1 << (62 - n.bit_length()):
        return np.asarray(np.lexsort((noise, key)), dtype=np.int64)
    if (noise[by_noise[1:]] == noise[by_noise[:-1]]).any():  # a tie: lexsort breaks it by position
        return np.asarray(np.lexsort((noise, key)), dtype=np.int64)
    rank = np.empty(n, dtype=np.int64)
    rank[by_noise] = np.arange(n)
    return np.asarray(np.argsort((key << n.bit_length()) | rank), dtype=np.int64)
