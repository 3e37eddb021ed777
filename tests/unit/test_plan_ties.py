"""Cross-team ties read for planning (vectorised over member ids) agree with a plain recount."""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations

import pytest

from serendip.domain.people import is_cross_team
from serendip.services.lifecycle.seats import Seats, ties

SPELLINGS = ["Sales", " sales", "SALES ", "Support", "support", "Legal", None, ""]


def _naive(
    rounds: list[list[list[int]]], departments: dict[int, str | None]
) -> tuple[Counter[int], Counter[tuple[str, str]]]:
    """Each distinct pair once, counted when both are known and cross-team (as `is_cross_team` says)."""
    person: Counter[int] = Counter()
    teams: Counter[tuple[str, str]] = Counter()
    seen: set[frozenset[int]] = set()
    for groups in rounds:
        for group in groups:
            for a, b in combinations(group, 2):
                da, db = departments.get(a), departments.get(b)
                if frozenset((a, b)) in seen or a not in departments or b not in departments:
                    continue
                if not is_cross_team(da, db):
                    continue
                seen.add(frozenset((a, b)))
                person[a] += 1
                person[b] += 1
                ka, kb = (da or "").strip().casefold(), (db or "").strip().casefold()
                teams[(min(ka, kb), max(ka, kb))] += 1
    return person, teams


@pytest.mark.parametrize("seed", range(8))
def test_ties_match_a_plain_recount_of_the_history(seed: int) -> None:
    rng = random.Random(seed)
    people = list(range(1, rng.randint(2, 40)))
    departments = {m: rng.choice(SPELLINGS) for m in people if rng.random() < 0.9}  # some left the program
    rounds = []
    for _ in range(rng.randint(0, 6)):
        order = rng.sample(people, len(people))
        size = rng.choice([2, 3])
        rounds.append([sorted(order[k : k + size]) for k in range(0, len(order) - 1, size) if order[k + 1 :]])
    seats = Seats.from_rounds([(i, True, groups, [True] * len(groups)) for i, groups in enumerate(rounds)])
    person, pairs = ties(seats, departments)
    assert (person, pairs.as_dict()) == _naive(rounds, departments)
