"""Hard rules on random organisations: everyone placed once, sizes, no blocked pairs, determinism."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serendip.domain.matching import MatchResult, MatchSettings, RepeatMode, group_sizes, match_round
from tests.unit.matching import brute
from tests.unit.matching.conftest import Org, orgs

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
modes = st.sampled_from(list(RepeatMode))


def check_hard_rules(org: Org, result: MatchResult, size: int) -> None:
    ids = [p.id for p in org.people]
    placed = [x for g in result.groups for x in g]
    out = [s.id for s in result.sat_out] + ([result.lone] if result.lone else [])
    assert sorted(placed + out) == sorted(ids), "everyone exactly once: in a group, sitting out, or alone"
    assert sorted(len(g) for g in result.groups) == sorted(group_sizes(len(placed), size))
    bad = brute.forbidden(org.people)
    assert not any(pair in bad for pair in brute.pairs_of(result.groups))
    assert all(s.reason for s in result.sat_out)


@SETTINGS
@given(orgs(max_size=40), st.integers(2, 6), modes, st.integers(0, 2**32))
def test_every_member_is_placed_once_in_groups_of_the_formula_sizes(
    org: Org, size: int, mode: RepeatMode, seed: int
) -> None:
    result = match_round(org.people, org.history, MatchSettings(group_size=size, mode=mode, seed=seed))
    check_hard_rules(org, result, size)
    assert result.seed == seed
    if len(org.people) == 1:
        assert result.lone == org.people[0].id


@settings(max_examples=15, deadline=None)
@given(orgs(max_size=30), st.integers(2, 6), st.integers(0, 2**32))
def test_the_same_seed_gives_the_same_groups_whatever_the_input_order(org: Org, size: int, seed: int) -> None:
    config = MatchSettings(group_size=size, seed=seed)
    first = match_round(org.people, org.history, config)
    shuffled = list(org.people)
    random.Random(seed).shuffle(shuffled)
    again = match_round(shuffled, org.history, config)
    assert again.groups == first.groups and again.sat_out == first.sat_out and again.quality == first.quality


@settings(max_examples=60, deadline=None)
@given(orgs(min_size=2, max_size=9), st.integers(2, 4))
def test_nobody_sits_out_when_a_full_placement_exists(org: Org, size: int) -> None:
    result = match_round(org.people, org.history, MatchSettings(group_size=size))
    full = next(brute.valid_arrangements(org.people, group_sizes(len(org.people), size)), None)
    if full is not None:
        assert result.sat_out == []
    else:
        assert result.sat_out or result.lone


@settings(max_examples=8, deadline=None)
@given(orgs(min_size=210, max_size=260, history_rounds=2), st.sampled_from([2, 3, 4]))
def test_hard_rules_hold_on_the_large_round_path(org: Org, size: int) -> None:
    result = match_round(org.people, org.history, MatchSettings(group_size=size))
    check_hard_rules(org, result, size)


def test_someone_blocked_by_everyone_sits_out_with_a_reason() -> None:
    from serendip.domain.matching import Participant

    people = [
        Participant("A", blocked=frozenset({"B", "C", "D"})),
        Participant("B"),
        Participant("C"),
        Participant("D"),
    ]
    result = match_round(people, [], MatchSettings())
    assert [s.id for s in result.sat_out] == ["A"] and "blocked" in result.sat_out[0].reason
    assert sorted(map(sorted, result.groups)) == [["B", "C", "D"]]
    assert result.quality.coverage == 0.75


def test_a_manager_with_only_their_reports_leaves_the_fewest_out() -> None:
    from serendip.domain.matching import Participant

    people = [Participant("M"), Participant("R1", manager_id="M"), Participant("R2", manager_id="M")]
    result = match_round(people, [], MatchSettings())
    assert result.groups == [["R1", "R2"]] or result.groups == [["R2", "R1"]]
    assert [s.id for s in result.sat_out] == ["M"]


def test_one_member_is_alone_and_nobody_gives_nothing() -> None:
    from serendip.domain.matching import Participant

    alone = match_round([Participant("A")], [], MatchSettings())
    assert (alone.groups, alone.lone, alone.sat_out) == ([], "A", [])
    empty = match_round([], [], MatchSettings())
    assert (empty.groups, empty.lone, empty.quality.coverage) == ([], None, 1.0)
