"""Local search: swap two people between groups while the total tiered weight grows.

A move takes an edge (a, c) between groups G and H and exchanges c with some b of G (a stays).
Gain = [w(c, G - b) - w(b, G - b)] + [w(b, H - c) - w(c, H - c)]. Each sweep evaluates the moves
touching groups that changed, applies the best non-overlapping improving ones (a move is applied
when it is the best one of both its groups) and repeats until nothing improves.
"""

from __future__ import annotations

import time

import numpy as np

from serendip.domain.matching.pairing import WeightFn
from serendip.domain.matching.weights import FORBIDDEN, I64

NEG = np.int64(FORBIDDEN) * 8
_SELECTION_ROUNDS = 8
_BLOCK = 1 << 18  # edges evaluated at once


def group_weights(members: I64, weigh: WeightFn) -> I64:
    """Per slot, the summed weight of that member to the rest of its group (padding: 0)."""
    contrib = np.zeros(members.shape, dtype=np.int64)
    width = members.shape[1]
    for i in range(width):
        for j in range(i + 1, width):
            x, y = members[:, i], members[:, j]
            ok = (x >= 0) & (y >= 0)
            w = np.zeros(x.shape, dtype=np.int64)
            w[ok] = weigh(x[ok], y[ok])
            contrib[:, i] += w
            contrib[:, j] += w
    return contrib


def _sum_to_group(p: I64, members: I64, skip_a: I64, skip_b: I64, weigh: WeightFn) -> I64:
    """Sum of w(p, x) over x in the given groups' rows, skipping x == skip_a or skip_b."""
    keep = (members >= 0) & (members != skip_a[:, None]) & (members != skip_b[:, None])
    at = np.flatnonzero(keep)
    row = at // members.shape[1]
    total = np.zeros(p.shape, dtype=np.int64)
    np.add.at(total, row, weigh(p[row], members.ravel()[at]))
    return total


def _two_weakest(members: I64, contrib: I64) -> tuple[I64, I64]:
    """Per group, the slots of its weakest and second-weakest members (ties: the lower slot)."""
    masked = np.where(members >= 0, contrib, np.iinfo(np.int64).max)
    first = masked.argmin(axis=1)
    masked[np.arange(members.shape[0]), first] = np.iinfo(np.int64).max
    return first, masked.argmin(axis=1)


def improve(
    members: I64,
    eu: I64,
    ev: I64,
    ew: I64,
    weigh: WeightFn,
    *,
    try_all: bool,
    max_sweeps: int = 60,
    rescans: int = 2,
    max_evaluations: int | None = None,
    deadline: float | None = None,
) -> I64:
    """Improve groups `members` (g, width; -1 padding) using candidate edges (eu, ev, ew).

    Stops when nothing improves, after `max_sweeps`, after `rescans` full passes over all edges,
    once `max_evaluations` moves were evaluated (a deterministic work budget), or at `deadline`
    (a wall-clock bound that trades determinism for time).
    """
    members = members.copy()
    n = int(max(eu.max(initial=-1), ev.max(initial=-1), members.max(initial=-1))) + 1
    group_of = np.full(n, -1, dtype=np.int64)
    slot_of = np.full(n, -1, dtype=np.int64)
    rows, cols = np.nonzero(members >= 0)
    group_of[members[rows, cols]], slot_of[members[rows, cols]] = rows, cols
    contrib = group_weights(members, weigh)
    avg = _average_tie(np.arange(members.shape[0]), members, contrib, n)
    dirty = np.ones(members.shape[0], dtype=np.bool_)
    work = np.zeros(0, dtype=np.int64)  # edges (a, c) heavier than a's average tie: gains start there
    pending = np.zeros(eu.size, dtype=np.bool_)
    for _ in range(max_sweeps):
        if (deadline is not None and time.perf_counter() > deadline) or _spent(max_evaluations):
            break
        if work.size == 0:
            if rescans == 0:
                break
            work, rescans = np.flatnonzero(ew > avg[eu]), rescans - 1
            dirty[:] = True
        ga, gc = group_of[eu[work]], group_of[ev[work]]
        idx = work[(ga != gc) & (dirty[ga] | dirty[gc] | pending[work])]
        if idx.size == 0:
            work = idx
            continue
        if max_evaluations is not None:
            max_evaluations -= idx.size  # whole sweeps only: a cut sweep would favour low edge ids
        moves = [
            _best_moves(idx[i : i + _BLOCK], eu, ev, ew, members, contrib, group_of, slot_of, weigh, try_all)
            for i in range(0, idx.size, _BLOCK)
        ]  # blocks bound the temporaries (peak memory)
        gain, slot_b = np.concatenate([m[0] for m in moves]), np.concatenate([m[1] for m in moves])
        pending[idx] = gain > 0
        chosen = _non_overlapping(gain, group_of[eu[idx]], group_of[ev[idx]], members.shape[0])
        if chosen.size == 0:
            work = np.zeros(0, dtype=np.int64)
            continue
        e, jb = idx[chosen], slot_b[chosen]
        pending[e] = False
        g, h, c = group_of[eu[e]], group_of[ev[e]], ev[e]
        b, jc = members[g, jb], slot_of[c]
        members[g, jb], members[h, jc] = c, b
        group_of[c], group_of[b], slot_of[c], slot_of[b] = g, h, jb, jc
        if _spent(max_evaluations):
            break  # the budget is spent: no sweep will read the bookkeeping below
        dirty[:] = False
        dirty[g], dirty[h] = True, True
        touched = np.concatenate([g, h])
        contrib[touched] = group_weights(members[touched], weigh)
        avg = _average_tie(touched, members, contrib, n, avg)
        work = work[ew[work] > avg[eu[work]]]
    return members


