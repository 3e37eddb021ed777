"""The group-size formula and seed derivation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serendip.domain.matching import derive_round_seed, group_sizes


@pytest.mark.parametrize(
    ("n", "size", "expected"),
    [
        (0, 2, []),
        (1, 2, []),
        (2, 2, [2]),
        (3, 2, [3]),
        (5, 2, [3, 2]),
        (7, 2, [3, 2, 2]),
        (3, 4, [3]),
        (9, 4, [5, 4]),
        (10, 3, [4, 3, 3]),
        (7, 6, [7]),
        (13, 6, [7, 6]),
        (17, 6, [6, 6, 5]),
    ],
)
def test_sizes_follow_the_product_formula(n: int, size: int, expected: list[int]) -> None:
    assert group_sizes(n, size) == expected


@given(st.integers(2, 3000), st.integers(2, 6))
def test_sizes_are_as_equal_as_possible_within_two_and_eight(n: int, size: int) -> None:
    sizes = group_sizes(n, size)
    assert sum(sizes) == n
    assert all(2 <= s <= 8 for s in sizes)
    assert max(sizes) - min(sizes) <= 1
    assert len(sizes) == (1 if n < size else max(math.ceil(n / 8), n // size))


def test_an_odd_count_of_pairs_gives_exactly_one_trio() -> None:
    assert sorted(group_sizes(101, 2)) == [2] * 49 + [3]


def test_round_seeds_are_stable_and_differ_between_rounds() -> None:
    assert derive_round_seed(7, 1) == derive_round_seed(7, 1)
    assert len({derive_round_seed(7, r) for r in range(1, 50)}) == 49
    assert derive_round_seed(7, 1) != derive_round_seed(8, 1)
    assert 0 <= derive_round_seed(-3, 2) < 2**63
