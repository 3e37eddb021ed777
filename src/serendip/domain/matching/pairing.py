"""Maximum-weight matching: exact Blossom for small graphs, locally-dominant greedy for large ones."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import rustworkx as rx

from serendip.domain.matching.weights import FORBIDDEN, I64, SCORE_MAX, TIER_HIGH, TIER_LOW

WeightFn = Callable[[I64, I64], I64]
EXACT_UP_TO = 200  # nodes; Blossom is O(n^3)
_REPAIR_STOLEN_PAIRS = 40
_VECTOR_ROUNDS = 40
_FIRST_BLOCK = 1 << 12  # edges in the first greedy block (at least n): later blocks double
_SCORE_SPAN = 1024
assert SCORE_MAX < _SCORE_SPAN


def exact_matching(n: int, u: I64, v: I64, w: I64) -> I64:
    """Maximum-cardinality maximum-weight matching (rustworkx Blossom); mate[i] or -1."""
    ok = w > FORBIDDEN
    graph = rx.PyGraph(node_count_hint=n, edge_count_hint=int(ok.sum()))
    graph.add_nodes_from(range(n))
    # Blossom wants non-negative integers; a constant shift is harmless at maximum cardinality.
    shift = int(w[ok].min()) if ok.any() else 0
    graph.add_edges_from(list(zip(u[ok].tolist(), v[ok].tolist(), (w[ok] - shift).tolist(), strict=True)))
    mate = np.full(n, -1, dtype=np.int64)
    for a, b in rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int):
        mate[a], mate[b] = b, a
    return mate


def greedy_matching(n: int, u: I64, v: I64, w: I64, mate: I64 | None = None) -> I64:
    """Greedy by weight (ties by edge order), computed as rounds of locally dominant edges.

    Each round matches every free edge that is the heaviest at both of its ends, which is exactly
    what sequential greedy would pick; a Python loop finishes long tails of rounds. Edges go in
    blocks from the heaviest: every later edge is lighter, so a block is finished before the next
    one is looked at, and most edges are dropped (an end already matched) without a round.
    """
    ok = (w > FORBIDDEN) & (u != v)
    if mate is None:
        mate = np.full(n, -1, dtype=np.int64)
    else:
        mate = mate.copy()
        ok &= (mate[u] < 0) & (mate[v] < 0)
    if ok.all():  # callers mostly pass allowed edges only: skip a copy
        order = np.argsort(-_rank_key(w), kind="stable")
    else:
        order = np.flatnonzero(ok)[np.argsort(-_rank_key(w[ok]), kind="stable")]
    u, v = u[order], v[order]
    start, block = 0, max(_FIRST_BLOCK, n)
    while start < u.size:
        bu, bv = u[start : start + block], v[start : start + block]
        alive = (mate[bu] < 0) & (mate[bv] < 0)
        _greedy_block(bu[alive], bv[alive], mate)
        start, block = start + block, 2 * block
    return mate


def _greedy_block(u: I64, v: I64, mate: I64) -> None:
    """Sequential greedy over edges (u, v) in order, on `mate` in place."""
    for _ in range(_VECTOR_ROUNDS):
        if u.size == 0:
            return
        pos = np.arange(u.size)
        best = np.full(mate.size, u.size, dtype=np.int64)
        np.minimum.at(best, u, pos)
        np.minimum.at(best, v, pos)
        chosen = (best[u] == pos) & (best[v] == pos)
        mate[u[chosen]], mate[v[chosen]] = v[chosen], u[chosen]
        alive = (mate[u] < 0) & (mate[v] < 0)
        u, v = u[alive], v[alive]
    for a, b in zip(u.tolist(), v.tolist(), strict=True):
        if mate[a] < 0 and mate[b] < 0:
            mate[a], mate[b] = b, a


def _rank_key(w: I64) -> I64:
    """Order-preserving small integer key of allowed weights (two tier bits, then the score), so
    the stable sort is a fast radix sort."""
    high, low = TIER_HIGH.bit_length() - 1, TIER_LOW.bit_length() - 1  # allowed weights are >= 0: shifts
    key = (
        (w >> high) * (2 * _SCORE_SPAN)
        + ((w >> low) & (TIER_HIGH // TIER_LOW - 1)) * _SCORE_SPAN
        + (w & (TIER_LOW - 1))
    )
    return np.asarray(key, dtype=np.int16)


def repair_unmatched(mate: I64, weigh: WeightFn, rng: np.random.Generator) -> I64:
    """Match people the candidate graph left single, re-solving a small neighbourhood exactly.

    Unmatched people plus a few random matched pairs are re-matched by Blossom over all their
    pairs, so a few blocked/manager conflicts cannot strand anyone who could be placed.
    """
    mate = mate.copy()
    for _ in range(4):
        free = np.flatnonzero(mate < 0)
        if free.size <= 1:
            break
        if free.size > EXACT_UP_TO:
            k = min(free.size - 1, 16)
            fu = np.repeat(free, k)
            fv = free[(np.repeat(np.arange(free.size), k) + rng.integers(1, free.size, fu.size)) % free.size]
            mate = greedy_matching(mate.size, fu, fv, weigh(fu, fv), mate)
            continue
        matched = np.flatnonzero(mate >= 0)
        stolen = rng.choice(matched, size=min(matched.size, 2 * _REPAIR_STOLEN_PAIRS), replace=False)
        nodes = np.unique(np.concatenate([free, stolen, mate[stolen]]))
        iu, iv = np.triu_indices(nodes.size, 1)
        sub = exact_matching(nodes.size, iu, iv, weigh(nodes[iu], nodes[iv]))
        if (sub < 0).sum() >= free.size:
            break  # nothing gained: the rest cannot be placed by pairs
        mate[nodes] = np.where(sub >= 0, nodes[np.maximum(sub, 0)], -1)
    return mate


ODD_EXACT_UP_TO = 13  # odd pair rounds this small try every trio exactly


def exact_pairs_with_trio(n: int, weigh: WeightFn) -> I64 | None:
    """Best full placement of an odd, tiny round into pairs plus one trio: every allowed trio,
    then Blossom on the rest. Rows of (g, 3), -1 padded; None when no full placement exists."""
    iu, iv = np.triu_indices(n, 1)
    weights = np.full((n, n), FORBIDDEN, dtype=np.int64)
    weights[iu, iv] = weigh(iu.astype(np.int64), iv.astype(np.int64))
    weights[iv, iu] = weights[iu, iv]
    best: tuple[int, list[list[int]]] | None = None
    for a in range(n):
        for b in range(a + 1, n):
            for c in range(b + 1, n):
                trio = weights[a, b] + weights[a, c] + weights[b, c]
                if min(weights[a, b], weights[a, c], weights[b, c]) <= FORBIDDEN:
                    continue
                rest = np.array([x for x in range(n) if x not in (a, b, c)], dtype=np.int64)
                ru, rv = np.triu_indices(rest.size, 1)
                sub = exact_matching(
                    rest.size, ru.astype(np.int64), rv.astype(np.int64), weights[rest[ru], rest[rv]]
                )
                if (sub < 0).any():
                    continue
                firsts = np.flatnonzero(sub > np.arange(rest.size))
                total = int(trio + weights[rest[firsts], rest[sub[firsts]]].sum())
                if best is None or total > best[0]:
                    best = (total, [[a, b, c]] + [[int(rest[i]), int(rest[sub[i]]), -1] for i in firsts])
    return None if best is None else np.array(best[1], dtype=np.int64)