def heavier_than_ties(members: I64, eu: I64, ev: I64, ew: I64, weigh: WeightFn) -> tuple[I64, I64, I64]:
    """Directed edges (both ways) heavier than the average tie of their first end in `members`.

    `improve` with `rescans=1` never looks at any other edge (its work list only shrinks), and in
    the same order: the list it would build from all edges, without concatenating all of them.
    """
    n = int(max(eu.max(initial=-1), ev.max(initial=-1), members.max(initial=-1))) + 1
    avg = _average_tie(np.arange(members.shape[0]), members, group_weights(members, weigh), n)
    forward, backward = np.flatnonzero(ew > avg[eu]), np.flatnonzero(ew > avg[ev])
    return (
        np.concatenate([eu[forward], ev[backward]]),
        np.concatenate([ev[forward], eu[backward]]),
        np.concatenate([ew[forward], ew[backward]]),
    )


def _spent(budget: int | None) -> bool:
    """The evaluation budget is used up."""
    return budget is not None and budget <= 0


def _average_tie(rows: I64, members: I64, contrib: I64, n: int, avg: I64 | None = None) -> I64:
    """Per person, the mean weight of their ties in their group (updated for `rows` only)."""
    out = np.full(n, np.iinfo(np.int64).max, dtype=np.int64) if avg is None else avg
    sub = members[rows]
    size = (sub >= 0).sum(axis=1, keepdims=True)
    ok = sub >= 0
    out[sub[ok]] = (contrib[rows] // np.maximum(size - 1, 1))[ok]
    return out


def _best_moves(
    idx: I64,
    eu: I64,
    ev: I64,
    ew: I64,
    members: I64,
    contrib: I64,
    group_of: I64,
    slot_of: I64,
    weigh: WeightFn,
    try_all: bool,
) -> tuple[I64, I64]:
    """Best gain per live edge and the slot of the member b of G that c replaces."""
    a, c, w_ac = eu[idx], ev[idx], ew[idx]
    g, h = group_of[a], group_of[c]
    width = members.shape[1]
    occupied = (members >= 0).sum(axis=1)
    pair = (occupied[g] == 2) & (occupied[h] == 2)
    if pair.all():
        return _pair_moves(a, c, w_ac, g, h, members, contrib, slot_of, weigh)
    if pair.any():  # pairs the cheap way (swaps never change a group's size), the rest in general
        gain, slot = np.empty(idx.size, dtype=np.int64), np.empty(idx.size, dtype=np.int64)
        gain[pair], slot[pair] = _pair_moves(
            a[pair], c[pair], w_ac[pair], g[pair], h[pair], members, contrib, slot_of, weigh
        )
        rest = ~pair
        gain[rest], slot[rest] = _best_moves(
            idx[rest], eu, ev, ew, members, contrib, group_of, slot_of, weigh, try_all
        )
        return gain, slot
    rows_g, rows_h = members[g], members[h]
    contrib_c = contrib[h, slot_of[c]]
    if try_all:
        candidates = [np.full(idx.size, j) for j in range(width)]
    else:  # the weakest member of G other than a
        first, second = _two_weakest(members, contrib)
        candidates = [np.where(slot_of[a] == first[g], second[g], first[g])]
    best_gain = np.full(idx.size, NEG, dtype=np.int64)
    best_slot = np.zeros(idx.size, dtype=np.int64)
    for jb in candidates:
        b = rows_g[np.arange(idx.size), jb]
        ok = (b >= 0) & (b != a)
        gain = np.full(idx.size, NEG, dtype=np.int64)
        if ok.any():
            s_c = w_ac[ok] + _sum_to_group(c[ok], rows_g[ok], a[ok], b[ok], weigh)
            s_b = _sum_to_group(b[ok], rows_h[ok], c[ok], c[ok], weigh)
            gain[ok] = s_c - contrib[g[ok], jb[ok]] + s_b - contrib_c[ok]
        better = gain > best_gain
        best_gain[better], best_slot[better] = gain[better], jb[better]
    return best_gain, best_slot


def _pair_moves(
    a: I64,
    c: I64,
    w_ac: I64,
    g: I64,
    h: I64,
    members: I64,
    contrib: I64,
    slot_of: I64,
    weigh: WeightFn,
) -> tuple[I64, I64]:
    """`_best_moves` when G = {a, b} and H = {c, d}: the move makes {a, c} and {b, d}.

    The same gain and slot as the general case, with one weight per move instead of two group sums
    (pair rounds evaluate ~10 moves per person).
    """
    partner, tie = _partners(members, contrib, slot_of.size)
    b, d = partner[a], partner[c]
    gain = w_ac + weigh(b, d) - tie[a] - tie[c]
    return gain, slot_of[b]


def _partners(members: I64, contrib: I64, n: int) -> tuple[I64, I64]:
    """Per person in a group of two, the other member and the weight of their tie (else -1 and 0)."""
    partner, tie = np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int64)
    rows = members[(members >= 0).sum(axis=1) == 2]
    if members.shape[1] == 2:
        x, y = rows[:, 0], rows[:, 1]
    else:
        x = rows.max(axis=1)
        y = rows.sum(axis=1) + (members.shape[1] - 2) - x  # the other member: -1 padding cancels
    partner[x], partner[y] = y, x
    occupied = members >= 0
    tie[members[occupied]] = contrib[occupied]
    return partner, tie


def _non_overlapping(gain: I64, g_of_a: I64, g_of_c: I64, groups: int) -> I64:
    """Positions of improving moves, no two touching the same group, greedily by gain.

    Each round takes the moves that are the best remaining one of both their groups; the next
    round only considers moves whose groups are still untouched, so every gain stays exact.
    """
    pos = np.flatnonzero(gain > 0)
    pos = pos[np.argsort(-gain[pos], kind="stable")]
    taken = np.zeros(groups, dtype=np.bool_)
    chosen = []
    for _ in range(_SELECTION_ROUNDS):
        if pos.size == 0:
            break
        g, h = g_of_a[pos], g_of_c[pos]
        rank = np.arange(pos.size)
        best = np.full(groups, pos.size, dtype=np.int64)
        np.minimum.at(best, g, rank)
        np.minimum.at(best, h, rank)
        win = (best[g] == rank) & (best[h] == rank)
        chosen.append(pos[win])
        taken[g[win]], taken[h[win]] = True, True
        pos = pos[~(taken[g] | taken[h])]
    return np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)
