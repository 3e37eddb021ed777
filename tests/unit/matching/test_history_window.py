"""The cooldown window covers every round of history while a program is younger than its cooldown."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from serendip.domain.matching import MatchSettings, Participant, match_round
from serendip.domain.matching.weights import build_scorer
from serendip.domain.round_check import check_round, recent_pairs

PEOPLE = [
    Participant("a", department="X"),
    Participant("b", department="Y"),
    Participant("c", department="Y"),
    Participant("d", department="X"),
]


def test_a_pair_from_the_first_round_is_a_repeat_while_history_is_shorter_than_the_cooldown() -> None:
    # Two past rounds, cooldown 3: both are within the cooldown, so only a-d / b-c is new. The old
    # window (history[len - cooldown:], a negative start) kept only the newest round and chose the
    # cross-team a-b / c-d, which repeats both pairs of round 1.
    history = [[["a", "b"], ["c", "d"]], [["a", "c"], ["b", "d"]]]
    result = match_round(PEOPLE, history, MatchSettings(cooldown=3))
    assert sorted(map(sorted, result.groups)) == [["a", "d"], ["b", "c"]]
    assert result.quality.repeats == 0
    assert check_round(PEOPLE, history, MatchSettings(cooldown=3), result.groups).repeats == 0


@pytest.mark.parametrize("cooldown", range(0, 7))
def test_the_matcher_sees_exactly_the_pairs_of_the_last_cooldown_rounds(cooldown: int) -> None:
    people = [Participant(f"P{i}") for i in range(10)]
    ids = [p.id for p in people]
    rng = np.random.default_rng(cooldown)
    for length in range(0, 2 * cooldown + 2):
        history = [[list(g) for g in np.array_split(rng.permutation(ids), 4)] for _ in range(length)]
        scorer = build_scorer(people, history, MatchSettings(cooldown=cooldown))
        u, v = (np.array(x, dtype=np.int64) for x in zip(*combinations(range(10), 2), strict=True))
        seen = {frozenset((ids[a], ids[b])) for a, b, r in zip(u, v, scorer.repeat(u, v), strict=True) if r}
        assert seen == recent_pairs(history, cooldown), f"history of {length} rounds"
