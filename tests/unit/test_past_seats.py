"""Past seats read as arrays give back each round's groups exactly, in order, named or not."""

from __future__ import annotations

import random

import numpy as np
import pytest

from serendip.services.lifecycle.seats import Seats


@pytest.mark.parametrize("seed", range(20))
def test_groups_come_back_in_their_order_with_their_members(seed: int) -> None:
    rng = random.Random(seed)
    people = list(range(1, rng.randint(2, 400)))
    rounds = []
    for round_id in range(rng.randint(1, 4)):
        order = rng.sample(people, len(people))
        groups, k = [], 0
        while k < len(order):
            # Mostly one size, a few others; some seeds mix sizes evenly (the plain-slices path).
            size = rng.choice([2, 3, 4]) if seed % 4 == 0 else (3 if rng.random() < 0.02 else 2)
            groups.append(sorted(order[k : k + size]))
            k += size
        rounds.append((round_id, True, groups, [True] * len(groups)))
    seats = Seats.from_rounds(rounds)
    names = np.array([f"U{m}" for m in range(max(people) + 1)], dtype=object)
    for position, (_, _, groups, _) in enumerate(rounds):
        assert seats.groups(position) == groups
        assert seats.groups(position, names) == [[f"U{m}" for m in g] for g in groups]


def test_a_round_with_no_seats_has_no_groups() -> None:
    assert Seats.from_rounds([(1, True, [], [])]).groups(0) == []
