"""Past seats read as arrays give back each round's groups exactly, in order (by `span` and
`group_sizes_in`, as the planner's history reads them)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from serendip.services.lifecycle.seats import Seats


def _groups(seats: Seats, position: int) -> list[list[int]]:
    lo, hi = seats.span(position)
    bounds = np.concatenate(([lo], lo + np.cumsum(seats.group_sizes_in(lo, hi)))).tolist()
    return [seats.member[a:b].tolist() for a, b in itertools.pairwise(bounds)]


@pytest.mark.parametrize("seed", range(20))
def test_groups_come_back_in_their_order_with_their_members(seed: int) -> None:
    rng = random.Random(seed)
    people = list(range(1, rng.randint(2, 400)))
    rounds = []
    for round_id in range(rng.randint(1, 4)):
        order = rng.sample(people, len(people))
        groups, k = [], 0
        while k < len(order):
            # Mostly one size, a few others; some seeds mix sizes evenly.
            size = rng.choice([2, 3, 4]) if seed % 4 == 0 else (3 if rng.random() < 0.02 else 2)
            groups.append(sorted(order[k : k + size]))
            k += size
        rounds.append((round_id, True, groups, [True] * len(groups)))
    seats = Seats.from_rounds(rounds)
    for position, (_, _, groups, _) in enumerate(rounds):
        assert _groups(seats, position) == groups


def test_a_round_with_no_seats_has_no_groups() -> None:
    assert _groups(Seats.from_rounds([(1, True, [], [])]), 0) == []
