"""Repair for groups of 3+: move people out of groups that still hold a repeat or a forbidden pair.

Local search (improve.py) only swaps two people between two groups, so it can stop with a repeat
that only a move between groups of different sizes, or a rotation through three groups, removes.
For each member a of a flagged pair in group G this tries, against a capped set of other groups:
- relocation: a to a group H one smaller than G;
- chain: a to H while G takes c from a group K one larger than H;
- swap: a with anyone b of another group;
- rotation: a to H, b of H to K, c of K to G.
Every move keeps the multiset of group sizes (the size formula) and is applied only when it strictly
raises the total tiered weight, so a lower rule is never bought with a higher one (mode strict
puts cross-team first). Rounds without a flagged pair pay one vectorised scan.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from serendip.domain.matching.pairing import WeightFn
from serendip.domain.matching.weights import FORBIDDEN, I64, TIER_LOW, B, PairScorer

_CANDIDATES = 64  # other groups tried per conflicted person (all of them in smaller rounds)
_ROTATION_CANDIDATES = 24  # of those, the groups tried as both steps of a rotation: (24 x 8)^2 pairs
_ATTEMPTS = 256  # conflicted people examined per round: bounds the work when conflicts cannot go
_DENSE_UP_TO = 300  # people: below this every pair is weighed once (attempts are then table look-ups)
NEG = np.int64(FORBIDDEN) * 8

Transfer = tuple[int, int, int]  # (person, from row, to row)
FlagFn = Callable[[I64, I64], B]


@dataclass(frozen=True)
class _Pairs:
    """Weight and flag (repeat or forbidden) of arbitrary pairs of people."""

    weigh: WeightFn
    flagged: FlagFn


def repair(members: I64, scorer: PairScorer, rng: np.random.Generator, deadline: float | None = None) -> I64:
    """Groups `members` (g, width; -1 padding) with flagged pairs removed where improving moves exist."""
    todo = np.flatnonzero(flagged_rows(members, scorer))
    if todo.size == 0 or members.shape[0] < 2:
        return members
    members = members.copy()
    pairs = _pairs(scorer)
    attempts = _ATTEMPTS
    while todo.size:
        changed: list[int] = []
        for row in todo.tolist():
            for a in _conflicted_members(members[row], pairs.flagged):
                if attempts == 0 or (deadline is not None and time.perf_counter() > deadline):
                    return members
                attempts -= 1
                move = _best_move(members, row, a, todo, pairs, rng)
                if move:
                    changed += _apply(members, move)
                    break  # the row changed: its conflicted members are recomputed next pass
        if not changed:
            break
        rows = np.unique(np.concatenate([todo, np.array(changed, dtype=np.int64)]))
        todo = rows[_flagged_rows(members[rows], pairs.flagged)]
    return members


def flagged_rows(members: I64, scorer: PairScorer) -> B:
    """Per group, whether two of its members met within the cooldown or must never meet."""
    return _flagged_rows(members, lambda u, v: np.asarray(scorer.special(u, v) != 0, dtype=np.bool_))


def _flagged_rows(members: I64, flagged: FlagFn) -> B:
    """`flagged_rows` with a given pair flag."""
    left, right = np.triu_indices(members.shape[1], 1)
    x, y = members[:, left], members[:, right]
    ok = (x >= 0) & (y >= 0)
    hit = np.zeros(x.shape, dtype=np.bool_)
    hit[ok] = flagged(x[ok], y[ok])
    return np.asarray(hit.any(axis=1), dtype=np.bool_)


def _pairs(scorer: PairScorer) -> _Pairs:
    """The scorer's weights and flags; as full tables in small rounds, where attempts repeat pairs."""
    if scorer.n > _DENSE_UP_TO:
        return _Pairs(scorer.weights, lambda u, v: np.asarray(scorer.special(u, v) != 0, dtype=np.bool_))
    u, v = np.divmod(np.arange(scorer.n * scorer.n, dtype=np.int64), scorer.n)
    weight = scorer.weights(u, v).reshape(scorer.n, scorer.n)
    flag = (scorer.special(u, v) != 0).reshape(scorer.n, scorer.n)
    return _Pairs(lambda x, y: weight[x, y], lambda x, y: flag[x, y])


def _conflicted_members(group: I64, flagged: FlagFn) -> list[int]:
    """Members of `group` in a flagged pair, the most conflicted first (ties: slot order)."""
    people = group[group >= 0]
    left, right = np.triu_indices(people.size, 1)
    hit = flagged(people[left], people[right])
    counts = np.bincount(np.concatenate([left[hit], right[hit]]), minlength=people.size)
    order = np.argsort(-counts, kind="stable")
    return [int(people[i]) for i in order if counts[i] > 0]


