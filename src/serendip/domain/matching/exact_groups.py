"""Exact placement of a tiny round into groups of 3+: every partition into the formula's sizes."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from math import comb, factorial

import numpy as np

from serendip.domain.matching.pairing import WeightFn
from serendip.domain.matching.weights import FORBIDDEN, I64

# Partitions to try at most; 12 people in groups of 3 is 15,400 of them. Counting them is only
# cheap for tiny rounds, so the head count is checked first.
EXACT_PARTITIONS_UP_TO = 20_000
EXACT_GROUPS_UP_TO = 12


def partition_count(sizes: list[int]) -> int:
    """How many ways there are to split sum(sizes) people into unlabelled groups of these sizes."""
    remaining, total = sum(sizes), 1
    for size in sizes:
        total *= comb(remaining, size)
        remaining -= size
    for repeats in Counter(sizes).values():
        total //= factorial(repeats)
    return total


def exact_groups(n: int, sizes: list[int], weigh: WeightFn) -> I64:
    """The partition with the largest total pair weight, as (groups, max size) rows padded with -1."""
    iu, iv = np.triu_indices(n, 1)
    matrix = np.full((n, n), FORBIDDEN, dtype=np.int64)
    matrix[iu, iv] = weigh(iu.astype(np.int64), iv.astype(np.int64))
    matrix[iv, iu] = matrix[iu, iv]
    weights = matrix.tolist()
    best_total: int | None = None
    best: list[tuple[int, ...]] = []

    def search(
        left: tuple[int, ...], sizes_left: Counter[int], total: int, chosen: list[tuple[int, ...]]
    ) -> None:
        nonlocal best_total, best
        if not left:
            if best_total is None or total > best_total:
                best_total, best = total, list(chosen)
            return
        first, rest = left[0], left[1:]
        for size in sorted(sizes_left):  # the lowest person opens a group of each distinct size once
            sizes_left[size] -= 1
            if sizes_left[size] == 0:
                del sizes_left[size]
            for others in combinations(rest, size - 1):
                group = (first, *others)
                gain = sum(weights[a][b] for a, b in combinations(group, 2))
                remaining = tuple(x for x in rest if x not in others)
                search(remaining, sizes_left, total + gain, [*chosen, group])
            sizes_left[size] += 1

    search(tuple(range(n)), Counter(sizes), 0, [])
    width = max(sizes)
    return np.array([list(g) + [-1] * (width - len(g)) for g in best], dtype=np.int64)
