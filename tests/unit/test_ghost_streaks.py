"""The ghost rule's vectorised streaks agree with a plain walk through the history, as the rule reads."""

from __future__ import annotations

import random

import numpy as np
import pytest

from serendip.services.lifecycle.ghosts import GHOST_STREAK, silent_members, streaks
from serendip.services.lifecycle.seats import Seats

Round = tuple[int, bool, list[list[int]], list[bool]]


def _plain_silent(rounds: list[Round], answers: set[tuple[int, int]], met: set[int]) -> list[int]:
    """Newest followed-up round first, latest intro first: each member's last three posted intros;
    silent when none of the three was answered by them or met (intro ids as `Seats.from_rounds` numbers them)."""
    numbered, next_intro = [], 1
    for round_id, followed, groups, posted in rounds:
        intros = []
        for group, was_posted in zip(groups, posted, strict=True):
            intros.append((next_intro, group, was_posted))
            next_intro += 1
        numbered.append((round_id, followed, intros))
    recent: dict[int, list[int]] = {}
    for _, followed, intros in reversed(numbered):
        if not followed:
            continue
        for intro_id, group, was_posted in reversed(intros):
            if not was_posted:
                continue
            for member in group:
                mine = recent.setdefault(member, [])
                if len(mine) < GHOST_STREAK:
                    mine.append(intro_id)
    return sorted(
        m
        for m, ids in recent.items()
        if len(ids) == GHOST_STREAK and not any((i, m) in answers or i in met for i in ids)
    )


@pytest.mark.parametrize("seed", range(30))
def test_silent_members_match_a_plain_walk_through_the_history(seed: int) -> None:
    rng = random.Random(seed)
    people = list(range(1, rng.randint(2, 30)))
    rounds: list[Round] = []
    for round_id in range(rng.randint(0, 7)):
        order = rng.sample(people, len(people))
        size = rng.choice([2, 3])
        groups = [order[k : k + size] for k in range(0, len(order) - 1, size)]
        rounds.append((round_id + 10, rng.random() < 0.8, groups, [rng.random() < 0.9 for _ in groups]))
    seats = Seats.from_rounds(rounds)
    intros = seats.intro.tolist()
    answers = {(i, m) for i, m in zip(intros, seats.member.tolist(), strict=True) if rng.random() < 0.15}
    met = {i for i in set(intros) if rng.random() < 0.1}
    packed = [(i * seats.base + m) * 2 for i, m in answers]
    packed += [(i * seats.base + people[0]) * 2 + 1 for i in met]  # someone said it was met
    answers |= {(i, people[0]) for i in met}
    got = silent_members(streaks(seats), np.array(packed, dtype=np.int64), seats.base)
    assert got == _plain_silent(rounds, answers, met)


def test_no_history_has_no_ghosts() -> None:
    found = streaks(Seats.from_rounds([]))
    assert (found.rounds, found.member.tolist()) == (set(), [])
