"""Repair of group rounds: size-keeping moves that remove repeats the two-person swaps cannot."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serendip.domain.matching import MatchSettings, Participant, RepeatMode, group_sizes
from serendip.domain.matching.improve import group_weights
from serendip.domain.matching.repair import flagged_rows, repair
from serendip.domain.matching.weights import I64, PairScorer, build_scorer
from tests.unit.matching.conftest import Org, orgs


def _people(n: int) -> list[Participant]:
    return [Participant(id=f"U{i}") for i in range(n)]


def _met(*pairs: tuple[int, int]) -> list[list[list[str]]]:
    """One past round per pair, so that only these pairs are repeats."""
    return [[[f"U{a}", f"U{b}"]] for a, b in pairs]


def _members(groups: list[list[int]]) -> I64:
    out = np.full((len(groups), max(map(len, groups))), -1, dtype=np.int64)
    for row, group in enumerate(groups):
        out[row, : len(group)] = group
    return out


def _total(members: I64, scorer: PairScorer) -> int:
    return int(group_weights(members, scorer.weights).sum()) // 2


def _repaired(groups: list[list[int]], history: list[list[list[str]]], mode: RepeatMode) -> I64:
    people = _people(sum(map(len, groups)))
    scorer = build_scorer(people, history, MatchSettings(group_size=3, mode=mode, cooldown=len(history)))
    return repair(_members(groups), scorer, np.random.default_rng(0))


def _as_sets(members: I64) -> set[frozenset[int]]:
    return {frozenset(int(x) for x in row if x >= 0) for row in members}


def test_a_repeat_in_a_group_of_four_is_removed_by_moving_one_member_to_the_group_of_three() -> None:
    # 1 met 0 and everyone of the small group, so every swap adds a repeat: only relocating 0 helps.
    history = _met((0, 1), (1, 4), (1, 5), (1, 6))
    fixed = _repaired([[0, 1, 2, 3], [4, 5, 6]], history, RepeatMode.PREFER)
    assert _as_sets(fixed) == {frozenset({1, 2, 3}), frozenset({0, 4, 5, 6})}


def test_a_repeat_among_equal_groups_is_removed_by_a_three_way_rotation() -> None:
    # 1 met everyone of the second group and 0 everyone of the third: every swap adds a repeat.
    history = _met((0, 1), (1, 3), (1, 4), (1, 5), (0, 6), (0, 7), (0, 8))
    start = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    scorer = build_scorer(_people(9), history, MatchSettings(group_size=3, cooldown=len(history)))
    fixed = repair(_members(start), scorer, np.random.default_rng(0))
    assert not flagged_rows(fixed, scorer).any()
    # One rotation moves exactly one person out of each group (two neutral swaps would not).
    kept = sorted(max(len(group & set(old)) for old in start) for group in _as_sets(fixed))
    assert kept == [2, 2, 2]


def test_a_blocked_pair_left_in_a_group_is_moved_apart() -> None:
    people = [*_people(7)]
    people[0] = Participant(id="U0", blocked=frozenset({"U1"}))
    scorer = build_scorer(people, [], MatchSettings(group_size=3))
    fixed = repair(_members([[0, 1, 2, 3], [4, 5, 6]]), scorer, np.random.default_rng(0))
    assert not flagged_rows(fixed, scorer).any()


def test_mode_strict_keeps_a_cross_team_pair_rather_than_trade_it_for_a_repeat() -> None:
    # 0 met three of the four sales people: without a repeat 0 must sit with 3, its own team.
    teams = ["eng", "sales", "sales", "eng", "sales", "sales"]
    people = [Participant(id=f"U{i}", department=team) for i, team in enumerate(teams)]
    history = _met((0, 1), (0, 2), (0, 4))
    start = _members([[0, 1, 5], [3, 2, 4]])
    strict = build_scorer(people, history, MatchSettings(group_size=3, mode=RepeatMode.STRICT, cooldown=3))
    kept = repair(start, strict, np.random.default_rng(0))
    assert all(3 not in group for group in _as_sets(kept) if 0 in group)
    prefer = build_scorer(people, history, MatchSettings(group_size=3, mode=RepeatMode.PREFER, cooldown=3))
    assert _as_sets(repair(start, prefer, np.random.default_rng(0))) == {
        frozenset({0, 3, 5}),
        frozenset({1, 2, 4}),
    }


def test_a_round_without_flagged_pairs_is_returned_untouched() -> None:
    scorer = build_scorer(_people(6), [], MatchSettings(group_size=3))
    start = _members([[0, 1, 2], [3, 4, 5]])
    assert repair(start, scorer, np.random.default_rng(0)) is start


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    orgs(min_size=6, max_size=40, history_rounds=6),
    st.integers(3, 6),
    st.sampled_from(list(RepeatMode)),
    st.integers(0, 2**32),
)
def test_repair_keeps_the_group_sizes_and_never_lowers_the_tiered_weight(
    org: Org, size: int, mode: RepeatMode, seed: int
) -> None:
    # From a random arrangement, so that many moves of every kind are taken.
    n = len(org.people)
    scorer = build_scorer(org.people, org.history, MatchSettings(group_size=size, mode=mode, cooldown=6))
    order = np.random.default_rng(seed).permutation(n).tolist()
    sizes = group_sizes(n, size)
    start = _members([order[sum(sizes[:i]) : sum(sizes[: i + 1])] for i in range(len(sizes))])
    fixed = repair(start, scorer, np.random.default_rng(seed))
    assert sorted((fixed >= 0).sum(axis=1).tolist()) == sorted(sizes)
    assert sorted(fixed[fixed >= 0].tolist()) == list(range(n))
    assert _total(fixed, scorer) >= _total(start, scorer)


def test_a_large_round_samples_candidate_groups_and_still_removes_repeats() -> None:
    # 400 people in 100 groups: beyond the pair tables and the try-every-group limit.
    n, rng = 400, np.random.default_rng(7)
    ids = [f"U{i}" for i in range(n)]
    history = [
        [ids_[k : k + 6] for k in range(0, n - 5, 6)]
        for ids_ in (list(rng.permutation(ids)) for _ in range(4))
    ]
    scorer = build_scorer(_people(n), history, MatchSettings(group_size=4, cooldown=4))
    start = _members(rng.permutation(n).reshape(-1, 4).tolist())
    fixed = repair(start, scorer, np.random.default_rng(0))
    assert sorted(fixed[fixed >= 0].tolist()) == list(range(n))
    assert (fixed >= 0).sum(axis=1).tolist() == [4] * 100
    assert _total(fixed, scorer) > _total(start, scorer)
    assert flagged_rows(fixed, scorer).sum() < flagged_rows(start, scorer).sum() // 4