def _candidates(groups: int, row: int, flagged: I64, rng: np.random.Generator) -> I64:
    """Other groups to try: all of them in small rounds, else other flagged groups and a random sample."""
    if groups - 1 <= _CANDIDATES:
        return np.delete(np.arange(groups, dtype=np.int64), row)
    sample = rng.choice(groups - 1, size=_CANDIDATES, replace=False).astype(np.int64)
    sample[sample >= row] += 1  # skip `row` itself
    # other flagged groups first: a swap between two of them can fix both
    first = flagged[flagged != row][: _CANDIDATES // 2]
    both = np.concatenate([first, sample[~np.isin(sample, first)]])
    return both[:_CANDIDATES]


def _grid(valid: B, values: I64) -> I64:
    """`values` (one per valid slot, row-major) spread over the shape of `valid`; 0 elsewhere."""
    out = np.zeros(valid.shape, dtype=np.int64)
    out[valid] = values
    return out


def _contributions(rows: I64, weigh: WeightFn) -> I64:
    """Per slot, the weight of that member to the rest of its group, in one weight call."""
    left, right = np.triu_indices(rows.shape[1], 1)
    x, y = rows[:, left], rows[:, right]
    ok = (x >= 0) & (y >= 0)
    w = _grid(ok, weigh(x[ok], y[ok]))
    out = np.zeros(rows.shape, dtype=np.int64)
    for k in range(left.size):  # at most 28 column pairs
        out[:, left[k]] += w[:, k]
        out[:, right[k]] += w[:, k]
    return out


def _best_move(
    members: I64, row: int, a: int, flagged: I64, pairs: _Pairs, rng: np.random.Generator
) -> list[Transfer]:
    """The best strictly improving size-keeping move taking `a` out of group `row`; [] if none."""
    weigh = pairs.weigh
    others = _candidates(members.shape[0], row, flagged, rng)
    cm = members[others]
    valid = cm >= 0
    people = cm[valid]
    group = members[row]
    rest = group[(group >= 0) & (group != a)]
    sizes = valid.sum(axis=1)
    wa = _grid(valid, weigh(np.full(people.size, a), people))  # w(a, b) for b in the candidates
    wa_sum = wa.sum(axis=1)  # w(a, H)
    to_rest = weigh(np.repeat(people, rest.size), np.tile(rest, people.size))
    w_in = _grid(valid, to_rest.reshape(-1, rest.size).sum(axis=1))  # w(b, G - a)
    contrib = _contributions(cm, weigh)  # w(b, H - b)
    w_out = int(weigh(np.full(rest.size, a), rest).sum())  # w(a, G - a)

    def at(k: int, j: int) -> int:
        return int(cm[k, j])

    moves: list[tuple[int, list[Transfer]]] = [(0, [])]  # (gain, transfers); only gains > 0 win
    swap = np.where(valid, w_in - w_out + wa_sum[:, None] - wa - contrib, NEG)
    k, j = _argmax(swap)
    moves.append((int(swap[k, j]), [(a, row, int(others[k])), (at(k, j), int(others[k]), row)]))
    relocate = np.where(sizes == rest.size, wa_sum - w_out, NEG)
    (h,) = _argmax(relocate)
    moves.append((int(relocate[h]), [(a, row, int(others[h]))]))
    take = np.where(valid, w_in - contrib, NEG)  # c of K moving into G - a
    take_j = take.argmax(axis=1)
    take_best = take[np.arange(take.shape[0]), take_j]
    grows = sizes[None, :] == sizes[:, None] + 1  # (H, K): K is one larger than H
    chain = np.where(grows, (wa_sum - w_out)[:, None] + take_best[None, :], NEG)
    h, k = _argmax(chain)
    moves.append((int(chain[h, k]), [(a, row, int(others[h])), (at(k, int(take_j[k])), int(others[k]), row)]))
    r = min(others.size, _ROTATION_CANDIDATES)
    if r >= 2 and max(m[0] for m in moves) < TIER_LOW:  # rotations (the costly part) only when needed
        gain4 = _rotation_gains(cm[:r], wa[:r], wa_sum[:r], w_in[:r], contrib[:r], w_out, weigh)
        h, jb, k, jc = _argmax(gain4)
        hop = [
            (a, row, int(others[h])),
            (at(h, jb), int(others[h]), int(others[k])),
            (at(k, jc), int(others[k]), row),
        ]
        moves.append((int(gain4[h, jb, k, jc]), hop))
    return max(moves, key=lambda m: m[0])[1]  # ties: the earlier (simpler) move


def _argmax(values: I64) -> tuple[int, ...]:
    """Index of the largest value (the first one on ties), as Python ints."""
    return tuple(int(i) for i in np.unravel_index(int(values.argmax()), values.shape))


def _rotation_gains(
    rm: I64, wa: I64, wa_sum: I64, w_in: I64, contrib: I64, w_out: int, weigh: WeightFn
) -> I64:
    """Gain of a -> H, b -> K, c -> G for every (H, b, K, c) among rows `rm`; NEG where invalid."""
    r, width = rm.shape
    valid = rm >= 0
    people = rm[valid]
    at = np.flatnonzero(valid.ravel())
    pair = np.zeros((r * width, r * width), dtype=np.int64)
    pair[np.ix_(at, at)] = weigh(np.repeat(people, people.size), np.tile(people, people.size)).reshape(
        people.size, people.size
    )
    w4 = pair.reshape(r, width, r, width)  # w(b, c) for b at (H, jb), c at (K, jc)
    to_k = w4.sum(axis=3)  # w(b, K)
    leave_h = wa_sum[:, None] - wa - contrib  # H: a replaces b
    enter_g = w_in - contrib - w_out  # G: c replaces a; K loses c
    gain = leave_h[:, :, None, None] + (to_k[:, :, :, None] - w4) + enter_g[None, None, :, :]
    ok = valid[:, :, None, None] & valid[None, None, :, :] & ~np.eye(r, dtype=np.bool_)[:, None, :, None]
    return np.where(ok, gain, NEG)


def _apply(members: I64, transfers: list[Transfer]) -> list[int]:
    """Carry out the transfers (all removals, then all additions); rows stay left-packed."""
    for who, src, _ in transfers:
        row = members[src]
        kept = row[(row >= 0) & (row != who)]
        members[src] = -1
        members[src, : kept.size] = kept
    for who, _, dst in transfers:
        free = int(np.flatnonzero(members[dst] < 0)[0])
        members[dst, free] = who
    return sorted({t for _, src, dst in transfers for t in (src, dst)})
