"""History in array form (`PastGroups`) means the same to the matcher and the checker as rounds of
groups of ids: the same round and the same recount, for any history and cooldown."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from serendip.domain.matching import MatchSettings, Participant, PastGroups, match_round
from serendip.domain.matching.weights import build_scorer
from serendip.domain.round_check import check_round

DEPARTMENTS = ("X", "Y", "Z")


def _people(n: int) -> list[Participant]:
    return [Participant(f"P{i}", department=DEPARTMENTS[i % 3]) for i in range(n)]


@st.composite
def _histories(draw: st.DrawFn) -> tuple[int, list[list[list[str]]], int]:
    """People count, a history over them and some outsiders ("" and ids of people not in the round)."""
    n = draw(st.integers(0, 14))
    ids = [f"P{i}" for i in range(n + 3)] + [""]  # P{n}.. and "" are not in the round
    length = draw(st.integers(0, 5))
    history = []
    for _ in range(length):
        chosen = draw(st.permutations(ids))[: draw(st.integers(0, len(ids)))]
        cuts = sorted(draw(st.lists(st.integers(0, len(chosen)), max_size=4)))
        groups = [chosen[a:b] for a, b in zip([0, *cuts], [*cuts, len(chosen)], strict=True)]
        history.append([g for g in groups if len(g) >= 2])
    return n, history, draw(st.integers(0, 6))


def test_the_array_form_gives_back_the_same_groups() -> None:
    history = [[["a", "b"], ["c", "d", "e"]], [], [["e", "a"]]]
    past = PastGroups.of(history)
    assert len(past) == 3
    assert past.groups() == history
    assert PastGroups.of([]).groups() == []


@settings(max_examples=60, deadline=None)
@given(_histories())
def test_the_matcher_sees_the_same_past_pairs_in_either_form(
    case: tuple[int, list[list[list[str]]], int],
) -> None:
    n, history, cooldown = case
    people = _people(n)
    u, v = (
        (np.array(x, dtype=np.int64) for x in zip(*combinations(range(n), 2), strict=True))
        if n >= 2
        else (
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
        )
    )
    match = MatchSettings(cooldown=cooldown)
    plain = build_scorer(people, history, match).repeat(u, v)
    arrays = build_scorer(people, PastGroups.of(history), match).repeat(u, v)
    assert plain.tolist() == arrays.tolist()


@settings(max_examples=40, deadline=None)
@given(_histories(), st.integers(0, 2**31 - 1))
def test_a_round_and_its_recount_are_the_same_in_either_form(
    case: tuple[int, list[list[list[str]]], int], seed: int
) -> None:
    n, history, cooldown = case
    people = _people(n)
    match = MatchSettings(group_size=2 + seed % 3, cooldown=cooldown, seed=seed)
    plain, arrays = match_round(people, history, match), match_round(people, PastGroups.of(history), match)
    assert plain.groups == arrays.groups and plain.quality == arrays.quality
    assert check_round(people, history, match, plain.groups) == check_round(
        people, PastGroups.of(history), match, plain.groups
    )
