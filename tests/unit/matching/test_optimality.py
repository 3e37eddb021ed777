"""Rules 1-2 against exhaustive and exact oracles: no avoidable repeat, most cross-team pairs."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from serendip.domain.matching import MatchSettings, Participant, RepeatMode, group_sizes, match_round
from tests.unit.matching import brute
from tests.unit.matching.conftest import Org, orgs


def best(org: Org, size: int, mode: RepeatMode, cooldown: int = 8) -> tuple[int, int]:
    """Lexicographic optimum over all valid arrangements: (fewest repeats, most cross) or strict's order."""
    scores = []
    for groups in brute.valid_arrangements(org.people, group_sizes(len(org.people), size)):
        repeats, cross = brute.counts(groups, org.people, org.history, cooldown)
        scores.append((-cross, repeats) if mode is RepeatMode.STRICT else (repeats, -cross))
    first, second = min(scores)
    return (second, -first) if mode is RepeatMode.STRICT else (first, -second)


@settings(max_examples=80, deadline=None)
@given(orgs(min_size=2, max_size=10, constraints=False, history_rounds=0))
def test_pairs_reach_the_most_cross_team_pairs_found_by_brute_force(org: Org) -> None:
    result = match_round(org.people, [], MatchSettings())
    _, cross = brute.counts(result.groups, org.people, [], 8)
    assert cross == best(org, 2, RepeatMode.PREFER)[1]


@settings(max_examples=100, deadline=None)
@given(orgs(min_size=2, max_size=10), st.sampled_from([RepeatMode.PREFER, RepeatMode.STRICT]))
def test_pairs_with_history_and_blocks_are_lexicographically_optimal(org: Org, mode: RepeatMode) -> None:
    result = match_round(org.people, org.history, MatchSettings(mode=mode))
    if result.sat_out:
        return  # optimality is over full placements; sit-outs are checked in test_hard_rules
    repeats, cross = brute.counts(result.groups, org.people, org.history, 8)
    assert (repeats, cross) == best(org, 2, mode)
    assert result.quality.repeats == repeats and result.quality.avoidable_repeats == 0


@settings(max_examples=40, deadline=None)
@given(orgs(min_size=4, max_size=9, history_rounds=2), st.sampled_from([3, 4]))
def test_small_groups_have_no_avoidable_repeat_and_the_most_cross_team_pairs(org: Org, size: int) -> None:
    result = match_round(org.people, org.history, MatchSettings(group_size=size))
    if result.sat_out:
        return
    assert brute.counts(result.groups, org.people, org.history, 8) == best(org, size, RepeatMode.PREFER)


def dirac_round(n: int, seed: int, group: int) -> tuple[list[Participant], list[list[list[str]]]]:
    """History and blocks with every person's recent partners + blocked < n/2 - 1."""
    rng = random.Random(seed)
    ids = [f"P{i:04d}" for i in range(n)]
    limit = n // 2 - 2
    per_round = group - 1
    history = []
    for _ in range(max(0, (limit - 1) // per_round)):
        order = ids[:]
        rng.shuffle(order)
        history.append([order[k : k + group] for k in range(0, n, group) if len(order[k : k + group]) > 1])
    people = [Participant(p, department=f"D{rng.randrange(6)}") for p in ids]
    people[0] = Participant(ids[0], blocked=frozenset({ids[1]}))
    return people, history


@settings(max_examples=10, deadline=None)
@given(st.integers(10, 60).map(lambda k: 2 * k), st.integers(0, 1000))
def test_no_repeat_when_dirac_guarantees_a_repeat_free_matching(n: int, seed: int) -> None:
    people, history = dirac_round(n, seed, group=2)
    result = match_round(people, history, MatchSettings(cooldown=len(history)))
    assert result.quality.repeats == 0 and result.sat_out == []


@settings(max_examples=3, deadline=None)
@given(st.integers(0, 1000))
def test_no_repeat_in_the_dirac_regime_on_the_large_round_path(seed: int) -> None:
    people, history = dirac_round(400, seed, group=6)  # ~35 % of all pairs are recent
    result = match_round(people, history, MatchSettings(cooldown=len(history)))
    assert result.quality.repeats == 0 and result.sat_out == []


def test_large_rounds_reach_the_cross_team_bound_with_a_majority_department() -> None:
    rng = random.Random(3)
    people = [
        Participant(f"P{i:04d}", department="big" if i < 700 else f"d{rng.randrange(9)}") for i in range(1000)
    ]
    result = match_round(people, [], MatchSettings(seed=5))
    assert result.quality.cross_team_pairs == 300  # n - m
    assert result.quality.cross_team_rate == result.quality.cross_team_bound


def test_mode_off_ignores_departments_but_still_avoids_repeats() -> None:
    people = [Participant(x, department=d) for x, d in [("a1", "A"), ("a2", "A"), ("b1", "B"), ("b2", "B")]]
    history = [[["a1", "b1"], ["a2", "b2"]], [["a1", "b2"], ["a2", "b1"]]]
    prefer = match_round(people, history, MatchSettings(mode=RepeatMode.PREFER))
    strict = match_round(people, history, MatchSettings(mode=RepeatMode.STRICT))
    off = match_round(people, history, MatchSettings(mode=RepeatMode.OFF))
    assert sorted(map(sorted, prefer.groups)) == [["a1", "a2"], ["b1", "b2"]]
    assert prefer.quality.repeats == 0 and off.quality.repeats == 0
    assert strict.quality.cross_team_pairs == 2 and strict.quality.repeats == 2
