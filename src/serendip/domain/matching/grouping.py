"""Groups of 3-8 from pairs: match pairs into quads with the pair machinery, then fill sizes."""

from __future__ import annotations

import numpy as np

from serendip.domain.matching.pairing import EXACT_UP_TO, WeightFn, exact_matching, greedy_matching
from serendip.domain.matching.weights import FORBIDDEN, I64

_CLUSTER_DEGREE = 8  # average candidate edges kept per cluster


def cluster_edges(clusters: I64, eu: I64, ev: I64, weigh: WeightFn) -> tuple[I64, I64, I64]:
    """Edges between clusters (rows of people) implied by person edges, weighted by all cross pairs."""
    k = clusters.shape[0]
    cluster_of = np.full(int(clusters.max(initial=-1)) + 1, -1, dtype=np.int64)
    cluster_of[clusters.ravel()] = np.repeat(np.arange(k), clusters.shape[1])
    if k <= EXACT_UP_TO:
        iu, iv = np.triu_indices(k, 1)
        cu, cv = iu.astype(np.int64), iv.astype(np.int64)
    else:
        inside = (eu < cluster_of.size) & (ev < cluster_of.size)
        cu, cv = cluster_of[eu[inside]], cluster_of[ev[inside]]
        keep = (cu >= 0) & (cv >= 0) & (cu != cv)
        keys = np.sort(np.minimum(cu[keep], cv[keep]) * k + np.maximum(cu[keep], cv[keep]))
        keys = keys[np.r_[True, keys[1:] != keys[:-1]]]  # np.unique is slower (hash-based in numpy 2.3+)
        if keys.size > _CLUSTER_DEGREE * k:  # an even spread of edges is plenty to merge pairs
            keys = keys[:: -(-keys.size // (_CLUSTER_DEGREE * k))]
        cu, cv = keys // k, keys % k
    w = np.zeros(cu.size, dtype=np.int64)
    for i in range(clusters.shape[1]):
        for j in range(clusters.shape[1]):
            w += weigh(clusters[cu, i], clusters[cv, j])
    w[w < FORBIDDEN // 2] = FORBIDDEN
    return cu, cv, w


def merge_pairs(pairs: I64, wanted: int, eu: I64, ev: I64, weigh: WeightFn) -> tuple[I64, I64]:
    """Up to `wanted` quads (best merges of two pairs) and the pairs left over."""
    if wanted == 0 or len(pairs) < 2:
        return np.zeros((0, 4), dtype=np.int64), pairs
    cu, cv, cw = cluster_edges(pairs, eu, ev, weigh)
    k = len(pairs)
    mate = exact_matching(k, cu, cv, cw) if k <= EXACT_UP_TO else greedy_matching(k, cu, cv, cw)
    first = np.flatnonzero(mate > np.arange(k))
    merged_w = np.zeros(first.size, dtype=np.int64)
    for i in range(2):
        for j in range(2):
            merged_w += weigh(pairs[first, i], pairs[mate[first], j])
    first = first[np.argsort(-merged_w, kind="stable")][:wanted]
    quads = np.concatenate([pairs[first], pairs[mate[first]]], axis=1)
    used = np.zeros(k, dtype=np.bool_)
    used[first], used[mate[first]] = True, True
    return quads, pairs[~used]


def assemble(sizes: list[int], quads: I64, pairs: I64, singles: I64) -> I64:
    """Fill each target size with a quad, pairs and singles (largest units first), as (g, width)."""
    units: dict[int, list[list[int]]] = {4: quads.tolist(), 2: pairs.tolist(), 1: [[int(s)] for s in singles]}
    for key in units:
        units[key].reverse()  # pop() takes the best (first) unit
    width = max(sizes)
    members = np.full((len(sizes), width), -1, dtype=np.int64)
    for row, size in enumerate(sizes):
        filled: list[int] = []
        while len(filled) < size:
            need = size - len(filled)
            fit = [k for k in (4, 2, 1) if k <= need and units[k]]
            if fit:
                filled += units[fit[0]].pop()
                continue
            bigger = min(k for k in (2, 4) if units[k])  # split the smallest bigger unit
            unit = units[bigger].pop()
            half = bigger // 2
            units[half] += [unit[half:], unit[:half]]
        members[row, :size] = filled
    return members
